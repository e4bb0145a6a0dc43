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


class OmsRoutingCandidate(models.Model):
    _name = "oms.routing.candidate"
    _description = "Routing Candidate"
    _order = "chosen desc, score_total, id"

    decision_id = fields.Many2one(
        "oms.routing.decision", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="decision_id.company_id", store=True, index=True)
    source_id = fields.Many2one("oms.routing.source", required=True, ondelete="cascade")
    chosen = fields.Boolean(readonly=True)
    can_ship_all = fields.Boolean(string="Has Everything", readonly=True)
    distance_km = fields.Float(string="Distance (km)", readonly=True, digits=(16, 1))
    estimated_cost = fields.Float(string="Cost", readonly=True)
    days = fields.Float(string="Days to Deliver", readonly=True)
    score_distance = fields.Float(readonly=True, digits=(16, 3))
    score_cost = fields.Float(readonly=True, digits=(16, 3))
    score_speed = fields.Float(readonly=True, digits=(16, 3))
    score_capacity = fields.Float(readonly=True, digits=(16, 3))
    score_rank = fields.Float(readonly=True, digits=(16, 3))
    score_total = fields.Float(string="Score", readonly=True, digits=(16, 3))
    reason = fields.Char(readonly=True)


class OmsRoutingAllocation(models.Model):
    """A quantity of an order line given to a source: its delivery comes from there."""

    _name = "oms.routing.allocation"
    _description = "Routing Allocation"

    decision_id = fields.Many2one(
        "oms.routing.decision", required=True, index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(related="line_id.order_id", store=True, index=True)
    company_id = fields.Many2one(related="decision_id.company_id", store=True, index=True)
    line_id = fields.Many2one("sale.order.line", required=True, index=True, ondelete="cascade")
    source_id = fields.Many2one("oms.routing.source", required=True, index=True)
    quantity = fields.Float(digits="Product Unit of Measure")
    backorder = fields.Boolean(
        help="Not in stock there now: the delivery waits for it (backorder)."
    )
