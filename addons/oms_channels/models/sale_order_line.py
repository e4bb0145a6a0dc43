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
