from odoo import models

from odoo.addons.oms_core.report.oms_cost_report import FIRST_DELIVERY


class OmsCostReport(models.Model):
    _inherit = "oms.cost.report"

    def _oms_cost_queries(self):
        """Shipping charged (invoice and credit note lines of shipping) and each
        delivery's label cost."""
        split = f"p.id <> {FIRST_DELIVERY}"
        return [
            *super()._oms_cost_queries(),
            self._oms_select(
                {
                    "id": "aml.id * 10 + 1",
                    "kind": "'shipping'",
                    "date": "am.date",
                    "company_id": "am.company_id",
                    "order_id": "so.id",
                    "channel_id": "so.oms_channel_id",
                    "partner_id": "so.partner_id",
                    "move_line_id": "aml.id",
                    "move_id": "am.id",
                    "shipping_charged": "-aml.balance",
                },
                """
                FROM account_move_line aml
                JOIN account_move am ON am.id = aml.move_id
                JOIN sale_order_line sol ON sol.id = (
                    SELECT rel.order_line_id FROM sale_order_line_invoice_rel rel
                    WHERE rel.invoice_line_id = aml.id ORDER BY rel.order_line_id LIMIT 1
                )
                JOIN sale_order so ON so.id = sol.order_id
                WHERE am.state = 'posted'
                  AND am.move_type IN ('out_invoice', 'out_refund')
                  AND aml.display_type = 'product'
                  AND sol.is_delivery
                """,
            ),
            self._oms_select(
                {
                    "id": "p.id * 10 + 2",
                    "kind": "'label'",
                    "date": "p.date_done",
                    "company_id": "p.company_id",
                    "order_id": "so.id",
                    "channel_id": "so.oms_channel_id",
                    "partner_id": "so.partner_id",
                    "picking_id": "p.id",
                    "label_cost": "COALESCE(p.carrier_price, 0)",
                    "split_cost": f"CASE WHEN {split} THEN COALESCE(p.carrier_price, 0) ELSE 0 END",
                    "extra_shipments": f"CASE WHEN {split} THEN 1 ELSE 0 END",
                },
                """
                FROM stock_picking p
                JOIN stock_picking_type t ON t.id = p.picking_type_id
                JOIN sale_order so ON so.id = p.sale_id
                WHERE p.state = 'done' AND t.code = 'outgoing'
                """,
            ),
        ]
