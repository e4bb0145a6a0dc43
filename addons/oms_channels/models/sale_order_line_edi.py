"""Lines of confirmed EDI orders: a quantity changed sends the partner a new
855 / ORDRSP (accepted with changes)."""

from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def write(self, vals):
        changed = self.browse()
        if "product_uom_qty" in vals:
            changed = self.filtered(
                lambda line: line.order_id.state == "sale"
                and line.oms_external_line_id
                and line.order_id.oms_channel_id.channel_type == "edi"
                and line.product_uom_qty != vals["product_uom_qty"]
            )
        result = super().write(vals)
        for order in changed.order_id:
            order._oms_edi_send_order_ack()
        return result
