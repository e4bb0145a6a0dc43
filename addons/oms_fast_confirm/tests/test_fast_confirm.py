"""What the batch confirmation gains over Odoo's order-by-order confirmation.

That the result is the same (deliveries, reservations, states, reordering,
notes) is what oms_core's test_oms_batch_confirm checks, with and without this
addon (scripts/test.sh runs it again on a database that has it)."""

from unittest.mock import patch

from odoo.addons.oms_core.tests.common import OmsCoreCase
from odoo.addons.stock.models.stock_orderpoint import StockWarehouseOrderpoint


class TestFastConfirm(OmsCoreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock = cls.warehouse.lot_stock_id
        cls.mugs = cls.env["product.product"].create(
            [
                {
                    "name": f"Mug {n}",
                    "default_code": f"MUG-FAST-{n}",
                    "is_storable": True,
                    "taxes_id": [(5, 0, 0)],
                }
                for n in range(3)
            ]
        )
        for mug in cls.mugs:
            cls.env["stock.quant"]._update_available_quantity(mug, cls.stock, 100)

    def _orders(self, count):
        """``count`` quotations of three lines, one per mug."""
        return self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "oms_channel_id": self.channel.id,
                    "order_line": [
                        (0, 0, {"product_id": mug.id, "product_uom_qty": 1}) for mug in self.mugs
                    ],
                }
                for _n in range(count)
            ]
        )

    def _queries(self, confirm):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        confirm()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_orders_confirmed_together_take_fewer_queries_than_one_by_one(self):
        """Eight orders confirmed together against eight others confirmed one by
        one (the path Odoo takes either way without this addon): the same
        deliveries, for at most two thirds of the queries."""
        self._queries(self._orders(2).action_confirm)  # warm the caches
        alone, together = self._orders(8), self._orders(8)
        one_by_one = self._queries(lambda: [order.action_confirm() for order in alone])
        batch = self._queries(together.action_confirm)
        for orders in (alone, together):
            self.assertEqual(len(orders.picking_ids), 8)
            self.assertEqual(set(orders.picking_ids.mapped("state")), {"assigned"})
        self.assertLessEqual(batch, one_by_one * 2 / 3, (batch, one_by_one))

    def test_a_reordering_rule_runs_once_for_the_batch(self):
        """Odoo runs an automatic reordering rule once per order that moves its
        product; a batch runs it once, with every order that moved it."""
        orderpoint = self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": self.mugs[0].id,
                "location_id": self.stock.id,
                "warehouse_id": self.warehouse.id,
                "trigger": "auto",
                "product_min_qty": 0,
                "product_max_qty": 200,
            }
        )
        runs = []

        def procure(records, *args, **kwargs):
            runs.append((records, records.env.context.get("origins")))

        orders = self._orders(3)
        with patch.object(StockWarehouseOrderpoint, "_procure_orderpoint_confirm", procure):
            orders.action_confirm()
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0][0], orderpoint)
        self.assertEqual(sorted(runs[0][1][orderpoint.id]), sorted(orders.mapped("name")))
