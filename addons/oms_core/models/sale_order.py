"""The OMS order: a sale.order with its channel, its reference there and its
timeline. Each concern of the order has its own file: sale_order_stage,
sale_order_hold, sale_order_mail, sale_order_risk, sale_order_service_level."""

from odoo import api, fields, models

OMS_STAGES = [
    ("new", "New"),
    ("on_hold", "On Hold"),
    ("released", "Released"),
    ("routed", "Routed"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
OPEN_STAGES = ("new", "on_hold", "released", "routed", "partially_shipped")
SHIPPED_STAGES = ("partially_shipped", "shipped", "delivered", "closed")
RELEASED_STAGES = ("released", "routed", *SHIPPED_STAGES)
PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]


class SaleOrder(models.Model):
    """Where the order comes from, and the entry points every concern hooks into."""

    _inherit = "sale.order"

    oms_channel_id = fields.Many2one(
        "oms.channel",
        string="Channel",
        index=True,
        default=lambda self: self._oms_default_channel(),
        check_company=True,
        tracking=True,
    )
    oms_external_ref = fields.Char(
        string="Channel Reference",
        index="btree_not_null",
        copy=False,
        help="The order's number in its sales channel.",
    )
    oms_event_ids = fields.One2many("oms.order.event", "order_id", string="Timeline")

    _sql_constraints = [
        (
            "oms_external_ref_channel_uniq",
            "unique(oms_channel_id, oms_external_ref)",
            "This channel already has an order with this reference.",
        ),
    ]

    @api.model
    def _oms_default_channel(self):
        manual = self.env.ref("oms_core.oms_channel_manual", raise_if_not_found=False)
        if manual and manual.active and manual.company_id == self.env.company:
            return manual
        return self.env["oms.channel"].search(
            [("channel_type", "=", "manual"), ("company_id", "=", self.env.company.id)], limit=1
        )

    def _oms_log_event(self, event_type, name, reason=None, **values):
        return self.env["oms.order.event"]._oms_log(self, event_type, name, reason, **values)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._oms_check_channel_facts(vals)
            self._oms_fraud_assessed_vals(vals)
            if vals.get("date_order") and not vals.get("oms_order_date"):
                vals["oms_order_date"] = vals["date_order"]
        orders = super().create(vals_list)
        orders._oms_sync_stage()
        if not self.env.context.get("oms_skip_holds"):
            orders._oms_evaluate_holds()
        return orders

    def write(self, vals):
        self._oms_check_channel_facts(vals)
        self._oms_fraud_assessed_vals(vals)
        if vals.get("date_order") and "oms_order_date" not in vals and "state" not in vals:
            # A quotation's date moved by hand: the customer's order date follows.
            quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
            if quotations:
                super(SaleOrder, quotations).write({"oms_order_date": vals["date_order"]})
        result = super().write(vals)
        self._oms_fields_changed(set(vals))
        self._oms_sync_stage()
        return result
