from odoo import fields, models


class OmsChannelProductMap(models.TransientModel):
    """Choose the Odoo product of one or more listings (several seller SKUs or
    variants may be one product)."""

    _name = "oms.channel.product.map"
    _description = "Map Listings to a Product"

    listing_ids = fields.Many2many("oms.channel.product", string="Listings", required=True)
    product_id = fields.Many2one(
        "product.product", required=True, domain=[("is_storable", "=", True)]
    )

    def action_map(self):
        self.ensure_one()
        self.listing_ids._oms_map(self.product_id)
        return {"type": "ir.actions.act_window_close"}
