from odoo import api, models

# The deliveries of several orders being confirmed together (see
# ``_action_launch_stock_rule``): {"open": bool, "ids": [picking ids], "rules": {},
# "origin_notes": [(pickings, orders)]}.
BATCH_KEY = "oms_deferred_pickings"


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

    def _prepare_procurement_values(self, group_id=False):
        """The deliveries follow the order's service level: scheduled on its ship-by
        date, due on its deliver-by date (a delivery date set on the order wins,
        as in Odoo), urgent for a fast service level, express or a VIP customer,
        so that Odoo's picking lists (priority, then scheduled date) put them first."""
        values = super()._prepare_procurement_values(group_id)
        order = self.order_id
        if order.oms_promised_date:
            values["date_planned"] = order.oms_promised_date
        if order.oms_deliver_by and not order.commitment_date:
            values["date_deadline"] = order.oms_deliver_by
        values["priority"] = order._oms_delivery_priority()
        return values

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
