import logging
from datetime import datetime, timedelta, timezone

from odoo import _, api, fields, models

from ..carrier_clients import CarrierError, same_parcel

_logger = logging.getLogger(__name__)

TRACKING_STATUSES = [
    ("pre_transit", "Pre-transit"),
    ("in_transit", "In transit"),
    ("out_for_delivery", "Out for delivery"),
    ("delivered", "Delivered"),
    ("exception", "Exception"),
    ("returned", "Returned"),
    ("unknown", "Unknown"),
]
FINAL_STATUSES = ("delivered", "returned")


class OmsCarrierTrackingEvent(models.Model):
    """One step of a parcel's journey, as its carrier reported it (normalised)."""

    _name = "oms.carrier.tracking.event"
    _description = "Tracking Event"
    _order = "occurred_at desc, id desc"

    shipment_id = fields.Many2one(
        "oms.carrier.shipment", required=True, index=True, ondelete="cascade"
    )
    picking_id = fields.Many2one(related="shipment_id.picking_id", store=True, index=True)
    tracking_number = fields.Char(related="shipment_id.tracking_number", store=True)
    company_id = fields.Many2one(related="shipment_id.company_id", store=True, index=True)
    status = fields.Selection(TRACKING_STATUSES, required=True)
    carrier_status = fields.Char()
    description = fields.Char()
    occurred_at = fields.Datetime(required=True)
    city = fields.Char()
    country = fields.Char()

    _sql_constraints = [
        (
            "event_uniq",
            "unique(shipment_id, occurred_at, status, carrier_status)",
            "This tracking event is already recorded.",
        ),
    ]


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
        self.env["oms.carrier.tracking.event"].create(new)
        previous = shipment.tracking_status
        # A late or replayed message (older than what is known) adds its events but
        # does not move the parcel back: delivered stays delivered.
        stale = bool(latest_known and latest_sent and latest_sent < latest_known)
        changed = tracking.status != previous and not stale
        values = {"tracking_date": fields.Datetime.now(), "tracking_not_scanned": False}
        if tracking.id:
            values["tracker_ref"] = tracking.id
        if changed:
            values["tracking_status"] = tracking.status
        shipment.write(values)
        if changed:
            shipment._oms_tracking_changed(previous)
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
            picking.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Parcel %s has a delivery exception", self.tracking_number),
                note=self.tracking_event_ids[:1].description or "",
                user_id=picking.user_id.id or order.user_id.id or self.env.uid,
            )
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

    @api.model
    def _cron_oms_poll_tracking(self, limit=200):
        """Ask the carriers about parcels not heard of lately (webhooks first; this is
        the fallback). Stops at delivered or returned, or after the carrier's days
        without news."""
        now = fields.Datetime.now()
        candidates = self.search(
            [
                ("tracking_status", "not in", FINAL_STATUSES),
                ("voided", "=", False),
                ("picking_id.state", "=", "done"),
                "|",
                ("tracking_date", "=", False),
                ("tracking_date", "<", now - timedelta(hours=4)),
                "|",
                ("tracking_polled_date", "=", False),
                ("tracking_polled_date", "<", now - timedelta(hours=4)),
            ],
            limit=limit,
            order="tracking_polled_date asc nulls first, tracking_date asc nulls first, id",
        )
        for shipment in candidates:
            carrier = shipment.picking_id.carrier_id
            stop_after = timedelta(days=carrier.oms_tracking_stop_days or 30)
            if shipment.create_date < now - stop_after and (
                not shipment.tracking_event_ids
                or max(shipment.tracking_event_ids.mapped("occurred_at")) < now - stop_after
            ):
                shipment.tracking_status = "unknown"
                shipment.tracking_date = now  # no news for too long: stop asking
                continue
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
                continue
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
