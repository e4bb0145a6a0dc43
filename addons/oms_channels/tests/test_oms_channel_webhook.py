import contextlib
import io
import json
import os
from contextlib import closing
from datetime import timedelta
from unittest.mock import patch

import psycopg2

import odoo
import odoo.service.db
from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.oms_channels.channel_clients.webhooks import sign
from odoo.addons.oms_channels.controllers import intake
from odoo.addons.oms_channels.models.oms_channel import import_job_key
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import fixture, intake_answers

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


class TestInbox(InboxCase):
    def test_same_version_is_stored_once_newer_version_again(self):
        body = json.dumps(shopify_order())
        first, created = self.Inbox._oms_store(self.channel, "webhook", body)
        self.assertTrue(created)
        self.assertEqual(
            (first.external_id, first.version, first.state),
            # The shop's offset as UTC: one moment, one version, however written.
            ("820982911946154508", "2026-01-10T15:00:00+00:00", "received"),
        )
        again, created = self.Inbox._oms_store(self.channel, "pull", body)
        self.assertFalse(created)
        self.assertEqual(again, first)
        # The GraphQL Admin API's way of the same moment.
        same, created = self.Inbox._oms_store(
            self.channel, "pull", json.dumps(shopify_order(updated_at="2026-01-10T15:00:00Z"))
        )
        self.assertFalse(created)
        self.assertEqual(same, first)
        newer, created = self.Inbox._oms_store(
            self.channel, "webhook", json.dumps(shopify_order(updated_at="2026-01-11T08:00:00Z"))
        )
        self.assertTrue(created)
        self.assertNotEqual(newer, first)
        self.assertEqual(self.Inbox.search_count([("channel_id", "=", self.channel.id)]), 2)

    def test_payload_without_order_id_is_kept_in_error(self):
        body = json.dumps({"note": "no id here"})
        record, created = self.Inbox._oms_store(self.channel, "webhook", body)
        self.assertTrue(created)
        self.assertEqual(record.state, "error")
        self.assertIn("does not say which order", record.error_message)
        self.assertEqual(record.body, body, "the raw payload is kept")
        self.assertTrue(record.external_id.startswith("sha256:"))

    def _webhook_jobs(self):
        return self.env["queue.job"].search(
            [
                ("model_name", "=", "oms.channel"),
                ("method_name", "=", "_oms_import_webhooks"),
                ("state", "=", "pending"),
            ]
        )

    def test_webhook_import_takes_a_batch_and_asks_for_the_next(self):
        stored = self.Inbox
        for index in range(3):
            body = json.dumps(shopify_order(order_id=900 + index))
            stored |= self.Inbox._oms_store(self.channel, "webhook", body)[0]
        pulled = self.Inbox._oms_store(self.channel, "pull", json.dumps(shopify_order(950)))[0]
        with patch("odoo.addons.oms_channels.models.oms_channel_sync.BATCH_SIZE", 2):
            self.assertEqual(self.channel._oms_import_webhooks(), 2)
            # Processed (these test orders have no lines, so they end in error).
            self.assertEqual(stored.mapped("state"), ["error", "error", "received"], "oldest first")
            follow_up = self._webhook_jobs()
            self.assertEqual(follow_up.records, self.channel, "a full batch asks for the next")
            self.assertEqual(self.channel._oms_import_webhooks(), 1)
        self.assertEqual(stored.mapped("state"), ["error"] * 3)
        self.assertEqual(self._webhook_jobs(), follow_up, "the last batch asks for nothing more")
        self.assertEqual(pulled.state, "received", "pulls have their own jobs")

    def _store(self, source, first_id, count):
        stored = self.Inbox
        for index in range(count):
            body = json.dumps(shopify_order(order_id=first_id + index))
            stored |= self.Inbox._oms_store(self.channel, source, body)[0]
        return stored

    def _poisoned(self, external_id):
        """The import, failing unexpectedly on any batch that holds ``external_id``."""
        Inbox = type(self.Inbox)
        process = Inbox._oms_process_channel

        def poisoned(records, channel):
            if external_id in records.mapped("external_id"):
                raise RuntimeError("unexpected payload shape")
            return process(records, channel)

        return patch.object(Inbox, "_oms_process_channel", poisoned)

    def test_one_payload_failing_does_not_hold_back_its_pulled_batch(self):
        """The same for a batch a pull (a file, reprocessing) queued: before, its
        job failed whole, again at each retry, and left every payload received."""
        stored = self._store("pull", 920, 3)
        with trap_jobs() as trap:
            stored._oms_queue_processing()
            trap.assert_jobs_count(1, only=stored._oms_process_batch)
            with (
                self._poisoned("921"),
                mute_logger("odoo.addons.oms_channels.models.oms_channel_inbox"),
            ):
                trap.perform_enqueued_jobs()
        self.assertEqual(stored.mapped("state"), ["error"] * 3)
        self.assertIn("failed unexpectedly: unexpected payload shape", stored[1].error_message)
        for record in stored[0] | stored[2]:
            self.assertNotIn("unexpectedly", record.error_message, "imported as usual")
        # The batch that failed is taken back whole; each attempt alone counts.
        self.assertEqual(stored.mapped("attempts"), [1, 1, 1])

    def test_payloads_whose_job_is_gone_are_queued_again(self):
        stored = self._store("pull", 930, 2)
        fresh = self.Inbox._oms_store(self.channel, "file", json.dumps(shopify_order(940)))[0]
        webhook = self.Inbox._oms_store(self.channel, "webhook", json.dumps(shopify_order(941)))[0]
        self.env.cr.execute(
            "UPDATE oms_channel_inbox SET create_date = create_date - interval '1 hour' "
            "WHERE id IN %s",
            [tuple((stored | webhook).ids)],
        )
        self.Inbox.invalidate_model(["create_date"])
        stored[:1]._oms_queue_processing()  # a job still waits: nothing more
        with trap_jobs() as trap:
            self.assertFalse(self.Inbox._oms_queue_orphans(timedelta(minutes=10)))
            trap.assert_jobs_count(0)
        with trap_jobs() as trap:
            self.env["queue.job"].search([("method_name", "=", "_oms_process_batch")]).unlink()
            self.assertEqual(self.Inbox._oms_queue_orphans(timedelta(minutes=10)), stored)
            trap.assert_jobs_count(1, only=stored._oms_process_batch)
            trap.perform_enqueued_jobs()
        self.assertEqual(stored.mapped("state"), ["error"] * 2, "imported (no lines here)")
        self.assertEqual(fresh.state, "received", "its job may still come")
        self.assertEqual(webhook.state, "received", "webhooks have their own sweep")

    def test_a_payload_whose_job_is_lost_every_time_ends_in_error(self):
        stored = self._store("pull", 950, 1)
        self.env.cr.execute(
            "UPDATE oms_channel_inbox SET create_date = create_date - interval '1 hour' "
            "WHERE id IN %s",
            [tuple(stored.ids)],
        )
        self.Inbox.invalidate_model(["create_date"])
        Job = self.env["queue.job"]
        for times in range(1, 4):
            with trap_jobs() as trap:
                self.assertEqual(self.Inbox._oms_queue_orphans(timedelta(minutes=10)), stored)
                trap.assert_jobs_count(1, only=stored._oms_process_batch)
            self.assertEqual(stored.requeued, times)
            Job.search([("method_name", "=", "_oms_process_batch")]).unlink()  # lost again
        with (
            trap_jobs() as trap,
            mute_logger("odoo.addons.oms_channels.models.oms_channel_inbox"),
        ):
            self.assertFalse(self.Inbox._oms_queue_orphans(timedelta(minutes=10)))
            trap.assert_jobs_count(0)
        self.assertEqual(stored.state, "error")
        self.assertIn("lost 3 times", stored.error_message)
        with trap_jobs() as trap:
            stored.action_reprocess()
            trap.assert_jobs_count(1, only=stored._oms_process_batch)
        self.assertEqual((stored.state, stored.requeued), ("received", 0), "a person took it up")

    def test_one_payload_failing_does_not_hold_back_the_others(self):
        """An unexpected failure on one payload of a webhook batch: that one ends
        in error with the reason, kept; the others are imported; a database error
        is raised instead, for the job to be retried."""
        stored = self._store("webhook", 910, 3)
        Inbox = type(self.Inbox)
        with (
            self._poisoned("911"),
            mute_logger("odoo.addons.oms_channels.models.oms_channel_inbox"),
            mute_logger("odoo.addons.oms_channels.models.oms_channel_sync"),
        ):
            self.assertEqual(self.channel._oms_import_webhooks(), 3)
        self.assertEqual(stored.mapped("state"), ["error"] * 3)
        self.assertIn("failed unexpectedly: unexpected payload shape", stored[1].error_message)
        for record in stored[0] | stored[2]:
            self.assertNotIn("unexpectedly", record.error_message, "imported as usual")
        self.assertTrue(stored[1].body, "the payload is kept")

        stored.write({"state": "received", "error_message": False})

        def database_down(records, channel):
            raise psycopg2.OperationalError("server closed the connection")

        with (
            patch.object(Inbox, "_oms_process_channel", database_down),
            self.assertRaises(psycopg2.OperationalError),
        ):
            self.channel._oms_import_webhooks()

    def test_scheduled_pull_queues_webhook_payloads_left_waiting(self):
        old = self.Inbox._oms_store(self.channel, "webhook", json.dumps(shopify_order(1)))[0]
        self.Inbox._oms_store(self.channel, "webhook", json.dumps(shopify_order(2)))
        other = self.env["oms.channel"].create(
            {"name": "Shopify US", "channel_type": "shopify", "webhook_secret": SECRET}
        )
        self.Inbox._oms_store(other, "webhook", json.dumps(shopify_order(3)))
        self.env.cr.execute(
            "UPDATE oms_channel_inbox SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=11), old.id],
        )
        self.env["oms.channel"]._cron_oms_pull_orders()
        jobs = self._webhook_jobs()
        self.assertEqual(jobs.records, self.channel, "only the channel with a payload left waiting")
        delay = (jobs.eta or jobs.date_created) - jobs.date_created
        self.assertLess(delay, timedelta(seconds=1), "they are imported at once")


