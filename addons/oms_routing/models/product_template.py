from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    oms_stock_alert_qty = fields.Float(
        string="Stock Alert Below",
        digits="Product Unit of Measure",
        help="Purchasing gets a To-Do when the free stock across the fulfilment sources "
        "falls below this figure. A reordering rule of a source's warehouse takes "
        "precedence (its minimum, summed over the sources); 0: the category's figure.",
    )
