from odoo import fields, models, tools

from ..models.sale_order import OMS_STAGES, PRIORITIES


class OmsOrderReport(models.Model):
    """One row per confirmed order, for the managers' pivot and graph.

    Money is in the company's currency at the order's rate, as in Odoo's sales
    analysis. Durations are hours from the customer's order date. The share
    shipped on time is ``on_time_count / shipped_count``: both are measures, so
    the pivot shows them side by side for any grouping.
    """

    _name = "oms.order.report"
    _description = "Order Management Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "date desc"

    order_id = fields.Many2one("sale.order", readonly=True)
    date = fields.Datetime(string="Ordered On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    channel_id = fields.Many2one("oms.channel", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    team_id = fields.Many2one("crm.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    stage = fields.Selection(OMS_STAGES, readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    amount_untaxed = fields.Monetary(string="Untaxed Revenue", readonly=True)
    amount_total = fields.Monetary(string="Revenue", readonly=True)
    line_count = fields.Integer(string="Lines", readonly=True)
    hours_to_release = fields.Float(readonly=True, aggregator="avg")
    hours_to_ship = fields.Float(string="Hours to First Shipment", readonly=True, aggregator="avg")
    hours_to_deliver = fields.Float(string="Hours to Delivery", readonly=True, aggregator="avg")
    shipped_count = fields.Integer(string="Shipped", readonly=True)
    on_time_count = fields.Integer(string="Shipped on Time", readonly=True)
    late_count = fields.Integer(
        string="Shipped Late or Open Past Ship-by",
        readonly=True,
    )
    hold_count = fields.Integer(string="Holds", readonly=True)

    def _query(self):
        hours = "EXTRACT(EPOCH FROM ({end} - o.oms_order_date)) / 3600.0"
        rate = "COALESCE(NULLIF(o.currency_rate, 0), 1.0)"
        return f"""
            SELECT
                o.id AS id,
                o.id AS order_id,
                o.oms_order_date AS date,
                o.company_id,
                o.oms_channel_id AS channel_id,
                o.partner_id,
                o.team_id,
                o.user_id,
                o.oms_stage AS stage,
                o.oms_priority AS priority,
                c.currency_id,
                1 AS order_count,
                o.amount_untaxed / {rate} AS amount_untaxed,
                o.amount_total / {rate} AS amount_total,
                (SELECT COUNT(*) FROM sale_order_line l
                  WHERE l.order_id = o.id AND l.display_type IS NULL) AS line_count,
                {hours.format(end="o.oms_released_date")} AS hours_to_release,
                {hours.format(end="o.oms_shipped_date")} AS hours_to_ship,
                {hours.format(end="o.oms_delivered_date")} AS hours_to_deliver,
                CASE WHEN o.oms_shipped_date IS NOT NULL THEN 1 ELSE 0 END AS shipped_count,
                CASE WHEN o.oms_shipped_date IS NOT NULL
                      AND o.oms_shipped_date <= o.oms_promised_date THEN 1 ELSE 0 END
                    AS on_time_count,
                CASE WHEN o.oms_promised_date
                          < COALESCE(o.oms_shipped_date, NOW() AT TIME ZONE 'UTC')
                     THEN 1 ELSE 0 END AS late_count,
                (SELECT COUNT(*) FROM oms_order_hold h WHERE h.order_id = o.id) AS hold_count
            FROM sale_order o
            JOIN res_company c ON c.id = o.company_id
            WHERE o.state = 'sale'
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")
