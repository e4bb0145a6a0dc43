from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class OmsChannelLocation(models.Model):
    """A location of a Shopify shop and the Odoo warehouse whose free stock it
    is told it may sell. Filled by *Read Locations*, mapped by a manager; a
    location without a warehouse is not pushed."""

    _name = "oms.channel.location"
    _description = "Channel Location"
    _order = "channel_id, name, id"

    channel_id = fields.Many2one("oms.channel", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    remote_id = fields.Char(
        string="Shopify Location ID",
        required=True,
        help="The location's id in Shopify (the number of gid://shopify/Location/...).",
    )
    name = fields.Char(string="Shopify Location")
    remote_active = fields.Boolean(
        string="Active in Shopify", default=True, readonly=True, help="As last read."
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Odoo Warehouse",
        ondelete="restrict",
        domain="[('company_id', '=', company_id)]",
        help="The warehouse whose free stock (its sellable locations, less what is "
        "reserved and held, less the channel's buffer) this location is sent. Empty: "
        "the location is not pushed.",
    )

    _sql_constraints = [
        (
            "remote_uniq",
            "unique(channel_id, remote_id)",
            "This Shopify location is listed twice on the channel.",
        ),
    ]

    @api.constrains("channel_id", "warehouse_id")
    def _check_warehouse_once(self):
        """Two Shopify locations sold from one warehouse would each be told its
        whole free stock: the same units offered twice."""
        for mapping in self.filtered("warehouse_id"):
            twice = self.search_count(
                [
                    ("channel_id", "=", mapping.channel_id.id),
                    ("warehouse_id", "=", mapping.warehouse_id.id),
                    ("id", "!=", mapping.id),
                ]
            )
            if twice:
                raise ValidationError(
                    _(
                        "%(warehouse)s is already the warehouse of another Shopify location "
                        "of %(channel)s: its stock would be offered twice.",
                        warehouse=mapping.warehouse_id.display_name,
                        channel=mapping.channel_id.display_name,
                    )
                )

    @api.depends("name", "remote_id")
    def _compute_display_name(self):
        for mapping in self:
            mapping.display_name = mapping.name or mapping.remote_id or ""
