from odoo import api, models

RECEIPT_FIELDS = {"date", "product_uom_qty", "location_dest_id", "product_id"}


class StockMove(models.Model):
    _inherit = "stock.move"

    # Each hook only queues the products (one insert, ``oms.stock.check``); the
    # stock alerts and backorder dates are worked out by the cron, in batches.
    def _action_assign(self, force_qty=False):
        result = super()._action_assign(force_qty=force_qty)
        self.env["oms.stock.check"]._oms_enqueue(self.product_id)
        return result

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        self.env["oms.stock.check"]._oms_enqueue(self.exists().product_id | moves.product_id)
        return moves

    def _action_cancel(self):
        result = super()._action_cancel()
        self.env["oms.stock.check"]._oms_enqueue(self.product_id)
        return result

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        self.env["oms.stock.check"]._oms_enqueue(moves._oms_receipts().product_id)
        return moves

    def write(self, vals):
        result = super().write(vals)
        if RECEIPT_FIELDS.intersection(vals):
            self.env["oms.stock.check"]._oms_enqueue(self._oms_receipts().product_id)
        return result

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        self.env["oms.stock.check"]._oms_enqueue(
            moves.filtered(lambda m: m.state != "draft")._oms_receipts().product_id
        )
        return moves

    def _oms_receipts(self):
        """Moves bringing goods in from a vendor or production, not done yet."""
        return self.filtered(
            lambda m: m.state not in ("done", "cancel")
            and m.location_id.usage in ("supplier", "production")
            and m.location_dest_id.usage == "internal"
        )
