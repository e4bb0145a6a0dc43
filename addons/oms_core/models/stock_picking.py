from odoo import _, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

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
