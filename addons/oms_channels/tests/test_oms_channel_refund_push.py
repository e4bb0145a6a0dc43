"""A refund made in Odoo on a channel order is sent to the channel once, with its
id kept (issue 19, point 4): Shopify (suggestedRefund, refundCreate) and
WooCommerce (POST orders/<id>/refunds), against their simulators."""

import json

from odoo import Command

from odoo.addons.queue_job.tests.common import trap_jobs

from tests.simulators.shopify import generate_orders
from tests.simulators.woocommerce import WooCommerceSimulator
from tests.simulators.woocommerce import generate_orders as woo_orders

from .test_oms_channel_push import ChannelFlowCase


class RefundPushCase(ChannelFlowCase):
    def setUp(self):
        super().setUp()
        self.stock_everything(20)

    def paid_and_invoiced(self, channel):
        (order,) = self._import_all(channel)
        self._release(order)
        self._ship(order)
        order._oms_invoice_channel_order()
        order._oms_record_channel_payment()
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertTrue(order.oms_channel_payment_id)
        return order

    def credit_note(self, order, quantities):
        """Finance refunds ``{sku: quantity}`` of the order in Odoo; returns the
        posted credit note and the jobs its posting queued."""
        values = order._prepare_invoice()
        values.update(
            move_type="out_refund",
            invoice_line_ids=[
                Command.create(line._prepare_invoice_line(quantity=quantities[sku]))
                for line in order.order_line
                for sku in [line.product_id.default_code]
                if sku in quantities
            ],
        )
        move = self.env["account.move"].create(values)
        with trap_jobs() as trap:
            move.action_post()
            jobs = [j for j in trap.enqueued_jobs if j.method_name == "_oms_push_channel_refund"]
        self.assertEqual(move.oms_channel_push_state, "pending")
        return move, jobs

    def refund_payment(self, order):
        return self.env["account.payment"].search(
            [("oms_sale_order_id", "=", order.id), ("payment_type", "=", "outbound")]
        )


class TestShopifyRefundPush(RefundPushCase):
    def setUp(self):
        super().setUp()
        self.channel = self.shopify_channel(invoice_policy="never")
        (self.remote,) = self.sim.add_orders(
            [dict(o, financial_status="paid") for o in generate_orders(1, seed=51, lines=2)]
        )

    def test_an_odoo_refund_is_refunded_in_shopify_once_with_its_id_kept(self):
        order = self.paid_and_invoiced(self.channel)
        first = self.remote["line_items"][0]
        move, jobs = self.credit_note(order, {first["sku"]: 1})
        self.assertEqual(len(jobs), 1)
        jobs[0].perform()
        (refund,) = self.sim.orders[self.remote["id"]]["refunds"]
        self.assertEqual(refund["note"], f"Odoo {move.name}")
        self.assertEqual(
            [(r["line_item_id"], r["quantity"]) for r in refund["refund_line_items"]],
            [(first["id"], 1)],
        )
        self.assertEqual(move.oms_channel_push_state, "done")
        self.assertEqual(move.oms_channel_refund_ref, f"refund:{refund['id']}")
        self.assertEqual(move.oms_channel_id, self.channel)
        payment = self.refund_payment(order)
        self.assertEqual(len(payment), 1)
        self.assertAlmostEqual(
            payment.amount, sum(float(t["amount"]) for t in refund["transactions"]), places=2
        )
        self.assertEqual(payment.journal_id, self.channel.payment_journal_id)
        # Run again (a retry): nothing more is sent.
        jobs[0].perform()
        self.assertEqual(len(self.sim.orders[self.remote["id"]]["refunds"]), 1)
        # Shopify sends its refunds/create for it: recognised, not credited again.
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.channel, "webhook", json.dumps(refund), topic="refunds/create"
        )
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        credit_notes = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(credit_notes, move)
        self.assertEqual(len(self.refund_payment(order)), 1)

    def test_an_answer_lost_after_shopify_refunded_is_not_refunded_twice(self):
        order = self.paid_and_invoiced(self.channel)
        move, jobs = self.credit_note(order, {self.remote["line_items"][0]["sku"]: 1})
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            jobs[0].perform()
            raise RuntimeError("the worker died before its commit")
        self.assertEqual(len(self.sim.orders[self.remote["id"]]["refunds"]), 1)
        self.assertFalse(move.oms_channel_refund_ref)
        jobs[0].perform()
        (refund,) = self.sim.orders[self.remote["id"]]["refunds"]
        self.assertEqual(move.oms_channel_refund_ref, f"refund:{refund['id']}")

    def test_a_refund_shopify_refuses_is_recorded_on_the_credit_note(self):
        order = self.paid_and_invoiced(self.channel)
        line = self.remote["line_items"][0]
        move, jobs = self.credit_note(order, {line["sku"]: line["quantity"] + 5})
        jobs[0].perform()
        self.assertEqual(move.oms_channel_push_state, "error")
        self.assertIn("more items than were purchased", move.oms_channel_push_error)
        self.assertFalse(self.sim.orders[self.remote["id"]].get("refunds"))
        self.assertFalse(self.refund_payment(order))


