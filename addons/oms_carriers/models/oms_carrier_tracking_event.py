from odoo import api, fields, models

from ..carrier_clients import exception_kind

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
EXCEPTION_KINDS = [
    ("failed_attempt", "Delivery attempt failed"),
    ("address", "Address problem"),
    ("customs", "Held at customs"),
    ("returned", "Returned to sender"),
    ("other", "Other problem"),
]


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
    exception_kind = fields.Selection(
        EXCEPTION_KINDS,
        compute="_compute_exception_kind",
        store=True,
        help="What the problem is for the customer (exceptions and returns only).",
    )
    mailed = fields.Boolean(
        readonly=True, help="The customer was mailed about this event (once per event)."
    )

    _sql_constraints = [
        (
            "event_uniq",
            "unique(shipment_id, occurred_at, status, carrier_status)",
            "This tracking event is already recorded.",
        ),
    ]

    @api.depends("status", "carrier_status", "description")
    def _compute_exception_kind(self):
        for event in self:
            event.exception_kind = exception_kind(
                event.status, event.carrier_status, event.description
            )
