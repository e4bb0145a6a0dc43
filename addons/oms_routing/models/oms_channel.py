from odoo import fields, models


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    routing_strategy_id = fields.Many2one(
        "oms.routing.strategy",
        help="How this channel's orders are routed (the default strategy when empty).",
    )
