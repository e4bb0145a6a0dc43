from odoo import models

from odoo.addons.oms_core.report.oms_cost_report import FIRST_DELIVERY, MOVE_SHARES


class OmsCostReport(models.Model):
    _inherit = "oms.cost.report"

    def _oms_cost_queries(self):
        """Handling at each delivery's source: per line shipped, and per shipment
        shared among its moves."""
        return [
            *super()._oms_cost_queries(),
            self._oms_select(
                {
                    "key": "ms.move_id",
                    "kind": "'handling'",
                    "date": "p.date_done",
                    "company_id": "p.company_id",
                    "order_id": "so.id",
                    "channel_id": "so.oms_channel_id",
                    "partner_id": "so.partner_id",
                    "product_id": "ms.product_id",
                    "picking_id": "p.id",
                    "handling_cost": "src.cost_per_line + src.cost_per_shipment * ms.share",
                    "split_cost": f"CASE WHEN p.id <> {FIRST_DELIVERY}"
                    " THEN src.cost_per_shipment * ms.share ELSE 0 END",
                },
                f"""
                FROM stock_picking p
                JOIN stock_picking_type t ON t.id = p.picking_type_id
                JOIN sale_order so ON so.id = p.sale_id
                JOIN {MOVE_SHARES} ms ON ms.picking_id = p.id
                JOIN LATERAL (
                    SELECT s.cost_per_shipment, s.cost_per_line FROM oms_routing_source s
                    WHERE s.warehouse_id = t.warehouse_id
                    ORDER BY s.active DESC, s.id LIMIT 1
                ) src ON TRUE
                WHERE p.state = 'done' AND t.code = 'outgoing'
                """,
            ),
        ]
