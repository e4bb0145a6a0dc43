from odoo import models


class OmsCarrierShipment(models.Model):
    _inherit = "oms.carrier.shipment"

    def _oms_tracking_changed(self, previous):
        result = super()._oms_tracking_changed(previous)
        request = self.picking_id.oms_return_id
        if request:
            request._oms_parcel_news(self.tracking_status)
        return result
