from odoo import fields, models


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    # eBay's developer keys (the application's) and the seller's consent.
    ebay_client_id = fields.Char(
        string="eBay App ID (Client ID)", groups="base.group_system", copy=False
    )
    ebay_client_secret = fields.Char(
        string="eBay Cert ID (Client Secret)", groups="base.group_system", copy=False
    )
    ebay_refresh_token = fields.Char(
        string="eBay Refresh Token",
        groups="base.group_system",
        copy=False,
        help="The seller's OAuth refresh token, from the seller's consent to the "
        "application with the sell.fulfillment and sell.inventory scopes (valid about "
        "18 months). Odoo gets a two-hour user token from it on each sync.",
    )
