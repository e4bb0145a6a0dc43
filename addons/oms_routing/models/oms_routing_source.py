from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class OmsRoutingSource(models.Model):
    """A place an order can ship from: a warehouse (a store or a 3PL is one too)
    or a dropship vendor, with what routing needs to know about it."""

    _name = "oms.routing.source"
    _description = "Fulfilment Source"
    _order = "rank, id"

    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, required=True, precompute=True
    )
    active = fields.Boolean(default=True, string="Enabled")
    kind = fields.Selection(
        [("warehouse", "Warehouse"), ("store", "Store"), ("3pl", "3PL"), ("dropship", "Dropship")],
        required=True,
        default="warehouse",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True, index=True)
    vendor_id = fields.Many2one("res.partner", string="Dropship Vendor", index=True)
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    country_id = fields.Many2one("res.country")
    zip = fields.Char()
    daily_capacity = fields.Integer(help="Orders it can ship a day; 0 for no limit.")
    rate_ids = fields.One2many(
        "oms.routing.rate",
        "source_id",
        string="Shipping Table",
        help="Shipping price and days by distance; the farthest band covers the rest. "
        "Empty: shipping counts nothing, only handling.",
    )
    cost_per_shipment = fields.Float(string="Handling per Shipment")
    cost_per_line = fields.Float(string="Handling per Line")
    cutoff_time = fields.Float(
        string="Ship Cut-off",
        default=15.0,
        help="Orders routed after this hour ship the next working day.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Days",
        help="Days it ships (the company's calendar when empty).",
    )
    rank = fields.Integer(default=10, help="Lower is preferred when scores tie.")
    safety_stock = fields.Float(help="Units of each product kept back from routing.")
    country_ids = fields.Many2many(
        "res.country",
        string="Ships To",
        help="Countries it may ship to; every country when empty.",
    )
    capacity_used_today = fields.Integer(compute="_compute_capacity_used_today")

    _sql_constraints = [
        (
            "warehouse_uniq",
            "unique(warehouse_id)",
            "This warehouse is already a fulfilment source.",
        ),
    ]

    @api.depends("warehouse_id.name", "vendor_id.name")
    def _compute_name(self):
        for source in self:
            if not source.name:
                source.name = source.warehouse_id.name or source.vendor_id.name

    @api.constrains("kind", "warehouse_id", "vendor_id")
    def _check_place(self):
        for source in self:
            if source.kind == "dropship" and not source.vendor_id:
                raise ValidationError(_("A dropship source needs its vendor."))
            if source.kind != "dropship" and not source.warehouse_id:
                raise ValidationError(_("%s needs its warehouse.", source.name))

    def _compute_capacity_used_today(self):
        today = fields.Datetime.to_datetime(fields.Date.context_today(self))
        counts = dict(
            self.env["oms.routing.allocation"]
            .sudo()
            ._read_group(
                [("source_id", "in", self.ids), ("create_date", ">=", today)],
                ["source_id"],
                ["order_id:count_distinct"],
            )
        )
        for source in self:
            source.capacity_used_today = counts.get(source._origin, 0)


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
