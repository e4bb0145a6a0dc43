from odoo import _, fields, models


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
    pricelist_id = fields.Many2one("product.pricelist", check_company=True)
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

    service_level_map_ids = fields.One2many(
        "oms.service.level.map",
        "channel_id",
        string="Shipping Methods",
        help="The channel's shipping methods seen on its orders and the service level each means.",
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

    # Dashboard figures: open orders per stage, late orders, holds past their SLA.
    count_new = fields.Integer(compute="_compute_dashboard")
    count_on_hold = fields.Integer(compute="_compute_dashboard")
    count_released = fields.Integer(compute="_compute_dashboard")
    count_routed = fields.Integer(compute="_compute_dashboard")
    count_partially_shipped = fields.Integer(compute="_compute_dashboard")
    count_late = fields.Integer(compute="_compute_dashboard")
    count_holds_overdue = fields.Integer(compute="_compute_dashboard")

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

    DASHBOARD_STAGES = ("new", "on_hold", "released", "routed", "partially_shipped")

    def _compute_dashboard(self):
        """Three grouped queries for all channels, whatever their number."""
        Order = self.env["sale.order"]
        per_stage = {
            (channel.id, stage): count
            for channel, stage, count in Order._read_group(
                [("oms_channel_id", "in", self.ids), ("oms_stage", "in", self.DASHBOARD_STAGES)],
                ["oms_channel_id", "oms_stage"],
                ["__count"],
            )
        }
        late = dict(
            Order._read_group(
                [("oms_channel_id", "in", self.ids), ("oms_is_late", "=", True)],
                ["oms_channel_id"],
                ["__count"],
            )
        )
        overdue = dict(
            self.env["oms.order.hold"]._read_group(
                [("channel_id", "in", self.ids), ("is_overdue", "=", True)],
                ["channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            for stage in self.DASHBOARD_STAGES:
                channel[f"count_{stage}"] = per_stage.get((channel.id, stage), 0)
            channel.count_late = late.get(channel, 0)
            channel.count_holds_overdue = overdue.get(channel, 0)

    def action_open_orders(self):
        """The channel's orders; ``oms_stage`` or ``oms_late`` in the context narrow them."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("oms_core.sale_order_action")
        domain = [("oms_channel_id", "=", self.id)]
        stage = self.env.context.get("oms_stage")
        if stage:
            domain.append(("oms_stage", "=", stage))
        if self.env.context.get("oms_late"):
            domain.append(("oms_is_late", "=", True))
        action.update(domain=domain, context={}, name=_("%s: orders", self.name))
        return action

    def action_open_overdue_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("oms_core.oms_order_hold_action")
        action.update(
            domain=[("channel_id", "=", self.id), ("is_overdue", "=", True)],
            context={},
            name=_("%s: holds past their SLA", self.name),
        )
        return action