@tagged("post_install", "-at_install")
class TestWebhook(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopify = cls.env["oms.channel"].create(
            {"name": "Shopify EU", "channel_type": "shopify", "webhook_secret": SECRET}
        )
        cls.woo = cls.env["oms.channel"].create(
            {"name": "Woo shop", "channel_type": "woocommerce", "webhook_secret": SECRET}
        )
        cls.manual = cls.env.ref("oms_core.oms_channel_manual")

    def _post(self, channel, body, signature=None, header="X-Shopify-Hmac-Sha256", topic=None):
        headers = {"Content-Type": "application/json"}
        if signature:
            headers[header] = signature
        if topic:
            headers["X-Shopify-Topic"] = topic
        return self.url_open(f"/oms/channels/{channel.id}/webhook", data=body, headers=headers)

    def _inbox(self, channel):
        return self.env["oms.channel.inbox"].search([("channel_id", "=", channel.id)])

    def _import_jobs(self):
        return self.env["queue.job"].search(
            [("model_name", "=", "oms.channel"), ("method_name", "=", "_oms_import_webhooks")]
        )

    def test_signed_webhook_is_stored_and_acknowledged(self):
        body = json.dumps(shopify_order()).encode()
        response = self._post(self.shopify, body, sign(body, SECRET), topic="orders/create")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "received")
        stored = self._inbox(self.shopify)
        self.assertEqual(len(stored), 1)
        self.assertEqual((stored.source, stored.topic), ("webhook", "orders/create"))
        self.assertEqual(stored.body, body.decode())
        jobs = self._import_jobs()
        self.assertEqual(len(jobs), 1, "the order is made in a background job")
        self.assertEqual(jobs.records, self.shopify, "one job imports the channel's deliveries")
        self.assertGreater(jobs.eta, jobs.date_created, "it waits for the deliveries that follow")

        other = json.dumps(shopify_order(order_id=820982911946154509)).encode()
        self.assertEqual(self._post(self.shopify, other, sign(other, SECRET)).status_code, 200)
        self.assertEqual(self._import_jobs(), jobs, "the next delivery joins the waiting job")
        self.assertEqual(len(self._inbox(self.shopify)), 2)

    def test_redelivery_is_acknowledged_and_stored_once(self):
        body = json.dumps(shopify_order()).encode()
        for _attempt in range(10):
            response = self._post(self.shopify, body, sign(body, SECRET))
            self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "already received")
        self.assertEqual(len(self._inbox(self.shopify)), 1)
        self.assertEqual(len(self._import_jobs()), 1)

    @mute_logger("odoo.addons.oms_channels.controllers.webhook")
    def test_bad_or_missing_signature_leaves_no_trace(self):
        body = json.dumps(shopify_order()).encode()
        self.assertEqual(self._post(self.shopify, body, sign(body, "other")).status_code, 401)
        self.assertEqual(self._post(self.shopify, body).status_code, 401)
        tampered = body.replace(b"#1001", b"#9999")
        self.assertEqual(self._post(self.shopify, tampered, sign(body, SECRET)).status_code, 401)
        self.assertFalse(self._inbox(self.shopify))

    def test_woocommerce_signature_header(self):
        body = json.dumps({"id": 727, "date_modified_gmt": "2026-01-10T10:00:00"}).encode()
        response = self._post(self.woo, body, sign(body, SECRET), header="X-WC-Webhook-Signature")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._inbox(self.woo).external_id, "727")

    def test_body_that_is_not_json_is_refused(self):
        body = b"<html>not json</html>"
        self.assertEqual(self._post(self.shopify, body, sign(body, SECRET)).status_code, 400)
        self.assertFalse(self._inbox(self.shopify))

    def test_unknown_or_inactive_channel(self):
        body = b"{}"
        self.assertEqual(self._post(self.manual, body, sign(body, SECRET)).status_code, 404)
        self.shopify.active = False
        self.assertEqual(self._post(self.shopify, body, sign(body, SECRET)).status_code, 404)

    def test_ten_megabyte_body_is_kept_in_error(self):
        body = json.dumps(
            dict(shopify_order(), note="x" * (10 * 1024 * 1024)), separators=(",", ":")
        ).encode()
        response = self._post(self.shopify, body, sign(body, SECRET))
        self.assertEqual(response.status_code, 200)
        stored = self._inbox(self.shopify)
        self.assertEqual(len(stored.body), len(body), "nothing is lost")
        stored._oms_process()
        self.assertEqual(stored.state, "error")
        self.assertIn("more than the", stored.error_message)
        self.assertFalse(stored.order_id)

    @mute_logger("odoo.addons.oms_channels.controllers.webhook")
    def test_body_over_the_limit_is_refused_unread(self):
        body = b'{"id": 1, "pad": "' + b"x" * (32 * 1024 * 1024) + b'"}'
        self.assertEqual(self._post(self.shopify, body, sign(body, SECRET)).status_code, 413)
        self.assertFalse(self._inbox(self.shopify))

    def test_malformed_bodies_are_answered_400_and_not_stored(self):
        deep = b"[" * 100_000 + b"]" * 100_000
        nested = b'{"id": 5, "updated_at": "2026-01-10T10:00:00Z", "x": ' + deep + b"}"
        cases = {
            "nested too deep": deep,
            "an object nested too deep": nested,
            "not an object": json.dumps([shopify_order()]).encode(),
            "a bad date": json.dumps(shopify_order(updated_at="yesterday")).encode(),
            "a date that is a number": json.dumps(shopify_order(updated_at=1736500000)).encode(),
        }
        for case, body in cases.items():
            with self.subTest(case):
                response = self._post(self.shopify, body, sign(body, SECRET))
                self.assertEqual(response.status_code, 400, response.text[:200])
        self.assertFalse(self._inbox(self.shopify), "nothing stored")
        body = json.dumps({"id": 4, "date_modified_gmt": "not a date"}).encode()
        response = self._post(self.woo, body, sign(body, SECRET), header="X-WC-Webhook-Signature")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._inbox(self.woo))

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
