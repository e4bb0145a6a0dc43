from odoo import fields, models


class OmsChannel(models.Model):
    """A sales channel: where orders come from (web shop, marketplace, file...).

    Every OMS order points to its channel, so that queues, rules and reports can
    be split by channel.  ``oms_channels`` extends ``channel_type`` with the
    connector kinds and adds their credentials and behaviour.
    """

    _name = "oms.channel"
    _description = "Sales Channel"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    channel_type = fields.Selection(
        selection=[("manual", "Manual / Backend")],
        string="Channel Type",
        required=True,
        default="manual",
        help="How orders reach Odoo from this channel.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Default Warehouse",
        check_company=True,
        help="Warehouse of the channel's orders until routing chooses another.",
    )
    pricelist_id = fields.Many2one("product.pricelist", string="Pricelist", check_company=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    cutoff_time = fields.Float(
        string="Order Cut-off",
        default=14.0,
        help="Orders placed after this time (company time zone) count from the next "
        "working day when the ship-by date is computed.",
    )
    handling_days = fields.Integer(
        default=1,
        help="Working days, after the day an order counts from, by which it must ship.",
    )

    mail_order_received = fields.Boolean(
        string="Order received", default=True, help="Mail the customer when the order is confirmed."
    )
    mail_shipped = fields.Boolean(
        string="Shipped", default=True, help="Mail the customer when the first parcel ships."
    )
    mail_delivered = fields.Boolean(
        string="Delivered", default=True, help="Mail the customer when tracking says delivered."
    )
    mail_cancelled = fields.Boolean(
        string="Cancelled",
        default=True,
        help="Mail the customer when a confirmed order is cancelled.",
    )

    _sql_constraints = [
        (
            "handling_days_positive",
            "CHECK(handling_days >= 0)",
            "Handling days cannot be negative.",
        ),
        (
            "cutoff_time_valid",
            "CHECK(cutoff_time >= 0 AND cutoff_time < 24)",
            "The cut-off time is an hour of the day, from 00:00 to 23:59.",
        ),
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A channel with this name already exists in this company.",
        ),
    ]
