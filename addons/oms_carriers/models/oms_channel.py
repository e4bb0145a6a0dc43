from odoo import api, fields, models

# Channels that tell their customers about shipping themselves (their own mails).
SELF_NOTIFYING_KINDS = ("amazon", "ebay")


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    mail_customers = fields.Boolean(
        string="Mail the Customers",
        compute="_compute_mail_customers",
        store=True,
        readonly=False,
        help="Odoo mails the customers of this channel (each mail below as ticked). "
        "Off by default for channels that notify their customers themselves (Amazon, "
        "eBay): tick it to mail them anyway.",
    )
    mail_out_for_delivery = fields.Boolean(
        string="Out for delivery",
        default=True,
        help="Mail the customer when a parcel is out for delivery.",
    )
    mail_delivery_exception = fields.Boolean(
        string="Delivery problem",
        default=True,
        help="Mail the customer when a parcel's delivery fails (attempt failed, address "
        "problem, held at customs, returned to sender), with what to do.",
    )

    @api.depends("channel_type")
    def _compute_mail_customers(self):
        for channel in self:
            channel.mail_customers = channel.channel_type not in SELF_NOTIFYING_KINDS
