"""The webhook intake: the deliveries it answers ahead of Odoo's dispatch are
answered and stored as oms_channels' route answers and stores them, and every
other request goes on to that route."""

import contextlib
import io
import json
import os
from contextlib import closing
from unittest.mock import patch

import psycopg2

import odoo
import odoo.service.db
from odoo.tests import HttpCase, TransactionCase
from odoo.tools import mute_logger

from odoo.addons.oms_channels.channel_clients.webhooks import sign
from odoo.addons.oms_channels.models.oms_channel import import_job_key
from odoo.addons.oms_channels.tests.common import fixture
from odoo.addons.oms_fast_intake import intake

from .common import intake_answers

SECRET = "whsec_test_123"


def shopify_order(order_id=820982911946154508, updated_at="2026-01-10T10:00:00-05:00"):
    return {"id": order_id, "updated_at": updated_at, "name": "#1001", "line_items": []}


class InboxCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel = cls.env["oms.channel"].create(
            {"name": "Shopify EU", "channel_type": "shopify", "webhook_secret": SECRET}
        )
        cls.Inbox = cls.env["oms.channel.inbox"]


class TestIntakeRoute(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopify = cls.env["oms.channel"].create(
            {"name": "Shopify EU", "channel_type": "shopify", "webhook_secret": SECRET}
        )
        cls.manual = cls.env.ref("oms_core.oms_channel_manual")

    def _inbox(self, channel):
        return self.env["oms.channel.inbox"].search([("channel_id", "=", channel.id)])

    def test_the_intake_knows_the_channel_and_the_length_before_reading(self):
        def deliver(channel_id, body, length=None):
            stream = io.BytesIO(body)
            environ = {
                "PATH_INFO": f"/oms/channels/{channel_id}/webhook",
                "REQUEST_METHOD": "POST",
                "CONTENT_LENGTH": str(len(body) if length is None else length),
                "HTTP_X_SHOPIFY_HMAC_SHA256": sign(body, SECRET),
                "wsgi.input": stream,
            }
            statuses = []
            with patch.dict(intake.config.options, {"db_name": self.env.cr.dbname, "dbfilter": ""}):
                answered = intake.answer(environ, lambda status, _headers: statuses.append(status))
            return answered, statuses, stream.tell()

        self.shopify._oms_queue_webhook_import()
        self.env.flush_all()
        body = json.dumps(shopify_order(order_id=701)).encode()
        self.assertEqual(
            deliver(10**9, body), (None, [], 0), "an unknown channel: Odoo's route, unread"
        )
        self.assertEqual(deliver(self.manual.id, body)[1:], ([], 0), "a kind that does not sign")
        archived = self.shopify.copy({"name": "Archived shop", "active": False})
        self.env.flush_all()
        self.assertEqual(deliver(archived.id, body)[1:], ([], 0), "an archived channel")
        too_long = 32 * 1024 * 1024 + 1
        self.assertEqual(deliver(self.shopify.id, body, too_long)[1:], ([], 0), "too large")
        _answered, statuses, read = deliver(self.shopify.id, body)
        self.assertEqual((statuses, read), (["200 OK"], len(body)), "a delivery is answered")
        self.assertEqual(self._inbox(self.shopify).external_id, "701")

    def test_a_database_without_the_addon_is_left_to_odoo(self):
        """The wrapper stays in a process once imported: for a registry without
        the addon (never installed there, or uninstalled) it passes every
        request on, unread, and Odoo's route answers."""
        self.shopify._oms_queue_webhook_import()
        self.env.flush_all()
        body = json.dumps(shopify_order(order_id=702)).encode()
        stream = io.BytesIO(body)
        environ = {
            "PATH_INFO": f"/oms/channels/{self.shopify.id}/webhook",
            "REQUEST_METHOD": "POST",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_SHOPIFY_HMAC_SHA256": sign(body, SECRET),
            "wsgi.input": stream,
        }
        statuses = []
        without = self.registry._init_modules - {intake.ADDON}
        with (
            patch.dict(intake.config.options, {"db_name": self.env.cr.dbname, "dbfilter": ""}),
            patch.object(self.registry, "_init_modules", without),
        ):
            answered = intake.answer(environ, lambda status, _headers: statuses.append(status))
        self.assertEqual((answered, statuses, stream.tell()), (None, [], 0))
        self.assertFalse(self._inbox(self.shopify))

    def test_the_addon_puts_the_intake_in_front_of_odoo(self):
        self.assertTrue(getattr(odoo.http.Application.__call__, "oms_webhook_intake", False))

    @mute_logger("odoo.addons.oms_channels.controllers.webhook")
    def test_deliveries_are_answered_before_odoos_dispatch(self):
        def post(body, signature):
            headers = {"Content-Type": "application/json", "X-Shopify-Hmac-Sha256": signature}
            url = f"/oms/channels/{self.shopify.id}/webhook"
            return self.url_open(url, data=body, headers=headers)

        first, second = (json.dumps(shopify_order(order_id=n)).encode() for n in (501, 502))
        with intake_answers() as answered:
            responses = [
                post(first, sign(first, SECRET)),
                post(second, sign(second, SECRET)),
                post(second, sign(second, SECRET)),
                post(first, sign(first, "other")),
            ]
        self.assertEqual([r.status_code for r in responses], [200, 200, 200, 401])
        self.assertEqual(
            [r.json()["status"] for r in responses],
            ["received", "received", "already received", "invalid signature"],
        )
        self.assertEqual(answered, [True, True, False, False], "redelivery and 401 by Odoo's route")
        inbox = self.env["oms.channel.inbox"].search([("channel_id", "=", self.shopify.id)])
        self.assertEqual(sorted(inbox.mapped("external_id")), ["501", "502"])
        self.assertEqual(
            responses[1].json()["inbox_id"], inbox.filtered(lambda r: r.external_id == "502").id
        )
        key = import_job_key(self.shopify.id)
        jobs = self.env["queue.job"].search([("identity_key", "=", key)])
        self.assertEqual(len(jobs), 1, "one job imports both")


def environ_for(signature=None, topic="orders/create"):
    """The WSGI headers of a Shopify delivery."""
    environ = {"HTTP_X_SHOPIFY_TOPIC": topic}
    if signature:
        environ["HTTP_X_SHOPIFY_HMAC_SHA256"] = signature
    return environ


class TestWebhookIntake(InboxCase):
    """The intake's decisions and what it stores, on the test transaction."""

    def _store(self, body, signature=None, channel=None, **kwargs):
        channel = channel or self.channel
        self.env.flush_all()
        result = intake.store_delivery(
            self.env.cr, channel.id, environ_for(signature), body, **kwargs
        )
        self.env.invalidate_all()
        return result

    def _jobs(self):
        key = import_job_key(self.channel.id)
        return self.env["queue.job"].search([("identity_key", "=", key)])

    def test_stores_what_the_route_stores_when_a_job_waits(self):
        self.channel._oms_queue_webhook_import()
        job = self._jobs()
        body = json.dumps(shopify_order()).encode()
        inbox_id = self._store(body, sign(body, SECRET))
        stored = self.Inbox.browse(inbox_id)
        self.assertEqual(
            (stored.channel_id, stored.company_id, stored.source, stored.topic, stored.state),
            (self.channel, self.channel.company_id, "webhook", "orders/create", "received"),
        )
        self.assertEqual(
            (stored.external_id, stored.version, stored.channel_updated_at),
            ("820982911946154508", "2026-01-10T15:00:00+00:00", "2026-01-10T15:00:00+00:00"),
        )
        self.assertEqual(stored.body, body.decode())
        self.assertTrue(stored.create_date)
        self.assertEqual(
            self.Inbox._oms_store(self.channel, "webhook", body.decode()), (stored, False)
        )
        self.assertEqual(self._jobs(), job, "the waiting job imports it")

    def test_refunds_create_is_stored_as_a_refund_like_the_route(self):
        self.channel._oms_queue_webhook_import()
        body = json.dumps(fixture("shopify", "refund_return_and_shipping.json")).encode()
        stored = self.Inbox.browse(self._store(body, sign(body, SECRET)))
        self.assertEqual(
            (stored.external_id, stored.version),
            ("refund:509562969", "2025-01-12T16:00:00+00:00"),
            "a refund, apart from order 509562969's versions",
        )
        self.assertEqual(self.Inbox._oms_store(self.channel, "webhook", body.decode())[0], stored)

    def test_payload_without_version_is_keyed_like_the_route(self):
        self.channel._oms_queue_webhook_import()
        body = json.dumps({"id": 77}).encode()
        stored = self.Inbox.browse(self._store(body, sign(body, SECRET)))
        self.assertTrue(stored.version.startswith("sha256:"))
        self.assertFalse(stored.channel_updated_at)
        self.assertEqual(self.Inbox._oms_store(self.channel, "webhook", body.decode())[0], stored)

    def test_first_delivery_queues_the_import_job(self):
        body = json.dumps(shopify_order()).encode()
        self.assertIs(self._store(body, sign(body, SECRET)), intake.NO_JOB)
        self.assertFalse(self.Inbox.search([("channel_id", "=", self.channel.id)]))
        self.assertFalse(self._jobs())
        inbox_id = self._store(body, sign(body, SECRET), queue_import=intake.queue_import)
        self.assertEqual(self.Inbox.search([("channel_id", "=", self.channel.id)]).ids, [inbox_id])
        job = self._jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual((job.records, job.method_name), (self.channel, "_oms_import_webhooks"))

    def test_everything_else_is_left_to_odoos_route(self):
        self.channel._oms_queue_webhook_import()
        body = json.dumps(shopify_order()).encode()
        amazon = self.env["oms.channel"].create(
            {"name": "Amazon", "channel_type": "amazon", "webhook_secret": SECRET}
        )
        inactive = self.channel.copy({"name": "Closed shop", "active": False})
        no_id = json.dumps({"note": "no id"}).encode()
        not_utf8 = b'{"id": "\xff"}'
        array = json.dumps([shopify_order()]).encode()
        deep = b'{"id": 5, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        bad_date = json.dumps(shopify_order(updated_at="2026-02-30T10:00:00Z")).encode()
        for case, args in {
            "nested too deep": (deep, sign(deep, SECRET)),
            "a bad date": (bad_date, sign(bad_date, SECRET)),
            "wrong signature": (body, sign(body, "other")),
            "no signature": (body, None),
            "not JSON": (b"<html/>", sign(b"<html/>", SECRET)),
            "not UTF-8": (not_utf8, sign(not_utf8, SECRET)),
            "no order id": (no_id, sign(no_id, SECRET)),
            "not an object": (array, sign(array, SECRET)),
            "a kind that does not sign": (body, sign(body, SECRET), amazon),
            "inactive channel": (body, sign(body, SECRET), inactive),
        }.items():
            with self.subTest(case):
                self.assertIsNone(self._store(*args))
        self.assertFalse(self.Inbox.search([]).filtered(lambda r: r.body == body.decode()))
        self.Inbox._oms_store(self.channel, "webhook", body.decode())
        self.assertIsNone(self._store(body, sign(body, SECRET)), "a redelivery")

    def test_a_known_channel_takes_one_statement(self):
        self.channel._oms_queue_webhook_import()
        first, second = (json.dumps(shopify_order(order_id=n)).encode() for n in (601, 602))
        self.assertTrue(self._store(first, sign(first, SECRET)))
        before = self.env.cr.sql_log_count
        inbox_id = self._store(second, sign(second, SECRET))
        self.assertEqual(self.env.cr.sql_log_count - before, 1, "the insert alone")
        self.assertEqual(self.Inbox.browse(inbox_id).external_id, "602")

    def test_what_the_intake_knows_of_a_channel_is_checked_by_the_insert(self):
        self.channel._oms_queue_webhook_import()
        first, second, third = (
            json.dumps(shopify_order(order_id=n)).encode() for n in (611, 612, 613)
        )
        self.assertTrue(self._store(first, sign(first, SECRET)), "the channel is known now")
        self.channel.webhook_secret = "rotated"
        self.assertIsNone(self._store(second, sign(second, SECRET)), "the old secret")
        self.assertTrue(self._store(second, sign(second, "rotated")), "the new one")
        self.channel.active = False
        self.assertIsNone(self._store(third, sign(third, "rotated")), "an inactive channel")
        self.channel.write({"active": True, "channel_type": "woocommerce"})
        self.assertIsNone(self._store(third, sign(third, "rotated")), "another kind")
        self.assertEqual(
            self.Inbox.search([("channel_id", "=", self.channel.id)]).mapped("external_id"),
            ["612", "611"],
        )

    def test_served_database(self):
        with patch.dict(intake.config.options, {"db_name": "oms", "dbfilter": ""}):
            self.assertEqual(intake.served_database(), "oms")
        with patch.dict(intake.config.options, {"db_name": "oms", "dbfilter": "^oms$"}):
            self.assertIsNone(intake.served_database(), "a dbfilter is Odoo's to apply")
        with patch.dict(intake.config.options, {"db_name": "oms,other", "dbfilter": ""}):
            self.assertIsNone(intake.served_database())
        with patch.dict(intake.config.options, {"db_name": "", "dbfilter": ""}):
            self.assertIsNone(intake.served_database())

    def test_connection_pool(self):
        pool = intake.ConnectionPool(self.env.cr.dbname)
        self.assertEqual(pool.size, intake.MAX_CONNECTIONS)
        self.addCleanup(lambda: [connection.close() for connection in pool._idle])
        with pool.cursor() as cr:
            cr.execute("SELECT 1")
            self.assertEqual(cr.fetchone(), (1,))
        with pool.cursor() as cr:
            cr.execute("SELECT 2")
        self.assertEqual(len(pool._idle), 1, "the connection is kept for the next request")
        with self.assertRaises(psycopg2.Error), mute_logger("odoo.sql_db"), pool.cursor() as cr:
            cr.execute("SELECT * FROM no_such_table")
        self.assertEqual(pool._idle, [], "a connection that failed is closed, not kept")

    def test_intake_connections_time_out_and_are_capped(self):
        with patch.dict(intake.config.options, {"oms_intake_max_connections": "2"}):
            pool = intake.ConnectionPool(self.env.cr.dbname)
        self.addCleanup(pool.close)
        self.assertEqual(pool.size, 2, "the cap of Odoo's configuration file")
        with patch.object(intake, "POOL_WAIT", 0.01), contextlib.ExitStack() as busy:
            first = busy.enter_context(pool.cursor())
            busy.enter_context(pool.cursor())
            with self.assertRaises(intake.PoolTimeout), pool.cursor():
                pass
            first.execute("SHOW statement_timeout")
            self.assertEqual(first.fetchone(), ("5s",))
            self.assertEqual(first.connection.get_dsn_parameters()["connect_timeout"], "5")
        self.assertEqual(len(pool._idle), 2, "given back")
        off = intake.ConnectionPool(self.env.cr.dbname, size=0)
        with self.assertRaises(intake.PoolTimeout), off.cursor():
            pass

    def test_intake_connections_close_when_the_database_goes(self):
        name = f"oms_intake_scratch_{os.getpid()}"
        with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
            cr._cnx.autocommit = True
            cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cr.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')

        def drop():
            # As a server that lists its databases (the test server names one).
            with patch.dict(odoo.tools.config.options, {"list_db": True, "dbfilter": ".*"}):
                return odoo.service.db.exp_drop(name)

        self.addCleanup(drop)

        class Registry:  # what the intake needs of one
            db_name = name

        def connection_of(registry):
            with intake.pool_for(registry).cursor() as cr:
                cr.execute("SELECT 1")
                return cr.connection

        first = connection_of(before := Registry())
        self.assertIs(connection_of(before), first, "kept for the next delivery")
        second = connection_of(Registry())  # the database restored: another registry
        self.assertTrue(first.closed, "the old registry's connections are closed")
        self.assertFalse(second.closed)
        self.assertTrue(drop())
        self.assertTrue(second.closed, "closed when Odoo drops the database")
        self.assertNotIn(name, intake._pools)
