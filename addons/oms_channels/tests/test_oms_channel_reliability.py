"""Redeliveries, parallel deliveries, failures mid-batch and pulls at the same time,
with real transactions.

These tests commit what they do (the HTTP server answers in its own transactions)
and remove it afterwards, so they use BaseCase and their own cursors instead of
the single rolled-back transaction of TransactionCase.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from unittest.mock import patch

import psycopg2
import requests

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import HOST, BaseCase, get_db_name, tagged
from odoo.tools import config, mute_logger

from odoo.addons.oms_channels.channel_clients.webhooks import sign
from odoo.addons.oms_channels.channel_mappers.refund import map_shopify_refund
from odoo.addons.queue_job.exception import RetryableJobError

from tests.odoo_helpers import CommittedEnvMixin, LocalSimulatorsMixin
from tests.simulators.shopify import ShopifySimulator, generate_orders

SECRET = "whsec_reliability"


class ReliabilityCase(CommittedEnvMixin, LocalSimulatorsMixin, BaseCase):
    """A channel on the Shopify simulator, in committed transactions, removed after."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        with self._env() as env:
            # The simulator's shop sells in euros; committed, so put back after.
            self.eur_was_active = env.ref("base.EUR").active
            env.ref("base.EUR").active = True
            self.channel_id = (
                env["oms.channel"]
                .create(
                    {
                        "name": "Shopify (reliability)",
                        "channel_type": "shopify",
                        "webhook_secret": SECRET,
                        "allow_insecure_http": True,  # the local simulator
                        "api_base_url": self.sim.url,
                        "shopify_access_token": self.sim.access_token,
                    }
                )
                .id
            )
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            orders = env["sale.order"].search([("oms_channel_id", "=", channel.id)])
            partners = orders.partner_id | orders.partner_shipping_id
            payments = env["account.payment"].search([("oms_channel_id", "=", channel.id)])
            invoices = orders.invoice_ids
            (invoices | payments.move_id).line_ids.remove_move_reconcile()
            payments.action_draft()
            payments.unlink()
            invoices.filtered(lambda m: m.state == "posted").button_draft()
            invoices.with_context(force_delete=True).unlink()
            journal = channel.payment_journal_id
            orders.filtered(lambda o: o.state != "cancel").with_context(
                oms_channel_cancelled=True
            )._action_cancel()
            orders.unlink()
            env["queue.job"].search(
                [("model_name", "in", ("oms.channel.inbox", "oms.channel", "sale.order"))]
            ).unlink()
            channel.inbox_ids.unlink()
            channel.product_binding_ids.unlink()
            partners.exists().filtered(lambda p: not p.sale_order_ids).unlink()
            channel.unlink()
            journal.unlink()
            env.ref("base.EUR").active = self.eur_was_active

    def _counts(self):
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            inbox = env["oms.channel.inbox"].search([("channel_id", "=", channel.id)])
            jobs = env["queue.job"].search(
                [("model_name", "=", "oms.channel"), ("method_name", "=", "_oms_import_webhooks")]
            )
            return inbox.ids, len(jobs.filtered(lambda j: j.records == channel))

    def _process_all(self):
        with self._env() as env:
            env["oms.channel.inbox"].search(
                [("channel_id", "=", self.channel_id), ("state", "=", "received")]
            )._oms_process()
        with self._env() as env:
            orders = env["sale.order"].search([("oms_channel_id", "=", self.channel_id)])
            return sorted(orders.mapped("oms_external_ref"))

    def _post(self, body):
        url = f"http://{HOST}:{config['http_port']}/oms/channels/{self.channel_id}/webhook"
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": sign(body, SECRET),
        }
        return requests.post(url, data=body, headers=headers, timeout=60)


