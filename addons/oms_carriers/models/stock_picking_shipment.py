from odoo import api, fields, models


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

    def _oms_record_shipment(self, reference, tracking_number, package=None, purchase=None):
        """Keep a bought label once, however often the purchase is answered, with
        what the carrier bills for it (``purchase``: its amount and fees) and the
        public tracking page it gives (EasyPost's tracker)."""
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
                        "carrier_tracking_url": (purchase and purchase.tracking_url) or False,
                        **self._oms_purchase_cost(purchase),
                    },
                )
            ]

    @api.model
    def _oms_purchase_cost(self, purchase):
        if purchase is None or purchase.amount is None:
            return {}
        return {
            "cost": float(purchase.amount),
            "cost_currency": purchase.currency or "",
            "cost_details": ", ".join(f"{fee.type} {fee.amount}" for fee in purchase.fees),
        }
