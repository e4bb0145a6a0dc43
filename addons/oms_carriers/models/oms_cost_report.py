from odoo import models

from odoo.addons.oms_core.report.oms_cost_report import (
    DELIVERY_MOVE_COLUMNS,
    DELIVERY_MOVES,
    FIRST_DELIVERY,
)


class OmsCostReport(models.Model):
    _inherit = "oms.cost.report"

    def _oms_cost_queries(self):
        """Shipping charged (invoice and credit note lines of shipping, shared among
        the order's lines) and each delivery's label cost (shared among its moves)."""
        split = f"p.id <> {FIRST_DELIVERY}"
        return [
            *super()._oms_cost_queries(),
            self._oms_select(
                {
                    "key": "aml.id",
                    "part": "line.id",
                    "kind": "'shipping'",
                    "date": "am.date",
                    "company_id": "am.company_id",
                    "order_id": "so.id",
                    "channel_id": "so.oms_channel_id",
                    "partner_id": "so.partner_id",
                    "product_id": "line.product_id",
                    "move_line_id": "aml.id",
                    "move_id": "am.id",
                    "shipping_charged": "-aml.balance * line.share",
                },
                """
                FROM account_move_line aml
                JOIN account_move am ON am.id = aml.move_id
                JOIN sale_order_line sol ON sol.id = (
                    SELECT rel.order_line_id FROM sale_order_line_invoice_rel rel
                    WHERE rel.invoice_line_id = aml.id ORDER BY rel.order_line_id LIMIT 1
                )
                JOIN sale_order so ON so.id = sol.order_id
                JOIN LATERAL (
                    SELECT goods.id, goods.product_id,
                           CASE WHEN SUM(goods.price_subtotal) OVER () > 0
                                THEN goods.price_subtotal / SUM(goods.price_subtotal) OVER ()
                                ELSE 1.0 / COUNT(*) OVER () END AS share
                    FROM sale_order_line goods
                    WHERE goods.order_id = so.id AND NOT goods.is_delivery
                      AND goods.display_type IS NULL
                    UNION ALL
                    -- An order of nothing but shipping keeps it whole.
                    SELECT NULL, NULL, 1.0 WHERE NOT EXISTS (
                        SELECT 1 FROM sale_order_line goods
                        WHERE goods.order_id = so.id AND NOT goods.is_delivery
                          AND goods.display_type IS NULL
                    )
                ) line ON TRUE
                WHERE am.state = 'posted'
                  AND am.move_type IN ('out_invoice', 'out_refund')
                  AND aml.display_type = 'product'
                  AND sol.is_delivery
                """,
            ),
            self._oms_select(
                {
                    **DELIVERY_MOVE_COLUMNS,
                    "kind": "'label'",
                    "label_cost": "COALESCE(p.carrier_price, 0) * ms.share",
                    "split_cost": f"CASE WHEN {split}"
                    " THEN COALESCE(p.carrier_price, 0) * ms.share ELSE 0 END",
                    "extra_shipments": f"CASE WHEN {split} AND ms.first_move THEN 1 ELSE 0 END",
                },
                DELIVERY_MOVES,
            ),
        ]
