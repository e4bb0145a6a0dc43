from odoo import _, api, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    @api.model_create_multi
    def create(self, vals_list):
        pickings = super().create(vals_list)
        pickings.sale_id._oms_sync_stage()
        return pickings

    def button_validate(self):
        held = self.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.sale_id.oms_active_hold_count
        )
        if held:
            order = held.sale_id[:1]
            reasons = order.oms_hold_ids.filtered(lambda h: h.state == "active")
            raise UserError(
                _(
                    "%(order)s is on hold and cannot ship: %(reasons)s. Release its holds first.",
                    order=order.name,
                    reasons="; ".join(reasons.mapped("reason")),
                )
            )
        return super().button_validate()

    def _action_done(self):
        result = super()._action_done()
        self.sale_id._oms_sync_stage()
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self.sale_id._oms_sync_stage()
        return result