class TestWooCommerceRefundPush(RefundPushCase):
    def setUp(self):
        super().setUp()
        self.sim = WooCommerceSimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "WooCommerce (simulator)",
                "channel_type": "woocommerce",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "woocommerce_consumer_key": self.sim.consumer_key,
                "woocommerce_consumer_secret": self.sim.consumer_secret,
                "warehouse_id": self.warehouse.id,
            }
        )
        (self.remote,) = self.sim.add_orders(
            [dict(o, status="processing") for o in woo_orders(1, seed=52, lines=2)]
        )

    def test_an_odoo_refund_is_refunded_in_woocommerce_once_with_its_id_kept(self):
        order = self.paid_and_invoiced(self.channel)
        first = self.remote["line_items"][0]
        move, jobs = self.credit_note(order, {first["sku"]: 1})
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            jobs[0].perform()
            raise RuntimeError("the answer was lost: rolled back")
        self.assertFalse(move.oms_channel_refund_ref)
        jobs[0].perform()
        (refund,) = self.sim.refunds[self.remote["id"]]  # found again, not made twice
        self.assertEqual(len(self.sim.requests_to("POST", r"/refunds$")), 1)
        self.assertEqual(refund["reason"], f"Odoo {move.name}")
        self.assertTrue(refund["refunded_payment"], "through the gateway (api_refund)")
        self.assertAlmostEqual(float(refund["amount"]), move.amount_total, places=2)
        self.assertEqual(refund["line_items"][0]["quantity"], -1)
        self.assertEqual(move.oms_channel_refund_ref, f"refund:{refund['id']}")
        self.assertEqual(move.oms_channel_push_state, "done")
        self.assertAlmostEqual(self.refund_payment(order).amount, move.amount_total, places=2)

    def test_a_refund_made_in_woocommerce_is_read_and_credited_once(self):
        order = self.paid_and_invoiced(self.channel)
        first = self.remote["line_items"][0]
        unit = (float(first["total"]) + float(first["total_tax"])) / first["quantity"]
        amount = f"{unit:.2f}"
        # The merchant refunds one item in WooCommerce's admin.
        client = self.channel._oms_get_channel_client()
        remote = client.create_refund(
            self.remote["id"],
            amount,
            "Damaged in transit",
            line_items=[{"id": first["id"], "quantity": 1, "refund_total": first["price"]}],
        )
        self._import_all(self.channel)  # the order's new version lists the refund
        inbox = self.env["oms.channel.inbox"].search(
            [("channel_id", "=", self.channel.id), ("external_id", "=", f"refund:{remote.id}")]
        )
        self.assertEqual(inbox.state, "done", inbox.error_message)
        credit_note = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(len(credit_note), 1)
        self.assertAlmostEqual(credit_note.amount_total, float(amount), places=2)
        goods = credit_note.invoice_line_ids.filtered(lambda line: line.sale_line_ids)
        self.assertEqual(goods.sale_line_ids.oms_external_line_id, str(first["id"]))
        self.assertEqual(goods.quantity, 1)
        self.assertAlmostEqual(self.refund_payment(order).amount, float(amount), places=2)
        # A later version still lists it: read once, credited once.
        self.sim.update_order(self.remote["id"], customer_note="call first")
        self._import_all(self.channel)
        self.assertEqual(len(order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")), 1)
        self.assertEqual(len(self.sim.requests_to("GET", r"/refunds$")), 1)
