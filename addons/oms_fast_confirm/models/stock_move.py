from odoo import models

from .sale_order_line import BATCH_KEY

STATES_KEY = "oms_deferred_move_states"


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_assign(self, force_qty=False):
        """Reserving the deliveries of several orders confirmed together: Odoo
        recomputes a move's state each time a move line is made for it, and each
        state change searches the purchase orders whose receipts might depend on
        it. Here the states are recomputed once, when the reservation is over."""
        batch = self.env.context.get(BATCH_KEY)
        if not (batch and batch["open"]) or self.env.context.get(STATES_KEY) is not None:
            return super()._action_assign(force_qty=force_qty)
        deferred = {"open": True, "ids": set()}
        try:
            result = super(StockMove, self.with_context(**{STATES_KEY: deferred}))._action_assign(
                force_qty=force_qty
            )
        finally:
            # Records made meanwhile keep this context: later calls run at once.
            deferred["open"] = False
        # Odoo ends its reservation by setting the state of the moves it reserved;
        # that state stands. The others get the state their move lines give them.
        self.browse(deferred["ids"]).filtered(
            lambda m: m.state not in ("assigned", "partially_available")
        )._recompute_state()
        return result

    def _oms_units_held_by_others(self, location):
        """Within a batch of orders confirmed together, the products any order
        holds are read once: a move of another product holds nothing back."""
        deferred = self.env.context.get(STATES_KEY)
        if deferred is not None:
            if "oms_held_products" not in deferred:
                deferred["oms_held_products"] = self.env["product.product"]._oms_held_product_ids()
            if self.product_id.id not in deferred["oms_held_products"]:
                return 0.0
        return super()._oms_units_held_by_others(location)

    def _recompute_state(self):
        deferred = self.env.context.get(STATES_KEY)
        if deferred and deferred["open"]:
            deferred["ids"].update(self.ids)
            return
        return super()._recompute_state()

    def _trigger_scheduler(self):
        """Odoo looks for an automatic reordering rule once per move; one query
        first tells which of the moves' products have any, and only their moves
        go through Odoo's check."""
        if len(self) < 2:
            return super()._trigger_scheduler()
        with_rules = (
            self.env["stock.warehouse.orderpoint"]
            .search([("product_id", "in", self.product_id.ids), ("trigger", "=", "auto")])
            .product_id
        )
        moves = self.filtered(lambda m: m.product_id in with_rules)
        if moves:
            return super(StockMove, moves)._trigger_scheduler()
