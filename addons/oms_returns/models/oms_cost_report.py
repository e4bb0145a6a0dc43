from odoo import models

# SQL: the first order of the return request ``r``.
RETURN_ORDER = """(
    SELECT rl.order_id FROM oms_return_line rl WHERE rl.return_id = r.id ORDER BY rl.id LIMIT 1
)"""


class OmsCostReport(models.Model):
    _inherit = "oms.cost.report"

    def _oms_cost_queries(self):
        """Return labels, and the lines of return credit notes: refunds (per
        product, shipping refunded included) and restocking fees kept."""
        # Read when the view is made, which can be before this addon's data exists.
        is_fee = """pp.product_tmpl_id = (
            SELECT res_id FROM ir_model_data
            WHERE module = 'oms_returns' AND name = 'product_restocking_fee'
        )"""
        return [
            *super()._oms_cost_queries(),
            self._oms_select(
                {
                    "key": "p.id",
                    "kind": "'return_label'",
                    "date": "COALESCE(p.date_done, p.create_date)",
                    "company_id": "p.company_id",
                    "order_id": "so.id",
                    "channel_id": "so.oms_channel_id",
                    "partner_id": "so.partner_id",
                    "picking_id": "p.id",
                    "return_shipping": "COALESCE(p.carrier_price, 0)",
                },
                f"""
                FROM stock_picking p
                JOIN oms_return r ON r.id = p.oms_return_id
                JOIN sale_order so ON so.id = {RETURN_ORDER}
                WHERE p.state != 'cancel' AND p.carrier_tracking_ref IS NOT NULL
                """,
            ),
            self._oms_select(
                {
                    "key": "aml.id",
                    "kind": "'return_credit'",
                    "date": "am.date",
                    "company_id": "am.company_id",
                    "order_id": "so.id",
                    "channel_id": "so.oms_channel_id",
                    "partner_id": "so.partner_id",
                    "product_id": "aml.product_id",
                    "move_line_id": "aml.id",
                    "move_id": "am.id",
                    "fee_income": f"CASE WHEN {is_fee} THEN -aml.balance ELSE 0 END",
                    "refunded": f"CASE WHEN {is_fee} THEN 0 ELSE aml.balance END",
                },
                f"""
                FROM account_move_line aml
                JOIN account_move am ON am.id = aml.move_id
                JOIN oms_return r ON r.id = am.oms_return_id
                LEFT JOIN product_product pp ON pp.id = aml.product_id
                JOIN sale_order so ON so.id = COALESCE(
                    (SELECT sol.order_id FROM sale_order_line_invoice_rel rel
                     JOIN sale_order_line sol ON sol.id = rel.order_line_id
                     WHERE rel.invoice_line_id = aml.id ORDER BY sol.id LIMIT 1),
                    {RETURN_ORDER}
                )
                WHERE am.state = 'posted' AND am.move_type = 'out_refund'
                  AND aml.display_type = 'product'
                """,
            ),
        ]
