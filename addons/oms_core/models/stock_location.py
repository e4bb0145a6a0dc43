from odoo import api, fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    oms_not_sellable = fields.Boolean(
        string="Not Free Stock",
        help="Quarantine, damaged goods, returns waiting for inspection: what lies here "
        "(and in its sub-locations) is never routed nor offered to the channels.",
    )

    @api.model
    def _oms_sellable_domain(self, warehouses):
        """Domain of the locations whose stock ``warehouses`` may sell: internal
        locations under each warehouse's stock location, not scrap, not marked *Not
        Free Stock* (nor under one). Returns and quarantine locations made outside
        the stock location (oms_returns') are left out by construction. Routing
        and the channels' stock push both read stock through it."""
        stock_locations = warehouses.lot_stock_id
        if not stock_locations:
            return [("id", "=", False)]
        domain = [
            ("id", "child_of", stock_locations.ids),
            ("usage", "=", "internal"),
            ("scrap_location", "=", False),
        ]
        excluded = self.search([("oms_not_sellable", "=", True)])
        if excluded:
            domain.append(("id", "not in", self.search([("id", "child_of", excluded.ids)]).ids))
        return domain

    @api.model
    def _oms_sellable_locations(self, warehouses):
        return self.search(self._oms_sellable_domain(warehouses))
