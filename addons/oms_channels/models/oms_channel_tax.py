from odoo import fields, models


class OmsChannelTax(models.Model):
    """A channel's tax (its rate code or title, and rate) → the Odoo tax to use,
    looked at before the search of a tax by rate."""

    _name = "oms.channel.tax"
    _description = "Channel Tax Mapping"
    _order = "channel_id, name, rate"

    channel_id = fields.Many2one("oms.channel", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    name = fields.Char(
        string="Channel Tax",
        required=True,
        help="The tax's rate code (WooCommerce rate_code) or title as the channel sends "
        "it; compared without case.",
    )
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 4),
        help="The channel's rate in percent; 0 matches the tax whatever its rate.",
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo Tax",
        required=True,
        ondelete="cascade",
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
    )
