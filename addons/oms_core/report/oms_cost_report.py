from odoo import _, fields, models, tools

# The figures of a row, in the view's column order, with their SQL type.
AMOUNTS = (
    "shipping_charged",
    "label_cost",
    "handling_cost",
    "split_cost",
    "return_shipping",
    "fee_income",
    "refunded",
)
COLUMNS = {
    # The source row (a journal item, a stock move, a transfer) and, when one source
    # is shared out, the part (a sale line): together they order the rows, whose
    # ids are their rank.
    "key": "integer",
    "part": "integer",
    "kind": "varchar",
    "date": "date",
    "company_id": "integer",
    "order_id": "integer",
    "channel_id": "integer",
    "partner_id": "integer",
    "product_id": "integer",
    "move_line_id": "integer",
    "move_id": "integer",
    "picking_id": "integer",
    "extra_shipments": "integer",
    **dict.fromkeys(AMOUNTS, "numeric"),
}


# SQL: each done move's share of its transfer, by value at the order's prices (equal
# shares when nothing has a price), to share a transfer's costs out per product.
MOVE_SHARES = """(
    SELECT m.id AS move_id, m.picking_id, m.product_id, m.sale_line_id,
           CASE WHEN SUM(v.value) OVER (PARTITION BY m.picking_id) > 0
                THEN v.value / SUM(v.value) OVER (PARTITION BY m.picking_id)
                ELSE 1.0 / COUNT(*) OVER (PARTITION BY m.picking_id) END AS share,
           m.id = MIN(m.id) OVER (PARTITION BY m.picking_id) AS first_move
    FROM stock_move m
    LEFT JOIN sale_order_line sol ON sol.id = m.sale_line_id
    CROSS JOIN LATERAL (
        SELECT COALESCE(sol.price_reduce_taxexcl, 0) * m.quantity AS value
    ) v
    WHERE m.state = 'done'
)"""

# SQL: the done deliveries of sale orders, one row per move with its share
# (``p`` the delivery, ``t`` its type, ``so`` the order, ``ms`` the move's share).
DELIVERY_MOVES_FROM = f"""
    FROM stock_picking p
    JOIN stock_picking_type t ON t.id = p.picking_type_id
    JOIN sale_order so ON so.id = p.sale_id
    JOIN {MOVE_SHARES} ms ON ms.picking_id = p.id
"""
DELIVERY_MOVES_WHERE = "WHERE p.state = 'done' AND t.code = 'outgoing'"
DELIVERY_MOVES = DELIVERY_MOVES_FROM + DELIVERY_MOVES_WHERE
# The columns every delivery-move row has.
DELIVERY_MOVE_COLUMNS = {
    "key": "ms.move_id",
    "date": "p.date_done",
    "company_id": "p.company_id",
    "order_id": "so.id",
    "channel_id": "so.oms_channel_id",
    "partner_id": "so.partner_id",
    "product_id": "ms.product_id",
    "picking_id": "p.id",
}

# SQL: the first delivery of the order ``so``; the deliveries after it are the split.
FIRST_DELIVERY = """(
    SELECT MIN(first.id) FROM stock_picking first
    JOIN stock_picking_type first_type ON first_type.id = first.picking_type_id
    WHERE first.sale_id = so.id AND first.state = 'done' AND first_type.code = 'outgoing'
)"""


class OmsCostReport(models.Model):
    """Cost to serve: what serving each order earned and cost, one row per source
    record (shared out per product where it is the order's or the transfer's), so
    that every figure leads back to where it comes from.

    Rows come from the addons installed, each adding its own (``_oms_cost_queries``):
    shipping charged and label costs (oms_carriers: invoice lines of shipping,
    deliveries' carrier costs), handling per source (oms_routing: each delivery's
    source, per shipment and per line), return shipping, restocking fees and
    refunds (oms_returns: return labels, credit note lines). Journal figures are
    the journal items' balances in the company's currency (income positive);
    carrier costs are the deliveries' shipping costs. The split cost is what the
    deliveries beyond an order's first cost (label and handling per shipment): a
    part of those, not added again to the net.

    Per product: a delivery's label and handling are shared among its moves, and
    an invoiced shipping line among the order's lines, by value at the order's
    prices; each share keeps its source (the transfer, the journal item).
    """

    _name = "oms.cost.report"
    _description = "Cost to Serve"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "order_id"

    kind = fields.Selection(
        [
            ("shipping", "Shipping charged"),
            ("label", "Delivery label"),
            ("handling", "Handling"),
            ("return_label", "Return label"),
            ("return_credit", "Return credit note"),
        ],
        readonly=True,
    )
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    channel_id = fields.Many2one("oms.channel", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True)
    picking_id = fields.Many2one("stock.picking", string="Transfer", readonly=True)
    extra_shipments = fields.Integer(readonly=True, help="Deliveries beyond the order's first.")
    shipping_charged = fields.Float(readonly=True, digits="Account")
    label_cost = fields.Float(readonly=True, digits="Account")
    handling_cost = fields.Float(readonly=True, digits="Account")
    split_cost = fields.Float(
        string="Split Penalty",
        readonly=True,
        digits="Account",
        help="Label and handling per shipment of the deliveries beyond the first.",
    )
    return_shipping = fields.Float(readonly=True, digits="Account")
    fee_income = fields.Float(string="Restocking Fees", readonly=True, digits="Account")
    refunded = fields.Float(readonly=True, digits="Account")
    net = fields.Float(
        readonly=True,
        digits="Account",
        help="Shipping charged + restocking fees - labels - handling - return shipping - refunds.",
    )

    def _oms_select(self, values, source):
        """One SELECT of the view: ``values`` maps columns to SQL expressions (the
        others are empty or zero), ``source`` is its FROM ... WHERE ...."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise ValueError(f"not columns of the cost view: {sorted(unknown)}")
        columns = []
        for column, sql_type in COLUMNS.items():
            default = "0" if sql_type in ("numeric",) or column == "extra_shipments" else "NULL"
            columns.append(f"({values.get(column, default)})::{sql_type} AS {column}")
        return f"SELECT {', '.join(columns)} {source}"

    def _oms_cost_queries(self):
        """The SELECTs of the view; each addon adds its own."""
        return []

    def _query(self):
        queries = self._oms_cost_queries() or [self._oms_select({}, "WHERE FALSE")]
        union = "\nUNION ALL\n".join(f"({query})" for query in queries)
        gains = " + ".join(("shipping_charged", "fee_income"))
        costs = " - ".join(("label_cost", "handling_cost", "return_shipping", "refunded"))
        return f"""
            SELECT ROW_NUMBER() OVER (ORDER BY rows.kind, rows.key, rows.part) AS id,
                   rows.*, {gains} - {costs} AS net
            FROM ({union}) AS rows
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")

    def action_open_source(self):
        """The record the row comes from: the journal entry, or the transfer."""
        self.ensure_one()
        record = self.move_id or self.picking_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Source"),
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
            "target": "current",
        }
