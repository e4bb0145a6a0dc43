import json
from datetime import timedelta
from unittest.mock import patch

import psycopg2

import odoo
from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.oms_channels.channel_clients.webhooks import sign
from odoo.addons.queue_job.tests.common import trap_jobs

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

    def test_deliveries_take_odoos_dispatch(self):
        """Without the opt-in addon oms_fast_intake, nothing stands in front of
        Odoo's dispatch: its WSGI application and close_db are its own."""
        if "oms_fast_intake" in self.registry._init_modules:
            self.skipTest("oms_fast_intake wraps them in this database")
        self.assertEqual(odoo.http.Application.__call__.__module__, "odoo.http")
        self.assertEqual(odoo.sql_db.close_db.__module__, "odoo.sql_db")

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
