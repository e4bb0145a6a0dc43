"""Money made once under redeliveries and parallel jobs (issue 19, point 10): a
refund made in Odoo is refunded in the channel once when its job runs 8 times at
once and then 10 times more; Amazon's marketplace tax is moved once.

Real threads on real cursors, as test_oms_channel_reliability.py does: these
tests commit what they do and remove it afterwards (BaseCase, their own cursors).
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg2

from odoo import Command
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from tests.odoo_helpers import CommittedEnvMixin, LocalSimulatorsMixin
from tests.simulators.shopify import ShopifySimulator, generate_orders

from .common import fixture

PARALLEL = 8
REDELIVERIES = 10


@tagged("post_install", "-at_install")
class TestMoneyOnceUnderLoad(CommittedEnvMixin, LocalSimulatorsMixin, BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel_ids, self.product_ids = [], []
        self.addCleanup(self._remove_data)
        with self._env() as env:
            # The simulator's shop sells in euros; committed, so put back after.
            self.eur_was_active = env.ref("base.EUR").active
            env.ref("base.EUR").active = True

    def _remove_data(self):
        with self._env() as env:
            channels = env["oms.channel"].browse(self.channel_ids).exists()
            orders = env["sale.order"].search([("oms_channel_id", "in", channels.ids)])
            partners = orders.partner_id | orders.partner_shipping_id
            payments = env["account.payment"].search([("oms_channel_id", "in", channels.ids)])
            moves = (
                orders.invoice_ids
                | env["account.move"].search([("oms_channel_id", "in", channels.ids)])
                | orders.oms_channel_withheld_move_id
            )
            (moves | payments.move_id).line_ids.remove_move_reconcile()
            payments.action_draft()
            payments.unlink()
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            journals = channels.payment_journal_id
            orders.filtered(lambda o: o.state != "cancel").with_context(
                oms_channel_cancelled=True
            )._action_cancel()
            orders.unlink()
            env["queue.job"].search(
                [
                    (
                        "model_name",
                        "in",
                        ("oms.channel.inbox", "oms.channel", "sale.order", "account.move"),
                    )
                ]
            ).unlink()
            channels.inbox_ids.unlink()
            channels.product_binding_ids.unlink()
            partners.exists().filtered(lambda p: not p.sale_order_ids).unlink()
            locations = channels.fulfilled_location_id
            operations = channels.fulfilled_picking_type_id
            channels.unlink()
            operations.unlink()
            locations.unlink()
            journals.unlink()
            env["product.product"].browse(self.product_ids).exists().unlink()
            env.ref("base.EUR").active = self.eur_was_active

    def _run_at_once(self, work):
        """``work(env)`` in PARALLEL threads released together, each as queue_job
        runs a job: committed when done, tried again in a new transaction when it
        failed to serialize with another. Returns each thread's attempts."""
        barrier = threading.Barrier(PARALLEL)

        def job(_index):
            for attempt in range(20):
                try:
                    with self._env() as env:
                        if not attempt:
                            barrier.wait(timeout=30)
                        work(env)
                    return attempt
                except psycopg2.errors.SerializationFailure:
                    continue
            return None

        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            attempts = list(pool.map(job, range(PARALLEL)))
        self.assertNotIn(None, attempts, "every job ends")
        return attempts

    # --- a refund made in Odoo, sent to Shopify --------------------------------------
    def _paid_invoiced_shopify_order(self):
        (remote,) = generate_orders(1, seed=61, lines=2)
        for item in remote["line_items"]:
            item["sku"] = f"QREL-{item['sku']}"  # products of this test only
        remote["financial_status"] = "paid"
        (remote,) = self.sim.add_orders([remote])
        with self._env() as env:
            channel = env["oms.channel"].create(
                {
                    "name": "Shopify (money under load)",
                    "channel_type": "shopify",
                    "allow_insecure_http": True,  # the local simulator
                    "api_base_url": self.sim.url,
                    "shopify_access_token": self.sim.access_token,
                    "invoice_policy": "confirm",
                }
            )
            self.channel_ids.append(channel.id)
            products = env["product.product"].create(
                [
                    {"name": item["title"], "default_code": item["sku"], "type": "service"}
                    for item in remote["line_items"]
                ]
            )
            self.product_ids += products.ids
            inbox = env["oms.channel.inbox"]._oms_store(channel, "webhook", json.dumps(remote))[0]
            inbox._oms_process()
            order = inbox.order_id
            order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("test")
            self.assertEqual(order.state, "sale")
            order._oms_invoice_channel_order()
            order._oms_record_channel_payment()
            self.assertEqual(order.invoice_ids.state, "posted")
            # Finance refunds one item of the first line in Odoo.
            line = order.order_line.filtered(
                lambda ol: ol.oms_external_line_id == str(remote["line_items"][0]["id"])
            )
            values = order._prepare_invoice()
            values.update(
                move_type="out_refund",
                invoice_line_ids=[Command.create(line._prepare_invoice_line(quantity=1))],
            )
            credit_note = env["account.move"].create(values)
            credit_note.action_post()
            self.assertEqual(credit_note.oms_channel_push_state, "pending")
            return remote, order.id, credit_note.id

    @mute_logger("odoo.sql_db")
    def test_an_odoo_refund_pushed_eight_at_once_then_ten_times_is_refunded_once(self):
        remote, order_id, move_id = self._paid_invoiced_shopify_order()

        def push(env):
            env["account.move"].browse(move_id)._oms_push_channel_refund()

        self._run_at_once(push)
        for _retry in range(REDELIVERIES):
            with self._env() as env:
                push(env)
        refunds = self.sim.orders[remote["id"]].get("refunds") or []
        self.assertEqual(len(refunds), 1, "the customer's money went back once")
        self.assertEqual(len(self.sim.graphql_calls("RefundCreate")), 1)
        with self._env() as env:
            move = env["account.move"].browse(move_id)
            self.assertEqual(move.oms_channel_push_state, "done")
            self.assertEqual(move.oms_channel_refund_ref, f"refund:{refunds[0]['id']}")
            outbound = env["account.payment"].search(
                [("oms_sale_order_id", "=", order_id), ("payment_type", "=", "outbound")]
            )
            self.assertEqual(len(outbound), 1, "one refund payment")
            self.assertIn(outbound.state, ("in_process", "paid"), "posted")
            self.assertIn(move.payment_state, ("paid", "in_payment"), "reconciled with it")

    # --- Amazon's marketplace facilitator tax -------------------------------------------
    @mute_logger("odoo.sql_db")
    def test_amazon_money_jobs_eight_at_once_then_ten_times_move_the_tax_once(self):
        payload = fixture("amazon", "order_us_docs_example.json")  # 10.00 + 1.01 tax
        payload["Order"]["AmazonOrderId"] = "902-0000000-0000061"
        payload["OrderItems"][0]["SellerSKU"] = "QREL-AMZ-1"
        payload["OrderItems"][0]["TaxCollection"] = {
            "Model": "MarketplaceFacilitator",
            "ResponsibleParty": "Amazon Services, Inc.",
        }
        with self._env() as env:
            channel = env["oms.channel"].create(
                {"name": "Amazon (money under load)", "channel_type": "amazon"}
            )
            channel.invoice_policy = "confirm"
            self.channel_ids.append(channel.id)
            product = env["product.product"].create(
                {"name": "Card Book", "default_code": "QREL-AMZ-1", "type": "service"}
            )
            self.product_ids.append(product.id)
            tax = env["account.tax"].search(
                [("type_tax_use", "=", "sale"), ("amount", "=", 10.1)], limit=1
            ) or env["account.tax"].create(
                {
                    "name": "QREL sales tax 10.1%",
                    "amount": 10.1,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                }
            )
            self.tax_id = tax.id
            inbox = env["oms.channel.inbox"]._oms_store(channel, "pull", json.dumps(payload))[0]
            inbox._oms_process()
            order = inbox.order_id
            self.assertTrue(order, inbox.error_message)
            order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("test")
            self.assertEqual(order.state, "sale")
            order_id = order.id

        def money(env):
            order = env["sale.order"].browse(order_id)
            order._oms_invoice_channel_order()
            order._oms_record_channel_payment()

        self._run_at_once(money)
        for _retry in range(REDELIVERIES):
            with self._env() as env:
                money(env)
        with self._env() as env:
            order = env["sale.order"].browse(order_id)
            invoices = order.invoice_ids
            self.assertEqual(len(invoices), 1, "one invoice")
            payments = env["account.payment"].search([("oms_sale_order_id", "=", order_id)])
            self.assertEqual(len(payments), 1, "one payment")
            self.assertAlmostEqual(payments.amount, 10.00, places=2, msg="what Amazon pays out")
            receivable = invoices.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            # The tax moved to the receivable once: nothing left open on the invoice.
            self.assertAlmostEqual(invoices.amount_residual, 0.0, places=2)
            entry = order.oms_channel_withheld_move_id
            self.assertEqual(entry.state, "posted")
            moved = env["account.move.line"].search(
                [
                    ("partner_id", "=", invoices.commercial_partner_id.id),
                    ("account_id", "in", receivable.account_id.ids),
                    ("move_id.move_type", "=", "entry"),
                    ("move_id", "not in", payments.move_id.ids),
                ]
            )
            self.assertEqual(moved.move_id, entry, "one entry for the marketplace's tax")
            self.assertAlmostEqual(abs(sum(moved.mapped("balance"))), 1.01, places=2)
            env["account.tax"].browse(self.tax_id).filtered(
                lambda t: t.name.startswith("QREL")
            ).active = False
