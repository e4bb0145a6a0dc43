"""Routing at confirmation: deliveries per source, splits, dropship, backorders,
decisions with their reasons."""

from unittest.mock import patch

from odoo import fields
from odoo.tests import TransactionCase
from odoo.tools.safe_eval import safe_eval


class TestRouting(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        company = cls.env.company
        cls.env["oms.hold.rule"].search([]).active = False  # routing only
        Warehouse = cls.env["stock.warehouse"]
        cls.wh_near = Warehouse.search([("company_id", "=", company.id)], limit=1)
        cls.wh_far = Warehouse.create({"name": "Far DC", "code": "FAR"})
        cls.belgium = cls.env.ref("base.be")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Routing Customer",
                "street": "Grand-Place 1",
                "city": "Bruxelles",
                "zip": "1000",
                "country_id": cls.belgium.id,
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
        cls.vendor = cls.env["res.partner"].create({"name": "Dropship Vendor"})
        cls.dropship = Source.create(
            {"kind": "dropship", "vendor_id": cls.vendor.id, "name": "Vendor ships"}
        )
        Product = cls.env["product.product"]
        cls.mug, cls.cap, cls.lamp = Product.create(
            [
                {"name": "Mug", "is_storable": True, "list_price": 10, "weight": 0.4},
                {"name": "Cap", "is_storable": True, "list_price": 15, "weight": 0.2},
                {
                    "name": "Lamp",
                    "is_storable": True,
                    "list_price": 80,
                    "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 40})],
                },
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

    def test_whole_order_ships_from_the_nearest_source_that_has_it_all(self):
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 2))
        order.action_confirm()
        delivery = self.deliveries(order)
        self.assertEqual(delivery.picking_type_id.warehouse_id, self.wh_near)
        decision = order.oms_routing_decision_ids
        self.assertEqual(decision.summary, self.near.name)
        chosen = decision.candidate_ids.filtered("chosen")
        self.assertEqual(chosen.source_id, self.near)
        far = decision.candidate_ids.filtered(lambda c: c.source_id == self.far)
        self.assertIn(f"behind source {self.near.id}", far.reason)
        self.assertGreater(far.distance_km, chosen.distance_km)
        self.assertIn(f"Routed: {self.near.name}", order.oms_event_ids.mapped("name"))
        action = order.action_oms_why_this_source()
        self.assertEqual(action["res_id"], decision.id)

    def test_an_address_without_coordinates_is_placed_by_its_city_offline(self):
        # Near Paris, by the city's centroid: the Paris source is nearer than Aalst.
        self.customer.write(
            {
                "partner_latitude": 0,
                "partner_longitude": 0,
                "city": "Versailles",
                "zip": "78000",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 1))
        with patch("requests.Session.request", side_effect=AssertionError("no network")):
            order.action_confirm()
        self.assertEqual(self.deliveries(order).picking_type_id.warehouse_id, self.wh_far)
        far = order.oms_routing_decision_ids.candidate_ids.filtered(
            lambda c: c.source_id == self.far
        )
        self.assertLess(far.distance_km, 30)

    def test_a_source_without_coordinates_is_placed_by_its_postcode(self):
        self.wh_far.partner_id.write({"city": "", "country_id": self.env.ref("base.us").id})
        self.far.write({"latitude": 0, "longitude": 0, "zip": "10001"})  # New York
        latitude, longitude = self.far._oms_coordinates()
        self.assertAlmostEqual(latitude, 40.75, delta=0.1)
        self.assertAlmostEqual(longitude, -74.0, delta=0.1)

    def cheapest_strategy(self, **values):
        return self.env["oms.routing.strategy"].create(
            {
                "name": "Cheapest",
                "is_default": True,
                "weight_distance": 0,
                "weight_speed": 0,
                "weight_cost": 1,
                **values,
            }
        )

    def test_shipping_tables_make_the_farther_source_cheaper(self):
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        self.cheapest_strategy()
        self.near.rate_ids = [(0, 0, {"max_km": 10000, "base": 30, "per_kg": 2, "transit_days": 1})]
        self.far.rate_ids = [(0, 0, {"max_km": 10000, "base": 4, "per_kg": 1, "transit_days": 2})]
        order = self.order((self.mug, 1))
        order.action_confirm()
        self.assertEqual(self.deliveries(order).picking_type_id.warehouse_id, self.wh_far)
        candidates = order.oms_routing_decision_ids.candidate_ids
        far = candidates.filtered(lambda c: c.source_id == self.far)
        near = candidates.filtered(lambda c: c.source_id == self.near)
        self.assertAlmostEqual(far.estimated_cost, 4 + 1 * 0.4, places=2)
        self.assertAlmostEqual(near.estimated_cost, 30 + 2 * 0.4, places=2)

    def test_live_quotes_come_through_the_carriers_hook(self):
        """The hook's contract (oms_carriers implements it against the carriers'
        APIs, tested there): a price per order and warehouse, or None."""
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        self.cheapest_strategy(use_live_quotes=True)
        asked = []

        def quote(order, warehouse):
            asked.append(warehouse)
            return {self.wh_near: 25.0, self.wh_far: 6.0}.get(warehouse)

        Order = type(self.env["sale.order"])
        with patch.object(Order, "_oms_quote_from", quote, create=True):
            order = self.order((self.mug, 1))
            order.action_confirm()
        self.assertEqual(set(asked), {self.wh_near, self.wh_far}, "each stocked source asked")
        self.assertEqual(self.deliveries(order).picking_type_id.warehouse_id, self.wh_far)
        far = order.oms_routing_decision_ids.candidate_ids.filtered(
            lambda c: c.source_id == self.far
        )
        self.assertAlmostEqual(far.estimated_cost, 6.0, places=2)

    def test_backtest_compares_strategies_with_what_happened_and_changes_nothing(self):
        self.stock(self.wh_near, self.mug, 1)
        self.stock(self.wh_far, self.mug, 5)
        self.stock(self.wh_far, self.cap, 5)
        nearest = self.env["oms.routing.strategy"].create({"name": "Nearest", "is_default": True})
        self.near.rate_ids = [(0, 0, {"max_km": 10000, "base": 30})]
        self.far.rate_ids = [(0, 0, {"max_km": 10000, "base": 5})]
        orders = self.order((self.mug, 1)) | self.order((self.mug, 1), (self.cap, 1))
        orders.action_confirm()
        happened = self.deliveries(orders)
        decisions = orders.oms_routing_decision_ids
        cheapest = self.env["oms.routing.strategy"].create(
            {"name": "Cheapest", "weight_distance": 0, "weight_speed": 0, "weight_cost": 1}
        )
        today = fields.Date.context_today(self.env.user)
        backtest = self.env["oms.routing.backtest"].create(
            {
                "date_from": today,
                "date_to": today,
                "strategy_id": nearest.id,
                "compare_strategy_id": cheapest.id,
            }
        )
        backtest.action_run()
        actual, by_nearest, by_cheapest = backtest.line_ids
        self.assertEqual(actual.name, "What happened")
        self.assertEqual(
            (actual.order_count, by_nearest.order_count, by_cheapest.order_count), (2, 2, 2)
        )
        # Today's stock plus what the orders took: the first order gets Aalst's unit
        # again, as it did; cheapest sends everything from Paris.
        self.assertEqual(by_nearest.load, actual.load)
        self.assertEqual(by_cheapest.load, f"{self.far.name}: 2")
        self.assertLess(by_cheapest.cost, by_nearest.cost)
        self.assertGreater(by_cheapest.average_km, by_nearest.average_km)
        # Nothing changed.
        self.assertEqual(self.deliveries(orders), happened)
        self.assertEqual(orders.oms_routing_decision_ids, decisions)

    def test_only_what_was_not_delivered_already_is_routed(self):
        """Units delivered before confirmation (a channel shipped them before the
        import, from its own location) are not routed: the rest goes to the source
        that has it, and only the rest is procured."""
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 5))
        line = order.order_line
        elsewhere = self.env["stock.location"].create(
            {"name": "Shipped by the channel", "usage": "internal"}
        )
        move = self.env["stock.move"].create(
            {
                "name": "shipped by the channel",
                "product_id": self.mug.id,
                "product_uom_qty": 3,
                "product_uom": self.mug.uom_id.id,
                "location_id": elsewhere.id,
                "location_dest_id": self.customer.property_stock_customer.id,
                "sale_line_id": line.id,
            }
        )
        move._action_confirm()
        move.quantity = 3
        move.picked = True
        move._action_done()
        self.assertEqual(line.qty_delivered, 3)
        order.action_confirm()
        allocations = line._oms_current_allocations()
        self.assertEqual(sum(allocations.mapped("quantity")), 2)
        self.assertEqual(allocations.source_id, self.far)
        delivery = self.deliveries(order).filtered(lambda p: p.state != "done")
        self.assertEqual(delivery.picking_type_id.warehouse_id, self.wh_far)
        self.assertEqual(delivery.move_ids.product_uom_qty, 2)

    def test_split_across_two_warehouses_when_the_nearest_is_short(self):
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.cap, 5)
        order = self.order((self.mug, 1), (self.cap, 1))
        order.action_confirm()
        deliveries = self.deliveries(order)
        self.assertEqual(
            deliveries.picking_type_id.warehouse_id, self.wh_near | self.wh_far, "one per source"
        )
        by_warehouse = {p.picking_type_id.warehouse_id: p.move_ids.product_id for p in deliveries}
        self.assertEqual(by_warehouse[self.wh_near], self.mug)
        self.assertEqual(by_warehouse[self.wh_far], self.cap)
        self.assertTrue(order.oms_routing_decision_ids.is_split)

    def test_a_line_split_between_sources_when_none_has_it_all(self):
        self.stock(self.wh_near, self.mug, 2)
        self.stock(self.wh_far, self.mug, 5)
        strategy = self.env["oms.routing.strategy"].create({"name": "Default", "is_default": True})
        order = self.order((self.mug, 4))
        order.action_confirm()
        moves = self.deliveries(order).move_ids
        self.assertEqual(
            {m.picking_type_id.warehouse_id: m.product_uom_qty for m in moves},
            {self.wh_far: 4},
            "kept whole where all of it is",
        )
        self.assertEqual(order.oms_routing_decision_ids.strategy_id, strategy)
        # The far warehouse has 1 left (4 reserved), the near one 2.
        second = self.order((self.mug, 3))
        second.action_confirm()
        moves = self.deliveries(second).move_ids
        self.assertEqual(
            {m.picking_type_id.warehouse_id: m.product_uom_qty for m in moves},
            {self.wh_near: 2, self.wh_far: 1},
        )

    def test_dropship_what_no_warehouse_has(self):
        self.stock(self.wh_near, self.mug, 5)
        order = self.order((self.mug, 1), (self.lamp, 1))
        order.action_confirm()
        self.assertEqual(self.deliveries(order).move_ids.product_id, self.mug)
        purchase = self.env["purchase.order"].search([("partner_id", "=", self.vendor.id)])
        self.assertEqual(purchase.order_line.product_id, self.lamp)
        allocation = order.oms_routing_decision_ids.allocation_ids.filtered(
            lambda a: a.line_id.product_id == self.lamp
        )
        self.assertEqual(allocation.source_id, self.dropship)

    def test_what_no_source_has_waits_at_the_best_source(self):
        self.stock(self.wh_near, self.mug, 1)
        order = self.order((self.mug, 3))
        order.action_confirm()
        move = self.deliveries(order).move_ids
        self.assertEqual(move.picking_type_id.warehouse_id, self.wh_near)
        self.assertEqual(move.product_uom_qty, 3)
        self.assertEqual(move.quantity, 1, "one reserved, two wait (backorder)")
        backorder = order.oms_routing_decision_ids.allocation_ids.filtered("backorder")
        self.assertEqual(backorder.quantity, 2)
        self.assertIn("part waits for stock", order.oms_routing_decision_ids.summary)

    def test_country_not_served_and_disabled_sources(self):
        self.near.country_ids = self.env.ref("base.nl")
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 1))
        order.action_confirm()
        self.assertEqual(self.deliveries(order).picking_type_id.warehouse_id, self.wh_far)
        near = order.oms_routing_decision_ids.candidate_ids.filtered(
            lambda c: c.source_id == self.near
        )
        self.assertEqual(near.reason, "does not ship to BE")

    def test_batch_confirmation_never_gives_the_same_unit_twice(self):
        self.stock(self.wh_near, self.mug, 1)
        self.stock(self.wh_far, self.mug, 1)
        first, second = self.order((self.mug, 1)), self.order((self.mug, 1))
        (first | second).action_confirm()
        warehouses = (first | second).picking_ids.picking_type_id.warehouse_id
        self.assertEqual(warehouses, self.wh_near | self.wh_far)

    def test_without_sources_orders_ship_as_in_odoo(self):
        self.env["oms.routing.source"].search([]).active = False
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 1))
        order.action_confirm()
        self.assertFalse(order.oms_routing_decision_ids)
        self.assertEqual(self.deliveries(order).picking_type_id.warehouse_id, order.warehouse_id)

    def _quantity_at(self, warehouse, product):
        return sum(
            self.env["stock.quant"]
            .search(
                [
                    ("product_id", "=", product.id),
                    ("location_id", "child_of", warehouse.lot_stock_id.id),
                ]
            )
            .mapped("quantity")
        )

    def test_not_found_routes_elsewhere_and_corrects_the_stock(self):
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 2))
        order.action_confirm()
        picking = self.deliveries(order)
        self.assertEqual(picking.picking_type_id.warehouse_id, self.wh_near)
        wizard = (
            self.env["stock.picking.reject"]
            .with_context(active_id=picking.id)
            .create({"reason": "not_found", "note": "empty bin"})
        )
        wizard.action_reject()
        self.assertEqual(picking.state, "cancel")
        new = self.deliveries(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(new.picking_type_id.warehouse_id, self.wh_far)
        self.assertEqual(new.move_ids.product_uom_qty, 2)
        self.assertEqual(self._quantity_at(self.wh_near, self.mug), 3, "the 2 missing are gone")
        decision = order.oms_routing_decision_ids[:1]
        self.assertIn("re-routed without", decision.summary)
        self.assertIn("empty bin", decision.summary)
        self.assertNotIn(self.near, decision.candidate_ids.source_id)

    def test_damaged_routes_elsewhere_without_touching_the_stock(self):
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 1))
        order.action_confirm()
        picking = self.deliveries(order)
        self.env["stock.picking.reject"].with_context(active_id=picking.id).create(
            {"reason": "damaged"}
        ).action_reject()
        self.assertEqual(self._quantity_at(self.wh_near, self.mug), 5)
        new = self.deliveries(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(new.picking_type_id.warehouse_id, self.wh_far)

    def test_a_cancelled_delivery_is_routed_again_but_not_a_cancelled_order(self):
        self.stock(self.wh_near, self.mug, 5)
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 1))
        order.action_confirm()
        self.deliveries(order).action_cancel()
        new = self.deliveries(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(new.picking_type_id.warehouse_id, self.wh_far)
        decisions = len(order.oms_routing_decision_ids)
        order._action_cancel()
        self.assertEqual(len(order.oms_routing_decision_ids), decisions, "no routing on cancel")
        self.assertFalse(self.deliveries(order).filtered(lambda p: p.state != "cancel"))

    def test_route_again_an_order_confirmed_before_the_sources(self):
        self.env["oms.routing.source"].search([]).active = False
        self.stock(self.wh_far, self.mug, 5)
        order = self.order((self.mug, 1))
        order.action_confirm()
        queue_domain = safe_eval(self.env.ref("oms_routing.oms_routing_queue_action").domain)
        queue = self.env["sale.order"].search(queue_domain)
        self.assertIn(order, queue, "waiting in the routing queue")
        self.assertEqual(self.deliveries(order).picking_type_id.warehouse_id, order.warehouse_id)
        (self.near | self.far).active = True
        order.action_oms_route_now()
        live = self.deliveries(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(live.picking_type_id.warehouse_id, self.wh_far)
        self.assertIn("routed again by", order.oms_routing_decision_ids[:1].summary)
