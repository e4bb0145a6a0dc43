from odoo import fields, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    oms_channel_id = fields.Many2one(
        "oms.channel",
        string="Sales Channel",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The channel that collected (or refunded) this money.",
    )
    oms_channel_payment_ref = fields.Char(
        string="Channel Money Reference",
        copy=False,
        readonly=True,
        help="What the payment records in the channel (order:<id> for what the channel "
        "collected for an order): one payment per channel and reference.",
    )
    oms_sale_order_id = fields.Many2one(
        "sale.order",
        string="Channel Order",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )

    _sql_constraints = [
        (
            "oms_channel_payment_ref_uniq",
            "UNIQUE (oms_channel_id, oms_channel_payment_ref)",
            "The channel's money is recorded once per reference.",
        )
    ]
