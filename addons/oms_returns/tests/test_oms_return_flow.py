"""A return from request to credit note: policy verdict, receipt into the returns
location, inspection, refund reversing the invoice, each step in the timeline."""

from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.oms_carriers.carrier_clients import parse_easypost_event
from odoo.addons.oms_returns.models.oms_return_exchange import OmsReturn as ExchangeReturn
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.easypost import EasyPostSimulator


class ReturnFlowCase(LocalSimulatorsMixin, TransactionCase):
    """Registry in test mode: refund attempts are kept on a cursor of their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        cls.env["oms.hold.rule"].search([]).active = False
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Returning Customer", "email": "back@example.com"}
        )
        cls.tax = cls.env["account.tax"].create(
            {"name": "VAT 20%", "amount": 20.0, "type_tax_use": "sale"}
        )
        cls.shirt = cls.env["product.product"].create(
            {
                "name": "Shirt",
                "is_storable": True,
                "list_price": 50.0,
                "invoice_policy": "delivery",
                "taxes_id": [(6, 0, cls.tax.ids)],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.shirt, cls.warehouse.lot_stock_id, 10)
        cls.too_small = cls.env.ref("oms_returns.reason_too_small")
        cls.damaged = cls.env.ref("oms_returns.reason_damaged")
        cls.policy = cls.env.ref("oms_returns.policy_standard")

    def setUp(self):
        super().setUp()
        self.order = self.delivered_order()
        self.invoice = self.order._create_invoices()
        self.invoice.action_post()
        self.line = self.order.order_line

    def delivered_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    (0, 0, {"product_id": self.shirt.id, "product_uom_qty": 2, "discount": 10})
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_assign()
        delivery.move_ids.picked = True
        delivery.button_validate()
        return order

    def receive_and_inspect(self, request, disposition="restock"):
        receipt = request.picking_ids
        receipt.move_ids.picked = True
        receipt.button_validate()
        request.action_receive()
        request.line_ids.write({"condition": "new", "disposition": disposition})
        request.action_inspect()

    def pay(self, invoice=None):
        """The invoice paid in full (a bank payment registered against it)."""
        invoice = invoice or self.invoice
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def request(self, quantity=1, reason=None):
        request = self.env["oms.return"].create(
            {
                "partner_id": self.customer.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "sale_line_id": self.line.id,
                            "quantity": quantity,
                            "reason_id": (reason or self.too_small).id,
                        },
                    )
                ],
            }
        )
        request._oms_submit()
        return request


class TestReturnFlow(ReturnFlowCase):
    def test_full_refund_flow(self):
        request = self.request()
        line = request.line_ids
        # 50 with 10 % off = 45, plus 20 % tax = 54; the 10 % restocking fee is 5.40.
        self.assertAlmostEqual(line.value, 54.0)
        self.assertAlmostEqual(line.fee, 5.40)
        self.assertEqual(request.state, "approved", "approved by the policy at once")
        receipt = request.picking_ids
        self.assertEqual(receipt.return_id, self.order.picking_ids.filtered("sale_id")[0])
        self.assertEqual(receipt.location_dest_id.name, "Returns")
        self.assertEqual(receipt.move_ids.product_uom_qty, 1)
        receipt.move_ids.picked = True
        receipt.button_validate()
        request.action_receive()
        self.assertEqual(line.quantity_received, 1)
        with self.assertRaises(UserError):
            request.action_refund()  # inspect first
        line.write({"condition": "new", "disposition": "restock"})
        stock_before = self.shirt.with_context(
            location=self.warehouse.lot_stock_id.id
        ).qty_available
        request.action_inspect()
        stock_after = self.shirt.with_context(location=self.warehouse.lot_stock_id.id).qty_available
        self.assertEqual(stock_after - stock_before, 1, "back in sellable stock")
        request.action_refund()
        note = request.credit_note_ids
        self.assertEqual(note.move_type, "out_refund")
        self.assertEqual(note.state, "posted")
        self.assertEqual(note.reversed_entry_id, self.invoice)
        self.assertAlmostEqual(note.amount_total, 54.0 - 5.40, places=2)
        returned = note.invoice_line_ids.filtered(lambda il: il.product_id == self.shirt)
        self.assertEqual(returned.discount, 10, "the original discount")
        request.action_close()
        events = self.order.oms_event_ids.mapped("name")
        for step in ("requested", "approved", "received", "inspected", "refunded", "closed"):
            self.assertTrue(any(step in name for name in events), step)

    def test_refund_of_an_unpaid_invoice_reduces_what_is_due(self):
        request = self.request()
        self.receive_and_inspect(request)
        request.action_refund()
        note = request.credit_note_ids
        # 2 x 54 invoiced, 48.60 credited: 59.40 still due, the note settled by it.
        self.assertAlmostEqual(self.invoice.amount_residual, 108.0 - 48.60, places=2)
        self.assertEqual(note.payment_state, "paid")

    @contextmanager
    def paid_by_card(self):
        """The invoice paid online through a provider that can refund (Odoo's own
        payment tests' way of making one); yields the payment transaction."""
        Provider = type(self.env["payment.provider"])
        original = Provider._compute_feature_support_fields

        def refunds_supported(providers):
            original(providers)
            providers.support_refund = "partial"

        # An electronic payment method for the provider, as Odoo's own payment tests do.
        Method = type(self.env["account.payment.method"])
        information = Method._get_payment_method_information

        def with_provider_method(methods):
            return dict(information(methods), none={"mode": "electronic", "type": ("bank",)})

        method = self.env.ref("payment.payment_method_unknown")
        method.support_refund = "partial"
        with (
            patch.object(Provider, "_compute_feature_support_fields", refunds_supported),
            patch.object(Method, "_get_payment_method_information", with_provider_method),
        ):
            self.env["account.payment.method"].create(
                {"name": "Card", "code": "none", "payment_type": "inbound"}
            )
            provider = self.env["payment.provider"].create(
                {
                    "name": "Card Acquirer",
                    "code": "none",
                    "state": "test",
                    "journal_id": self.env["account.journal"]
                    .search([("type", "=", "bank"), ("company_id", "=", self.env.company.id)])[:1]
                    .id,
                    "payment_method_ids": [(6, 0, method.ids)],
                }
            )
            method.active = True
            paid = self.env["payment.transaction"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": method.id,
                    "amount": self.invoice.amount_total,
                    "currency_id": self.invoice.currency_id.id,
                    "partner_id": self.customer.id,
                    "reference": "CARD-1",
                    "operation": "online_direct",
                    "invoice_ids": [(6, 0, self.invoice.ids)],
                }
            )
            paid._set_done()
            paid._post_process()
            yield paid

    @contextmanager
    def provider_answering(self, error=None):
        """The provider's refund call: recorded in ``sent``; ``error`` raised after
        the call was made (the answer lost), else Odoo's own refund transaction."""
        Transaction = type(self.env["payment.transaction"])
        original = Transaction._send_refund_request
        sent = []

        def send(transaction, amount_to_refund=None):
            sent.append(amount_to_refund)
            if error:
                raise error
            return original(transaction, amount_to_refund=amount_to_refund)

        with patch.object(Transaction, "_send_refund_request", send):
            yield sent

    def attempts(self, request):
        return self.env["oms.refund.attempt"].search([("return_id", "=", request.id)])

    def test_a_refund_whose_answer_is_lost_waits_for_a_person_not_for_finance(self):
        with self.paid_by_card(), self.provider_answering(requests.Timeout("read timed out")):
            request = self.request()
            self.receive_and_inspect(request)
            request.action_refund()
        note = request.credit_note_ids
        self.assertEqual(request.state, "refunded")
        self.assertEqual(note.state, "posted", "the credit note stands")
        attempt = self.attempts(request)
        self.assertEqual(
            (attempt.state, attempt.amount, attempt.invoice_id, attempt.credit_note_id),
            ("unknown", 48.60, self.invoice, note),
        )
        self.assertIn("read timed out", attempt.error)
        bodies = " ".join(request.message_ids.mapped("body"))
        self.assertIn("no clear answer", bodies)
        self.assertNotIn("by hand", bodies, "the money may have left: not for finance yet")

    def test_a_refund_without_an_answer_is_never_sent_again_by_a_second_click(self):
        with self.paid_by_card() as paid, self.provider_answering() as sent:
            request = self.request()
            self.receive_and_inspect(request)
            # What a worker killed during the provider's call leaves behind: the
            # attempt, committed before the call, and nothing else of the request.
            self.env["oms.refund.attempt"].create(
                {
                    "return_id": request.id,
                    "transaction_id": paid.id,
                    "invoice_id": self.invoice.id,
                    "amount": 48.60,
                    "currency_id": self.invoice.currency_id.id,
                    "token": "left-by-a-killed-worker",
                }
            )
            # A request that fails rolls back: the savepoint does it here.
            with self.assertRaisesRegex(UserError, "has no answer"), self.env.cr.savepoint():
                request.action_refund()
            self.assertEqual(sent, [], "nothing sent to the provider")
            self.assertEqual(request.state, "inspected")
            # A manager checks the provider: nothing left. Now it may go.
            self.attempts(request).action_resolve_not_refunded()
            request.action_refund()
            self.assertEqual(sent, [48.60])
            # Sent: its refund transaction carries its token (read when the list opens).
            self.env["oms.refund.attempt"]._oms_action_to_check()
            self.assertEqual(
                sorted(self.attempts(request).mapped("state")), ["not_refunded", "sent"]
            )

    def test_refunds_without_an_answer_count_against_what_was_paid(self):
        with self.paid_by_card() as paid, self.provider_answering() as sent:
            # 108 paid; an earlier refund of 70 through the provider has no answer.
            other = self.request()
            self.env["oms.refund.attempt"].create(
                {
                    "return_id": other.id,
                    "transaction_id": paid.id,
                    "invoice_id": self.invoice.id,
                    "amount": 70.0,
                    "currency_id": self.invoice.currency_id.id,
                    "token": "seventy-without-an-answer",
                }
            )
            request = self.request()
            self.receive_and_inspect(request)
            # A request that fails rolls back: the savepoint does it here.
            with (
                self.assertRaisesRegex(UserError, "only 38.00 .* is left"),
                self.env.cr.savepoint(),
            ):
                request.action_refund()
            self.assertEqual(sent, [])
            self.assertFalse(request.credit_note_ids, "nothing half-made")
            # The 70 never left: 48.60 fits again.
            self.attempts(other).action_resolve_not_refunded()
            request.action_refund()
            self.assertEqual(sent, [48.60])

    def test_a_refund_the_provider_made_is_recorded_and_settles_the_credit_note(self):
        with self.paid_by_card() as paid:
            request = self.request()
            self.receive_and_inspect(request)
            with self.provider_answering(UserError("HTTP 502")):
                request.action_refund()
            attempt = self.attempts(request)
            attempt.resolution_note = "re_3PqX at the provider"
            clerk = new_test_user(self.env, "refund.clerk", groups="oms_core.group_oms_user")
            with self.assertRaises(AccessError):
                attempt.with_user(clerk).action_resolve_refunded()
            attempt.action_resolve_refunded()
            refund = attempt.refund_transaction_id
            self.assertEqual((attempt.state, refund.state), ("refunded", "done"))
            self.assertEqual(refund.provider_reference, "re_3PqX at the provider")
            self.assertAlmostEqual(refund.amount, -48.60, places=2)
            self.assertEqual(refund.payment_id.payment_type, "outbound")
            self.assertIn(request.credit_note_ids.payment_state, ("paid", "in_payment"))
            paid.payment_id.invalidate_recordset(["amount_available_for_refund"])
            self.assertAlmostEqual(paid.payment_id.amount_available_for_refund, 108.0 - 48.60)
            with self.assertRaisesRegex(UserError, "has an answer already"):
                attempt.action_resolve_not_refunded()

    def test_refund_goes_back_through_the_provider_that_took_the_payment(self):
        with self.paid_by_card() as paid:
            self.assertEqual(self.invoice.payment_state, "paid")
            request = self.request()
            self.receive_and_inspect(request)
            request.action_refund()
            note = request.credit_note_ids
            refund = paid.child_transaction_ids
            self.assertEqual(refund.operation, "refund")
            attempt = self.attempts(request)
            attempt.invalidate_recordset()
            self.env["oms.refund.attempt"]._oms_settle([("id", "=", attempt.id)])
            self.assertEqual((attempt.state, attempt.refund_transaction_id), ("sent", refund))
            self.assertAlmostEqual(refund.amount, -48.60, places=2)
            self.assertEqual(refund.invoice_ids, note)
            self.assertTrue(
                any("refunded to" in body for body in request.message_ids.mapped("body"))
            )
            # The provider confirms the refund: its payment settles the credit note.
            refund._set_done()
            refund._post_process()
            self.assertEqual(refund.payment_id.payment_type, "outbound")
            self.assertIn(note.payment_state, ("paid", "in_payment"))
            paid.payment_id.invalidate_recordset(["amount_available_for_refund"])
            self.assertAlmostEqual(paid.payment_id.amount_available_for_refund, 108.0 - 48.60)

    def test_a_payment_odoo_cannot_refund_is_left_to_finance(self):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({})._create_payments()
        request = self.request()
        self.receive_and_inspect(request)
        request.action_refund()
        note = request.credit_note_ids
        self.assertEqual(note.payment_state, "not_paid")
        self.assertTrue(
            any("by hand" in body for body in request.message_ids.mapped("body")),
            "the request tells finance what is left to pay back",
        )

    def test_returns_analysis_gives_the_rate_and_the_money_per_product(self):
        refunded = self.request()
        self.receive_and_inspect(refunded)
        refunded.action_refund()
        self.assertTrue(refunded.settled_date)
        self.request(reason=self.damaged)  # still on its way: counted, not refunded
        self.env.flush_all()
        Report = self.env["oms.return.report"]
        [group] = Report.read_group(
            [("product_id", "=", self.shirt.id)],
            ["qty_shipped:sum", "qty_returned:sum", "return_rate", "refunded:sum", "fee:sum"],
            ["product_id"],
        )
        self.assertEqual(group["qty_shipped"], 2)
        self.assertEqual(group["qty_returned"], 2)
        self.assertEqual(group["return_rate"], 100.0)
        self.assertAlmostEqual(group["refunded"], 48.60, places=2)
        self.assertAlmostEqual(group["fee"], 5.40, places=2)
        by_reason = {
            group["reason_id"] and group["reason_id"][0]: group["qty_returned"]
            for group in Report.read_group(
                [("kind", "=", "returned"), ("product_id", "=", self.shirt.id)],
                ["qty_returned:sum", "days_to_refund:avg"],
                ["reason_id"],
            )
        }
        self.assertEqual(by_reason, {self.too_small.id: 1, self.damaged.id: 1})

    def test_receiving_the_parcel_validates_the_receipt_as_requested(self):
        request = self.request()
        receipt = request.picking_ids
        self.assertNotEqual(receipt.state, "done")
        request.action_receive()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_ids.quantity, 1)
        self.assertEqual(request.line_ids.quantity_received, 1)
        returns = request._oms_location(self.warehouse, "Returns")
        self.assertEqual(self.shirt.with_context(location=returns.id).qty_available, 1)

    def test_cost_to_serve_shows_the_refund_and_the_fee_from_the_credit_note(self):
        request = self.request()
        self.receive_and_inspect(request)
        request.action_refund()
        note = request.credit_note_ids
        self.env.flush_all()
        rows = self.env["oms.cost.report"].search([("order_id", "=", self.order.id)])
        credit = rows.filtered(lambda r: r.kind == "return_credit")
        self.assertEqual(credit.move_id, note, "each figure leads to its journal entry")
        self.assertEqual(credit.move_line_id, note.invoice_line_ids)
        # Untaxed, as in the ledger: 45 refunded, 4.50 of fee kept.
        self.assertAlmostEqual(sum(credit.mapped("refunded")), 45.0, places=2)
        self.assertAlmostEqual(sum(credit.mapped("fee_income")), 4.50, places=2)
        self.assertAlmostEqual(
            sum(credit.mapped("refunded")) - sum(credit.mapped("fee_income")),
            note.amount_untaxed,
            places=2,
        )
        [group] = self.env["oms.cost.report"].read_group(
            [("order_id", "=", self.order.id)], ["net:sum"], ["channel_id"]
        )
        self.assertAlmostEqual(group["net"], -40.50 - sum(rows.mapped("label_cost")), places=2)
        action = credit[:1].action_open_source()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", note.id))

    def test_damaged_has_no_fee_and_scrap_leaves_stock_alone(self):
        request = self.request(reason=self.damaged)
        self.assertEqual(request.fee_total, 0)
        receipt = request.picking_ids
        receipt.move_ids.picked = True
        receipt.button_validate()
        request.action_receive()
        request.line_ids.write({"condition": "damaged", "disposition": "scrap"})
        stock_before = self.shirt.with_context(
            location=self.warehouse.lot_stock_id.id
        ).qty_available
        request.action_inspect()
        stock_after = self.shirt.with_context(location=self.warehouse.lot_stock_id.id).qty_available
        self.assertEqual(stock_after, stock_before)
        scrap = self.env["stock.scrap"].search([("origin", "=", request.name)])
        self.assertEqual(scrap.scrap_qty, 1)

    def test_policy_rules_are_checked(self):
        with self.assertRaisesRegex(ValidationError, "At most 2"), self.env.cr.savepoint():
            self.request(quantity=3)
        self.policy.reason_ids -= self.too_small
        with self.assertRaisesRegex(ValidationError, "not a reason"), self.env.cr.savepoint():
            self.request()
        self.policy.reason_ids |= self.too_small
        with (
            freeze_time(fields.Datetime.now() + timedelta(days=31)),
            self.assertRaisesRegex(ValidationError, "can no longer be returned"),
            self.env.cr.savepoint(),
        ):
            self.request()
        first = self.request(quantity=2)
        with self.assertRaisesRegex(ValidationError, "At most 0"), self.env.cr.savepoint():
            self.request(quantity=1)
        first.write({"state": "requested"})
        first.action_reject("photos show wear")
        self.assertEqual(self.request(quantity=1).state, "approved", "a rejected request frees")

    def test_the_first_policy_for_the_channel_and_category_applies(self):
        Policy = self.env["oms.return.policy"]
        Category = self.env["product.category"]
        apparel = Category.create({"name": "Apparel"})
        shirts = Category.create({"name": "Shirts", "parent_id": apparel.id})
        outlet = Category.create({"name": "Outlet"})
        marketplace = self.env["oms.channel"].create({"name": "Marketplace"})
        values = {"reason_ids": [(6, 0, self.too_small.ids)]}
        for_apparel = Policy.create(
            dict(values, name="Apparel", sequence=1, categ_ids=[(6, 0, apparel.ids)])
        )
        for_marketplace = Policy.create(
            dict(values, name="Marketplace", sequence=0, channel_ids=[(6, 0, marketplace.ids)])
        )
        self.shirt.categ_id = shirts
        self.assertEqual(Policy._oms_for(self.order, self.shirt), for_apparel, "a subcategory")
        self.shirt.categ_id = outlet
        self.assertEqual(Policy._oms_for(self.order, self.shirt), self.policy)
        outlet.parent_id = apparel  # after the policies were read for the portal
        self.assertEqual(Policy._oms_for(self.order, self.shirt), for_apparel, "moved under it")
        self.order.oms_channel_id = marketplace
        self.assertEqual(Policy._oms_for(self.order, self.shirt), for_marketplace)
        for_marketplace.channel_ids = False
        for_apparel.sequence = -1
        self.assertEqual(Policy._oms_for(self.order, self.shirt), for_apparel, "in order")
        for_apparel.active = False
        self.assertEqual(Policy._oms_for(self.order, self.shirt), for_marketplace, "every channel")

    def test_big_returns_wait_for_a_person(self):
        self.policy.auto_approve_max_value = 10
        request = self.request()
        self.assertEqual(request.state, "requested")
        self.assertFalse(request.picking_ids)
        request.action_approve()
        self.assertTrue(request.picking_ids)

    def _inspected(self, resolution):
        self.pay()
        request = self.request()
        request.resolution = resolution
        request.picking_ids.move_ids.picked = True
        request.picking_ids.button_validate()
        request.action_receive()
        request.line_ids.disposition = "restock"
        request.action_inspect()
        return request

    def test_exchange_ships_the_replacement_paid_by_what_came_back(self):
        larger = self.env["product.product"].create(
            {"name": "Shirt L", "is_storable": True, "list_price": 60.0, "taxes_id": self.tax.ids}
        )
        self.env["stock.quant"]._update_available_quantity(larger, self.warehouse.lot_stock_id, 5)
        request = self._inspected("exchange")
        self.assertFalse(request.can_be_exchanged, "the replacement is chosen first")
        request.line_ids.exchange_product_id = larger
        request.action_exchange()
        order = request.exchange_order_id
        self.assertEqual(request.state, "exchanged")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.filtered("product_id.is_storable").product_id, larger)
        # 60 + 20 % tax = 72, less the 48.60 that came back: 23.40 to pay.
        self.assertAlmostEqual(order.amount_total, 72.0 - 48.60, places=2)
        self.assertTrue(order.picking_ids, "the replacement ships")

    def test_without_store_credit_what_an_exchange_leaves_is_paid_back_by_hand(self):
        """oms_returns alone (without oms_returns_loyalty, which puts it on the
        customer's store credit): the request says what is left to pay back."""
        smaller = self.env["product.product"].create(
            {"name": "Shirt XS", "is_storable": True, "list_price": 30.0, "taxes_id": self.tax.ids}
        )
        self.env["stock.quant"]._update_available_quantity(smaller, self.warehouse.lot_stock_id, 5)
        request = self._inspected("exchange")
        request.line_ids.exchange_product_id = smaller
        # 48.60 came back, the replacement costs 36: 12.60 left over.
        ExchangeReturn._oms_exchange_leftover(request, 12.60)
        note = request.message_ids[:1]
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn("12.60 ", note.body)
        self.assertIn("to pay back to the customer by hand", note.body)

    def test_replacements_ship_before_the_return_and_what_stays_away_is_invoiced(self):
        larger = self.env["product.product"].create(
            {"name": "Shirt L", "is_storable": True, "list_price": 60.0, "taxes_id": self.tax.ids}
        )
        self.env["stock.quant"]._update_available_quantity(larger, self.warehouse.lot_stock_id, 5)
        self.pay()
        request = self.request(quantity=2)
        request.resolution = "exchange"
        request.line_ids.exchange_product_id = larger
        self.assertFalse(request.can_be_exchanged_early, "only when the policy allows it")
        self.policy.exchange_before_return = True
        self.assertTrue(request.can_be_exchanged_early)
        request.action_exchange_early()
        order = request.exchange_order_id
        self.assertEqual(request.state, "approved", "the return goes on as usual")
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.picking_ids, "the replacements ship now")
        # 2 x 72 for the replacements, less 2 x 48.60 expected back.
        self.assertAlmostEqual(order.amount_total, 144.0 - 97.20, places=2)
        self.assertFalse(request.can_be_exchanged_early, "once")
        # One shirt of the two comes back.
        receipt = request.picking_ids
        receipt.move_ids.quantity = 1
        receipt.move_ids.picked = True
        receipt.with_context(cancel_backorder=True)._action_done()
        request.action_receive()
        request.line_ids.disposition = "restock"
        request.action_inspect()
        self.assertTrue(request.can_be_exchanged)
        request.action_exchange()
        self.assertEqual(request.state, "exchanged")
        self.assertEqual(request.exchange_order_id, order, "no second order")
        # The shirt that stayed away is charged: 48.60 more on the exchange order.
        self.assertAlmostEqual(order.amount_total, 144.0 - 48.60, places=2)

    def test_keep_the_item_is_refunded_without_coming_back(self):
        self.policy.keep_item_below = 100
        request = self.request()
        self.assertTrue(request.line_ids.keep_item)
        self.assertFalse(request.picking_ids)
        request.action_receive()
        request.action_inspect()
        request.action_refund()
        self.assertAlmostEqual(request.credit_note_ids.amount_total, 54.0 - 5.40, places=2)

    def test_portal_verdicts_are_the_figures_the_customer_sees(self):
        delivered = self.line._oms_delivered_date()
        deadline = (delivered + timedelta(days=self.policy.window_days)).date()
        with freeze_time(delivered + timedelta(days=10)):
            verdict = self.line._oms_portal_verdicts()[self.line]
            self.assertEqual(verdict["policy"], self.policy)
            self.assertEqual(verdict["deadline"], deadline)
            self.assertEqual(verdict["days_left"], (deadline - fields.Date.today()).days)
            self.assertEqual(verdict["returnable"], 2)
            # 50 with 10 % off, 20 % tax: 54 a unit; the 10 % fee unless it is our fault.
            self.assertAlmostEqual(verdict["fee_unit"], 5.40)
            self.assertAlmostEqual(verdict["refund_unit"], 48.60)
            self.assertFalse(verdict["keep_item"])
            self.request(quantity=1)
            self.line.invalidate_recordset(["oms_return_line_ids"])
            self.assertEqual(self.line._oms_portal_verdicts()[self.line]["returnable"], 1)
            self.assertEqual(self.line._oms_portal_returnable(), self.line)
            self.request(quantity=1)
            self.line.invalidate_recordset(["oms_return_line_ids"])
            self.assertEqual(self.line._oms_portal_verdicts(), {}, "nothing left to return")
            self.assertFalse(self.line._oms_portal_returnable())

    def test_portal_verdicts_of_many_orders_take_the_queries_of_one(self):
        lines = self.line | self.delivered_order().order_line | self.delivered_order().order_line
        self.line._oms_portal_verdicts()  # the policies, cached for every page after
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.assertEqual(len(self.line._oms_portal_verdicts()), 1)
        one = self.env.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        verdicts = lines._oms_portal_verdicts()
        self.assertEqual(self.env.cr.sql_log_count - before, one)
        self.assertEqual(set(verdicts), set(lines))
        self.assertEqual({verdict["returnable"] for verdict in verdicts.values()}, {2})

    def test_a_request_serializes_with_other_requests_for_its_lines(self):
        lock_for_return = type(self.line)._oms_lock_for_return
        with patch.object(
            type(self.line), "_oms_lock_for_return", autospec=True, side_effect=lock_for_return
        ) as lock:
            request = self.request(quantity=1)
            request.line_ids.quantity = 2
        self.assertEqual([call.args[0] for call in lock.call_args_list], [self.line, self.line])
        with self.assertRaisesRegex(ValidationError, "At most 2"):
            request.line_ids.quantity = 3

    def test_no_portal_verdict_after_the_window(self):
        delivered = self.line._oms_delivered_date()
        with freeze_time(delivered + timedelta(days=self.policy.window_days + 1)):
            self.assertEqual(self.line._oms_portal_verdicts(), {})
            self.assertFalse(self.line._oms_portal_returnable())


