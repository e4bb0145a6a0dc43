from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..routing_engine import Strategy


class OmsRoutingStrategy(models.Model):
    """How routing weighs distance, cost, speed, capacity and rank, and its rules."""

    _name = "oms.routing.strategy"
    _description = "Routing Strategy"
    _order = "is_default desc, name"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(string="Default")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    weight_distance = fields.Float(string="Distance", default=1.0)
    weight_cost = fields.Float(string="Cost", default=1.0)
    weight_speed = fields.Float(string="Speed", default=1.0)
    weight_capacity = fields.Float(string="Capacity Left", default=0.0)
    weight_rank = fields.Float(string="Rank", default=0.0)
    keep_whole = fields.Boolean(
        default=True, help="One source for the order when one can ship it all."
    )
    min_split_value = fields.Float(help="A split part must be worth at least this.")
    max_parts = fields.Integer(string="Shipments at Most", default=3)
    respect_safety_stock = fields.Boolean(default=True)
    dropship_fallback = fields.Boolean(
        string="Dropship What Is Missing",
        default=True,
        help="Dropship vendors ship only what no stocked source can.",
    )
    use_live_quotes = fields.Boolean(
        string="Live Carrier Quotes",
        help="Ask the carriers of the default shipping policy (oms_carriers) to quote each "
        "order from each source, instead of the sources' shipping tables. Slower: one "
        "call per carrier, order and source; a carrier that does not answer leaves the "
        "table's price.",
    )
    backorder_policy = fields.Selection(
        [("ship_available", "Ship what is there now"), ("wait_whole", "Wait for the whole order")],
        default="ship_available",
        required=True,
    )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for strategy in self.filtered(lambda s: s.is_default and s.active):
            others = self.search_count(
                [
                    ("id", "!=", strategy.id),
                    ("is_default", "=", True),
                    ("company_id", "in", (strategy.company_id.id, False)),
                ]
            )
            if others:
                raise ValidationError(_("Only one default routing strategy per company."))

    @api.constrains("max_parts")
    def _check_max_parts(self):
        if any(strategy.max_parts < 1 for strategy in self):
            raise ValidationError(_("An order ships in at least one shipment."))

    def _oms_engine_strategy(self):
        self.ensure_one()
        return Strategy(
            name=self.name,
            weights={
                "distance": self.weight_distance,
                "cost": self.weight_cost,
                "speed": self.weight_speed,
                "capacity": self.weight_capacity,
                "rank": self.weight_rank,
            },
            keep_whole=self.keep_whole,
            min_split_value=self.min_split_value,
            max_parts=self.max_parts,
            respect_safety_stock=self.respect_safety_stock,
            dropship_fallback=self.dropship_fallback,
            backorder_policy=self.backorder_policy,
        )
