from odoo import fields, models


class OmsCarrierShipment(models.Model):
    _inherit = "oms.carrier.shipment"

    manifest_ids = fields.Many2many("oms.carrier.manifest", string="Manifests")
