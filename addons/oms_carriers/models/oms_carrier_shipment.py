from odoo import api, fields, models


class OmsCarrierShipment(models.Model):
    """A label bought for a delivery: the carrier's shipment and tracking number,
    kept so that it can be voided and tracked."""

    _name = "oms.carrier.shipment"
    _description = "Carrier Shipment"
    _order = "id"

    picking_id = fields.Many2one("stock.picking", required=True, index=True, ondelete="cascade")
    carrier_id = fields.Many2one(related="picking_id.carrier_id", store=True)
    company_id = fields.Many2one(related="picking_id.company_id", store=True, index=True)
    reference = fields.Char(string="Carrier Shipment", required=True, index=True)
    tracking_number = fields.Char(index=True)
    package_id = fields.Many2one("stock.quant.package")
    voided = fields.Boolean(
        readonly=True, index=True, help="Cancelled with the carrier: no longer tracked or printed."
    )


class StockPicking(models.Model):
    _inherit = "stock.picking"

    oms_carrier_shipment_ids = fields.One2many(
        "oms.carrier.shipment", "picking_id", string="Carrier Shipments", readonly=True
    )
    oms_tracking_event_ids = fields.One2many(
        "oms.carrier.tracking.event", "picking_id", string="Tracking Events", readonly=True
    )

    oms_has_labels = fields.Boolean(compute="_compute_oms_has_labels")

    @api.depends("oms_carrier_shipment_ids.voided")
    def _compute_oms_has_labels(self):
        for picking in self:
            picking.oms_has_labels = bool(picking._oms_active_shipments())

    def _oms_active_shipments(self):
        """The labels bought and not voided."""
        return self.oms_carrier_shipment_ids.filtered(lambda s: not s.voided)

    def cancel_shipment(self):
        """Void with the carrier (Odoo's own), then keep the labels as voided."""
        shipments = self._oms_active_shipments()
        result = super().cancel_shipment()
        shipments.voided = True
        return result

    def _oms_record_shipment(self, reference, tracking_number, package=None):
        """Keep a bought label once, however often the purchase is answered."""
        self.ensure_one()
        known = self._oms_active_shipments().filtered(
            lambda s: s.reference == reference and s.tracking_number == tracking_number
        )
        if not known:
            self.oms_carrier_shipment_ids = [
                (
                    0,
                    0,
                    {
                        "reference": reference,
                        "tracking_number": tracking_number,
                        "package_id": package.id if package else False,
                    },
                )
            ]