class ReturnLabelCase(ReturnFlowCase):
    """Return labels from the EasyPost simulator: the customer and the warehouse in
    the US, the standard policy's return carrier EasyPost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        us = cls.env.ref("base.us")
        cls.warehouse.partner_id.write(
            {"street": "1 Dock St", "city": "Louisville", "zip": "40202", "country_id": us.id}
        )
        cls.customer.write(
            {
                "street": "179 N Harbor Dr",
                "city": "Redondo Beach",
                "zip": "90277",
                "country_id": us.id,
            }
        )
        cls.shirt.weight = 0.3

    def setUp(self):
        super().setUp()
        self.sim = EasyPostSimulator().start()
        self.addCleanup(self.sim.stop)
        service = self.env["product.product"].create({"name": "Returns", "type": "service"})
        self.policy.return_carrier_id = self.env["delivery.carrier"].create(
            {
                "name": "EasyPost returns",
                "delivery_type": "oms_easypost",
                "product_id": service.id,
                "oms_api_base_url": self.sim.url,
                "oms_allow_insecure_http": True,
                "oms_api_key": self.sim.api_key,
            }
        )

    def label_jobs(self, request):
        """The jobs "Buy return label" of ``request``."""
        return (
            self.env["queue.job"]
            .search([("model_name", "=", "oms.return"), ("method_name", "=", "_oms_buy_labels")])
            .filtered(lambda job: job.records.ids == request.ids)
        )

    def run_label_job(self, request):
        """Run the request's waiting label job as the job runner does."""
        (record,) = self.label_jobs(request).filtered(lambda job: job.state == "pending")
        job = Job.load(self.env, record.uuid)
        job.perform()
        job.set_done()
        job.store()


