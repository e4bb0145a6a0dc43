"""Routing keeps the deliver-by promise, leaves held units to their orders and
never counts quarantine, scrap or returns stock as free."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase


class TestRoutingPromise(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        company = cls.env.company
        cls.env["oms.hold.rule"].search([]).active = False
        cls.env.ref("oms_core.oms_hold_rule_fraud").active = True
        Warehouse = cls.env["stock.warehouse"]
        cls.wh_near = Warehouse.search([("company_id", "=", company.id)], limit=1)
        cls.wh_far = Warehouse.create({"name": "Far DC", "code": "FAR"})
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Routing Customer",
                "street": "Grand-Place 1",
                "city": "Bruxelles",
                "zip": "1000",
                "country_id": cls.env.ref("base.be").id,
                "partner_latitude": 50.85,
                "partner_longitude": 4.35,
            }
        )
        Source = cls.env["oms.routing.source"]
        cls.near = Source.create(
            {"warehouse_id": cls.wh_near.id, "latitude": 50.94, "longitude": 4.04}  # Aalst
        )
        cls.far = Source.create(
            {"warehouse_id": cls.wh_far.id, "latitude": 48.86, "longitude": 2.35}  # Paris
        )
        Product = cls.env["product.product"]
        cls.mug, cls.lamp = Product.create(
            [
                {"name": "Mug", "is_storable": True, "list_price": 10, "weight": 0.4},
                {"name": "Lamp", "is_storable": True, "list_price": 80},
            ]
        )

    def stock(self, warehouse, product, quantity):
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, quantity
        )

    def order(self, *lines):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": quantity})
                    for product, quantity in lines
                ],
            }
        )

    def deliveries(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def allocations(self, order):
        return order.oms_routing_decision_ids[:1].allocation_ids

    def test_one_unit_on_a_fraud_hold_is_not_routed_to_a_second_order(self):
        self.stock(self.wh_near, self.lamp, 1)
        held = self.order((self.lamp, 1))
        held.oms_fraud_score = 95
        held.action_confirm()
        self.assertEqual(held.oms_stage, "on_hold")
        self.assertEqual(self.lamp._oms_soft_reserved_qty(self.wh_near), {self.lamp.id: 1.0})
        second = self.order((self.lamp, 1))
        second.action_confirm()
        allocation = self.allocations(second)
        self.assertTrue(allocation.backorder, "the held unit is not free for another order")
        self.assertIn("nothing in stock now", second.oms_routing_decision_ids[:1].summary)
        # Nor does Odoo reserve it for the second order's waiting delivery.
        self.assertEqual(self.deliveries(second).move_ids.quantity, 0.0)
        # Cancelled, the held order gives its unit back to routing.
        held._action_cancel()
        self.assertEqual(self.lamp._oms_soft_reserved_qty(self.wh_near), {})
        free = self.near._oms_free_stock(self.lamp, lock=False)
        self.assertEqual(free[self.near.id][self.lamp.id], 1.0)

    def test_released_order_routes_its_own_held_unit(self):
        self.stock(self.wh_near, self.lamp, 1)
        held = self.order((self.lamp, 1))
        held.oms_fraud_score = 95
        held.action_confirm()
        held.oms_fraud_score = 5  # the channel clears it: released and confirmed
        self.assertEqual(held.state, "sale")
        self.assertFalse(self.allocations(held).backorder)
        self.assertEqual(self.deliveries(held).move_ids.quantity, 1.0)

    def test_quarantine_returns_and_flagged_stock_are_not_routed(self):
        Location = self.env["stock.location"]
        quarantine = Location.create(
            {"name": "Quarantine", "location_id": self.wh_near.view_location_id.id}
        )
        damaged = Location.create(
            {
                "name": "Damaged",
                "location_id": self.wh_near.lot_stock_id.id,
                "oms_not_sellable": True,
            }
        )
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(self.mug, quarantine, 3)
        Quant._update_available_quantity(self.mug, damaged, 3)
        order = self.order((self.mug, 1))
        order.action_confirm()
        self.assertTrue(self.allocations(order).backorder)
        self.stock(self.wh_near, self.mug, 1)
        order2 = self.order((self.mug, 1))
        order2.action_confirm()
        self.assertFalse(self.allocations(order2).backorder)

    @freeze_time("2026-03-03 09:00:00")  # a Tuesday, before the sources' cut-off
    def test_source_that_cannot_make_the_deliver_by_date_is_not_chosen(self):
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        self.near.rate_ids = [(0, 0, {"max_km": 10000, "base": 10, "transit_days": 5})]
        self.far.rate_ids = [(0, 0, {"max_km": 10000, "base": 12, "transit_days": 1})]
        channel = self.env.ref("oms_core.oms_channel_manual")
        promise = datetime(2026, 3, 5, 18, 0)  # two days from now
        Order = self.env["sale.order"]
        promised = self.order((self.mug, 1))
        promised.write(Order._oms_service_level_vals(channel, [], promised_delivery_date=promise))
        self.assertEqual(promised.oms_deliver_by, promise)
        loose = self.order((self.mug, 1))
        loose.write(
            Order._oms_service_level_vals(
                channel, [], promised_delivery_date=promise + timedelta(days=10)
            )
        )
        (promised | loose).action_confirm()
        self.assertEqual(self.deliveries(promised).picking_type_id.warehouse_id, self.wh_far)
        late = promised.oms_routing_decision_ids.candidate_ids.filtered(
            lambda c: c.source_id == self.near
        )
        self.assertIn("cannot deliver by the promised date", late.reason)
        self.assertEqual(self.deliveries(loose).picking_type_id.warehouse_id, self.wh_near)

    def test_ship_by_counts_on_the_source_calendar(self):
        company_week = self.env["resource.calendar"].create(
            {"name": "Office week", "tz": "UTC", "company_id": self.env.company.id}
        )
        self.env.company.resource_calendar_id = company_week
        no_tuesday = self.env["resource.calendar"].create(
            {"name": "Warehouse, closed on Tuesdays", "tz": "UTC"}
        )
        no_tuesday.attendance_ids.filtered(lambda a: a.dayofweek == "1").unlink()
        channel = self.env.ref("oms_core.oms_channel_manual")
        channel.write({"cutoff_time": 14.0, "handling_days": 1, "warehouse_id": self.wh_near.id})
        values = {"oms_channel_id": channel.id, "warehouse_id": self.wh_near.id}
        order = self.order((self.mug, 1))
        order.write({**values, "oms_order_date": "2026-03-02 10:00:00"})  # a Monday
        self.assertEqual(str(order.oms_promised_date), "2026-03-03 17:00:00")
        self.near.calendar_id = no_tuesday
        order2 = self.order((self.mug, 1))
        order2.write({**values, "oms_order_date": "2026-03-02 10:00:00"})
        self.assertEqual(str(order2.oms_promised_date), "2026-03-04 17:00:00")
