from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    oms_channel_id = fields.Many2one(
        "oms.channel",
        string="Refunded by Channel",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The channel whose refund this credit note records.",
    )
    oms_channel_refund_ref = fields.Char(
        string="Channel Refund",
        copy=False,
        readonly=True,
        help="The channel's refund this credit note records (refund:<id>): one credit "
        "note per channel refund.",
    )

    _sql_constraints = [
        (
            "oms_channel_refund_ref_uniq",
            "UNIQUE (oms_channel_id, oms_channel_refund_ref)",
            "A channel's refund is credited once.",
        )
    ]
