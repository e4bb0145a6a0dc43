from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

OMS_STAGES = [
    ("new", "New"),
    ("on_hold", "On Hold"),
    ("released", "Released"),
    ("routed", "Routed"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
OPEN_STAGES = ("new", "on_hold", "released", "routed", "partially_shipped")
SHIPPED_STAGES = ("partially_shipped", "shipped", "delivered", "closed")
RELEASED_STAGES = ("released", "routed", *SHIPPED_STAGES)
# Customer mails: kind → (stages that send it, channel switch, template)
STAGE_MAILS = {
    "received": (RELEASED_STAGES, "mail_order_received", "oms_core.mail_template_order_received"),
    "shipped": (SHIPPED_STAGES, "mail_shipped", "oms_core.mail_template_order_shipped"),
    "delivered": (("delivered",), "mail_delivered", "oms_core.mail_template_order_delivered"),
    "cancelled": (("cancelled",), "mail_cancelled", "oms_core.mail_template_order_cancelled"),
}
PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]


# What the channel says of an order's payment and fraud risk, with the values a
# new order has (see _oms_check_channel_facts).
CHANNEL_FACTS = {"oms_payment_state": "none", "oms_fraud_score": 0.0, "oms_fraud_assessed": False}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    oms_channel_id = fields.Many2one(
        "oms.channel",
        string="Channel",
        index=True,
        default=lambda self: self._oms_default_channel(),
        check_company=True,
        tracking=True,
    )
    oms_external_ref = fields.Char(
        string="Channel Reference",
        index="btree_not_null",
        copy=False,
        help="The order's number in its sales channel.",
    )
    oms_stage = fields.Selection(
        OMS_STAGES,
        string="OMS Stage",
        compute="_compute_oms_stage",
        store=True,
        index=True,
        help="Where the order is in its life, derived from its state, holds, "
        "deliveries and tracking.",
    )
    oms_hold_ids = fields.One2many("oms.order.hold", "order_id", string="Holds")
    oms_active_hold_count = fields.Integer(
        string="Active Holds", compute="_compute_oms_active_hold_count", store=True
    )
    oms_confirm_requested = fields.Boolean(
        copy=False,
        help="Confirmation was asked for while the order was on hold: it is confirmed "
        "as soon as its last hold ends.",
    )
    oms_event_ids = fields.One2many("oms.order.event", "order_id", string="Timeline")
    oms_mails_sent = fields.Char(
        copy=False, readonly=True, help="Kinds of customer mail already sent, comma-separated."
    )
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
    oms_fraud_score = fields.Float(
        string="Fraud Score",
        copy=False,
        help="Risk score given by the sales channel (0-100); meaningful only when the "
        "channel assessed the order (Fraud Assessed).",
    )
    oms_fraud_assessed = fields.Boolean(
        string="Fraud Assessed",
        copy=False,
        help="The channel gave a fraud assessment of this order. Without one the score is "
        "0 but means nothing: the order is neither risky nor safe. Set whenever a score "
        "is given.",
    )
    oms_fraud_summary = fields.Char(string="Fraud Assessment", compute="_compute_oms_fraud_summary")
    oms_payment_state = fields.Selection(
        [
            ("none", "Not paid upfront"),
            ("pending", "Pending"),
            ("authorized", "Authorized"),
            ("paid", "Captured"),
            ("refunded", "Refunded"),
        ],
        string="Channel Payment",
        default="none",
        copy=False,
        help="Payment as the sales channel reports it.",
    )
    oms_address_incomplete = fields.Boolean(
        compute="_compute_oms_address_incomplete",
        store=True,
        help="The shipping address lacks a street, a city, a country, or a zip code "
        "where the country needs one.",
    )
    oms_over_credit_limit = fields.Boolean(
        compute="_compute_oms_over_credit_limit",
        help="The customer is over its credit limit (Odoo's own credit limit figures).",
    )
    oms_company_currency_id = fields.Many2one(related="company_id.currency_id")
    oms_amount_total_company = fields.Monetary(
        string="Total in Company Currency",
        compute="_compute_oms_amount_total_company",
        currency_field="oms_company_currency_id",
        help="The order's total in its company's currency, at the order's rate: what "
        "hold rules and reports compare amounts with, whatever the order's currency.",
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
    oms_released_date = fields.Datetime(
        string="Released On", compute="_compute_oms_milestones", store=True, copy=False
    )
    oms_shipped_date = fields.Datetime(
        string="First Shipped On", compute="_compute_oms_milestones", store=True, copy=False
    )
    oms_delivered_date = fields.Datetime(
        string="Delivered On",
        copy=False,
        help="Set when tracking reports the order delivered.",
    )

    _sql_constraints = [
        (
            "oms_external_ref_channel_uniq",
            "unique(oms_channel_id, oms_external_ref)",
            "This channel already has an order with this reference.",
        ),
    ]

    @api.model
    def _oms_default_channel(self):
        manual = self.env.ref("oms_core.oms_channel_manual", raise_if_not_found=False)
        if manual and manual.active and manual.company_id == self.env.company:
            return manual
        return self.env["oms.channel"].search(
            [("channel_type", "=", "manual"), ("company_id", "=", self.env.company.id)], limit=1
        )

    # --- computes -----------------------------------------------------------------
    @api.depends("oms_hold_ids.state")
    def _compute_oms_active_hold_count(self):
        for order in self:
            order.oms_active_hold_count = len(
                order.oms_hold_ids.filtered(lambda hold: hold.state == "active")
            )

    @api.depends("oms_event_ids.stage_to", "oms_event_ids.date")
    def _compute_oms_milestones(self):
        for order in self:
            reached = order.oms_event_ids.filtered("stage_to")
            order.oms_released_date = min(
                (e.date for e in reached if e.stage_to in RELEASED_STAGES), default=False
            )
            order.oms_shipped_date = min(
                (e.date for e in reached if e.stage_to in SHIPPED_STAGES), default=False
            )

    @api.depends(
        "state",
        "locked",
        "invoice_status",
        "oms_active_hold_count",
        "oms_delivered_date",
        "picking_ids.state",
        "picking_ids.picking_type_code",
    )
    def _compute_oms_stage(self):
        for order in self:
            order.oms_stage = order._oms_derive_stage()

    def _oms_outgoing_pickings(self):
        self.ensure_one()
        return self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )

    def _oms_derive_stage(self):
        """The one place where the OMS stage is decided, from the order's own facts."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if self.oms_active_hold_count:
            return "on_hold"
        if self.state != "sale":
            return "new"
        outgoing = self._oms_outgoing_pickings()
        done = outgoing.filtered(lambda p: p.state == "done")
        if not outgoing:
            return "released"
        if not done:
            return "routed"
        if done != outgoing:
            return "partially_shipped"
        if self.oms_delivered_date and self.invoice_status == "invoiced":
            return "closed"
        if self.oms_delivered_date:
            return "delivered"
        if self.locked and self.invoice_status == "invoiced":
            return "closed"
        return "shipped"

    def _compute_field_value(self, field):
        # The stage is derived, never written: its changes are noticed here, the
        # one place every recomputation goes through, and go into the timeline.
        if field.name != "oms_stage":
            return super()._compute_field_value(field)
        # The stage before: the cached value when there is one (it may be newer
        # than the database's), else the database's (None for a new order).
        stored = self.filtered("id")
        cache = self.env.cache
        before = {o.id: cache.get(o, field) for o in stored if cache.contains(o, field)}
        unknown = [o.id for o in stored if o.id not in before]
        if unknown:
            self.env.cr.execute(
                "SELECT id, oms_stage FROM sale_order WHERE id IN %s", [tuple(unknown)]
            )
            before.update(self.env.cr.fetchall())
        result = super()._compute_field_value(field)
        changed = stored.filtered(lambda o: o.oms_stage != before.get(o.id))
        if changed:
            changed._oms_stage_changed(before)
        return result

    def _oms_stage_changed(self, before):
        """One timeline event per order; orders that made the same move share one
        insert (a batch of captured orders is many of them)."""
        labels = dict(OMS_STAGES)
        moves = {}
        for order in self:
            key = (before.get(order.id) or False, order.oms_stage)
            moves[key] = moves.get(key, self.browse()) | order
        for (old, new), orders in moves.items():
            if not old:
                orders._oms_log_event(
                    "captured", _("Order captured: %s", labels[new]), stage_to=new
                )
            else:
                orders._oms_log_event(
                    "stage",
                    _("%(old)s → %(new)s", old=labels.get(old, old), new=labels[new]),
                    stage_from=old,
                    stage_to=new,
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

    # --- service level --------------------------------------------------------------
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
        "partner_shipping_id.street",
        "partner_shipping_id.city",
        "partner_shipping_id.zip",
        "partner_shipping_id.country_id",
        "partner_shipping_id.country_id.zip_required",
    )
    def _compute_oms_address_incomplete(self):
        for order in self:
            address = order.partner_shipping_id
            order.oms_address_incomplete = bool(address) and not (
                address.street
                and address.city
                and address.country_id
                and (address.zip or not address.country_id.zip_required)
            )

    @api.depends("amount_total", "currency_rate")
    def _compute_oms_amount_total_company(self):
        for order in self:
            rate = order.currency_rate or 1.0  # company currency -> order currency
            order.oms_amount_total_company = order.amount_total / rate

    @api.depends("partner_credit_warning")
    def _compute_oms_over_credit_limit(self):
        for order in self:
            order.oms_over_credit_limit = bool(order.partner_credit_warning)

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

    # --- customer mails -------------------------------------------------------------
    def _oms_tracking_links(self):
        """Tracking of the order's parcels for the customer: a list of dicts with
        ``carrier``, ``number`` and ``url``. Carrier addons fill it."""
        self.ensure_one()
        return []

    def _oms_send_stage_mails(self):
        """Mail the customer what the order's stage tells, once per kind of mail,
        when its channel allows it and the customer has an email address:

        - received: the order is released for fulfilment for the first time
          (confirmed with no active hold; a held order gets it when released);
        - shipped: its first parcel ships (partially shipped or shipped);
        - delivered: tracking set its delivered date;
        - cancelled: it is cancelled after it was confirmed, or while it waited
          on hold for its confirmation (a cancelled quotation mails nobody).

        Mails are posted in the chatter and queued, not sent in the transaction;
        the kinds sent are kept in ``oms_mails_sent``, so a stage going back and
        forth mails once. A context key ``oms_no_mail`` silences them (imports,
        data fixes)."""
        if self.env.context.get("oms_no_mail"):
            return
        for order in self:
            sent = set(filter(None, (order.oms_mails_sent or "").split(",")))
            to_send = []
            for kind, (stages, switch, template_xmlid) in STAGE_MAILS.items():
                if order.oms_stage not in stages or kind in sent:
                    continue
                if kind == "cancelled" and not (
                    order.oms_released_date or order.oms_confirm_requested
                ):
                    continue  # a quotation nobody placed or confirmed: nothing to tell
                channel = order.oms_channel_id
                if not (channel and channel[switch] and order.partner_id.email):
                    continue
                template = self.env.ref(template_xmlid, raise_if_not_found=False)
                if template:
                    to_send.append(template)
                    sent.add(kind)
            if not to_send:
                continue
            # Recorded first: posting writes the order, which comes back here.
            quiet = order.with_context(oms_defer_stage=True, mail_notify_force_send=False)
            quiet.oms_mails_sent = ",".join(sorted(sent))
            for template in to_send:
                quiet.message_post_with_source(
                    template,
                    message_type="comment",
                    email_layout_xmlid="mail.mail_notification_light",
                    subtype_xmlid="mail.mt_comment",
                )
                order._oms_log_event("note", _("Mail sent: %s", template.name))

    # --- timeline -----------------------------------------------------------------
    def _oms_log_event(self, event_type, name, reason=None, **values):
        return self.env["oms.order.event"]._oms_log(self, event_type, name, reason, **values)

    # --- holds --------------------------------------------------------------------
    def _oms_open_for_holds(self):
        """Orders whose holds still matter: not cancelled, nothing shipped yet."""
        return self.filtered(
            lambda o: o.state != "cancel"
            and not o._oms_outgoing_pickings().filtered(lambda p: p.state == "done")
        )

    def _oms_evaluate_holds(self, rules=None):
        """Put the holds the active rules call for and release those whose condition
        is gone. One search per rule for the whole batch, whatever it matches
        elsewhere; writes touch only these orders' holds."""
        orders = self._oms_open_for_holds()
        if not orders:
            return self.env["oms.order.hold"]
        Hold = self.env["oms.order.hold"].sudo()
        rules = rules if rules is not None else self.env["oms.hold.rule"].sudo().search([])
        existing = Hold.search([("order_id", "in", orders.ids), ("rule_id", "in", rules.ids)])
        by_key = {}
        for hold in existing:
            by_key.setdefault((hold.order_id.id, hold.rule_id.id), Hold)
            by_key[hold.order_id.id, hold.rule_id.id] |= hold
        to_create = []
        for rule in rules:
            matching = rule._matching(orders)
            for order in matching:
                holds = by_key.get((order.id, rule.id), Hold)
                # A rule holds an order once at a time; a person's override is final.
                if holds.filtered(lambda h: h.state in ("active", "overridden")):
                    continue
                to_create.append(Hold._prepare_hold_vals(order, rule))
            active = existing.filtered(lambda h, r=rule: h.rule_id == r and h.state == "active")
            if active:
                released_orders = rule._released(active.order_id)
                active.filtered(lambda h, o=released_orders: h.order_id in o)._oms_end(
                    "released",
                    _("Released automatically: the condition of “%s” is gone.", rule.name),
                    user=self.env.ref("base.user_root"),
                )
        return Hold.create(to_create)

    def _oms_after_holds_ended(self):
        """Confirm the orders that waited for their last hold to end."""
        waiting = self.filtered(
            lambda o: o.oms_confirm_requested
            and o.state in ("draft", "sent")
            and not o.oms_hold_ids.filtered(lambda h: h.state == "active")
        )
        if waiting:
            waiting.action_confirm()
            waiting.write({"oms_confirm_requested": False})

    def _oms_submit(self):
        """Capture entry point: evaluate the holds, confirm what is not held."""
        self._oms_evaluate_holds()
        held = self.filtered(lambda o: o.oms_hold_ids.filtered(lambda h: h.state == "active"))
        held.write({"oms_confirm_requested": True})
        free = (self - held).filtered(lambda o: o.state in ("draft", "sent"))
        if free:
            # The holds were just evaluated: confirm without evaluating them again.
            super(
                SaleOrder, free.with_context(oms_skip_holds=True, oms_defer_stage=True)
            ).action_confirm()
            free._oms_sync_stage()
        return held

    def action_confirm(self):
        if self.env.context.get("oms_skip_holds"):
            return super().action_confirm()
        self._oms_evaluate_holds()
        held = self.filtered(lambda o: o.oms_hold_ids.filtered(lambda h: h.state == "active"))
        if held:
            held.write({"oms_confirm_requested": True})
        free = self - held
        result = True
        if free:
            # Confirmation writes the order and creates its deliveries: one step.
            result = super(
                SaleOrder, free.with_context(oms_skip_holds=True, oms_defer_stage=True)
            ).action_confirm()
            free._oms_sync_stage()
        if held and len(self) == 1:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "title": _("Order on hold"),
                    "message": _(
                        "%(order)s is on hold (%(reasons)s). It is confirmed as soon as "
                        "its holds are released.",
                        order=self.name,
                        reasons=", ".join(
                            held.oms_hold_ids.filtered(lambda h: h.state == "active").mapped(
                                "rule_id.name"
                            )
                        ),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return result

    @api.depends("oms_fraud_assessed", "oms_fraud_score")
    def _compute_oms_fraud_summary(self):
        for order in self:
            order.oms_fraud_summary = (
                _("%s / 100", round(order.oms_fraud_score))
                if order.oms_fraud_assessed
                else _("No fraud assessment from the channel")
            )

    def _oms_check_channel_facts(self, vals):
        """What the channel says of an order's payment and fraud risk lifts or puts
        holds and decides whether credit may be given: only the channel's import
        (which writes as superuser) and OMS managers change it, whatever the view
        shows. A value left as it is (a form saving it unchanged, a new order with
        the defaults) is not a change."""
        names = CHANNEL_FACTS.keys() & vals.keys()
        if not names or self.env.su or self.env.user.has_group("oms_core.group_oms_manager"):
            return
        changed = {
            name
            for name in names
            if any((order[name] or False) != (vals[name] or False) for order in self)
            or (not self and (vals[name] or False) != (CHANNEL_FACTS[name] or False))
        }
        if changed:
            raise AccessError(
                _(
                    "Only an OMS Manager may change what the channel says of an order "
                    "(%(fields)s).",
                    fields=", ".join(sorted(self._fields[name].string for name in changed)),
                )
            )

    @api.model
    def _oms_fraud_assessed_vals(self, vals):
        """A score given is an assessment, unless said otherwise."""
        if "oms_fraud_score" in vals and "oms_fraud_assessed" not in vals:
            vals["oms_fraud_assessed"] = True

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._oms_check_channel_facts(vals)
            self._oms_fraud_assessed_vals(vals)
            if vals.get("date_order") and not vals.get("oms_order_date"):
                vals["oms_order_date"] = vals["date_order"]
        orders = super().create(vals_list)
        orders._oms_sync_stage()
        if not self.env.context.get("oms_skip_holds"):
            orders._oms_evaluate_holds()
        return orders

    def write(self, vals):
        self._oms_check_channel_facts(vals)
        self._oms_fraud_assessed_vals(vals)
        if vals.get("date_order") and "oms_order_date" not in vals and "state" not in vals:
            # A quotation's date moved by hand: the customer's order date follows.
            quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
            if quotations:
                super(SaleOrder, quotations).write({"oms_order_date": vals["date_order"]})
        result = super().write(vals)
        self._oms_fields_changed(set(vals))
        self._oms_sync_stage()
        return result

    def _oms_sync_stage(self):
        """Settle the stage now rather than at the next flush, so that each step
        of a transaction (capture, hold, confirmation, shipment) gets its own
        timeline entry."""
        if not self.env.context.get("oms_defer_stage"):
            self._recompute_recordset(["oms_active_hold_count", "oms_stage"])
            # Mails go out here, once the stage is settled, never from its compute.
            self._oms_send_stage_mails()

    def _action_cancel(self):
        # Cancelling also cancels the deliveries: one step in the timeline.
        result = super(SaleOrder, self.with_context(oms_defer_stage=True))._action_cancel()
        self._oms_sync_stage()
        return result

    def _oms_fields_changed(self, names):
        """Re-evaluate the holds when a field some rule reads has changed."""
        if self and not self.env.context.get("oms_skip_holds") and self._oms_rule_fields() & names:
            self._oms_evaluate_holds()

    @api.model
    def _oms_rule_fields(self):
        fields_ = self.env["oms.hold.rule"].sudo().search([])._dependent_fields()
        # Fields computed from others: a change of their sources matters too.
        if "oms_address_incomplete" in fields_:
            fields_.add("partner_shipping_id")
        if "oms_over_credit_limit" in fields_:
            fields_ |= {"partner_id", "order_line"}
        if "amount_total" in fields_:
            fields_.add("order_line")
        return fields_

    @api.model
    def _cron_oms_evaluate_holds(self, batch_size=1000):
        """Re-check the orders not shipped yet, for conditions that change outside
        the order (a customer's address or credit), a batch at a time."""
        orders = self.search([("oms_stage", "in", ["new", "on_hold", "released", "routed"])])
        for start in range(0, len(orders), batch_size):
            orders[start : start + batch_size]._oms_evaluate_holds()

    def action_oms_evaluate_holds(self):
        self._oms_evaluate_holds()
        return True

    def action_oms_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("oms_core.oms_order_hold_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"search_default_active": 1}
        return action


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
