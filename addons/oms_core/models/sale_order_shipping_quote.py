from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _oms_quote_from(self, warehouse):
        """Hook: the cheapest price, in the company's currency, to ship this order
        from ``warehouse`` (routing's strategies with live carrier quotes ask it),
        or ``None`` when nothing quotes it. Nothing does here (``None``); a carrier
        addon (oms_carriers) answers with its carriers' quotes."""
        self.ensure_one()
