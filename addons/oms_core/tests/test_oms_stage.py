from odoo.exceptions import UserError

from .common import OmsCoreCase


class TestOmsStage(OmsCoreCase):
    def test_quotation_is_new_and_captured(self):
        order = self._order()
        self.assertEqual(order.oms_stage, "new")
        captured = order.oms_event_ids.filtered(lambda e: e.event_type == "captured")
        self.assertEqual(len(captured), 1)
        self.assertEqual(captured.stage_to, "new")

    def test_confirmed_order_is_routed_then_shipped(self):
        order = self._order()
        order.action_confirm()
        self.assertEqual(order.oms_stage, "routed")
        self.assertTrue(order.oms_released_date)
        self._ship(order)
        self.assertEqual(order.oms_stage, "shipped")
        self.assertTrue(order.oms_shipped_date)
        self.assertEqual(self._stages(order), ["new", "routed", "shipped"])

    def test_confirmed_without_delivery_is_released(self):
        service = self.env["product.product"].create({"name": "Gift wrap", "type": "service"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": service.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        self.assertEqual(order.oms_stage, "released")

    def test_partial_shipment(self):
        order = self._order(qty=4)
        order.action_confirm()
        self._ship(order, qty=1)
        self.assertEqual(order.oms_stage, "partially_shipped")
        self._ship(order)
        self.assertEqual(order.oms_stage, "shipped")

    def test_delivered_then_closed_when_invoiced(self):
        order = self._order()
        order.action_confirm()
        self._ship(order)
        order.oms_delivered_date = "2026-01-05 10:00:00"
        self.assertEqual(order.oms_stage, "delivered")
        order._create_invoices().action_post()
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.oms_stage, "closed")
        self.assertEqual(self._stages(order), ["new", "routed", "shipped", "delivered", "closed"])

    def test_cancelled(self):
        order = self._order()
        order.action_confirm()
        order._action_cancel()
        self.assertEqual(order.oms_stage, "cancelled")
        self.assertEqual(self._stages(order), ["new", "routed", "cancelled"])

    def test_hold_stops_confirmation_and_release_confirms(self):
        order = self._order(oms_fraud_score=90)
        self.assertEqual(order.oms_stage, "on_hold")
        order.action_confirm()
        self.assertEqual(order.state, "draft", "a held order is not confirmed")
        self.assertTrue(order.oms_confirm_requested)
        order.oms_hold_ids.with_user(self.oms_manager).action_release("Customer called back")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.oms_stage, "routed")
        self.assertEqual(self._stages(order), ["on_hold", "routed"])

    def test_delivery_of_held_order_cannot_be_validated(self):
        order = self._order()
        order.action_confirm()
        order.oms_fraud_score = 95
        self.assertEqual(order.oms_stage, "on_hold")
        with self.assertRaisesRegex(UserError, "is on hold and cannot ship"):
            self._ship(order)

    def _recompute_stage_from(self, orders, stored_stage):
        """Recompute the orders' stage with ``stored_stage`` in the database
        before (nothing cached); returns the number of queries it took, with the
        flush of what it changed."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET oms_stage = %s WHERE id IN %s", [stored_stage, tuple(orders.ids)]
        )
        self.env.invalidate_all()
        self.env.add_to_compute(orders._fields["oms_stage"], orders)
        before = self.env.cr.sql_log_count
        orders._recompute_recordset(["oms_stage"])
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_batch_logs_one_event_per_change_in_fixed_queries(self):
        """Orders recomputed together: one timeline event per order whose stage
        really changed, none for one whose stage stays, and the same number of
        queries for 2 orders as for 6 (the stage before is read for the whole
        batch at once, orders making the same move share one insert)."""
        orders = self.env["sale.order"].concat(*(self._order() for _i in range(9)))
        self._recompute_stage_from(orders[:1], "released")  # warm the caches
        small = self._recompute_stage_from(orders[1:3], "released")
        large = self._recompute_stage_from(orders[3:9], "released")
        self.assertEqual(large, small, "queries grow with the batch")
        for order in orders:
            events = order.oms_event_ids.filtered(lambda e: e.event_type == "stage")
            self.assertEqual(events.mapped("stage_from"), ["released"])
            self.assertEqual(events.mapped("stage_to"), ["new"])
            self.assertEqual(order.oms_stage, "new")
        # Recomputed again with nothing changed: no event, nothing written.
        self._recompute_stage_from(orders, "new")
        self.assertEqual(
            self.env["oms.order.event"].search_count(
                [("order_id", "in", orders.ids), ("event_type", "=", "stage")]
            ),
            9,
        )
