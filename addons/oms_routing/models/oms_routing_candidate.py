from odoo import fields, models


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
