from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._oms_fields_changed({"order_line"})
        return lines

    def write(self, vals):
        result = super().write(vals)
        self.order_id._oms_fields_changed({"order_line"})
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders.exists()._oms_fields_changed({"order_line"})
        return result

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        """Several orders confirmed together confirm their deliveries together: Odoo
        confirms them order by order (a scheduler check each); one call does the
        same for all of them."""
        if len(self.order_id) < 2 or self.env.context.get("oms_deferred_pickings") is not None:
            return super()._action_launch_stock_rule(previous_product_uom_qty)
        deferred = {"open": True, "ids": []}
        try:
            result = super(
                SaleOrderLine, self.with_context(oms_deferred_pickings=deferred)
            )._action_launch_stock_rule(previous_product_uom_qty)
        finally:
            # Records made meanwhile keep this context: later calls run at once.
            deferred["open"] = False
        pickings = self.env["stock.picking"].browse(dict.fromkeys(deferred["ids"]))
        if pickings:
            pickings.action_confirm()
        return result
