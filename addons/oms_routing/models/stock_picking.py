from odoo import _, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def action_oms_reject(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Cannot Ship These Lines"),
            "res_model": "stock.picking.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"active_id": self.id},
        }

    def action_cancel(self):
        """A routed delivery cancelled on its own: its lines go to another source."""
        to_route = self.filtered(
            lambda p: p.picking_type_code == "outgoing"
            and p.state not in ("done", "cancel")
            and p.sale_id.state == "sale"
            and p.sale_id.oms_routing_decision_ids
        )
        pending = {}
        if not self.env.context.get("oms_no_reroute"):
            for picking in to_route:
                quantities = {}
                for move in picking.move_ids.filtered(
                    lambda m: m.sale_line_id and m.state not in ("done", "cancel")
                ):
                    line = move.sale_line_id
                    quantities[line] = quantities.get(
                        line, 0.0
                    ) + move.product_uom._compute_quantity(move.product_uom_qty, line.product_uom)
                if quantities:
                    pending[picking] = quantities
        result = super().action_cancel()
        for picking, quantities in pending.items():
            source = (
                self.env["oms.routing.source"]
                .sudo()
                .search([("warehouse_id", "=", picking.picking_type_id.warehouse_id.id)], limit=1)
            )
            if source:
                picking.sale_id._oms_reroute(
                    quantities, source, _("its delivery %s was cancelled", picking.name)
                )
        return result
