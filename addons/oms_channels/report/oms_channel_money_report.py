"""Reconciliation of a channel's money per day: what it sold, what Odoo
invoiced, what the channel collected and refunded, and the difference; each
figure opens its records."""

from datetime import timedelta

from odoo import _, fields, models, tools


class OmsChannelMoneyReport(models.Model):
    _name = "oms.channel.money.report"
    _description = "Channel Money per Day"
    _auto = False
    _order = "day desc, channel_id"
    _rec_name = "day"

    channel_id = fields.Many2one("oms.channel", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    day = fields.Date(readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    order_amount = fields.Monetary(string="Ordered", readonly=True)
    invoiced = fields.Monetary(
        readonly=True, help="Posted invoices of the channel's orders, by invoice date."
    )
    paid = fields.Monetary(
        readonly=True, help="Payments the channel collected, posted in its journal, by date."
    )
    refunded = fields.Monetary(
        readonly=True, help="Money the channel returned (its refunds' payments), by date."
    )
    credited = fields.Monetary(
        readonly=True, help="Posted credit notes of the channel's refunds, by date."
    )
    difference = fields.Monetary(
        readonly=True,
        help="(Invoiced - credited) - (paid - refunded): invoices the channel has not "
        "paid for, or money it collected that no invoice explains.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT row_number() OVER (ORDER BY day, channel_id, currency_id) AS id,
                       channel_id, company_id, currency_id, day,
                       SUM(order_count)::integer AS order_count,
                       SUM(order_amount) AS order_amount,
                       SUM(invoiced) AS invoiced,
                       SUM(paid) AS paid,
                       SUM(refunded) AS refunded,
                       SUM(credited) AS credited,
                       SUM(invoiced) - SUM(credited) - SUM(paid) + SUM(refunded)
                           AS difference
                  FROM (
                    SELECT so.oms_channel_id AS channel_id, so.company_id, so.currency_id,
                           (so.date_order AT TIME ZONE 'UTC')::date AS day,
                           1 AS order_count, so.amount_total AS order_amount,
                           0 AS invoiced, 0 AS paid, 0 AS refunded, 0 AS credited
                      FROM sale_order so
                     WHERE so.oms_channel_id IS NOT NULL AND so.state != 'cancel'
                    UNION ALL
                    SELECT channel_id, company_id, currency_id, day,
                           0, 0, amount_total, 0, 0, 0
                      FROM (
                        SELECT DISTINCT ON (am.id) am.id, so.oms_channel_id AS channel_id,
                               am.company_id, am.currency_id, am.invoice_date AS day,
                               am.amount_total
                          FROM account_move am
                          JOIN account_move_line aml ON aml.move_id = am.id
                          JOIN sale_order_line_invoice_rel rel
                            ON rel.invoice_line_id = aml.id
                          JOIN sale_order_line sol ON sol.id = rel.order_line_id
                          JOIN sale_order so ON so.id = sol.order_id
                         WHERE am.move_type = 'out_invoice' AND am.state = 'posted'
                           AND so.oms_channel_id IS NOT NULL
                      ) invoices
                    UNION ALL
                    SELECT ap.oms_channel_id, am.company_id, ap.currency_id, am.date,
                           0, 0, 0,
                           CASE WHEN ap.payment_type = 'inbound' THEN ap.amount ELSE 0 END,
                           CASE WHEN ap.payment_type = 'outbound' THEN ap.amount ELSE 0 END,
                           0
                      FROM account_payment ap
                      JOIN account_move am ON am.id = ap.move_id
                     WHERE ap.oms_channel_id IS NOT NULL AND am.state = 'posted'
                    UNION ALL
                    SELECT am.oms_channel_id, am.company_id, am.currency_id,
                           am.invoice_date, 0, 0, 0, 0, 0, am.amount_total
                      FROM account_move am
                     WHERE am.oms_channel_id IS NOT NULL AND am.move_type = 'out_refund'
                       AND am.state = 'posted'
                  ) figures
                 GROUP BY channel_id, company_id, currency_id, day
            )
            """
        )

    # --- each figure opens its records ---------------------------------------------
    def _day_bounds(self):
        self.ensure_one()
        start = fields.Datetime.to_datetime(self.day)
        return start, start + timedelta(days=1)

    def _open(self, model, name, domain):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": {"create": False},
        }

    def action_open_orders(self):
        start, end = self._day_bounds()
        return self._open(
            "sale.order",
            _("Orders of %(channel)s on %(day)s", channel=self.channel_id.name, day=self.day),
            [
                ("oms_channel_id", "=", self.channel_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("state", "!=", "cancel"),
                ("date_order", ">=", start),
                ("date_order", "<", end),
            ],
        )

    def action_open_invoices(self):
        self.ensure_one()
        return self._open(
            "account.move",
            _("Invoices of %(channel)s on %(day)s", channel=self.channel_id.name, day=self.day),
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("currency_id", "=", self.currency_id.id),
                ("invoice_date", "=", self.day),
                ("line_ids.sale_line_ids.order_id.oms_channel_id", "=", self.channel_id.id),
            ],
        )

    def action_open_payments(self):
        self.ensure_one()
        return self._open(
            "account.payment",
            _("Payments of %(channel)s on %(day)s", channel=self.channel_id.name, day=self.day),
            [
                ("oms_channel_id", "=", self.channel_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("date", "=", self.day),
                ("move_id.state", "=", "posted"),
            ],
        )

    def action_open_credit_notes(self):
        self.ensure_one()
        return self._open(
            "account.move",
            _("Refunds of %(channel)s on %(day)s", channel=self.channel_id.name, day=self.day),
            [
                ("oms_channel_id", "=", self.channel_id.id),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
                ("currency_id", "=", self.currency_id.id),
                ("invoice_date", "=", self.day),
            ],
        )
