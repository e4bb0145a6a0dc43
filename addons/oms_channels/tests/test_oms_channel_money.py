"""The channel's money in Odoo's accounting (issue 19, point 4): a payment journal
per channel, invoices per the channel's policy, the payment the channel collected
posted once and reconciled with the invoice."""

import json

from odoo.tests import Form

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import FixtureChannelsCase, fixture

MONEY_JOBS = (
    "_oms_invoice_channel_order",
    "_oms_record_channel_payment",
    "_oms_record_channel_payments",
)


class ChannelMoneyCase(FixtureChannelsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopify_order = fixture("shopify", "order_taxes_excluded.json")  # 626.46 USD

    def setUp(self):
        super().setUp()
        self.trap = self.enterContext(trap_jobs())

    def run_money_jobs(self):
        """Perform the queued invoicing and payment jobs (the others, e.g. telling
        the channel about a shipment, are not what these tests are about)."""
        jobs = [job for job in self.trap.enqueued_jobs if job.method_name in MONEY_JOBS]
        self.trap.enqueued_jobs = [j for j in self.trap.enqueued_jobs if j not in jobs]
        for job in jobs:
            job.perform()
        return jobs

    def store(self, channel, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            channel, "webhook", json.dumps(payload)
        )
        inbox._oms_process()
        self.assertIn(inbox.state, ("done", "stale"), inbox.error_message)
        return inbox

    def woo_docs(self):
        """WooCommerce's documented order, its line without a SKU given one (lines
        without a SKU match no product)."""
        docs = fixture("woocommerce", "order_docs_example.json")
        docs["line_items"][0]["sku"] = "MUG-CER-350"
        return docs

    def release(self, order):
        order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("test: go on")
        self.assertEqual(order.state, "sale")

    def newer(self, payload, minute, **changes):
        return dict(payload, updated_at=f"2025-01-11T09:{minute:02d}:00-05:00", **changes)

    def payments(self, order):
        return self.env["account.payment"].search([("oms_sale_order_id", "=", order.id)])

    def assertSettled(self, invoice, payment):
        """The payment is reconciled with the invoice: what is left open is the
        difference between Odoo's total and the channel's (a cent at most)."""
        self.assertIn(invoice, payment.reconciled_invoice_ids)
        self.assertAlmostEqual(
            invoice.amount_residual, invoice.amount_total - payment.amount, places=2
        )
        self.assertLessEqual(abs(invoice.amount_residual), 0.011)
        self.assertFalse(
            payment.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            ),
            "the whole payment went to the invoice",
        )

    def ship(self, order):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model"):
            Form(self.env[result["res_model"]].with_context(**result["context"])).save().process()
        self.assertEqual(picking.state, "done")


class TestChannelPaymentJournal(ChannelMoneyCase):
    def test_each_channel_gets_its_payment_journal_editable(self):
        channel = self.env["oms.channel"].create({"name": "Shop two", "channel_type": "shopify"})
        journal = channel.payment_journal_id
        self.assertEqual(journal.type, "bank")
        self.assertEqual(journal.company_id, channel.company_id)
        self.assertIn("Shop two", journal.name)
        self.assertNotEqual(journal, self.shopify.payment_journal_id, "one per channel")
        other = self.env["account.journal"].create(
            {"name": "Shopify Payments payouts", "type": "bank", "code": "SHPAY"}
        )
        with Form(channel.with_context(oms_no_mail=True)) as form:
            form.payment_journal_id = other
            form.invoice_policy = "ship"
        self.assertEqual(channel.payment_journal_id, other)
        self.assertEqual(channel.invoice_policy, "ship")
        self.assertEqual(
            self.env["oms.channel"]
            .create({"name": "Files", "channel_type": "file"})
            .invoice_policy,
            "never",
            "a channel invoices nothing until told to",
        )


