from odoo import api, models

from .sale_order_line import BATCH_KEY


class ProcurementGroup(models.Model):
    _inherit = "procurement.group"

    @api.model
    def _search_rule_for_warehouses(
        self, route_ids, packaging_id, product_id, warehouse_ids, domain
    ):
        """The procurements of several orders confirmed together: Odoo searches
        the rules once per procurement; products with the same routes, going to
        the same places, get the same answer, searched once per batch."""
        batch = self.env.context.get(BATCH_KEY)
        if not (batch and batch["open"]):
            return super()._search_rule_for_warehouses(
                route_ids, packaging_id, product_id, warehouse_ids, domain
            )
        product_routes = product_id.route_ids | product_id.categ_id.total_route_ids
        key = (
            self.env.uid,
            self.env.su,
            tuple(self.env.companies.ids),
            self.env.context.get("active_test", True),
            tuple(route_ids.ids) if route_ids else (),
            packaging_id.id if packaging_id else False,
            tuple(sorted(product_routes.ids)),
            tuple(warehouse_ids.ids) if warehouse_ids else (),
            repr(domain),
        )
        cache = batch.setdefault("rules", {})
        if key not in cache:
            cache[key] = super()._search_rule_for_warehouses(
                route_ids, packaging_id, product_id, warehouse_ids, domain
            )
        return cache[key]
