from odoo import api, fields, models


class OmsOrderEvent(models.Model):
    """One entry of an order's timeline: when, who, what and why.

    Events are only ever added, never changed: the timeline is the order's
    history. Later addons add their own event types (routing, shipment,
    tracking, return) with ``selection_add``.
    """

    _name = "oms.order.event"
    _description = "Order Timeline Event"
    _order = "date desc, id desc"
    _rec_name = "name"

    order_id = fields.Many2one(
        "sale.order", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    channel_id = fields.Many2one(related="order_id.oms_channel_id", store=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user, readonly=True
    )
    event_type = fields.Selection(
        selection=[
            ("captured", "Captured"),
            ("stage", "Stage changed"),
            ("hold", "Put on hold"),
            ("hold_released", "Hold released"),
            ("hold_overridden", "Hold overridden"),
            ("note", "Note"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    name = fields.Char(string="What", required=True, readonly=True)
    reason = fields.Text(string="Why", readonly=True)
    stage_from = fields.Char(readonly=True)
    stage_to = fields.Char(readonly=True)
    hold_id = fields.Many2one("oms.order.hold", readonly=True, ondelete="set null")
    res_model = fields.Char(string="Source Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Source Record", model_field="res_model", readonly=True
    )

    @api.model
    def _oms_log(self, orders, event_type, name, reason=None, **values):
        """Add the same event to the timeline of each of ``orders``."""
        events = self.sudo().create(
            [
                {
                    "order_id": order.id,
                    "event_type": event_type,
                    "name": name,
                    "reason": reason,
                    **values,
                }
                for order in orders
            ]
        )
        # Events are often added while the orders are being computed: their
        # cached timelines may predate these events, so read them afresh.
        orders.invalidate_recordset(["oms_event_ids"])
        return events
