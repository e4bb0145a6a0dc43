"""Bad input on the paths of issue 19 (point 10): missing ids, amounts that do not
add up, a refund larger than its order, a refund of an unknown order, a version
older than the one applied. Each ends with a clear error naming the order or the
field, its raw payload kept in the inbox, and nothing half written. The table of
paths and bad inputs, with the test of each, is in BAD_INPUT.md beside this file.
"""

import json

from tests.simulators.woocommerce import WooCommerceSimulator
from tests.simulators.woocommerce import generate_orders as woo_orders

from .common import fixture
from .test_oms_channel_money import ChannelMoneyCase
from .test_oms_channel_refund_push import RefundPushCase


class BadInputCase(ChannelMoneyCase):
    def deliver(self, channel, payload, topic=None):
        """Store a payload as received and import it; returns its inbox record."""
        body = json.dumps(payload)
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            channel, "webhook", body, topic=topic
        )
        inbox._oms_process()
        self.assertEqual(inbox.body, body, "the raw payload is kept")
        return inbox

    def channel_orders(self, channel):
        return self.env["sale.order"].search([("oms_channel_id", "=", channel.id)])

    def credit_notes(self, order):
        """Every credit note of the order's invoices (one crediting no order line,
        a refund of money alone, is not among the order's invoices)."""
        invoices = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        return self.env["account.move"].search(
            [("reversed_entry_id", "in", invoices.ids)]
        ) | order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")

    def refund_payments(self, order):
        return self.payments(order).filtered(lambda p: p.payment_type == "outbound")


class TestMissingIds(BadInputCase):
    def assertKeptInError(self, inbox, message):
        self.assertEqual(inbox.state, "error")
        self.assertIn(message, inbox.error_message)
        self.assertFalse(inbox.order_id)

    def test_an_order_without_its_id_is_kept_in_error_naming_the_field(self):
        shopify = dict(self.shopify_order)
        del shopify["id"]
        woo = self.woo_docs()
        del woo["id"]
        amazon = fixture("amazon", "order_us_docs_example.json")
        del amazon["Order"]["AmazonOrderId"]
        for channel, payload, field in (
            (self.shopify, shopify, "“id”"),
            (self.woo, woo, "“id”"),
            (self.amazon, amazon, "“Order.AmazonOrderId”"),
        ):
            with self.subTest(channel=channel.channel_type):
                inbox = self.deliver(channel, payload)
                self.assertKeptInError(inbox, f"does not say which order it is (no {field})")
                self.assertFalse(self.channel_orders(channel), "no order")

    def test_a_refund_without_its_id_is_kept_in_error(self):
        refund = fixture("shopify", "refund_return_and_shipping.json")
        del refund["id"]
        inbox = self.deliver(self.shopify, refund, topic="refunds/create")
        self.assertKeptInError(inbox, "(no “id”)")

    def test_a_refund_without_its_order_is_refused_as_a_refund(self):
        order = self.store(self.shopify, self.shopify_order).order_id
        refund = fixture("shopify", "refund_return_and_shipping.json")
        del refund["order_id"]
        inbox = self.deliver(self.shopify, refund, topic="refunds/create")
        self.assertEqual(inbox.state, "error")
        self.assertIn(
            "that is not a refund: it must name its order (order_id)", inbox.error_message
        )
        self.assertFalse(self.credit_notes(order))


class TestOlderVersions(BadInputCase):
    def test_an_amazon_pending_version_after_its_order_is_stale_not_waiting(self):
        """Amazon's Pending version of an order imported already (stored late: a
        redelivery, a pull that overlapped) is older than what was applied: stale,
        not left waiting for a change that already came."""
        unshipped = self.deliver(self.amazon, fixture("amazon", "order_us_docs_example.json"))
        self.assertEqual(unshipped.state, "done", unshipped.error_message)
        order = unshipped.order_id
        pending = self.deliver(self.amazon, fixture("amazon", "order_pending.json"))
        self.assertEqual(pending.state, "stale", pending.error_message)
        self.assertEqual(pending.order_id, order)
        self.assertEqual(order.state, unshipped.order_id.state)
        self.assertEqual(len(self.channel_orders(self.amazon)), 1)

    def test_an_older_unpaid_version_after_the_payment_changes_nothing(self):
        self.shopify.invoice_policy = "confirm"
        paid = self.newer(self.shopify_order, 30, financial_status="paid")
        order = self.store(self.shopify, paid).order_id
        self.release(order)
        self.run_money_jobs()
        payment = self.payments(order)
        self.assertEqual(len(payment), 1)
        older = self.newer(self.shopify_order, 10, financial_status="pending")
        inbox = self.deliver(self.shopify, older)
        self.assertEqual(inbox.state, "stale")
        self.run_money_jobs()
        self.assertEqual(order.oms_payment_state, "paid")
        self.assertFalse(order.oms_hold_ids.filtered(lambda h: h.state == "active"))
        self.assertEqual(self.payments(order), payment)
        self.assertEqual(order.state, "sale")

    def test_an_older_version_after_a_refund_cancelled_the_order_revives_nothing(self):
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        refunded = self.newer(
            self.shopify_order,
            30,
            financial_status="refunded",
            cancelled_at="2025-01-11T09:30:00-05:00",
            cancel_reason="customer",
        )
        self.assertEqual(self.deliver(self.shopify, refunded).state, "done")
        self.assertEqual(order.state, "cancel")
        older = self.newer(self.shopify_order, 20, financial_status="paid")
        inbox = self.deliver(self.shopify, older)
        self.assertEqual(inbox.state, "stale")
        self.assertEqual(order.state, "cancel")
        self.assertFalse(self.payments(order))


