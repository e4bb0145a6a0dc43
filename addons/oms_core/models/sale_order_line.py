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

    def _prepare_procurement_values(self, group_id=False):
        """The deliveries follow the order's service level: scheduled on its ship-by
        date, due on its deliver-by date (a delivery date set on the order wins,
        as in Odoo), urgent for a fast service level, express or a VIP customer,
        so that Odoo's picking lists (priority, then scheduled date) put them first."""
        values = super()._prepare_procurement_values(group_id)
        order = self.order_id
        if order.oms_promised_date:
            values["date_planned"] = order.oms_promised_date
        if order.oms_deliver_by and not order.commitment_date:
            values["date_deadline"] = order.oms_deliver_by
        values["priority"] = order._oms_delivery_priority()
        return values
