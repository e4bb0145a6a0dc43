from odoo import fields, models


class OmsRoutingDecision(models.Model):
    """Where an order was sent and why: every candidate source with its scores."""

    _name = "oms.routing.decision"
    _description = "Routing Decision"
    _order = "id desc"

    order_id = fields.Many2one("sale.order", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    strategy_id = fields.Many2one("oms.routing.strategy", readonly=True)
    summary = fields.Char(readonly=True)
    estimated_cost = fields.Float(readonly=True)
    is_split = fields.Boolean(readonly=True)
    candidate_ids = fields.One2many("oms.routing.candidate", "decision_id", readonly=True)
    allocation_ids = fields.One2many("oms.routing.allocation", "decision_id", readonly=True)