class TestWooCommerceRefunds(BadInputCase):
    def setUp(self):
        super().setUp()
        self.woo.invoice_policy = "confirm"

    def paid_order(self):
        order = self.store(self.woo, self.woo_docs()).order_id
        self.release(order)
        self.run_money_jobs()
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(len(self.payments(order)), 1)
        return order

    def refund(self, **changes):
        """WooCommerce's documented refund, of the documented order 727 unless said."""
        payload = fixture("woocommerce", "refund_docs_example.json")
        payload.update(order_id=727, line_items=[])
        payload.update(changes)
        return payload

    def assertNothingWritten(self, order, inbox, message):
        self.assertEqual(inbox.state, "error")
        self.assertIn(message, inbox.error_message)
        self.assertFalse(self.credit_notes(order))
        self.assertFalse(self.refund_payments(order))

    def test_a_refund_of_an_unknown_order_is_refused_naming_it(self):
        inbox = self.deliver(self.woo, self.refund(order_id=723))
        self.assertEqual(inbox.state, "error")
        self.assertIn("order 723, which Woo has not imported", inbox.error_message)

    def test_a_refund_larger_than_the_order_is_refused_writing_nothing(self):
        order = self.paid_order()
        inbox = self.deliver(self.woo, self.refund(amount="999.00"))
        self.assertNothingWritten(order, inbox, "more than the")

    def test_a_refund_of_a_line_the_order_has_not_is_refused_writing_nothing(self):
        order = self.paid_order()
        payload = fixture("woocommerce", "refund_docs_example.json")  # its order's line 311
        inbox = self.deliver(self.woo, dict(payload, id=727001, order_id=727))
        self.assertNothingWritten(order, inbox, "311")

    def test_a_refund_redelivered_ten_times_is_credited_once(self):
        order = self.paid_order()
        for _delivery in range(10):
            inbox = self.deliver(self.woo, self.refund())
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(
            self.env["oms.channel.inbox"].search_count(
                [("channel_id", "=", self.woo.id), ("external_id", "=", "refund:726")]
            ),
            1,
        )
        credit_note = self.credit_notes(order)
        self.assertEqual(len(credit_note), 1)
        self.assertAlmostEqual(credit_note.amount_total, 10.0, places=2)
        self.assertEqual(len(self.refund_payments(order)), 1)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"), "reconciled")

    def test_refunds_adding_up_to_more_than_the_order_are_refused(self):
        """Money refunded without items (a goodwill refund) counts for what is
        left: a second refund beyond the order's total is refused, writing nothing."""
        order = self.paid_order()  # 29.35
        first = self.deliver(self.woo, self.refund(id=801, amount="20.00"))
        self.assertEqual(first.state, "done", first.error_message)
        second = self.deliver(self.woo, self.refund(id=802, amount="20.00"))
        self.assertEqual(second.state, "error")
        self.assertIn("more than the", second.error_message)
        self.assertIn("9.35", second.error_message, "what is left")
        self.assertEqual(len(self.credit_notes(order)), 1)
        self.assertEqual(len(self.refund_payments(order)), 1)


class TestWooCommerceRefundPushRefused(RefundPushCase):
    """A refund made in Odoo for more than the WooCommerce order has left: the
    channel refuses it, the refusal is kept on the credit note and in the order's
    timeline, and no refund payment is posted."""

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
            [dict(o, status="processing") for o in woo_orders(1, seed=53, lines=2)]
        )

    def test_a_refund_larger_than_the_order_is_refused_and_recorded(self):
        order = self.paid_and_invoiced(self.channel)
        line = self.remote["line_items"][0]
        move, jobs = self.credit_note(order, {line["sku"]: line["quantity"] + 5})
        jobs[0].perform()
        self.assertEqual(move.oms_channel_push_state, "error")
        self.assertIn("Invalid refund amount", move.oms_channel_push_error)
        self.assertFalse(move.oms_channel_refund_ref)
        self.assertFalse(self.sim.refunds.get(self.remote["id"]))
        self.assertFalse(self.refund_payment(order))
        self.assertIn(
            f"Refund {move.name} not sent to {self.channel.name}",
            order.oms_event_ids.mapped("name"),
        )