class TestChannelInvoiceAndPayment(ChannelMoneyCase):
    def test_paid_order_invoiced_on_confirmation_and_payment_reconciled(self):
        self.shopify.invoice_policy = "confirm"
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        self.run_money_jobs()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        # Odoo's discount percentage (2 decimals) makes one line a cent dearer than
        # Shopify's: within the import's tolerance, left open on the invoice.
        self.assertAlmostEqual(invoice.amount_total, 626.46, delta=0.011)
        payment = self.payments(order)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment, order.oms_channel_payment_id)
        self.assertEqual(payment.journal_id, self.shopify.payment_journal_id)
        self.assertEqual(payment.currency_id.name, "USD")
        self.assertAlmostEqual(payment.amount, 626.46, places=2)
        self.assertEqual(payment.payment_type, "inbound")
        self.assertIn(payment.state, ("in_process", "paid"))
        self.assertEqual(payment.oms_channel_id, self.shopify)
        self.assertIn(invoice, payment.reconciled_invoice_ids)
        self.assertSettled(invoice, payment)

    def test_invoice_equal_to_the_channel_is_paid(self):
        self.woo.invoice_policy = "confirm"
        docs = self.woo_docs()
        order = self.store(self.woo, docs).order_id
        self.release(order)
        self.run_money_jobs()
        self.assertAlmostEqual(order.invoice_ids.amount_total, float(docs["total"]), places=2)
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.invoice_ids.amount_residual, 0.0)

    def test_invoice_on_shipment_reconciled_with_the_earlier_payment(self):
        self.shopify.invoice_policy = "ship"
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        self.run_money_jobs()
        payment = self.payments(order)
        self.assertEqual(len(payment), 1, "paid in the channel: recorded at once")
        self.assertFalse(order.invoice_ids, "nothing invoiced before it ships")
        self.ship(order)
        self.run_money_jobs()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(payment.reconciled_invoice_ids, invoice)
        self.assertSettled(invoice, payment)
        self.assertEqual(len(self.payments(order)), 1)

    def test_never_policy_records_the_payment_without_invoice(self):
        self.assertEqual(self.shopify.invoice_policy, "never")
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        self.ship(order)
        self.run_money_jobs()
        self.assertFalse(order.invoice_ids)
        self.assertEqual(len(self.payments(order)), 1)
        self.assertEqual(
            self.payments(order)
            .move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            .partner_id,
            order.partner_invoice_id.commercial_partner_id,
            "the customer's receivable is credited: it waits for an invoice",
        )

    def test_no_journal_no_payment(self):
        self.shopify.payment_journal_id = False
        order = self.store(self.shopify, self.shopify_order).order_id
        self.run_money_jobs()
        self.assertFalse(self.payments(order))
        self.assertAlmostEqual(order.oms_channel_paid_amount, 626.46, places=2)

    def test_payment_once_when_paid_later_redelivered_and_stale(self):
        self.shopify.invoice_policy = "confirm"
        authorized = dict(self.shopify_order, financial_status="authorized")
        order = self.store(self.shopify, authorized).order_id
        self.run_money_jobs()
        self.assertFalse(self.payments(order), "authorized is not paid")
        paid = self.newer(authorized, 30, financial_status="paid")
        for _delivery in range(10):
            self.store(self.shopify, paid)
        self.store(self.shopify, self.newer(authorized, 40, financial_status="paid"))
        self.store(self.shopify, self.newer(authorized, 10, financial_status="paid"))  # older
        self.release(order)
        self.run_money_jobs()
        self.run_money_jobs()
        payment = self.payments(order)
        self.assertEqual(len(payment), 1)
        self.assertAlmostEqual(payment.amount, 626.46, places=2)
        self.assertSettled(order.invoice_ids, payment)
        # The job run again (a retry after a lost answer) makes nothing more.
        self.assertEqual(order._oms_record_channel_payment(), payment)
        self.assertEqual(len(order._oms_invoice_channel_order()), 0)
        self.assertEqual(len(self.payments(order)), 1)
        self.assertEqual(len(order.invoice_ids), 1)

    def test_cancelled_arrival_records_no_money(self):
        self.shopify.invoice_policy = "confirm"
        # Cancelled, its payment not voided yet: still no money recorded.
        cancelled = dict(
            fixture("shopify", "order_cancelled_taxes_included.json")["order"],
            financial_status="paid",
        )
        order = self.store(self.shopify, cancelled).order_id
        self.run_money_jobs()
        self.assertEqual(order.state, "cancel")
        self.assertFalse(self.payments(order))
        self.assertFalse(order.invoice_ids)

    def test_woocommerce_paid_order_in_its_journal(self):
        self.woo.invoice_policy = "confirm"
        docs = self.woo_docs()
        order = self.store(self.woo, docs).order_id
        self.release(order)
        self.run_money_jobs()
        payment = self.payments(order)
        self.assertEqual(payment.journal_id, self.woo.payment_journal_id)
        self.assertAlmostEqual(payment.amount, float(docs["total"]), places=2)
        self.assertEqual(payment.currency_id.name, docs["currency"])
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))


class TestMarketplaceFacilitatorTax(ChannelMoneyCase):
    def amazon_order(self, facilitator=True):
        payload = fixture("amazon", "order_us_docs_example.json")  # 10.00 + 1.01 tax
        if facilitator:
            for item in payload["OrderItems"]:
                item["TaxCollection"] = {
                    "Model": "MarketplaceFacilitator",
                    "ResponsibleParty": "Amazon Services, Inc.",
                }
        self.amazon.invoice_policy = "confirm"
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.amazon, "pull", json.dumps(payload)
        )
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        if order.state != "sale":
            self.release(order)
        self.run_money_jobs()
        return order

    def test_receivable_left_is_what_amazon_pays_out(self):
        order = self.amazon_order()
        self.assertAlmostEqual(order.oms_channel_withheld_tax, 1.01, places=2)
        payment = self.payments(order)
        self.assertAlmostEqual(payment.amount, 10.00, places=2, msg="Amazon pays out 11.01 - 1.01")
        invoice = order.invoice_ids
        self.assertAlmostEqual(invoice.amount_total, 11.01, places=2)
        self.assertEqual(invoice.amount_residual, 0.0, "tax remitted + payout settle it")
        entry = order.oms_channel_withheld_move_id
        self.assertEqual(entry.state, "posted")
        tax_lines = invoice.line_ids.filtered(lambda line: line.display_type == "tax")
        booked = entry.line_ids.filtered(
            lambda line: line.account_id.account_type != "asset_receivable"
        )
        self.assertEqual(booked.account_id, tax_lines.account_id, "on the invoice's tax account")
        self.assertAlmostEqual(
            sum(tax_lines.mapped("balance")) + sum(booked.mapped("balance")),
            0.0,
            places=2,
            msg="no tax owed for this order",
        )
        receivable = (invoice | entry | payment.move_id).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(all(receivable.mapped("reconciled")))
        # Run again: nothing more.
        order._oms_reconcile_channel_payment()
        self.assertEqual(order.oms_channel_withheld_move_id, entry)

    def test_seller_collected_tax_is_paid_out_whole(self):
        order = self.amazon_order(facilitator=False)
        self.assertFalse(order.oms_channel_withheld_tax)
        self.assertAlmostEqual(self.payments(order).amount, 11.01, places=2)
        self.assertFalse(order.oms_channel_withheld_move_id)
        self.assertEqual(order.invoice_ids.amount_residual, 0.0)
