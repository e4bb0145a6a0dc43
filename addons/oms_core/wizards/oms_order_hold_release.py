from odoo import api, fields, models


class OmsOrderHoldRelease(models.TransientModel):
    """Release holds by hand, always with a note saying why."""

    _name = "oms.order.hold.release"
    _description = "Release Order Holds"

    hold_ids = fields.Many2many("oms.order.hold", string="Holds", required=True)
    note = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "hold_ids" in fields_list and context.get("active_model") == "oms.order.hold":
            values["hold_ids"] = [fields.Command.set(context.get("active_ids", []))]
        elif "hold_ids" in fields_list and context.get("active_model") == "sale.order":
            orders = self.env["sale.order"].browse(context.get("active_ids", []))
            active = orders.oms_hold_ids.filtered(lambda h: h.state == "active")
            values["hold_ids"] = [fields.Command.set(active.ids)]
        return values

    def action_release(self):
        self.ensure_one()
        self.hold_ids.action_release(self.note)
        return {"type": "ir.actions.act_window_close"}