class TestReturnLabel(ReturnLabelCase):
    """The return label from the EasyPost simulator and its tracking."""

    def test_a_carrier_outage_leaves_the_request_approved_with_its_label_to_send(self):
        self.sim.fail_next(503, times=10, method="POST", path=r"/v2/shipments$")
        request = self.request()
        # Not assertRaises, whose savepoint would also undo the note, which the job
        # keeps on a cursor of its own (a test's cursors share its transaction).
        with self.assertRaisesRegex(RetryableJobError, "could not create the shipment"):
            self.run_label_job(request)
        self.assertEqual(request.state, "approved")
        self.assertTrue(request.picking_ids, "the receipt is there")
        self.assertTrue(request.can_be_label_sent)
        request.invalidate_recordset(["message_ids"])  # the note has a cursor of its own
        self.assertTrue(
            any("could not be bought" in body for body in request.message_ids.mapped("body"))
        )

    def test_label_is_bought_from_customer_to_warehouse_and_tracking_moves_the_request(self):
        request = self.request()
        self.run_label_job(request)
        self.assertEqual(request.state, "label_sent", "sent by the approval's job")
        created = self.sim.requests_to("POST", r"/v2/shipments$")[-1].json()["shipment"]
        self.assertEqual(created["from_address"]["zip"], "90277", "from the customer")
        self.assertEqual(created["to_address"]["zip"], "40202", "to the warehouse")
        self.assertTrue(created["options"]["is_return"])
        label = self.env["ir.attachment"].search(
            [("res_model", "=", "oms.return"), ("res_id", "=", request.id)]
        )
        self.assertTrue(label, "the label is on the request, for the customer")
        self.assertEqual(request.label_attachment_ids, label)
        receipt = request.picking_ids
        tracker_id = next(
            tid
            for tid, tracker in self.sim.trackers.items()
            if tracker["tracking_code"] == receipt.carrier_tracking_ref
        )
        event = self.sim.advance_tracker(tracker_id, "in_transit")
        self.env["oms.carrier.shipment"]._oms_apply_tracking(parse_easypost_event(event).tracking)
        self.assertEqual(request.state, "in_transit")
        event = self.sim.advance_tracker(tracker_id, "delivered")
        self.env["oms.carrier.shipment"]._oms_apply_tracking(parse_easypost_event(event).tracking)
        self.assertEqual(request.state, "received", "delivered to the warehouse: received")
        self.assertEqual(receipt.state, "done", "into the returns location, to inspect")
        self.assertEqual(request.line_ids.quantity_received, 1)
