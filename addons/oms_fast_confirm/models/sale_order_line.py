from odoo import models

# The deliveries of several orders being confirmed together (see
# ``_action_launch_stock_rule``): {"open": bool, "ids": [picking ids], "rules": {},
# "origin_notes": [(pickings, orders)]}.
BATCH_KEY = "oms_deferred_pickings"


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        """Several orders confirmed together confirm their deliveries together: Odoo
        confirms them order by order (a scheduler check each); one call does the
        same for all of them. Meanwhile the stock rules are searched once per kind
        of product (procurement.group), the moves' states set once their reservation
        is over (stock.move) and the deliveries' notes naming their order written at
        once (stock.picking)."""
        if len(self.order_id) < 2 or self.env.context.get(BATCH_KEY) is not None:
            return super()._action_launch_stock_rule(previous_product_uom_qty)
        deferred = {"open": True, "ids": []}
        try:
            result = super(
                SaleOrderLine, self.with_context(**{BATCH_KEY: deferred})
            )._action_launch_stock_rule(previous_product_uom_qty)
        finally:
            # Records made meanwhile keep this context: later calls run at once.
            deferred["open"] = False
        if deferred.get("origin_notes"):
            self.env["stock.picking"]._oms_log_origin_notes(deferred["origin_notes"])
        pickings = self.env["stock.picking"].browse(dict.fromkeys(deferred["ids"]))
        if pickings:
            pickings.action_confirm()
        return result
