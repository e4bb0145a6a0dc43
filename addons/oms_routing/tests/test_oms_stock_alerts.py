"""Stock alerts to purchasing and backorders with the date the next receipt makes
them shippable (issue 20, point 5)."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools.misc import format_date

NOW = datetime(2026, 12, 7, 9, 0)


class StockCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        cls.env["oms.hold.rule"].search([]).active = False  # no holds: confirmed at once
        cls.env["oms.routing.source"].search([]).active = False  # only this test's sources
        Warehouse = cls.env["stock.warehouse"]
        cls.wh_a = Warehouse.search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.wh_b = Warehouse.create({"name": "Alert B", "code": "ALB"})
        Source = cls.env["oms.routing.source"]
        cls.source_a = Source.create(
            {"warehouse_id": cls.wh_a.id, "latitude": 50.94, "longitude": 4.04, "rank": 1}
        )
        cls.source_b = Source.create(
            {"warehouse_id": cls.wh_b.id, "latitude": 48.86, "longitude": 2.35, "rank": 2}
        )
        cls.purchaser = new_test_user(
            cls.env, login="oms_purchaser", groups="purchase.group_purchase_user"
        )
        cls.env.company.oms_stock_alert_group_id = cls.env.ref("purchase.group_purchase_user")
        cls.env.company.oms_stock_alert_user_id = cls.purchaser
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Waiting Customer",
                "email": "waiting@example.com",
                "city": "Bruxelles",
                "zip": "1000",
                "country_id": cls.env.ref("base.be").id,
                "partner_latitude": 50.85,
                "partner_longitude": 4.35,
            }
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Mug Supplier"})
        # Nothing queued by earlier data is checked by these tests.
        cls.env["oms.stock.check"]._cron_oms_stock_check()

    def stock(self, warehouse, product, quantity):
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, quantity
        )

    def order(self, product, quantity, partner=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        return order

    def receipt(self, warehouse, product, quantity, date):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": self.vendor.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "scheduled_date": date,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                            "date": date,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def alerts(self, product):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "product.product"),
                ("res_id", "=", product.id),
                ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_todo").id),
            ]
        )


@freeze_time(NOW)
class TestStockAlerts(StockCase):
    def test_a_product_below_its_own_threshold_gets_one_todo_for_purchasing(self):
        mug = self.env["product.product"].create(
            {"name": "Alert Mug", "is_storable": True, "oms_stock_alert_qty": 5}
        )
        self.stock(self.wh_a, mug, 4)
        self.stock(self.wh_b, mug, 4)
        mug._oms_check_stock_alerts()
        self.assertFalse(self.alerts(mug), "8 free across the sources: not below 5")

        self.order(mug, 4)  # reserves 4 at one source: 4 free left
        self.env["oms.stock.check"]._cron_oms_stock_check()
        alert = self.alerts(mug)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.user_id, self.purchaser)
        self.assertIn("4.0", alert.note)
        self.assertIn("below 5.0", alert.note)

        self.order(mug, 1)  # lower again: still the one open To-Do
        self.order(mug, 1)
        self.env["oms.stock.check"]._cron_oms_stock_check()
        self.assertEqual(self.alerts(mug), alert)

    def test_the_category_threshold_and_the_group_when_no_user_is_set(self):
        self.env.company.oms_stock_alert_user_id = False
        category = self.env["product.category"].create(
            {"name": "Alerted", "oms_stock_alert_qty": 3}
        )
        cap = self.env["product.product"].create(
            {"name": "Alert Cap", "is_storable": True, "categ_id": category.id}
        )
        self.stock(self.wh_a, cap, 2)
        self.order(cap, 1)
        self.env["oms.stock.check"]._cron_oms_stock_check()
        group_users = self.env.ref("purchase.group_purchase_user").users.filtered(
            lambda u: u.active and not u.share and self.env.company in u.company_ids
        )
        self.assertEqual(self.alerts(cap).user_id, group_users.sorted("id")[:1])

    def test_a_reordering_rule_minimum_per_source_is_the_threshold(self):
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        lamp, vase = self.env["product.product"].create(
            [
                # Its own figure (10) gives way to its reordering rule's (3).
                {"name": "Alert Lamp", "is_storable": True, "oms_stock_alert_qty": 10},
                {"name": "Alert Vase", "is_storable": True},
            ]
        )
        Orderpoint.create(
            [
                {
                    "product_id": lamp.id,
                    "warehouse_id": self.wh_a.id,
                    "location_id": self.wh_a.lot_stock_id.id,
                    "product_min_qty": 3,
                    "product_max_qty": 10,
                    "trigger": "manual",
                },
                {
                    "product_id": vase.id,
                    "warehouse_id": self.wh_a.id,
                    "location_id": self.wh_a.lot_stock_id.id,
                    "product_min_qty": 4,
                    "product_max_qty": 10,
                    "trigger": "manual",
                },
                {
                    "product_id": vase.id,
                    "warehouse_id": self.wh_b.id,
                    "location_id": self.wh_b.lot_stock_id.id,
                    "product_min_qty": 4,
                    "product_max_qty": 10,
                    "trigger": "manual",
                },
            ]
        )
        for product in (lamp, vase):
            self.stock(self.wh_a, product, 5)
            self.stock(self.wh_b, product, 4)
            self.order(product, 3)  # 6 free left
        self.env["oms.stock.check"]._cron_oms_stock_check()
        self.assertFalse(self.alerts(lamp), "6 free, rule minimum 3")
        self.assertEqual(len(self.alerts(vase)), 1, "6 free, rule minimums 4 + 4")
        self.assertIn("below 8.0", self.alerts(vase).note)

    def test_no_alert_without_anyone_to_tell(self):
        self.env.company.oms_stock_alert_user_id = False
        self.env.company.oms_stock_alert_group_id = False
        mug = self.env["product.product"].create(
            {"name": "Unwatched Mug", "is_storable": True, "oms_stock_alert_qty": 5}
        )
        self.stock(self.wh_a, mug, 2)
        self.order(mug, 1)
        self.env["oms.stock.check"]._cron_oms_stock_check()
        self.assertFalse(self.alerts(mug))


@freeze_time(NOW)
class TestBackorderDates(StockCase):
    def test_two_backorders_share_two_receipts_first_come_first_served(self):
        mug = self.env["product.product"].create({"name": "Backorder Mug", "is_storable": True})
        self.stock(self.wh_a, mug, 1)
        day5, day10 = NOW + timedelta(days=5), NOW + timedelta(days=10)
        first_receipt = self.receipt(self.wh_a, mug, 3, day5)
        self.receipt(self.wh_a, mug, 4, day10)
        first = self.order(mug, 3)  # 1 now, 2 of the first receipt
        second = self.order(mug, 3)  # 1 left of the first receipt, 2 of the second
        line_1, line_2 = first.order_line, second.order_line
        self.assertEqual(line_1.oms_backorder_qty, 2)
        self.assertEqual(line_1.oms_backorder_date, day5.date())
        self.assertEqual(first.oms_ships_from, day5.date())
        self.assertEqual(line_2.oms_backorder_qty, 3)
        self.assertEqual(line_2.oms_backorder_date, day10.date())
        self.assertEqual(second.oms_ships_from, day10.date())

        self.env["oms.stock.check"]._cron_oms_stock_check()
        self.assertEqual(line_2.oms_backorder_date, day10.date(), "the same on a later check")

        # The first receipt is moved later than the second: recomputed by the cron.
        day12 = NOW + timedelta(days=12)
        first_receipt.scheduled_date = day12
        self.env["oms.stock.check"]._cron_oms_stock_check()
        self.assertEqual(line_1.oms_backorder_date, day10.date(), "4 arrive on day 10")
        self.assertEqual(line_2.oms_backorder_date, day12.date())

    def test_no_date_when_nothing_incoming_covers_it(self):
        vase = self.env["product.product"].create({"name": "Backorder Vase", "is_storable": True})
        self.receipt(self.wh_a, vase, 1, NOW + timedelta(days=3))  # 1 of the 2
        order = self.order(vase, 2)
        line = order.order_line
        self.assertEqual(line.oms_backorder_qty, 2)
        self.assertFalse(line.oms_backorder_date)
        self.assertTrue(order.oms_has_backorder)
        self.assertFalse(order.oms_ships_from)

    def test_a_backorder_served_is_no_longer_one(self):
        cap = self.env["product.product"].create({"name": "Backorder Cap", "is_storable": True})
        receipt = self.receipt(self.wh_a, cap, 2, NOW + timedelta(days=2))
        order = self.order(cap, 2)
        self.assertEqual(order.order_line.oms_backorder_date, (NOW + timedelta(days=2)).date())
        receipt.move_ids.quantity = 2
        receipt.button_validate()
        self.env["oms.stock.check"]._cron_oms_stock_check()
        self.assertEqual(order.order_line.oms_backorder_qty, 0)
        self.assertFalse(order.oms_has_backorder)
        self.assertEqual(
            order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing").state,
            "assigned",
        )


@tagged("post_install", "-at_install")
class TestBackorderPortal(HttpCase, StockCase):
    def test_the_customer_sees_when_the_backorder_ships(self):
        portal = new_test_user(self.env, login="oms_waiting_customer", groups="base.group_portal")
        portal.partner_id.write(
            {"city": "Bruxelles", "zip": "1000", "country_id": self.env.ref("base.be").id}
        )
        mug = self.env["product.product"].create({"name": "Portal Mug", "is_storable": True})
        day = fields.Datetime.now() + timedelta(days=6)
        self.receipt(self.wh_a, mug, 5, day)
        order = self.order(mug, 2, partner=portal.partner_id)
        self.assertEqual(order.order_line.oms_backorder_date, day.date())
        self.authenticate("oms_waiting_customer", "oms_waiting_customer")
        page = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        shown = format_date(self.env, day.date(), lang_code=portal.lang)
        self.assertIn(f"Backordered: expected to ship on <span>{shown}</span>", page.text)
        self.assertIn("Ships from:", page.text)
        self.assertIn(shown, page.text.split("Ships from:", 1)[1][:400])
