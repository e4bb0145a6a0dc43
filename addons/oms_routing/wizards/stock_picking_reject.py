from odoo import _, api, fields, models
from odoo.exceptions import UserError

REASONS = [
    ("not_found", "Not found on the shelf"),
    ("damaged", "Damaged"),
    ("no_capacity", "No capacity today"),
]


class StockPickingReject(models.TransientModel):
    """A source cannot ship some lines: they are routed again without it."""

    _name = "stock.picking.reject"
    _description = "Reject Lines of a Delivery"

    picking_id = fields.Many2one("stock.picking", required=True, readonly=True)
    move_ids = fields.Many2many(
        "stock.move",
        string="Lines",
        required=True,
        domain="[('picking_id', '=', picking_id), ('state', 'not in', ('done', 'cancel'))]",
    )
    reason = fields.Selection(REASONS, required=True, default="not_found")
    note = fields.Char()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        picking = self.env["stock.picking"].browse(self.env.context.get("active_id"))
        if picking:
            values["picking_id"] = picking.id
            values["move_ids"] = [
                (6, 0, picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")).ids)
            ]
        return values

    def action_reject(self):
        self.ensure_one()
        picking = self.picking_id
        source = (
            self.env["oms.routing.source"]
            .sudo()
            .search([("warehouse_id", "=", picking.picking_type_id.warehouse_id.id)], limit=1)
        )
        moves = self.move_ids.filtered(
            lambda m: m.sale_line_id and m.state not in ("done", "cancel")
        )
        if not source or not moves:
            raise UserError(_("Only lines of a routed delivery that is not done can be rejected."))
        reason = dict(REASONS)[self.reason] + (f": {self.note}" if self.note else "")
        quantities = {}
        for move in moves:
            line = move.sale_line_id
            quantities[line] = quantities.get(line, 0.0) + move.product_uom._compute_quantity(
                move.product_uom_qty, line.product_uom
            )
        missing = [(move.product_id, move.location_id, move.product_qty) for move in moves]
        moves._action_cancel()
        if self.reason == "not_found":
            self._oms_correct_stock(missing, reason)
        order = moves.sale_line_id.order_id
        order._oms_reroute(quantities, source, reason)
        return True

    def _oms_correct_stock(self, missing, reason):
        """What was not found is not there: an inventory adjustment says so, so that
        the next order does not hit the same wall."""
        Quant = self.env["stock.quant"].sudo()
        for product, location, quantity in missing:
            quants = Quant.search(
                [("product_id", "=", product.id), ("location_id", "child_of", location.id)],
                order="quantity desc",
            )
            left = quantity
            for quant in quants:
                if left <= 0:
                    break
                taken = min(left, max(0.0, quant.quantity))
                if not taken:
                    continue
                quant.with_context(inventory_mode=True).write(
                    {"inventory_quantity": quant.quantity - taken}
                )
                quant.with_context(
                    inventory_name=_("Not found: %s", reason)
                ).action_apply_inventory()
                left -= taken
