from odoo import api, fields, models, tools

# Both kinds of rows describe an order line (``sol``): its order, channel,
# customer, product and category, read through the same joins.
_ORDER_LINE_COLUMNS = """o.id AS order_id,
                o.oms_channel_id AS channel_id,
                o.partner_id,
                sol.product_id,
                pt.categ_id"""
_ORDER_LINE_JOINS = """JOIN sale_order o ON o.id = sol.order_id
            JOIN product_product p ON p.id = sol.product_id
            JOIN product_template pt ON pt.id = p.product_tmpl_id"""


class OmsReturnReport(models.Model):
    """What was shipped and what came back, per order line, for the managers'
    pivot and graph.

    Two kinds of rows: one per order line shipped (its quantity shipped), one per
    return line (quantity returned, reason, money). Grouped by product, category,
    channel or customer, the return rate is returned / shipped of the group; by
    reason, the shipped rows fall under "None". Money is in the currency of the
    request's company (``currency_id``): a request in another currency (its orders')
    is converted at the rates of the day it was made, as Odoo's own conversion does
    (the company's rate, else a shared one; the first rate when none is older).
    Refunded is what the customer got back (credit note, exchange credit, or store
    credit with oms_returns_loyalty) once the request is settled. Days to refund are
    averages per line.
    """

    _name = "oms.return.report"
    _description = "Returns Analysis"
    _auto = False
    _rec_name = "product_id"
    _order = "date desc"

    date = fields.Datetime(readonly=True, help="Ordered on (shipped rows), requested on (returns).")
    kind = fields.Selection([("shipped", "Shipped"), ("returned", "Returned")], readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        string="Company Currency",
        readonly=True,
        help="The currency of the amounts: the company's.",
    )
    order_id = fields.Many2one("sale.order", readonly=True)
    channel_id = fields.Many2one("oms.channel", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    return_id = fields.Many2one("oms.return", string="Return Request", readonly=True)
    reason_id = fields.Many2one("oms.return.reason", readonly=True)
    state = fields.Selection(related="return_id.state", readonly=True)
    resolution = fields.Selection(selection="_selection_resolution", readonly=True)
    qty_shipped = fields.Float(string="Shipped", readonly=True)
    qty_returned = fields.Float(string="Returned", readonly=True)
    return_rate = fields.Float(
        string="Return Rate (%)",
        readonly=True,
        aggregator=None,
        help="Returned / shipped of the group, in percent.",
    )
    return_count = fields.Integer(string="Return Lines", readonly=True)
    value_returned = fields.Monetary(
        readonly=True,
        help="In the company's currency, converted at the rate of the request's date.",
    )
    fee = fields.Monetary(
        string="Restocking Fees",
        readonly=True,
        help="In the company's currency, converted at the rate of the request's date.",
    )
    refunded = fields.Monetary(
        readonly=True,
        help="In the company's currency, converted at the rate of the request's date.",
    )
    days_to_refund = fields.Float(
        string="Days to Refund", readonly=True, aggregator="avg", digits=(16, 1)
    )

    @api.model
    def _selection_resolution(self):
        """The request's resolutions, with those other addons add (store credit)."""
        return self.env["oms.return"]._fields["resolution"]._description_selection(self.env)

    @staticmethod
    def _rate_sql(currency, company, day):
        """SQL of the rate of ``currency`` for ``company`` on ``day`` (SQL
        expressions), as ``res.currency._get_rates`` picks it: the latest rate up to
        that day, the company's (its root's) before a shared one; else the first rate;
        else 1."""
        return f"""COALESCE((
                SELECT rr.rate FROM res_currency_rate rr
                WHERE rr.currency_id = {currency}
                  AND (rr.company_id IS NULL OR rr.company_id = (
                        SELECT split_part(rc.parent_path, '/', 1)::integer
                        FROM res_company rc WHERE rc.id = {company}))
                ORDER BY rr.name <= {day} DESC, rr.company_id,
                         CASE WHEN rr.name <= {day} THEN rr.name END DESC, rr.name
                LIMIT 1
            ), 1.0)"""

    def _query(self):
        day = "r.create_date::date"
        request_rate = self._rate_sql("COALESCE(r.currency_id, c.currency_id)", "r.company_id", day)
        company_rate = self._rate_sql("c.currency_id", "r.company_id", day)
        return f"""
            SELECT
                shipped.sale_line_id * 2 AS id,
                'shipped' AS kind,
                o.date_order AS date,
                o.company_id,
                c.currency_id,
                {_ORDER_LINE_COLUMNS},
                NULL::integer AS return_id,
                NULL::integer AS reason_id,
                NULL::varchar AS resolution,
                shipped.quantity AS qty_shipped,
                0.0 AS qty_returned,
                NULL::float AS return_rate,
                0 AS return_count,
                0.0 AS value_returned,
                0.0 AS fee,
                0.0 AS refunded,
                NULL::float AS days_to_refund
            FROM (
                SELECT m.sale_line_id,
                       SUM(m.quantity / mu.factor * pu.factor) AS quantity
                FROM stock_move m
                JOIN stock_location src ON src.id = m.location_id
                JOIN stock_location dest ON dest.id = m.location_dest_id
                JOIN uom_uom mu ON mu.id = m.product_uom
                JOIN product_product pp ON pp.id = m.product_id
                JOIN product_template ppt ON ppt.id = pp.product_tmpl_id
                JOIN uom_uom pu ON pu.id = ppt.uom_id
                WHERE m.state = 'done' AND m.sale_line_id IS NOT NULL
                  AND dest.usage = 'customer' AND src.usage != 'customer'
                GROUP BY m.sale_line_id
            ) shipped
            JOIN sale_order_line sol ON sol.id = shipped.sale_line_id
            {_ORDER_LINE_JOINS}
            JOIN res_company c ON c.id = o.company_id
            UNION ALL
            SELECT
                l.id * 2 + 1 AS id,
                'returned' AS kind,
                r.create_date AS date,
                r.company_id,
                c.currency_id,
                {_ORDER_LINE_COLUMNS},
                r.id AS return_id,
                l.reason_id,
                r.resolution,
                0.0 AS qty_shipped,
                l.quantity AS qty_returned,
                NULL::float AS return_rate,
                1 AS return_count,
                l.value * fx.factor AS value_returned,
                l.fee * fx.factor AS fee,
                CASE WHEN r.settled_date IS NULL OR l.quantity = 0 THEN 0.0
                     WHEN l.keep_item THEN l.value - l.fee
                     ELSE (l.value - l.fee) * l.quantity_received / l.quantity
                END * fx.factor AS refunded,
                EXTRACT(EPOCH FROM (r.settled_date - r.create_date)) / 86400.0
                    AS days_to_refund
            FROM oms_return_line l
            JOIN oms_return r ON r.id = l.return_id
            JOIN sale_order_line sol ON sol.id = l.sale_line_id
            {_ORDER_LINE_JOINS}
            JOIN res_company c ON c.id = r.company_id
            CROSS JOIN LATERAL (
                SELECT {company_rate} / {request_rate} AS factor
            ) fx
            WHERE r.state != 'rejected' AND r.rejected_date IS NULL
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """The return rate of each group: its returned quantity over its shipped one."""
        wanted = [spec for spec in fields if spec.split(":")[0] != "return_rate"]
        rate = len(wanted) != len(fields)
        if rate:
            wanted += ["qty_returned:sum", "qty_shipped:sum"]
        groups = super().read_group(
            domain, wanted, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
        )
        if rate:
            for group in groups:
                shipped = group.get("qty_shipped") or 0.0
                group["return_rate"] = (
                    100.0 * (group.get("qty_returned") or 0.0) / shipped if shipped else 0.0
                )
        return groups
