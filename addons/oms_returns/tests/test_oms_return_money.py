"""Money bounded by money, goods bounded by goods: returns over several deliveries,
over-receipt, shipping refunded once, credit only for what was paid, one currency
per request, credit notes within their invoice, manager-only settlements; rejected
requests take nothing back; each company its own returns."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_oms_return_flow import ReturnFlowCase


@tagged("post_install", "-at_install")
class TestReturnMoney(ReturnFlowCase):
    def new_request(self, line, quantity=1, reason=None):
        request = self.env["oms.return"].create(
            {
                "partner_id": line.order_id.partner_id.id,
                "line_ids": [
                    Command.create(
                        {
                            "sale_line_id": line.id,
                            "quantity": quantity,
                            "reason_id": (reason or self.too_small).id,
                        }
                    )
                ],
            }
        )
        request._oms_submit()
        return request

    def order_shipped_in_two(self, invoice_each=False):
        """A 2-unit line shipped 1 + 1 (two deliveries), invoiced once or after each."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.shirt.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        first = order.picking_ids
        first.action_assign()
        first.move_ids.quantity = 1
        first.move_ids.picked = True
        first._action_done()
        if invoice_each:
            order._create_invoices().action_post()
        second = order.picking_ids - first
        self.assertEqual(len(second), 1, "a backorder for the second unit")
        second.action_assign()
        second.move_ids.picked = True
        second._action_done()
        self.assertEqual(order.order_line.qty_delivered, 2)
        order._create_invoices().action_post()
        return order

    def test_one_unit_back_of_a_line_shipped_in_two_deliveries(self):
        order = self.order_shipped_in_two()
        self.pay(order.invoice_ids)
        stock = self.shirt.with_context(location=self.warehouse.lot_stock_id.id)
        before = stock.qty_available
        request = self.new_request(order.order_line)
        self.assertEqual(request.state, "approved")
        moves = request.picking_ids.move_ids
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 1, "one unit asked back, once")
        self.assertEqual(len(request.picking_ids), 1)
        self.receive_and_inspect(request)
        self.assertEqual(request.line_ids.quantity_received, 1)
        self.assertEqual(request.state, "inspected")
        stock.invalidate_recordset()
        self.assertEqual(stock.qty_available, before + 1, "one unit back in sellable stock")
        request.action_refund()
        note = request.credit_note_ids
        shirt_lines = note.invoice_line_ids.filtered(lambda il: il.product_id == self.shirt)
        self.assertEqual(shirt_lines.quantity, 1)
        self.assertAlmostEqual(note.amount_total, 60.0 - 6.0, places=2)

    def test_a_line_invoiced_per_delivery_is_credited_on_each_invoice_in_turn(self):
        order = self.order_shipped_in_two(invoice_each=True)
        first_invoice, second_invoice = order.invoice_ids.sorted("id")
        self.assertEqual(first_invoice.invoice_line_ids.quantity, 1)
        for invoice in (first_invoice, second_invoice):
            request = self.new_request(order.order_line)
            self.receive_and_inspect(request)
            request.action_refund()
            note = request.credit_note_ids
            self.assertEqual(note.reversed_entry_id, invoice)
            self.assertEqual(
                note.invoice_line_ids.filtered(lambda il: il.product_id == self.shirt).quantity, 1
            )
            self.assertAlmostEqual(note.amount_total, 54.0, places=2)

    def shipped_from_two_warehouses(self):
        """A 2-unit line shipped 1 + 1, from this warehouse and from a second one."""
        second_wh = self.env["stock.warehouse"].create({"name": "Second Returns WH", "code": "RW2"})
        self.env["stock.quant"]._update_available_quantity(self.shirt, second_wh.lot_stock_id, 5)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [Command.create({"product_id": self.shirt.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        first = order.picking_ids
        first.action_assign()
        first.move_ids.quantity = 1
        first.move_ids.picked = True
        first._action_done()
        second = order.picking_ids - first
        # The second unit leaves from the second warehouse.
        second.do_unreserve()
        second.write(
            {
                "picking_type_id": second_wh.out_type_id.id,
                "location_id": second_wh.lot_stock_id.id,
            }
        )
        second.move_ids.write(
            {
                "picking_type_id": second_wh.out_type_id.id,
                "location_id": second_wh.lot_stock_id.id,
                "warehouse_id": second_wh.id,
            }
        )
        second.action_assign()
        second.move_ids.picked = True
        second._action_done()
        self.assertEqual(order.order_line.qty_delivered, 2)
        request = self.new_request(order.order_line, quantity=2)
        self.assertEqual(len(request.picking_ids), 2, "one receipt per warehouse")
        self.assertEqual(
            request.picking_ids.picking_type_id.warehouse_id, self.warehouse | second_wh
        )
        return request, second_wh

    def on_hand(self, location):
        return self.shirt.with_context(location=location.id).qty_available

    def test_a_line_back_through_two_warehouses_goes_back_to_each_ones_stock(self):
        """Both units returned: each receipt's unit is restocked from its own
        warehouse's Returns location into that warehouse's stock."""
        request, second_wh = self.shipped_from_two_warehouses()
        stocks = (self.warehouse.lot_stock_id, second_wh.lot_stock_id)
        before = [self.on_hand(location) for location in stocks]
        self.receive_and_inspect(request)
        self.assertEqual(request.line_ids.quantity_received, 2)
        self.shirt.invalidate_recordset()
        after = [self.on_hand(location) for location in stocks]
        self.assertEqual(after, [before[0] + 1, before[1] + 1], "each unit back where it left")
        for warehouse in (self.warehouse, second_wh):
            returns = request._oms_location(warehouse, "Returns")
            self.assertEqual(self.on_hand(returns), 0, f"{warehouse.name}'s Returns emptied")

    def test_a_line_back_through_two_warehouses_is_scrapped_from_each_ones_returns(self):
        request, second_wh = self.shipped_from_two_warehouses()
        stocks = (self.warehouse.lot_stock_id, second_wh.lot_stock_id)
        before = [self.on_hand(location) for location in stocks]
        self.receive_and_inspect(request, disposition="scrap")
        self.shirt.invalidate_recordset()
        self.assertEqual([self.on_hand(location) for location in stocks], before)
        scraps = self.env["stock.scrap"].search([("origin", "=", request.name)])
        self.assertEqual(sorted(scraps.mapped("scrap_qty")), [1.0, 1.0])
        for warehouse in (self.warehouse, second_wh):
            returns = request._oms_location(warehouse, "Returns")
            self.assertEqual(self.on_hand(returns), 0, f"{warehouse.name}'s Returns emptied")
            self.assertEqual(scraps.filtered(lambda s, r=returns: s.location_id == r).scrap_qty, 1)

    def test_more_received_than_requested_stops_with_a_message(self):
        request = self.request()
        receipt = request.picking_ids
        receipt.move_ids.quantity = 2
        receipt.move_ids.picked = True
        receipt.with_context(cancel_backorder=True)._action_done()
        with self.assertRaisesRegex(UserError, "only 1.0 requested"):
            request.action_receive()
        self.assertEqual(request.line_ids.quantity_received, 0)
        with self.assertRaises(ValidationError):
            request.line_ids.quantity_received = 2

    def order_with_shipping(self):
        self.courier_fee = self.env["product.product"].create(
            {"name": "Courier fee", "type": "service", "invoice_policy": "order"}
        )
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Courier",
                "delivery_type": "fixed",
                "fixed_price": 10.0,
                "product_id": self.courier_fee.id,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.shirt.id, "product_uom_qty": 2})],
            }
        )
        order.set_delivery_line(carrier, 10.0)
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_assign()
        delivery.move_ids.picked = True
        delivery.button_validate()
        invoice = order._create_invoices()
        invoice.action_post()
        return order, invoice

    def test_shipping_is_refunded_once_per_order(self):
        self.policy.refund_shipping = "always"
        order, _invoice = self.order_with_shipping()
        shirt_line = order.order_line.filtered(lambda ln: ln.product_id == self.shirt)
        notes = []
        for _round in range(2):
            request = self.new_request(shirt_line)
            self.receive_and_inspect(request)
            request.action_refund()
            notes.append(request.credit_note_ids)
        shipping = [
            note.invoice_line_ids.filtered(lambda il: il.product_id == self.courier_fee)
            for note in notes
        ]
        self.assertEqual(shipping[0].price_unit, 10.0, "the first return refunds the shipping")
        self.assertFalse(shipping[1], "the second does not refund it again")

    def test_exchange_credit_only_for_an_order_paid(self):
        request = self._inspected_unpaid("exchange")
        request.line_ids.exchange_product_id = self.shirt
        with self.assertRaisesRegex(UserError, "not paid yet"):
            request.action_exchange()
        self.assertFalse(request.exchange_order_id)

    def _inspected_unpaid(self, resolution):
        request = self.request()
        request.resolution = resolution
        self.receive_and_inspect(request)
        self.assertEqual(self.invoice.payment_state, "not_paid")
        return request

    def foreign_currency_order(self, currency_name):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currency_name)])
        )
        currency.active = True
        self.assertNotEqual(currency, self.env.company.currency_id)
        pricelist = self.env["product.pricelist"].create(
            {"name": currency_name, "currency_id": currency.id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "pricelist_id": pricelist.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.shirt.id,
                            "product_uom_qty": 3,
                            "price_unit": 50.0,
                            "discount": 10,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_assign()
        delivery.move_ids.picked = True
        delivery.button_validate()
        self.assertEqual(order.currency_id, currency)
        return order

    def test_a_request_is_in_its_orders_currency_and_never_mixes_two(self):
        yen = self.foreign_currency_order("JPY")
        request = self.new_request(yen.order_line)
        self.assertEqual(request.currency_id, yen.currency_id)
        # 54 paid; the 10 % fee, 5.40, is rounded in yen.
        self.assertEqual(request.line_ids.fee, 5.0)
        self.assertEqual(request.fee_total, 5.0)
        # A fixed fee of the policy is in its company's currency: 0.10 is 15 yen.
        self.env["res.currency.rate"].create(
            {"currency_id": yen.currency_id.id, "rate": 150.0, "name": "2000-01-01"}
        )
        self.policy.write({"fee_type": "fixed", "fee_amount": 0.10})
        fixed = self.new_request(yen.order_line)
        self.assertEqual(fixed.line_ids.fee, 15.0)
        with self.assertRaisesRegex(ValidationError, "several currencies"):
            self.env["oms.return"].create(
                {
                    "partner_id": self.customer.id,
                    "line_ids": [
                        Command.create(
                            {"sale_line_id": line.id, "quantity": 1, "reason_id": self.too_small.id}
                        )
                        for line in yen.order_line | self.line
                    ],
                }
            )
        with self.assertRaisesRegex(ValidationError, "several currencies"):
            request.write(
                {
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": self.line.id,
                                "quantity": 1,
                                "reason_id": self.too_small.id,
                            }
                        )
                    ]
                }
            )

    def test_the_analysis_adds_up_money_in_the_companys_currency_at_the_requests_date(self):
        company = self.env.company
        euro_order = self.foreign_currency_order("EUR")
        euro = euro_order.currency_id
        Rate = self.env["res.currency.rate"]
        for currency in euro | company.currency_id:
            Rate.search([("currency_id", "=", currency.id)]).unlink()
        Rate.create({"currency_id": euro.id, "rate": 2.0, "name": "2000-01-01"})
        Rate.create({"currency_id": euro.id, "rate": 4.0, "name": "2020-01-01"})
        ours = self.request()  # 54 in the company's currency, fee 5.40
        theirs = self.new_request(euro_order.order_line)  # 54 EUR, fee 5.40 EUR
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE oms_return SET create_date = '2010-06-01 12:00:00' WHERE id = %s",
            [theirs.id],
        )
        Report = self.env["oms.return.report"]
        rows = Report.search([("return_id", "in", (ours | theirs).ids)])
        self.assertEqual(rows.currency_id, company.currency_id, "the measures' currency")
        [group] = Report.read_group(
            [("return_id", "in", (ours | theirs).ids)],
            ["value_returned:sum", "fee:sum"],
            [],
        )
        # 54 EUR on 1 June 2010 at 2 EUR for 1 (not today's 4): 27.
        at_request_date = euro._convert(54.0, company.currency_id, company, date(2010, 6, 1))
        self.assertAlmostEqual(at_request_date, 27.0, places=2)
        self.assertAlmostEqual(group["value_returned"], 54.0 + 27.0, places=2)
        self.assertAlmostEqual(group["fee"], 5.40 + 2.70, places=2)
        [euro_row] = rows.filtered(lambda row: row.return_id == theirs)
        self.assertAlmostEqual(euro_row.value_returned, 27.0, places=2)

    def test_a_credit_note_never_refunds_more_than_is_left_of_its_invoice(self):
        # Finance already credited 96 of the 108 invoiced, by hand.
        earlier = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.customer.id,
                "reversed_entry_id": self.invoice.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.shirt.id,
                            "quantity": 1,
                            "price_unit": 80.0,
                            "tax_ids": [Command.set(self.tax.ids)],
                        }
                    )
                ],
            }
        )
        earlier.action_post()
        request = self.request()
        self.receive_and_inspect(request)
        with self.assertRaises(UserError) as refused:  # in a savepoint, rolled back
            request.action_refund()
        self.assertIn("only 12.00", refused.exception.args[0])
        self.assertFalse(self.env["account.move"].search([("oms_return_id", "=", request.id)]))
        self.assertEqual(request.state, "inspected")

    def test_settling_money_is_for_managers_whatever_the_view(self):
        clerk = new_test_user(
            self.env,
            login="returns_clerk",
            groups="oms_core.group_oms_user,stock.group_stock_user,account.group_account_invoice",
        )
        self.pay()
        request = self.request()
        self.receive_and_inspect(request)
        with self.assertRaisesRegex(AccessError, "Only OMS managers"):
            request.with_user(clerk).action_refund()
        form = request.with_user(clerk).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("action_refund", form, "nor the button")
        with self.assertRaisesRegex(AccessError, "override a return policy"):
            request.line_ids.with_user(clerk).write({"fee": 0.0})
        self.assertAlmostEqual(request.line_ids.fee, 5.40)
        self.assertFalse(request.credit_note_ids)
        manager = new_test_user(self.env, login="returns_boss", groups="oms_core.group_oms_manager")
        request.with_user(manager).action_refund()
        self.assertEqual(request.state, "refunded")
        self.assertAlmostEqual(request.credit_note_ids.amount_total, 48.60, places=2)

    def test_a_rejected_request_takes_nothing_back_even_closed(self):
        self.policy.auto_approve = False
        rejected = self.request(quantity=2)
        rejected.action_reject("not ours")
        rejected.action_close()
        self.assertEqual(rejected.state, "closed")
        self.assertEqual(self.line._oms_returnable_quantity(), 2)
        self.assertEqual(self.line._oms_portal_verdicts()[self.line]["returnable"], 2)
        again = self.request(quantity=2)
        self.assertEqual(again.line_ids.quantity, 2)


