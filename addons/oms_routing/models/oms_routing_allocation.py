from odoo import fields, models


class OmsRoutingAllocation(models.Model):
    """A quantity of an order line given to a source: its delivery comes from there."""

    _name = "oms.routing.allocation"
    _description = "Routing Allocation"

    decision_id = fields.Many2one(
        "oms.routing.decision", required=True, index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(related="line_id.order_id", store=True, index=True)
    company_id = fields.Many2one(related="decision_id.company_id", store=True, index=True)
    line_id = fields.Many2one("sale.order.line", required=True, index=True, ondelete="cascade")
    source_id = fields.Many2one("oms.routing.source", required=True, index=True)
    quantity = fields.Float(digits="Product Unit of Measure")
    backorder = fields.Boolean(
        help="Not in stock there now: the delivery waits for it (backorder)."
    )
