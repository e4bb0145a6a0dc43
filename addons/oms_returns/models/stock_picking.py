from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    oms_return_id = fields.Many2one("oms.return", string="Return Request", index="btree_not_null")
