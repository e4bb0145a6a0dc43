from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    oms_stock_alert_qty = fields.Float(
        string="Stock Alert Below",
        digits="Product Unit of Measure",
        help="Purchasing gets a To-Do when the free stock of a product of this category "
        "across the fulfilment sources falls below this figure (products with their own "
        "figure or a reordering rule use theirs). 0: no alert.",
    )
