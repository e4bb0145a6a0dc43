from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    oms_external_line_id = fields.Char(
        string="Channel Line ID",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The channel's id of the line: shipments are reported against it.",
    )
    oms_channel_product_id = fields.Many2one(
        "oms.channel.product",
        string="Channel Listing",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The channel's listing of a line no product matched yet: when the listing "
        "is mapped, the line becomes a line of its product.",
    )
