from odoo import models
from odoo.tools import is_html_empty, plaintext2html


class StockMove(models.Model):
    _inherit = "stock.move"

    def _assign_picking_post_process(self, new=False):
        """A new delivery of a channel order with gifts says so in its note (the
        gift wrap and the buyer's message, for the packer). A backorder keeps the
        note of the delivery it comes from."""
        result = super()._assign_picking_post_process(new=new)
        if new:
            for picking in self.picking_id:
                gift = picking.sale_id.oms_gift_note
                if gift and picking.picking_type_code == "outgoing" and is_html_empty(picking.note):
                    picking.note = plaintext2html(gift)
        return result
