"""Several orders confirmed together give the deliveries, reservations and
reordering that confirming them one by one gives."""

from unittest.mock import patch

from odoo.addons.stock.models.stock_orderpoint import StockWarehouseOrderpoint

from .common import OmsCoreCase


class TestOmsBatchConfirm(OmsCoreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock = cls.warehouse.lot_stock_id
        cls.scarce = cls._product("Scarce mug", "MUG-SCARCE", 5)
        cls.missing = cls._product("Missing mug", "MUG-MISSING", 0)

    @classmethod
    def _product(cls, name, code, on_hand):
        product = cls.env["product.product"].create(
            {"name": name, "default_code": code, "is_storable": True, "taxes_id": [(5, 0, 0)]}
        )
        if on_hand:
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock, on_hand)
        return product

    def _orders(self, *lines):
        """One quotation per (product, quantity)."""
        return self.env["sale.order"].concat(
            *(
                self.env["sale.order"].create(
                    {
                        "partner_id": self.customer.id,
                        "oms_channel_id": self.channel.id,
                        "order_line": [(0, 0, {"product_id": p.id, "product_uom_qty": q})],
                    }
                )
                for p, q in lines
            )
        )

    def test_core_leaves_odoos_confirmation_internals_alone(self):
        """oms_core confirms orders through Odoo's own stock rule launch, rule
        search, reservation, move states and delivery notes; the faster batch
        path that overrides them is the opt-in addon oms_fast_confirm."""
        internals = {
            "sale.order.line": ["_action_launch_stock_rule"],
            "procurement.group": ["_search_rule_for_warehouses"],
            "stock.move": ["_action_assign", "_recompute_state", "_trigger_scheduler"],
            "stock.picking": ["message_post_with_source", "action_confirm"],
        }
        for model, methods in internals.items():
            for method in methods:
                owners = [
                    cls.__module__
                    for cls in type(self.env[model]).mro()
                    if method in vars(cls) and cls.__module__.startswith("odoo.addons.oms_core.")
                ]
                self.assertEqual(owners, [], f"{model}.{method}")

    def test_reservation_shares_the_last_units(self):
        """Three orders of 2 for the last 5 units, and one for a product out of
        stock: 2, 2 and 1 reserved, never more than on hand, and each move in the
        state its reservation gives it."""
        orders = self._orders(
            (self.scarce, 2), (self.scarce, 2), (self.scarce, 2), (self.missing, 1)
        )
        orders.action_confirm()

        self.assertEqual(set(orders.mapped("state")), {"sale"})
        moves = orders.picking_ids.move_ids
        scarce = moves.filtered(lambda m: m.product_id == self.scarce).sorted("id")
        self.assertEqual(scarce.mapped("quantity"), [2, 2, 1])
        self.assertEqual(scarce.mapped("state"), ["assigned", "assigned", "partially_available"])
        missing = moves.filtered(lambda m: m.product_id == self.missing)
        self.assertEqual((missing.quantity, missing.state), (0, "confirmed"))
        quant = self.env["stock.quant"].search(
            [("product_id", "=", self.scarce.id), ("location_id", "=", self.stock.id)]
        )
        self.assertEqual((quant.quantity, quant.reserved_quantity), (5, 5))
        self.assertEqual(
            missing.picking_id.state, "confirmed", "a delivery with nothing reserved waits"
        )

    def test_states_follow_changes_after_the_batch(self):
        """Once the batch is over, a move line changed later changes its move's
        state at once, as in Odoo, even through the records made during the batch
        (they keep the batch's context)."""
        MoveLine = type(self.env["stock.move.line"])
        create = MoveLine.create
        made = []

        def keep(records, vals_list):
            lines = create(records, vals_list)
            made.extend(lines)
            return lines

        orders = self._orders((self.scarce, 2), (self.scarce, 2))
        with patch.object(MoveLine, "create", keep):
            orders.action_confirm()
        line = made[0]
        move = line.move_id
        self.assertEqual(move.state, "assigned")

        line.quantity = 1
        self.assertEqual(move.state, "partially_available")
        line.unlink()
        self.assertEqual(move.state, "confirmed")

    def test_each_product_gets_the_rule_of_its_routes(self):
        """Two products in one batch, one of them on a route of its own that ships
        from another shelf: each delivery leaves from the place its product's rule
        says, not from the first one found for the batch."""
        shelf = self.env["stock.location"].create(
            {"name": "Shelf B", "location_id": self.stock.id, "usage": "internal"}
        )
        route = self.env["stock.route"].create(
            {
                "name": "Ship from shelf B",
                "product_selectable": True,
                "rule_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Shelf B → Customers",
                            "action": "pull",
                            "procure_method": "make_to_stock",
                            "location_src_id": shelf.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                            "picking_type_id": self.warehouse.out_type_id.id,
                            "warehouse_id": self.warehouse.id,
                        },
                    )
                ],
            }
        )
        shelved = self._product("Shelved mug", "MUG-SHELF", 0)
        shelved.route_ids = route
        self.env["stock.quant"]._update_available_quantity(shelved, shelf, 3)

        orders = self._orders((self.scarce, 1), (shelved, 1), (self.scarce, 1))
        orders.action_confirm()

        moves = orders.picking_ids.move_ids
        by_product = {
            p: moves.filtered(lambda m, p=p: m.product_id == p) for p in (self.scarce, shelved)
        }
        self.assertEqual(by_product[shelved].location_id, shelf)
        self.assertEqual(by_product[shelved].rule_id.route_id, route)
        self.assertEqual(by_product[shelved].state, "assigned")
        self.assertEqual(by_product[self.scarce].location_id, self.stock)
        self.assertNotEqual(by_product[self.scarce].rule_id.route_id, route)

    def test_reordering_rules_of_the_products_that_have_one(self):
        """An automatic reordering rule on one product of the batch is run, with
        the orders that moved it; a product without one runs none. (Odoo runs
        it once per order; oms_fast_confirm once per batch.)"""
        orderpoint = self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": self.scarce.id,
                "location_id": self.stock.id,
                "warehouse_id": self.warehouse.id,
                "trigger": "auto",
                "product_min_qty": 1,
                "product_max_qty": 10,
            }
        )
        calls = []

        def procure(records, *args, **kwargs):
            calls.append((records, records.env.context.get("origins")))

        orders = self._orders((self.scarce, 2), (self.missing, 1), (self.scarce, 3))
        with patch.object(StockWarehouseOrderpoint, "_procure_orderpoint_confirm", procure):
            orders.action_confirm()
        self.assertTrue(calls)
        self.assertEqual({records for records, _origins in calls}, {orderpoint})
        scarce_orders = orders.filtered(lambda o: o.order_line.product_id == self.scarce)
        origins = [name for _records, origins in calls for name in origins[orderpoint.id]]
        self.assertEqual(sorted(origins), sorted(scarce_orders.mapped("name")))

        calls.clear()
        orderpoint.trigger = "manual"
        with patch.object(StockWarehouseOrderpoint, "_procure_orderpoint_confirm", procure):
            self._orders((self.scarce, 2), (self.missing, 1)).action_confirm()
        self.assertEqual(calls, [], "no automatic rule, nothing run")

    def test_each_delivery_notes_its_own_order(self):
        """Each delivery says which order it was created from, in the same words,
        by the same author and as the same kind of note as when one order is
        confirmed alone."""

        def origin_notes(order):
            return order.picking_ids.message_ids.filtered(lambda m: "created from" in m.body)

        def text(message, order):
            return str(message.body).replace(order.name, "<name>").replace(str(order.id), "<id>")

        alone = self._orders((self.scarce, 1))
        alone.action_confirm()
        expected = origin_notes(alone)
        self.assertEqual(len(expected), 1)

        orders = self._orders((self.scarce, 1), (self.missing, 1), (self.scarce, 1))
        orders.action_confirm()
        for order in orders:
            note = origin_notes(order)
            self.assertEqual(len(note), 1, order.name)
            self.assertEqual(text(note, order), text(expected, alone))
            for other in orders - order:
                self.assertNotIn(other.name, str(note.body))
            self.assertEqual(
                (note.author_id, note.subtype_id, note.message_type, note.model, note.res_id),
                (
                    expected.author_id,
                    expected.subtype_id,
                    expected.message_type,
                    "stock.picking",
                    order.picking_ids.id,
                ),
            )