@tagged("post_install", "-at_install")
class TestReliability(ReliabilityCase):
    @mute_logger("odoo.sql_db", "odoo.addons.oms_channels.models.oms_channel_inbox")
    def test_same_webhook_ten_times_then_eight_in_parallel_gives_one_order(self):
        order = generate_orders(1, seed=31, lines=2)[0]
        body = json.dumps(order).encode()
        statuses = [self._post(body).status_code for _attempt in range(10)]
        self.assertEqual(statuses, [200] * 10)
        newer = json.dumps(dict(order, updated_at="2025-03-02T10:00:00+00:00")).encode()
        barrier = threading.Barrier(8)

        def deliver(_index):
            barrier.wait(timeout=30)
            return self._post(newer).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(deliver, range(8)))
        self.assertEqual(statuses, [200] * 8, "every delivery is acknowledged")
        inbox_ids, jobs = self._counts()
        self.assertEqual(len(inbox_ids), 2, "one record per version, however often delivered")
        self.assertEqual(jobs, 1, "one import job for the channel's deliveries")
        self.assertEqual(self._process_all(), [str(order["id"])], "exactly one order")

    def test_failure_mid_batch_leaves_no_half_order_and_the_retry_succeeds(self):
        orders = generate_orders(3, seed=32, lines=2)
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            records = env["oms.channel.inbox"]
            for order in orders:
                records |= env["oms.channel.inbox"]._oms_store(
                    channel, "webhook", json.dumps(order)
                )[0]
            ids = records.ids
        original = self.registry["sale.order"]._oms_submit
        calls = []

        def failing_submit(order_self):
            # Called once the batch's orders exist, before they are confirmed.
            calls.append(order_self.ids)
            if len(calls) == 1:
                raise RuntimeError("database went away")
            return original(order_self)

        self.registry["sale.order"]._oms_submit = failing_submit
        try:
            with self.assertRaises(RuntimeError), self._env() as env:
                env["oms.channel.inbox"].browse(ids)._oms_process()
        finally:
            self.registry["sale.order"]._oms_submit = original
        self.assertEqual(len(calls[0]), 3, "the three orders were made together")
        with self._env() as env:
            self.assertFalse(
                env["sale.order"].search([("oms_channel_id", "=", self.channel_id)]),
                "the failed batch left nothing behind",
            )
            self.assertEqual(
                set(env["oms.channel.inbox"].browse(ids).mapped("state")), {"received"}
            )
        self.assertEqual(self._process_all(), sorted(str(o["id"]) for o in orders))

    @mute_logger("odoo.sql_db")
    def test_eight_money_jobs_at_once_make_one_payment_and_one_invoice(self):
        (order,) = generate_orders(1, seed=38, lines=1)
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            channel.invoice_policy = "confirm"
            inbox = env["oms.channel.inbox"]._oms_store(
                channel, "webhook", json.dumps(dict(order, financial_status="paid"))
            )[0]
            inbox._oms_process()
            sale = inbox.order_id
            sale.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("test")
            self.assertEqual(sale.state, "sale")
            order_id = sale.id
        barrier = threading.Barrier(8)

        def job(index):
            # As queue_job runs a job: committed when done, tried again in a new
            # transaction when it failed to serialize with another.
            method = "_oms_record_channel_payment" if index % 2 else "_oms_invoice_channel_order"
            for attempt in range(20):
                try:
                    with self._env() as env:
                        if not attempt:
                            barrier.wait(timeout=30)
                        getattr(env["sale.order"].browse(order_id), method)()
                    return attempt
                except psycopg2.errors.SerializationFailure:
                    continue
            return None

        with ThreadPoolExecutor(max_workers=8) as pool:
            attempts = list(pool.map(job, range(8)))
        self.assertNotIn(None, attempts, "every job ends")
        with self._env() as env:
            sale = env["sale.order"].browse(order_id)
            payments = env["account.payment"].search([("oms_sale_order_id", "=", order_id)])
            self.assertEqual(len(payments), 1, "one payment")
            self.assertEqual(len(sale.invoice_ids), 1, "one invoice")
            self.assertEqual(sale.oms_channel_payment_id, payments)
            self.assertIn(sale.invoice_ids, payments.reconciled_invoice_ids)

    @mute_logger("odoo.sql_db")
    def test_eight_imports_of_one_refund_at_once_credit_it_once(self):
        (order,) = generate_orders(1, seed=39, lines=1)
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            channel.invoice_policy = "confirm"
            inbox = env["oms.channel.inbox"]._oms_store(
                channel, "webhook", json.dumps(dict(order, financial_status="paid"))
            )[0]
            inbox._oms_process()
            sale = inbox.order_id
            sale.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("test")
            sale._oms_invoice_channel_order()
            sale._oms_record_channel_payment()
            order_id = sale.id
            shipping = sale.order_line.filtered("is_delivery")
            self.assertTrue(shipping)
            gross = shipping.price_total
            net = shipping.price_subtotal
        refund = map_shopify_refund(
            {
                "id": 77001,
                "order_id": order["id"],
                "created_at": "2025-03-03T10:00:00+00:00",
                "refund_line_items": [],
                "order_adjustments": [
                    {
                        "kind": "shipping_refund",
                        "amount": f"{-net:.2f}",
                        "tax_amount": f"{-(gross - net):.2f}",
                    }
                ],
                "transactions": [
                    {
                        "kind": "refund",
                        "status": "success",
                        "amount": f"{gross:.2f}",
                        "currency": "EUR",
                    }
                ],
            }
        )
        barrier = threading.Barrier(8)

        def job(_index):
            for attempt in range(20):
                try:
                    with self._env() as env:
                        if not attempt:
                            barrier.wait(timeout=30)
                        env["sale.order"].browse(order_id)._oms_apply_channel_refund(refund)
                    return attempt
                except psycopg2.errors.SerializationFailure:
                    continue
            return None

        with ThreadPoolExecutor(max_workers=8) as pool:
            attempts = list(pool.map(job, range(8)))
        self.assertNotIn(None, attempts, "every job ends")
        with self._env() as env:
            sale = env["sale.order"].browse(order_id)
            credit_notes = sale.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
            self.assertEqual(len(credit_notes), 1, "one credit note")
            self.assertAlmostEqual(credit_notes.amount_total, gross, places=2)
            refunds = env["account.payment"].search(
                [("oms_sale_order_id", "=", order_id), ("payment_type", "=", "outbound")]
            )
            self.assertEqual(len(refunds), 1, "one refund payment")

    @mute_logger("odoo.sql_db")
    def test_two_jobs_making_the_same_new_order_end_with_one_order_and_an_update(self):
        (order,) = generate_orders(1, seed=37, lines=1)
        newer = dict(order, updated_at="2025-03-02T10:00:00+00:00")
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            first, second = (
                env["oms.channel.inbox"]._oms_store(channel, "webhook", json.dumps(o))[0].id
                for o in (order, newer)
            )
        # The second job's transaction has begun (its snapshot is taken) when the
        # first one commits the new order.
        late = self.registry.cursor()
        self.addCleanup(late.close)
        late.execute("SELECT 1")
        with self._env() as env:
            env["oms.channel.inbox"].browse(first)._oms_process_batch()
        late_env = api.Environment(late, SUPERUSER_ID, {"tracking_disable": True})
        # As queue_job runs a job: committed when done, rolled back and tried
        # again later, in a new transaction, on a RetryableJobError.
        try:
            late_env["oms.channel.inbox"].browse(second)._oms_process_batch()
        except RetryableJobError:
            late.rollback()
            with self._env() as env:
                env["oms.channel.inbox"].browse(second)._oms_process_batch()
        else:
            late.commit()
        with self._env() as env:
            records = env["oms.channel.inbox"].browse([first, second])
            self.assertEqual(
                records.mapped("state"), ["done", "done"], records.mapped("error_message")
            )
            made = env["sale.order"].search([("oms_channel_id", "=", self.channel_id)])
            self.assertEqual(len(made), 1, "one order")
            self.assertEqual(records.order_id, made)
            self.assertEqual(
                made.oms_channel_updated_at, datetime(2025, 3, 2, 10), "the update applied"
            )

    @mute_logger("odoo.sql_db")
    def test_two_jobs_listing_the_same_new_product_both_import_their_order(self):
        """Two orders of one product the channel has not listed yet, imported by two
        jobs at once: both make its listing. The job that loses the race is tried
        again (it then finds the listing), its payload never ends in error."""
        (order,) = generate_orders(1, seed=38, lines=1)
        order["line_items"][0].update(
            sku="RACE-NEW-1", product_id=7513594, variant_id=34505432, title="Race Tee"
        )
        other = dict(order, id=order["id"] + 1, name="#9001", order_number=9001)
        other["admin_graphql_api_id"] = f"gid://shopify/Order/{other['id']}"
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            first, second = (
                env["oms.channel.inbox"]._oms_store(channel, "webhook", json.dumps(o))[0].id
                for o in (order, other)
            )
        # The second job's transaction has begun when the first one commits the listing.
        late = self.registry.cursor()
        self.addCleanup(late.close)
        late.execute("SELECT 1")
        with self._env() as env:
            env["oms.channel.inbox"].browse(first)._oms_process_batch()
        late_env = api.Environment(late, SUPERUSER_ID, {"tracking_disable": True})
        with self.assertRaisesRegex(RetryableJobError, "listing of this order meanwhile"):
            late_env["oms.channel.inbox"].browse(second)._oms_process_batch()
        late.rollback()
        with self._env() as env:
            env["oms.channel.inbox"].browse(second)._oms_process_batch()
        with self._env() as env:
            records = env["oms.channel.inbox"].browse([first, second])
            self.assertEqual(
                records.mapped("state"), ["done", "done"], records.mapped("error_message")
            )
            self.assertEqual(len(records.order_id), 2)
            listing = env["oms.channel.product"].search([("channel_id", "=", self.channel_id)])
            self.assertEqual(listing.mapped("channel_variant_ref"), ["34505432"])
            self.assertEqual(listing.state, "to_map")

    @mute_logger("odoo.sql_db", "odoo.addons.oms_channels.models.oms_channel_inbox")
    def test_two_pulls_at_once_store_each_order_once(self):
        orders = generate_orders(30, seed=33, lines=1)
        self.sim.add_orders(orders)
        barrier = threading.Barrier(2)
        errors = []

        def pull():
            threading.current_thread().testing = True
            try:
                with self._env() as env:
                    barrier.wait(timeout=30)
                    env["oms.channel"].browse(self.channel_id)._oms_pull_orders()
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=pull) for _index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        # A pull that lost the race on the channel's cursor is retried by its job;
        # whatever it stored is in the other's records.
        retried = [e for e in errors if "could not serialize" in str(e)]
        self.assertEqual(errors, retried, errors)
        inbox_ids, _jobs = self._counts()
        self.assertEqual(len(inbox_ids), 30)
        self.assertEqual(self._process_all(), sorted(str(o["id"]) for o in orders))

    def test_two_webhook_imports_at_once_never_take_the_same_payload(self):
        orders = generate_orders(3, seed=34, lines=1)
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            ids = [
                env["oms.channel.inbox"]._oms_store(channel, "webhook", json.dumps(order))[0].id
                for order in orders
            ]
        running = self.registry.cursor()
        self.addCleanup(running.close)
        with patch("odoo.addons.oms_channels.models.oms_channel_sync.BATCH_SIZE", 2):
            # A first import job holds the two oldest payloads...
            running.execute(
                "SELECT id FROM oms_channel_inbox WHERE channel_id = %s AND state = 'received' "
                "ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED",
                [self.channel_id],
            )
            self.assertEqual([row[0] for row in running.fetchall()], ids[:2])
            # ...a second one, at the same time, takes the third only.
            with self._env() as env:
                self.assertEqual(
                    env["oms.channel"].browse(self.channel_id)._oms_import_webhooks(), 1
                )
            running.rollback()
        with self._env() as env:
            states = env["oms.channel.inbox"].browse(ids).mapped("state")
            self.assertEqual(states, ["received", "received", "done"])
            orders_made = env["sale.order"].search([("oms_channel_id", "=", self.channel_id)])
            self.assertEqual(orders_made.mapped("oms_external_ref"), [str(orders[2]["id"])])