@tagged("post_install", "-at_install")
class TestReturnCompanies(ReturnFlowCase):
    def test_each_company_sees_its_own_returns_lines_and_policies(self):
        other = self.env["res.company"].create({"name": "Other Returns Co"})
        outsider = new_test_user(
            self.env,
            login="other_co_manager",
            groups="oms_core.group_oms_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        theirs = self.env["oms.return.policy"].create(
            {
                "name": "Other company's policy",
                "company_id": other.id,
                "reason_ids": [Command.set(self.too_small.ids)],
            }
        )
        request = self.request()
        insider = new_test_user(
            self.env, login="main_co_manager", groups="oms_core.group_oms_manager"
        )
        self.assertIn(request, self.env["oms.return"].with_user(insider).search([]))
        self.assertNotIn(theirs, self.env["oms.return.policy"].with_user(insider).search([]))
        Return = self.env["oms.return"].with_user(outsider)
        self.assertNotIn(request, Return.search([]))
        self.assertFalse(
            self.env["oms.return.line"]
            .with_user(outsider)
            .search([("id", "in", request.line_ids.ids)])
        )
        with self.assertRaises(AccessError):
            Return.browse(request.id).read(["name"])
        with self.assertRaises(AccessError):
            self.env["oms.return.line"].with_user(outsider).browse(request.line_ids.ids).read(
                ["quantity"]
            )
        policies = self.env["oms.return.policy"].with_user(outsider).search([])
        self.assertIn(theirs, policies)
        self.assertNotIn(self.policy, policies)
        self.env.flush_all()
        report = self.env["oms.return.report"].with_user(outsider).search([])
        self.assertFalse(report.filtered(lambda row: row.company_id != other))
