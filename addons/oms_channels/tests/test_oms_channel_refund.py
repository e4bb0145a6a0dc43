"""Channel refunds become credit notes (issue 19, point 4): Shopify's refunds/create
with its documented payload, once per refund id, restock honoured, bad refunds
refused with nothing written (point 10)."""

import json

from odoo.addons.oms_channels.channel_mappers.refund import map_shopify_refund

from .common import fixture
from .test_oms_channel_money import ChannelMoneyCase


class TestShopifyRefund(ChannelMoneyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.refund = fixture("shopify", "refund_return_and_shipping.json")
        cls.red = cls.env["product.product"].search([("default_code", "=", "IPOD2008RED")])

    def setUp(self):
        super().setUp()
        self.shopify.invoice_policy = "confirm"

    def shipped_order(self):
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        self.ship(order)
        self.run_money_jobs()
        self.assertEqual(order.invoice_ids.state, "posted")
        return order

    def deliver_refund(self, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.shopify, "webhook", json.dumps(payload), topic="refunds/create"
        )
        inbox._oms_process()
        return inbox

    def credit_notes(self, order):
        return order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")

    def receipts(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")

    def refund_payments(self, order):
        return self.payments(order).filtered(lambda p: p.payment_type == "outbound")

    def test_documented_refund_makes_a_credit_note_a_payment_and_a_return(self):
        order = self.shipped_order()
        invoice = order.invoice_ids
        inbox = self.deliver_refund(self.refund)
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(inbox.external_id, "refund:509562969")
        self.assertEqual(inbox.order_id, order)
        credit_note = self.credit_notes(order)
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.oms_channel_refund_ref, "refund:509562969")
        self.assertAlmostEqual(credit_note.amount_total, 211.65, places=2)
        goods = credit_note.invoice_line_ids.filtered(lambda line: line.product_id == self.red)
        self.assertEqual(goods.quantity, 1)
        self.assertEqual(goods.sale_line_ids.oms_external_line_id, "518995019")
        shipping = credit_note.invoice_line_ids.filtered(
            lambda line: line.sale_line_ids.is_delivery
        )
        self.assertAlmostEqual(shipping.price_subtotal, 4.0, places=2)
        red_line = order.order_line.filtered(lambda line: line.product_id == self.red)
        self.assertEqual(red_line.qty_invoiced, 1, "2 invoiced, 1 credited")
        payment = self.refund_payments(order)
        self.assertEqual(len(payment), 1)
        self.assertAlmostEqual(payment.amount, 211.65, places=2)
        self.assertEqual(payment.journal_id, self.shopify.payment_journal_id)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        receipt = self.receipts(order)
        self.assertEqual(len(receipt), 1, "restock_type return: a return receipt")
        self.assertEqual(receipt.move_ids.product_id, self.red)
        self.assertEqual(receipt.move_ids.product_uom_qty, 1)
        self.assertEqual(receipt.oms_channel_refund_ref, "refund:509562969")
        self.assertIn("Refunded in the channel (509562969)", order.oms_event_ids.mapped("name"))

    def test_redelivered_and_reprocessed_refund_is_applied_once(self):
        order = self.shipped_order()
        for _delivery in range(10):
            self.deliver_refund(self.refund)
        inbox = self.env["oms.channel.inbox"].search(
            [("channel_id", "=", self.shopify.id), ("external_id", "=", "refund:509562969")]
        )
        self.assertEqual(len(inbox), 1)
        # Applied again (a job retried after a lost answer): nothing more.
        again = order._oms_apply_channel_refund(map_shopify_refund(self.refund))
        self.assertEqual(again, self.credit_notes(order))
        self.assertEqual(len(self.credit_notes(order)), 1)
        self.assertEqual(len(self.refund_payments(order)), 1)
        self.assertEqual(len(self.receipts(order)), 1)

    def test_no_restock_makes_no_return_receipt(self):
        order = self.shipped_order()
        payload = json.loads(json.dumps(self.refund))
        payload["refund_line_items"][0]["restock_type"] = "no_restock"
        self.assertEqual(self.deliver_refund(payload).state, "done")
        self.assertEqual(len(self.credit_notes(order)), 1)
        self.assertFalse(self.receipts(order))

    def test_amount_refunded_beyond_the_items_is_on_the_credit_note(self):
        order = self.shipped_order()
        payload = json.loads(json.dumps(self.refund))
        payload["transactions"][0]["amount"] = "200.00"  # a restocking fee kept
        self.assertEqual(self.deliver_refund(payload).state, "done")
        credit_note = self.credit_notes(order)
        self.assertAlmostEqual(credit_note.amount_total, 200.0, places=2)
        self.assertAlmostEqual(self.refund_payments(order).amount, 200.0, places=2)

    def assertNothingWritten(self, order, inbox, message):
        self.assertEqual(inbox.state, "error")
        self.assertIn(message, inbox.error_message)
        self.assertFalse(self.credit_notes(order))
        self.assertFalse(self.refund_payments(order))
        self.assertFalse(self.receipts(order))

    def test_refund_of_more_items_than_the_order_has_is_refused(self):
        order = self.shipped_order()
        payload = json.loads(json.dumps(self.refund))
        payload["refund_line_items"][0]["quantity"] = 3
        inbox = self.deliver_refund(payload)
        self.assertNothingWritten(order, inbox, "gives back 3 of")

    def test_refund_of_more_money_than_the_order_is_refused(self):
        order = self.shipped_order()
        payload = json.loads(json.dumps(self.refund))
        payload["transactions"][0]["amount"] = "999.00"
        inbox = self.deliver_refund(payload)
        self.assertNothingWritten(order, inbox, "more than the")

    def test_refund_of_a_line_the_order_has_not_is_refused(self):
        order = self.shipped_order()
        payload = json.loads(json.dumps(self.refund))
        payload["refund_line_items"][0]["line_item_id"] = 1
        inbox = self.deliver_refund(payload)
        self.assertNothingWritten(order, inbox, "names line 1")

    def test_refund_in_another_currency_is_refused(self):
        order = self.shipped_order()
        payload = json.loads(json.dumps(self.refund))
        payload["transactions"][0]["currency"] = "EUR"
        inbox = self.deliver_refund(payload)
        self.assertNothingWritten(order, inbox, "is in EUR")

    def test_refund_of_an_unknown_order_waits_for_reprocessing(self):
        inbox = self.deliver_refund(self.refund)
        self.assertEqual(inbox.state, "error")
        self.assertIn("order 450789469, which Shop has not imported", inbox.error_message)
        order = self.shipped_order()
        inbox.action_reprocess()
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(len(self.credit_notes(order)), 1)

    def test_refund_of_an_order_not_invoiced_is_refused_until_it_is(self):
        self.shopify.invoice_policy = "never"
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        self.ship(order)
        self.run_money_jobs()
        inbox = self.deliver_refund(self.refund)
        self.assertNothingWritten(order, inbox, "has no invoice to credit")
        order._oms_invoice_channel_order()
        inbox.action_reprocess()
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(len(self.credit_notes(order)), 1)

    def test_refund_of_an_order_cancelled_before_its_invoice_pays_the_money_back(self):
        """No invoice to credit and nothing shipped: the channel's recorded payment
        goes back, once, and nothing waits in error (a cancelled order is no work)."""
        self.shopify.invoice_policy = "never"
        order = self.store(self.shopify, self.shopify_order).order_id
        self.run_money_jobs()
        paid = order.oms_channel_payment_id
        self.assertTrue(paid, "the channel's payment is recorded")
        order.with_context(oms_channel_cancelled=True)._action_cancel()
        self.assertEqual(order.state, "cancel")
        inbox = self.deliver_refund(self.refund)
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(inbox.order_id, order)
        self.assertFalse(self.credit_notes(order))
        self.assertFalse(self.receipts(order), "nothing shipped, nothing to restock")
        back = self.refund_payments(order)
        self.assertEqual(len(back), 1)
        self.assertEqual(back.state, "in_process", "posted, awaiting the bank")
        self.assertAlmostEqual(back.amount, min(211.65, paid.amount), places=2)
        self.assertEqual(back.oms_channel_payment_ref, "refund:509562969")
        receivable = (paid.move_id | back.move_id).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(
            all(line.matched_debit_ids or line.matched_credit_ids for line in receivable)
        )
        # A redelivery (or a reprocess) pays nothing back twice.
        self.deliver_refund(self.refund)
        inbox.action_reprocess()
        inbox._oms_process()
        self.assertEqual(len(self.refund_payments(order)), 1)

    def test_unreadable_refund_is_kept_in_error(self):
        payload = dict(self.refund, transactions=[{"kind": "refund", "status": "success"}])
        inbox = self.deliver_refund(payload)
        self.assertEqual(inbox.state, "error")
        self.assertIn("transactions[0].amount: is missing", inbox.error_message)
