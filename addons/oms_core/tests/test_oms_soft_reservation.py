from .common import OmsCoreCase


class TestSoftReservation(OmsCoreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lamp = cls.env["product.product"].create(
            {"name": "Lamp", "is_storable": True, "list_price": 30.0}
        )
        cls.env["stock.quant"]._update_available_quantity(cls.lamp, cls.warehouse.lot_stock_id, 1)

    def _held_order(self, qty=1):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "oms_channel_id": self.channel.id,
                "oms_fraud_score": 90,
                "order_line": [(0, 0, {"product_id": self.lamp.id, "product_uom_qty": qty})],
            }
        )
        order.action_confirm()
        self.assertEqual(order.oms_stage, "on_hold")
        return order

    def _held(self, warehouses=None):
        return self.lamp._oms_soft_reserved_qty(warehouses).get(self.lamp.id, 0.0)

    def test_held_order_holds_its_units_until_cancelled(self):
        order = self._held_order()
        self.assertEqual(self._held(self.warehouse), 1.0)
        self.assertEqual(self._held(), 1.0)
        other = self.env["stock.warehouse"].create({"name": "Other", "code": "OTH"})
        self.assertEqual(self._held(other), 0.0)
        self.assertEqual(self.lamp._oms_soft_reserved_qty(exclude_orders=order), {})
        order._action_cancel()
        self.assertEqual(self._held(self.warehouse), 0.0)

    def test_units_delivered_already_are_not_held(self):
        """A held order's units the channel shipped before the import (delivered
        from elsewhere) are not held again from the warehouse."""
        order = self._held_order(qty=3)
        elsewhere = self.env["stock.location"].create(
            {"name": "Shipped by channel", "usage": "internal"}
        )
        move = self.env["stock.move"].create(
            {
                "name": "shipped by the channel",
                "product_id": self.lamp.id,
                "product_uom_qty": 2,
                "product_uom": self.lamp.uom_id.id,
                "location_id": elsewhere.id,
                "location_dest_id": self.customer.property_stock_customer.id,
                "sale_line_id": order.order_line.id,
            }
        )
        move._action_confirm()
        move.quantity = 2
        move.picked = True
        move._action_done()
        self.assertEqual(order.order_line.qty_delivered, 2)
        self.assertEqual(self._held(self.warehouse), 1.0)

    def test_released_order_holds_through_its_delivery_instead(self):
        order = self._held_order()
        order.oms_fraud_score = 10  # the channel's new assessment ends the hold
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._held(self.warehouse), 0.0)
        self.assertEqual(order.picking_ids.move_ids.quantity, 1.0)

    def test_another_orders_delivery_does_not_reserve_the_held_unit(self):
        held = self._held_order()
        other = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "oms_channel_id": self.channel.id,
                "order_line": [(0, 0, {"product_id": self.lamp.id, "product_uom_qty": 1})],
            }
        )
        other.action_confirm()
        self.assertEqual(other.state, "sale")
        self.assertEqual(other.picking_ids.move_ids.quantity, 0.0)
        # Released, the held order's own delivery reserves its unit.
        held.oms_fraud_score = 10
        self.assertEqual(held.picking_ids.move_ids.quantity, 1.0)

    def test_cancelled_held_order_frees_its_unit_for_reservation(self):
        held = self._held_order()
        other = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "oms_channel_id": self.channel.id,
                "order_line": [(0, 0, {"product_id": self.lamp.id, "product_uom_qty": 1})],
            }
        )
        other.action_confirm()
        self.assertEqual(other.picking_ids.move_ids.quantity, 0.0)
        held._action_cancel()
        other.picking_ids.action_assign()
        self.assertEqual(other.picking_ids.move_ids.quantity, 1.0)

    def test_quotation_without_hold_holds_nothing(self):
        self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "oms_channel_id": self.channel.id,
                "order_line": [(0, 0, {"product_id": self.lamp.id, "product_uom_qty": 1})],
            }
        )
        self.assertEqual(self._held(self.warehouse), 0.0)

    def test_sellable_locations_leave_out_quarantine_scrap_and_returns(self):
        Location = self.env["stock.location"]
        stock = self.warehouse.lot_stock_id
        shelf = Location.create({"name": "Shelf", "location_id": stock.id})
        quarantine = Location.create(
            {"name": "Quarantine", "location_id": stock.id, "oms_not_sellable": True}
        )
        inside = Location.create({"name": "Bin Q1", "location_id": quarantine.id})
        returns = Location.create(
            {"name": "Returns", "location_id": self.warehouse.view_location_id.id}
        )
        scrap = Location.create(
            {
                "name": "Broken",
                "location_id": stock.id,
                "usage": "inventory",
                "scrap_location": True,
            }
        )
        sellable = Location._oms_sellable_locations(self.warehouse)
        self.assertIn(stock, sellable)
        self.assertIn(shelf, sellable)
        for location in (quarantine, inside, returns, scrap):
            self.assertNotIn(location, sellable)
