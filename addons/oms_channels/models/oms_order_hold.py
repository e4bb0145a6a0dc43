from odoo import fields, models


class OmsOrderHold(models.Model):
    _inherit = "oms.order.hold"

    # A channel's buyer asked to cancel (Amazon BuyerRequestedCancel): a person
    # cancels the order (the channel is told) or releases it to ship.
    # A line of the channel no product matches (by the channel's ids, SKU or
    # barcode): released by itself once every such line has its product.
    hold_type = fields.Selection(
        selection_add=[
            ("buyer_cancel", "Buyer Asked to Cancel"),
            ("unknown_product", "Unknown product"),
        ],
        ondelete={"buyer_cancel": "set manual_review", "unknown_product": "set manual_review"},
    )

    def _oms_end(self, state, note, user=None):
        """Before an unknown-product hold ends, the order's lines that wait for a
        listing mapped since (or a product created since) get their product."""
        waiting = self.filtered(lambda h: h.hold_type == "unknown_product").order_id
        if waiting and not self.env.context.get("oms_fixing_lines"):
            waiting._oms_fix_channel_lines()
            # the fix released the holds whose lines all have their product now
            holds = self.filtered(lambda h: h.state == "active")
            return super(OmsOrderHold, holds)._oms_end(state, note, user=user)
        return super()._oms_end(state, note, user=user)
