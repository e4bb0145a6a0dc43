from odoo import fields, models


class OmsCarrierManifest(models.Model):
    """The end of a day's shipping with a carrier from a warehouse: the parcels
    handed over, on EasyPost's ScanForm or on our own PDF manifest."""

    _name = "oms.carrier.manifest"
    _description = "Carrier Manifest"
    _order = "date desc, id desc"

    name = fields.Char(required=True)
    carrier_id = fields.Many2one("delivery.carrier", required=True, readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", required=True, readonly=True)
    company_id = fields.Many2one(related="warehouse_id.company_id", store=True, index=True)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    shipment_ids = fields.Many2many("oms.carrier.shipment", string="Parcels", readonly=True)
    reference = fields.Char(string="Carrier Reference", readonly=True)
    document = fields.Binary(readonly=True, attachment=True)
    document_name = fields.Char()

    def _oms_total_weight(self):
        return sum(self.shipment_ids.picking_id.mapped("shipping_weight"))
