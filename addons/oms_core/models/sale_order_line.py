from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._oms_fields_changed({"order_line"})
        return lines

    def write(self, vals):
        result = super().write(vals)
        self.order_id._oms_fields_changed({"order_line"})
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders.exists()._oms_fields_changed({"order_line"})
        return result
