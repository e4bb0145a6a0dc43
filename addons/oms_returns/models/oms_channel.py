from odoo import fields, models


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    mail_return_received = fields.Boolean(
        string="Return received",
        default=True,
        help="Mail the customer when their returned parcel is received.",
    )
    mail_refund_made = fields.Boolean(
        string="Refund made",
        default=True,
        help="Mail the customer when a return is refunded: how much and where it went.",
    )
