from odoo import fields, models


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
    cost = fields.Float(
        string="Label Cost",
        digits=(16, 5),
        readonly=True,
        help="What the carrier bills for this label, its fees included (EasyPost: the "
        "postage plus the label, insurance, carbon offset... fees).",
    )
    cost_currency = fields.Char(readonly=True)
    cost_details = fields.Char(readonly=True, help="The carrier's fees, as it itemises them.")
    voided = fields.Boolean(
        readonly=True, index=True, help="Cancelled with the carrier: no longer tracked or printed."
    )
