from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .sale_order import OPEN_STAGES, PRIORITIES


class SaleOrder(models.Model):
    """Priority, service level and the promise: ship-by and deliver-by dates."""

    _inherit = "sale.order"

    oms_priority = fields.Selection(
        PRIORITIES,
        string="OMS Priority",
        compute="_compute_oms_priority",
        store=True,
        readonly=False,
        index=True,
        help="High for VIP customers or express shipping, urgent for both; can be set by hand.",
    )
    oms_express = fields.Boolean(
        string="Express Shipping", help="The customer chose an express shipping method."
    )
    oms_order_date = fields.Datetime(
        string="Ordered On",
        default=fields.Datetime.now,
        copy=False,
        help="When the customer ordered. Odoo moves the order date to the confirmation "
        "date; this one stays, and the ship-by promise counts from it.",
    )
    oms_promised_date = fields.Datetime(
        string="Ship By",
        compute="_compute_oms_promised_date",
        store=True,
        readonly=False,
        help="Date by which the order must ship: the order date, moved to the next "
        "working day after the channel's cut-off time, plus its handling days.",
    )
    oms_is_late = fields.Boolean(
        string="Late", compute="_compute_oms_is_late", search="_search_oms_is_late"
    )
    oms_service_level_id = fields.Many2one(
        "oms.service.level",
        string="Service Level",
        default=lambda self: self.env["oms.service.level"].sudo()._oms_default(),
        index=True,
        tracking=True,
        help="What the customer paid for: the channel's shipping method mapped to a "
        "service level (Configuration > Service Levels), else the default level.",
    )
    oms_shipping_method = fields.Char(
        string="Channel Shipping Method",
        copy=False,
        help="The shipping method code(s) the channel sent, comma-separated.",
    )
    oms_ship_by_channel = fields.Datetime(
        string="Channel's Latest Ship Date",
        copy=False,
        help="The latest ship date the channel sets (Amazon LatestShipDate); the "
        "ship-by date when set.",
    )
    oms_deliver_by_channel = fields.Datetime(
        string="Channel's Promised Delivery",
        copy=False,
        help="The delivery date the channel promised the customer (Amazon "
        "LatestDeliveryDate); the deliver-by date when set.",
    )
    oms_deliver_by = fields.Datetime(
        string="Deliver By",
        compute="_compute_oms_deliver_by",
        store=True,
        readonly=False,
        help="Date by which the customer must have the parcel: the channel's promise, "
        "else the ship-by date plus the service level's transit days.",
    )
    oms_is_late_delivery = fields.Boolean(
        string="Late Delivery",
        compute="_compute_oms_is_late_delivery",
        search="_search_oms_is_late_delivery",
        help="Not delivered and past its deliver-by date.",
    )

    @api.depends(
        "partner_id.oms_vip",
        "partner_id.commercial_partner_id.oms_vip",
        "oms_express",
        "oms_service_level_id.delivery_priority",
    )
    def _compute_oms_priority(self):
        for order in self:
            vip = order.partner_id.oms_vip or order.partner_id.commercial_partner_id.oms_vip
            fast = order.oms_express or order.oms_service_level_id.delivery_priority == "1"
            order.oms_priority = str(int(vip) + int(fast))

    @api.model
    def _oms_service_level_vals(
        self,
        channel,
        codes=(),
        latest_ship_date=None,
        promised_delivery_date=None,
        is_prime=False,
    ):
        """What a channel's import gives an order it creates: its service level
        (the shipping method ``codes`` mapped for ``channel``, Prime when
        ``is_prime``, else the default level), the channel's latest ship date and
        promised delivery date (datetimes, aware or naive UTC, dates or ISO
        strings; None when the channel gives none), from which the ship-by and
        deliver-by dates follow (else cut-off + handling days and service level
        transit days). The codes are listed for mapping with a count. Returns
        values for ``create`` or ``write``."""
        return self._oms_service_level_vals_many(
            channel, [(codes, latest_ship_date, promised_delivery_date, is_prime)]
        )[0]

    @api.model
    def _oms_service_level_vals_many(self, channel, requests):
        """``_oms_service_level_vals`` for the orders of one import batch, in a
        fixed number of queries: ``requests`` is a list of ``(codes,
        latest_ship_date, promised_delivery_date, is_prime)``."""
        levels = self.env["oms.service.level.map"]._oms_resolve_many(
            channel, [(codes, is_prime) for codes, _ship, _deliver, is_prime in requests]
        )
        result = []
        for (codes, ship, deliver, _prime), level in zip(requests, levels, strict=True):
            named = [str(code).strip() for code in codes or () if code and str(code).strip()]
            result.append(
                {
                    "oms_service_level_id": level.id,
                    "oms_shipping_method": ", ".join(dict.fromkeys(named)) or False,
                    "oms_ship_by_channel": _naive_utc(ship),
                    "oms_deliver_by_channel": _naive_utc(deliver),
                }
            )
        return result

    def _oms_apply_service_level(
        self, channel, codes=(), latest_ship_date=None, promised_delivery_date=None, is_prime=False
    ):
        """``_oms_service_level_vals`` written on these orders."""
        self.write(
            self._oms_service_level_vals(
                channel, codes, latest_ship_date, promised_delivery_date, is_prime
            )
        )
        return True

    def _oms_delivery_priority(self):
        """Priority of the order's deliveries (``stock.picking.priority``): urgent
        for a fast service level, express shipping or a VIP customer."""
        if not self:
            return "0"
        self.ensure_one()
        return "1" if (self.oms_priority or "0") != "0" else "0"

    @api.depends(
        "oms_order_date",
        "oms_ship_by_channel",
        "oms_channel_id.cutoff_time",
        "oms_channel_id.handling_days",
        "oms_service_level_id.handling_days",
        "warehouse_id.company_id.resource_calendar_id",
        "company_id.resource_calendar_id",
    )
    def _compute_oms_promised_date(self):
        plans = {}  # orders of the same day share their calendar computation
        for order in self:
            order.oms_promised_date = order.oms_ship_by_channel or order._oms_ship_by_date(plans)

    @api.depends("oms_promised_date", "oms_deliver_by_channel", "oms_service_level_id.transit_days")
    def _compute_oms_deliver_by(self):
        for order in self:
            if order.oms_deliver_by_channel:
                order.oms_deliver_by = order.oms_deliver_by_channel
            elif order.oms_promised_date and order.oms_service_level_id:
                order.oms_deliver_by = order.oms_promised_date + timedelta(
                    days=order.oms_service_level_id.transit_days
                )
            else:
                order.oms_deliver_by = False

    @api.depends("oms_deliver_by", "oms_stage")
    def _compute_oms_is_late_delivery(self):
        now = fields.Datetime.now()
        for order in self:
            order.oms_is_late_delivery = bool(
                order.oms_deliver_by
                and order.oms_stage in (*OPEN_STAGES, "shipped")
                and order.oms_deliver_by < now
            )

    def _search_oms_is_late_delivery(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on late deliveries."))
        late = [
            ("oms_deliver_by", "<", fields.Datetime.now()),
            ("oms_stage", "in", [*OPEN_STAGES, "shipped"]),
        ]
        return late if (operator == "=") == value else ["!", "&", *late]

    def _oms_ship_calendar(self, memo=None):
        """The working calendar the order ships on: its warehouse's company's
        (oms_routing: the fulfilment source's own calendar when it has one).
        ``memo``: a dict shared by the orders of one computation."""
        self.ensure_one()
        return (
            self.warehouse_id.company_id.resource_calendar_id
            or self.company_id.resource_calendar_id
        )

    def _oms_handling_days(self):
        """The channel's handling days; a service level with fewer makes them fewer
        (express ships sooner, never later than the channel promises)."""
        self.ensure_one()
        channel, level = self.oms_channel_id, self.oms_service_level_id
        if channel and level:
            return min(channel.handling_days, level.handling_days)
        return channel.handling_days if channel else (level.handling_days if level else 0)

    def _oms_ship_by_date(self, plans=None):
        """Ship-by date from the order date, the channel's cut-off time and the
        handling days (``_oms_handling_days``), on the shipping calendar (its time
        zone, working days and public holidays). Returns a naive UTC datetime, or
        False."""
        self.ensure_one()
        if not self.oms_order_date:
            return False
        channel = self.oms_channel_id
        calendar = self._oms_ship_calendar(plans)
        cutoff = channel.cutoff_time if channel else 24.0
        handling_days = self._oms_handling_days()
        tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        ordered = pytz.utc.localize(self.oms_order_date).astimezone(tz)
        hours, minutes = divmod(round(cutoff * 60), 60)
        cutoff_at = ordered.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            hours=hours, minutes=minutes
        )
        day = ordered.date() + timedelta(days=1) if ordered > cutoff_at else ordered.date()
        if not calendar:
            ship_day = day + timedelta(days=handling_days)
            end = tz.localize(datetime.combine(ship_day, time(23, 59, 59)))
            return end.astimezone(pytz.utc).replace(tzinfo=None)
        key = (calendar.id, tz.zone, day, handling_days)
        if plans is not None and key in plans:
            return plans[key]
        result = self._oms_plan_ship_day(calendar, tz, day, handling_days)
        if plans is not None:
            plans[key] = result
        return result

    @api.model
    def _oms_plan_ship_day(self, calendar, tz, day, handling_days):
        """End of the last working day of ``handling_days`` from ``day`` (day 0)."""
        # The first working day from ``day`` on counts as day 0 of the handling.
        start = tz.localize(datetime.combine(day, time.min))
        planned = calendar.plan_days(handling_days + 1, start, compute_leaves=True)
        if not planned:
            return False
        # plan_days lands within the last working day: ship by the end of its work.
        ship_day = planned.astimezone(tz).date()
        intervals = calendar._work_intervals_batch(
            tz.localize(datetime.combine(ship_day, time.min)),
            tz.localize(datetime.combine(ship_day, time.max)),
        )[False]
        end = max((stop for _start, stop, _meta in intervals), default=planned)
        return end.astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends("oms_promised_date", "oms_stage")
    def _compute_oms_is_late(self):
        now = fields.Datetime.now()
        for order in self:
            order.oms_is_late = bool(
                order.oms_promised_date
                and order.oms_stage in OPEN_STAGES
                and order.oms_promised_date < now
            )

    def _search_oms_is_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on late orders."))
        late = [
            ("oms_promised_date", "<", fields.Datetime.now()),
            ("oms_stage", "in", list(OPEN_STAGES)),
        ]
        return late if (operator == "=") == value else ["!", "&", *late]


def _naive_utc(value):
    """A datetime (aware: moved to UTC), a date or an ISO string, as a naive UTC
    datetime; None or "" gives False."""
    if not value:
        return False
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    elif not isinstance(value, datetime):
        value = datetime.combine(value, time.max).replace(microsecond=0)
    if value.tzinfo:
        value = value.astimezone(pytz.utc).replace(tzinfo=None)
    return value
