from odoo import models

from odoo.addons.oms_core.report.oms_cost_report import (
    DELIVERY_MOVE_COLUMNS,
    DELIVERY_MOVES_FROM,
    DELIVERY_MOVES_WHERE,
    FIRST_DELIVERY,
)


class OmsCostReport(models.Model):
    _inherit = "oms.cost.report"

    def _oms_cost_queries(self):
        """Handling at each delivery's source: per line shipped, and per shipment
        shared among its moves."""
        return [
            *super()._oms_cost_queries(),
            self._oms_select(
                {
                    **DELIVERY_MOVE_COLUMNS,
                    "kind": "'handling'",
                    "handling_cost": "src.cost_per_line + src.cost_per_shipment * ms.share",
                    "split_cost": f"CASE WHEN p.id <> {FIRST_DELIVERY}"
                    " THEN src.cost_per_shipment * ms.share ELSE 0 END",
                },
                f"""{DELIVERY_MOVES_FROM}
                JOIN LATERAL (
                    SELECT s.cost_per_shipment, s.cost_per_line FROM oms_routing_source s
                    WHERE s.warehouse_id = t.warehouse_id
                    ORDER BY s.active DESC, s.id LIMIT 1
                ) src ON TRUE
                {DELIVERY_MOVES_WHERE}""",
            ),
        ]
