from odoo import _, fields, models


class OmsHoldRuleDryRunLine(models.TransientModel):
    _name = "oms.hold.rule.dry.run.line"
    _description = "Hold Rules Dry Run: one rule"
    _order = "order_count desc, id"

    dry_run_id = fields.Many2one("oms.hold.rule.dry.run", required=True, ondelete="cascade")
    rule_id = fields.Many2one("oms.hold.rule", required=True, readonly=True)
    order_ids = fields.Many2many("sale.order", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    amount = fields.Monetary(string="Value", readonly=True)
    currency_id = fields.Many2one(related="dry_run_id.currency_id")

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("oms_core.sale_order_action")
        action.update(
            domain=[("id", "in", self.order_ids.ids)],
            context={},
            name=_("Would be held by %s", self.rule_id.name),
            target="current",
        )
        return action
