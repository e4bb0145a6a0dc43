from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class OmsRoutingRate(models.Model):
    """One band of a source's shipping table: up to a distance, a price per
    shipment plus per kilogram, and the days in transit."""

    _name = "oms.routing.rate"
    _description = "Routing Shipping Rate"
    _order = "source_id, max_km"

    source_id = fields.Many2one("oms.routing.source", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="source_id.company_id", store=True, index=True)
    max_km = fields.Float(string="Up to (km)", required=True)
    base = fields.Float(string="Per Shipment", required=True)
    per_kg = fields.Float(string="Per kg")
    transit_days = fields.Integer(default=1, required=True)

    @api.constrains("max_km", "base", "per_kg", "transit_days")
    def _check_band(self):
        for rate in self:
            if rate.max_km <= 0 or rate.base < 0 or rate.per_kg < 0 or rate.transit_days < 0:
                raise ValidationError(
                    _("A shipping band needs a positive distance and no negative price or days.")
                )
