from datetime import datetime, time

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..routing_engine import ShippingRate, Source
from ..routing_engine.geodata import place


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

    def _oms_free_stock(self, products, lock=True, exclude_orders=None):
        """``{source id: {product id: on hand - reserved - held}}`` of the warehouse
        sources, read in one query after locking those quants (unless ``lock`` is
        false: a what-if that changes nothing). Only the stock a warehouse may sell
        counts (``stock.location._oms_sellable_domain``: never quarantine, scrap or
        returns locations), less the units orders on hold keep
        (``product.product._oms_soft_reserved_qty``; ``exclude_orders``' own units
        are not counted)."""
        warehouses = self.filtered(lambda s: s.kind != "dropship").warehouse_id
        if not warehouses or not products:
            return {}
        locations = self.env["stock.location"].sudo()._oms_sellable_locations(warehouses)
        if not locations:
            return {}
        # Two routings at once wait for each other here; the later one then sees
        # what the first took (or is retried when it read before the first committed).
        if lock:
            self.env.cr.execute(
                "SELECT id FROM stock_quant WHERE product_id IN %s AND location_id IN %s"
                " FOR UPDATE",
                [tuple(products.ids), tuple(locations.ids)],
            )
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [("product_id", "in", products.ids), ("location_id", "in", locations.ids)],
                ["location_id", "product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        source_of = {source.warehouse_id.id: source.id for source in self if source.warehouse_id}
        free = {}
        for location, product, quantity, reserved in groups:
            source_id = source_of.get(location.warehouse_id.id)
            if source_id:
                stock = free.setdefault(source_id, {})
                stock[product.id] = stock.get(product.id, 0.0) + quantity - reserved
        held = self.env["product.product"]._oms_soft_reserved_by_warehouse(
            products, warehouses, exclude_orders
        )
        for warehouse_id, per_product in held.items():
            source_id = source_of.get(warehouse_id)
            if source_id:
                stock = free.setdefault(source_id, {})
                for product_id, quantity in per_product.items():
                    stock[product_id] = stock.get(product_id, 0.0) - quantity
        return free

    def _oms_coordinates(self):
        """Its coordinates, else the centroid of its postcode or its warehouse's
        city, else of its country (offline datasets), else ``(None, None)``."""
        self.ensure_one()
        if on_globe(self.latitude, self.longitude):
            return self.latitude, self.longitude
        address = self.warehouse_id.partner_id or self.vendor_id
        found = place(
            (self.country_id or address.country_id).code,
            self.zip or address.zip,
            address.city,
        )
        return (found.latitude, found.longitude) if found else (None, None)

    def _oms_engine_source(self, stock, products, now):
        self.ensure_one()
        supplied = None
        if self.kind == "dropship":
            sellers = products.seller_ids.filtered(lambda s: s.partner_id == self.vendor_id)
            supplied = frozenset(
                (sellers.product_id or sellers.product_tmpl_id.product_variant_ids).ids
            )
        capacity = None
        if self.daily_capacity:
            capacity = max(0, self.daily_capacity - self.capacity_used_today)
        latitude, longitude = self._oms_coordinates()
        rates = tuple(
            ShippingRate(rate.max_km, rate.base, rate.per_kg, rate.transit_days)
            for rate in self.rate_ids
        )
        return Source(
            id=self.id,
            name=self.name,
            kind=self.kind,
            latitude=latitude,
            longitude=longitude,
            countries=frozenset(self.country_ids.mapped("code")) or None,
            stock=stock,
            default_safety_stock=self.safety_stock,
            capacity=capacity,
            cost_per_shipment=self.cost_per_shipment,
            cost_per_line=self.cost_per_line,
            ships_today=self._oms_ships_today(now),
            rank=self.rank,
            rates=rates,
            products=supplied,
        )

    def _oms_ships_today(self, now):
        """Before today's cut-off on one of its working days (in its calendar's zone)."""
        calendar = self.calendar_id or self.company_id.resource_calendar_id
        tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        local = pytz.utc.localize(now).astimezone(tz)
        hours, minutes = divmod(round(self.cutoff_time * 60), 60)
        if local.time() >= time(min(hours, 23), minutes if hours < 24 else 59):
            return False
        if not calendar:
            return True
        start = tz.localize(datetime.combine(local.date(), time.min))
        end = tz.localize(datetime.combine(local.date(), time.max))
        return bool(calendar._work_intervals_batch(start, end)[False])


def on_globe(latitude, longitude):
    """Set (not both zero, Odoo's "unset") and on the globe: else the engine
    would refuse the snapshot, so the postcode's centroid is used instead."""
    return bool(latitude or longitude) and abs(latitude) <= 90 and abs(longitude) <= 180
