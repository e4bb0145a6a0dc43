from odoo import _, api, fields, models

from ..carrier_clients import Tracking, TrackingEvent
from .oms_carrier_tracking_event import TRACKING_STATUSES


class OmsCarrierDriverUpdate(models.TransientModel):
    """What a driver says of an own-fleet parcel, entered in the backend."""

    _name = "oms.carrier.driver.update"
    _description = "Driver Status Update"

    shipment_id = fields.Many2one(
        "oms.carrier.shipment",
        string="Parcel",
        required=True,
        domain="[('picking_id', '=', picking_id), ('voided', '=', False)]",
    )
    picking_id = fields.Many2one("stock.picking", required=True)
    status = fields.Selection(
        [s for s in TRACKING_STATUSES if s[0] not in ("pre_transit", "unknown")],
        required=True,
        default="out_for_delivery",
    )
    description = fields.Char(help="What the driver says (the customer may read it).")
    city = fields.Char()
    occurred_at = fields.Datetime(string="When", required=True, default=fields.Datetime.now)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        picking = self.env["stock.picking"].browse(values.get("picking_id"))
        if picking and "shipment_id" in fields_list and not values.get("shipment_id"):
            values["shipment_id"] = picking._oms_active_shipments()[:1].id
        return values

    def action_apply(self):
        self.ensure_one()
        shipment = self.shipment_id
        moment = self.occurred_at.isoformat() + "+00:00"
        label = dict(TRACKING_STATUSES)[self.status]
        event = TrackingEvent(
            status=self.status,
            carrier_status=self.status,
            description=self.description or label,
            occurred_at=moment,
            city=self.city or "",
        )
        tracking = Tracking(
            tracking_number=shipment.tracking_number,
            status=self.status,
            carrier_status=self.status,
            events=(event,),
            carrier="own_fleet",
        )
        # as the driver app's endpoint does: tracking events are the system's to write
        shipment.sudo()._oms_apply_tracking(
            tracking, shipment.carrier_id.sudo(), shipment=shipment.sudo()
        )
        self.picking_id.message_post(
            body=_(
                "Driver's update of parcel %(number)s: %(status)s",
                number=shipment.tracking_number,
                status=label,
            )
        )
        return {"type": "ir.actions.act_window_close"}
