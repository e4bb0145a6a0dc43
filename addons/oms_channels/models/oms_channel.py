from odoo import fields, models


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    channel_type = fields.Selection(
        selection_add=[
            ("shopify", "Shopify"),
            ("woocommerce", "WooCommerce"),
            ("amazon", "Amazon SP-API"),
            ("file", "File (CSV)"),
        ],
        ondelete={
            "shopify": "set default",
            "woocommerce": "set default",
            "amazon": "set default",
            "file": "set default",
        },
    )
    api_base_url = fields.Char(
        string="API Base URL",
        help="The channel's API endpoint: the production one, or any URL for a sandbox.",
    )
    webhook_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Secret the channel signs its webhooks with (HMAC-SHA256).",
    )
    inbox_ids = fields.One2many("oms.channel.inbox", "channel_id", string="Inbox")
