import logging
import secrets
from datetime import datetime, time, timedelta, timezone
from time import sleep as _pace

from odoo import _, api, fields, models
from odoo.tools import groupby

from ..carrier_clients import CarrierError, same_parcel
from .oms_carrier_tracking_event import FINAL_STATUSES, TRACKING_STATUSES

_logger = logging.getLogger(__name__)

# Customer mails of a parcel's news: kind -> (channel switch, template)
PARCEL_MAILS = {
    "out_for_delivery": ("mail_out_for_delivery", "oms_carriers.mail_template_out_for_delivery"),
    "failed_attempt": ("mail_delivery_exception", "oms_carriers.mail_template_failed_attempt"),
    "address": ("mail_delivery_exception", "oms_carriers.mail_template_address_problem"),
    "customs": ("mail_delivery_exception", "oms_carriers.mail_template_held_at_customs"),
    "returned": ("mail_delivery_exception", "oms_carriers.mail_template_returned_to_sender"),
    "other": ("mail_delivery_exception", "oms_carriers.mail_template_delivery_problem"),
}
# Parcels asked about per background job
POLL_BATCH = 50


class OmsCarrierShipment(models.Model):
    _inherit = "oms.carrier.shipment"

    tracker_ref = fields.Char(string="Carrier Tracker", copy=False)
    tracking_status = fields.Selection(TRACKING_STATUSES, default="pre_transit", index=True)
    tracking_date = fields.Datetime(string="Last Tracking News", readonly=True)
    tracking_event_ids = fields.One2many("oms.carrier.tracking.event", "shipment_id")
    tracking_polled_date = fields.Datetime(string="Last Asked", readonly=True)
    tracking_not_scanned = fields.Boolean(
        string="Not Scanned",
        readonly=True,
        index=True,
        help="The carrier still does not know the parcel, days after its label was "
        "bought (past the carrier's first scan window): is it still in the warehouse?",
    )
    carrier_tracking_url = fields.Char(
        string="Carrier's Tracking Page",
        readonly=True,
        copy=False,
        help="The public page the carrier gave for this parcel (EasyPost's tracker).",
    )
    tracking_url = fields.Char(
        string="Tracking Link",
        compute="_compute_tracking_url",
        help="Where the customer follows the parcel: the carrier's page, or ours for "
        "the own fleet.",
    )
    access_token = fields.Char(
        copy=False,
        groups="base.group_system",
        help="The unguessable key of the parcel's public tracking page (own fleet).",
    )
    promised_date = fields.Datetime(
        string="Promised Delivery",
        compute="_compute_promised_date",
        store=True,
        index=True,
        help="When the customer was promised the parcel: the order's delivery date, "
        "else its deliver-by date.",
    )
    is_late = fields.Boolean(string="Late", compute="_compute_is_late")

    @api.depends("carrier_tracking_url", "tracking_number", "carrier_id.delivery_type")
    def _compute_tracking_url(self):
        for shipment in self:
            carrier = shipment.carrier_id
            shipment.tracking_url = (
                carrier._oms_parcel_tracking_url(shipment)
                if carrier
                else shipment.carrier_tracking_url
            )

    @api.depends(
        "picking_id.sale_id.commitment_date",
        "picking_id.sale_id.oms_deliver_by",
    )
    def _compute_promised_date(self):
        for shipment in self:
            order = shipment.picking_id.sale_id
            shipment.promised_date = order.commitment_date or order.oms_deliver_by or False

    @api.depends("promised_date", "tracking_status", "tracking_event_ids.occurred_at")
    def _compute_is_late(self):
        now = fields.Datetime.now()
        for shipment in self:
            promised = shipment.promised_date
            if not promised:
                shipment.is_late = False
                continue
            # promised for a day: late from the next one
            deadline = datetime.combine(promised.date(), time.max)
            if shipment.tracking_status == "delivered":
                delivered = shipment.tracking_event_ids.filtered(lambda e: e.status == "delivered")[
                    :1
                ].occurred_at
                shipment.is_late = bool(delivered and delivered > deadline)
            else:
                shipment.is_late = now > deadline

    def _oms_access_token(self):
        """The parcel's public page key, made on first use (sudo: a secret)."""
        self.ensure_one()
        if not self.access_token:
            self.access_token = secrets.token_urlsafe(24)
        return self.access_token

    @api.model
    def _oms_apply_tracking(self, tracking, carrier=None, shipment=None):
        """Record what ``carrier`` says about one of its parcels (webhook or poll):
        new events, its status, and what that means for the delivery and its order.
        A parcel of another carrier (or of another company than the carrier's) is
        not touched, whatever its tracking number. Without ``carrier`` (a caller
        that knows where the news comes from), any parcel of that number.

        ``shipment``: the parcel asked about (a poll). An answer about another
        parcel than the one asked for, or than the one its tracker or carrier
        shipment belongs to (a webhook), is refused: a carrier error, nothing
        applied to either parcel."""
        domain = []
        if carrier is not None:
            domain.append(("carrier_id", "=", carrier.id))
            if carrier.company_id:
                domain.append(("company_id", "=", carrier.company_id.id))
        if shipment is None:
            shipment = self._oms_parcel_of_tracker(tracking, domain)
        if shipment is None:
            shipment = self.search(
                [("tracking_number", "=", tracking.tracking_number), *domain], limit=1
            )
        if not shipment:
            _logger.info("Tracking of unknown parcel %s ignored", tracking.tracking_number)
            return self
        if not same_parcel(shipment.tracking_number, tracking.tracking_number):
            shipment._oms_refuse_tracking(tracking, carrier or shipment.carrier_id)
            return self
        known = {
            (event.occurred_at, event.status, event.carrier_status or "")
            for event in shipment.tracking_event_ids
        }
        new = []
        for event in tracking.events:
            moment = _utc_naive(event.occurred_at)
            key = (moment, event.status, event.carrier_status or "")
            if moment and key not in known:
                known.add(key)
                new.append(
                    {
                        "shipment_id": shipment.id,
                        "status": event.status,
                        "carrier_status": event.carrier_status,
                        "description": event.description,
                        "occurred_at": moment,
                        "city": event.city,
                        "country": event.country,
                    }
                )
        latest_known = max(shipment.tracking_event_ids.mapped("occurred_at"), default=None)
        latest_sent = max(
            (_utc_naive(event.occurred_at) for event in tracking.events if event.occurred_at),
            default=None,
        )
        created = self.env["oms.carrier.tracking.event"].create(new)
        previous = shipment.tracking_status
        # A late or replayed message (older than what is known) adds its events but
        # does not move the parcel back: delivered stays delivered.
        stale = bool(latest_known and latest_sent and latest_sent < latest_known)
        changed = tracking.status != previous and not stale
        values = {"tracking_date": fields.Datetime.now(), "tracking_not_scanned": False}
        values.update(
            {
                key: value
                for key, value in (
                    ("tracker_ref", tracking.id),
                    ("carrier_tracking_url", tracking.public_url),
                )
                if value and value != shipment[key]
            }
        )
        if changed:
            values["tracking_status"] = tracking.status
        shipment.write(values)
        if changed:
            shipment._oms_tracking_changed(previous)
        if created and not stale:
            shipment._oms_mail_customer(created)
        return shipment

    @api.model
    def _oms_parcel_of_tracker(self, tracking, domain):
        """The parcel the answer's tracker (or carrier shipment, EasyPost's
        ``shipment_id``) belongs to, whatever tracking number it names; None when
        neither is known."""
        for field, value in (("tracker_ref", tracking.id), ("reference", tracking.shipment_id)):
            if value:
                found = self.search([(field, "=", value), *domain], limit=1)
                if found:
                    return found
        return None

    def _oms_refuse_tracking(self, tracking, carrier):
        """A tracking answer about another parcel than this one: a carrier error."""
        self.ensure_one()
        message = _(
            "The tracking answer is about parcel %(answered)s, not %(asked)s: refused, "
            "nothing recorded.",
            answered=tracking.tracking_number or "?",
            asked=self.tracking_number,
        )
        _logger.warning("Tracking %s: %s", self.tracking_number, message)
        if not carrier:  # a parcel of no carrier any more: the log line says it
            return
        self.env["oms.carrier.error"].sudo().create(
            {
                "carrier_id": carrier.id,
                "operation": _("track %s", self.tracking_number),
                "message": message,
                "picking_id": self.picking_id.id,
            }
        )

    def _oms_tracking_changed(self, previous):
        self.ensure_one()
        picking = self.picking_id
        order = picking.sale_id
        label = dict(TRACKING_STATUSES)[self.tracking_status]
        if order:
            order._oms_log_event(
                "note",
                _("Parcel %(number)s: %(status)s", number=self.tracking_number, status=label),
            )
        if self.tracking_status == "exception":
            self._oms_ask_a_person()
        if order and self.tracking_status == "delivered":
            outgoing = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
            )
            parcels = outgoing._oms_active_shipments()
            if (
                outgoing
                and all(p.state == "done" for p in outgoing)
                and all(s.tracking_status == "delivered" for s in parcels)
            ):
                last = max(
                    parcels.tracking_event_ids.mapped("occurred_at") or [fields.Datetime.now()]
                )
                order.oms_delivered_date = last
                order._oms_sync_stage()

    def _oms_ask_a_person(self):
        """A delivery exception: an activity for the order's team (its leader, else
        the salesperson), with the carrier's words; on the delivery when it has no
        order."""
        self.ensure_one()
        picking = self.picking_id
        order = picking.sale_id
        event = self.tracking_event_ids.sorted(lambda e: (e.occurred_at, e.id))[-1:]
        words = " ".join(filter(None, (event.carrier_status, event.description)))
        summary = _("Parcel %s has a delivery exception", self.tracking_number)
        note = _(
            "%(carrier)s says: %(words)s",
            carrier=self.carrier_id.name or _("The carrier"),
            words=words or _("(nothing more)"),
        )
        if order:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note,
                user_id=order.team_id.user_id.id
                or order.user_id.id
                or picking.user_id.id
                or self.env.uid,
            )
        else:
            picking.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note,
                user_id=picking.user_id.id or self.env.uid,
            )

    # --- customer mails ----------------------------------------------------------------------
    def _oms_mail_customer(self, events):
        """Mail the customer about the newest of ``events`` (new events of this
        parcel) when it is news for them: out for delivery, or a delivery problem
        (each kind with what to do). Once per event: an event the carrier sends again
        is not new. Only when the order's channel mails its customers and this kind
        of mail, and the customer has an email address; ``oms_no_mail`` silences
        it. Delivered is the order's own mail (oms_core)."""
        self.ensure_one()
        order = self.picking_id.sale_id
        event = events.sorted(lambda e: (e.occurred_at, e.id))[-1:]
        if not order or not event or self.env.context.get("oms_no_mail"):
            return
        kind = "out_for_delivery" if event.status == "out_for_delivery" else event.exception_kind
        if kind not in PARCEL_MAILS or event.mailed:
            return
        switch, template_xmlid = PARCEL_MAILS[kind]
        channel = order.oms_channel_id
        if not (channel and channel.mail_customers and channel[switch] and order.partner_id.email):
            return
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            return
        event.mailed = True
        order._oms_mail_customer(template, oms_defer_stage=True, oms_mail_parcel_id=self.id)

    # --- polling -----------------------------------------------------------------------------
    @api.model
    def _oms_poll_due_domain(self, now):
        """Parcels to ask their carrier about: of a carrier that answers tracking
        questions (the own fleet's drivers tell, Swiss Post is not asked yet), not
        delivered nor returned, without news and not asked for four hours."""
        return [
            # the carriers whose kind answers tracking questions
            (
                "carrier_id.delivery_type",
                "in",
                self.env["delivery.carrier"]._oms_carrier_types("poll_tracking"),
            ),
            ("tracking_status", "not in", FINAL_STATUSES),
            ("voided", "=", False),
            ("picking_id.state", "=", "done"),
            "|",
            ("tracking_date", "=", False),
            ("tracking_date", "<", now - timedelta(hours=4)),
            "|",
            ("tracking_polled_date", "=", False),
            ("tracking_polled_date", "<", now - timedelta(hours=4)),
        ]

    @api.model
    def _cron_oms_poll_tracking(self, limit=None):
        """Ask the carriers about every parcel not heard of lately (webhooks first;
        this is the fallback), in background jobs of ``POLL_BATCH`` parcels
        (channel root.oms.tracking), most urgent first: promised for today or
        before, then the oldest news. A carrier's jobs are spread over time so that
        its *Tracking Calls per Minute* are not exceeded. ``limit``: at most that
        many parcels this run (none by default)."""
        now = fields.Datetime.now()
        due = self.search(self._oms_poll_due_domain(now), limit=limit)
        end_of_today = datetime.combine(fields.Date.context_today(self), time.max)

        def urgency(shipment):
            promised = shipment.promised_date
            return (
                not (promised and promised <= end_of_today),
                shipment.tracking_date or shipment.create_date,
                shipment.id,
            )

        for carrier, group in groupby(due, key=lambda s: s.carrier_id):
            parcels = self.browse([p.id for p in sorted(group, key=urgency)])
            per_minute = carrier.oms_tracking_rate_limit
            for start in range(0, len(parcels), POLL_BATCH):
                batch = parcels[start : start + POLL_BATCH]
                # the parcels before this batch take start / per_minute minutes
                eta = now + timedelta(minutes=start / per_minute) if per_minute else None
                batch.with_delay(
                    channel="root.oms.tracking",
                    eta=eta,
                    description=_(
                        "Track %(count)s parcels of %(carrier)s",
                        count=len(batch),
                        carrier=carrier.name or "?",
                    ),
                )._oms_poll_batch()
        return True

    def _oms_poll_batch(self):
        """Ask the carrier about these parcels (one job), in the order given, no
        faster than the carrier's *Tracking Calls per Minute*; a parcel heard of
        since the job was queued is skipped."""
        now = fields.Datetime.now()
        due = self.exists().filtered_domain(self._oms_poll_due_domain(now))
        per_minute = due[:1].carrier_id.oms_tracking_rate_limit
        pause = 60.0 / per_minute if per_minute else 0.0
        for index, shipment in enumerate(due):
            if pause and index:
                _pace(pause)
            shipment._oms_poll(now)

    def _oms_poll(self, now):
        """Ask the carrier about this parcel; its answer applied, its error kept."""
        self.ensure_one()
        shipment, carrier = self, self.picking_id.carrier_id
        stop_after = timedelta(days=carrier.oms_tracking_stop_days or 30)
        if shipment.create_date < now - stop_after and (
            not shipment.tracking_event_ids
            or max(shipment.tracking_event_ids.mapped("occurred_at")) < now - stop_after
        ):
            shipment.tracking_status = "unknown"
            shipment.tracking_date = now  # no news for too long: stop asking
            return
        try:
            tracking = carrier._oms_poll_tracking(shipment)
        except CarrierError as error:
            _logger.warning("Tracking %s: %s", shipment.tracking_number, error)
            self.env["oms.carrier.error"].sudo().create(
                {
                    "carrier_id": carrier.id,
                    "operation": _("track %s", shipment.tracking_number),
                    "message": str(error),
                    "picking_id": shipment.picking_id.id,
                }
            )
            return
        shipment.tracking_polled_date = now
        if tracking and not tracking.found:
            shipment._oms_not_found_yet(tracking, carrier, now)
        elif tracking:
            self._oms_apply_tracking(tracking, carrier, shipment=shipment)

    def _oms_not_found_yet(self, tracking, carrier, now):
        """The carrier does not know the parcel (yet). No news, no error, asked again
        at the next poll; past the carrier's first scan window, flagged once."""
        self.ensure_one()
        window = timedelta(days=carrier.oms_first_scan_days or 3)
        if self.create_date >= now - window or self.tracking_not_scanned:
            _logger.info(
                "Tracking %s: not known to %s yet (%s)",
                self.tracking_number,
                carrier.name,
                tracking.carrier_status,
            )
            return
        self.tracking_not_scanned = True
        self.picking_id.message_post(
            body=_(
                "Parcel %(number)s: %(carrier)s has not scanned it %(days)s days after its "
                "label was bought (%(status)s).",
                number=self.tracking_number,
                carrier=carrier.name,
                days=(now - self.create_date).days,
                status=tracking.carrier_status,
            )
        )


def _utc_naive(moment):
    if not moment:
        return None
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed.replace(microsecond=0)
