from odoo import fields, models


class OmsRoutingBacktestLine(models.TransientModel):
    _name = "oms.routing.backtest.line"
    _description = "Routing Backtest Result"
    _order = "id"

    backtest_id = fields.Many2one("oms.routing.backtest", required=True, ondelete="cascade")
    name = fields.Char(string="Scenario")
    order_count = fields.Integer(string="Orders")
    split_rate = fields.Float(string="Split (%)", digits=(16, 1))
    average_km = fields.Float(string="Average Distance (km)", digits=(16, 1))
    cost = fields.Float(string="Shipping + Handling", digits=(16, 2))
    on_time_rate = fields.Float(string="On Time (%)", digits=(16, 1))
    load = fields.Char(string="Orders per Source")
