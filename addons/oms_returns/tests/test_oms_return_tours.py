"""Returns in a real browser (headless Chromium): the customer signed in and as a
guest on the portal, the back office from approval to refund."""

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.queue_job.job import Job


@tagged("post_install", "-at_install")
class TestReturnTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        cls.env["oms.hold.rule"].search([]).active = False
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.warehouse.partner_id.write(dict(cls.address(), street="1 Dock St"))
        cls.mug, cls.plate = (
            cls.env["product.product"].create(
                {"name": name, "is_storable": True, "list_price": price, "weight": 0.4}
            )
            for name, price in (("Tour Mug", 20.0), ("Tour Plate", 30.0))
        )
        for product in cls.mug | cls.plate:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 20
            )
        service = cls.env["product.product"].create({"name": "Van", "type": "service"})
        cls.policy = cls.env.ref("oms_returns.policy_standard")
        cls.policy.return_carrier_id = cls.env["delivery.carrier"].create(
            {
                "name": "Our vans",
                "delivery_type": "oms_own_fleet",
                "product_id": service.id,
                "oms_label_format": "PDF",
            }
        )
        cls.customer_user = new_test_user(
            cls.env,
            login="tour_returner",
            password="tour_returner",
            groups="base.group_portal",
            email="tour.returner@example.com",
        )
        cls.customer_user.partner_id.write(cls.address())
        cls.manager = new_test_user(
            cls.env,
            login="tour_returns_desk",
            password="tour_returns_desk",
            groups="oms_core.group_oms_manager,stock.group_stock_user,account.group_account_invoice",
        )

    @classmethod
    def address(cls):
        return {
            "street": "Rue Haute 10",
            "city": "Brussels",
            "zip": "1000",
            "country_id": cls.env.ref("base.be").id,
        }

    @classmethod
    def delivered_order(cls, partner, name=None, invoiced=False):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 1})
                    for product in cls.mug | cls.plate
                ],
                **({"name": name} if name else {}),
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_assign()
        delivery.move_ids.picked = True
        delivery.button_validate()
        if invoiced:
            order._create_invoices().action_post()
        return order

    def test_signed_in_customer_returns_one_of_two_lines_and_downloads_the_label(self):
        order = self.delivered_order(self.customer_user.partner_id)
        self.start_tour(
            f"/my/orders/{order.id}", "oms_returns_portal_signed_in", login="tour_returner"
        )
        request = self.env["oms.return"].search([("partner_id", "=", order.partner_id.id)])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.line_ids.product_id, self.mug)
        self.assertEqual(request.line_ids.quantity, 1)
        self.assertEqual(request.line_ids.reason_id, self.env.ref("oms_returns.reason_too_small"))
        self.assertEqual(request.state, "approved", "its label on its way")
        self.assertFalse(request.label_attachment_ids)
        (job,) = self.env["queue.job"].search([("method_name", "=", "_oms_buy_labels")])
        Job.load(self.env, job.uuid).perform()
        self.assertEqual(request.state, "label_sent")
        self.assertTrue(request.label_attachment_ids)
        self.start_tour(
            request.get_portal_url(), "oms_returns_portal_download_label", login="tour_returner"
        )

    def test_guest_finds_the_order_and_asks_for_a_return(self):
        guest = self.env["res.partner"].create(
            {"name": "Guest Returner", "email": "guest.returner@example.com", **self.address()}
        )
        order = self.delivered_order(guest, name="RET-TOUR-GUEST")
        self.start_tour("/returns", "oms_returns_portal_guest")
        request = self.env["oms.return"].search([("partner_id", "=", guest.id)])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.order_ids, order)
        self.assertEqual(
            request.line_ids.reason_id, self.env.ref("oms_returns.reason_changed_mind")
        )

    def test_back_office_approves_receives_inspects_and_refunds_then_the_customer_sees_it(self):
        self.policy.auto_approve = False
        partner = self.customer_user.partner_id
        order = self.delivered_order(partner, invoiced=True)
        request = self.env["oms.return"].create(
            {
                "partner_id": partner.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "sale_line_id": order.order_line.filtered(
                                lambda ln: ln.product_id == self.plate
                            ).id,
                            "quantity": 1,
                            "reason_id": self.env.ref("oms_returns.reason_damaged").id,
                        },
                    )
                ],
            }
        )
        request._oms_submit()
        self.assertEqual(request.state, "requested")
        stock = self.plate.with_context(location=self.warehouse.lot_stock_id.id)
        before = stock.qty_available
        self.start_tour(
            f"/odoo/oms-returns/{request.id}", "oms_returns_back_office", login="tour_returns_desk"
        )
        self.assertEqual(request.state, "refunded")
        self.assertEqual(request.line_ids.disposition, "restock")
        stock.invalidate_recordset()
        self.assertEqual(stock.qty_available, before + 1)
        note = request.credit_note_ids
        self.assertEqual(note.state, "posted")
        # 30 + 15 % default sale tax or none: the whole price paid, damaged means no fee.
        self.assertAlmostEqual(note.amount_total, request.line_ids.value, places=2)
        request._portal_ensure_token()
        self.start_tour(
            request.get_portal_url(), "oms_returns_portal_refunded", login="tour_returner"
        )
