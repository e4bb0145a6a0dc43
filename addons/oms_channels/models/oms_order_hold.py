from odoo import fields, models


class OmsOrderHold(models.Model):
    _inherit = "oms.order.hold"

    # A channel's buyer asked to cancel (Amazon BuyerRequestedCancel): a person
    # cancels the order (the channel is told) or releases it to ship.
    hold_type = fields.Selection(
        selection_add=[("buyer_cancel", "Buyer Asked to Cancel")],
        ondelete={"buyer_cancel": "set manual_review"},
    )
