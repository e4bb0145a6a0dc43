from odoo import fields, models
from odoo.tools import float_compare


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    oms_allocation_ids = fields.One2many(
        "oms.routing.allocation", "line_id", string="Routing Allocations", readonly=True
    )
    oms_backorder_qty = fields.Float(
        string="Backordered",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
        help="Units of this line no fulfilment source has now: its delivery waits for them.",
    )
    oms_backorder_date = fields.Date(
        string="Expected to Ship",
        readonly=True,
        copy=False,
        help="When the receipts planned at its source cover the backordered units, after "
        "the deliveries waiting there before it. Empty: no receipt covers them yet.",
    )

    def _oms_quantity_to_route(self):
        """What the line still needs from a source, in its unit: its quantity less
        what was delivered already (units the channel shipped before the import,
        delivered from its "fulfilled by channel" location), as Odoo's procurement
        counts it."""
        self.ensure_one()
        return max(self.product_uom_qty - self.qty_delivered, 0.0)

    def _oms_current_allocations(self):
        """The allocations of the order's latest routing decision for this line."""
        decision = self.order_id.oms_routing_decision_ids[:1]
        return self.oms_allocation_ids.filtered(lambda a: a.decision_id == decision)

    def _create_procurements(self, product_qty, procurement_uom, origin, values):
        """One procurement per source the line was routed to: Odoo's rules then make
        one delivery per warehouse, and a purchase for what a vendor dropships."""
        allocations = self._oms_current_allocations()
        if not allocations:
            return super()._create_procurements(product_qty, procurement_uom, origin, values)
        wanted = self.product_id.uom_id._compute_quantity(product_qty, procurement_uom)
        allocated = sum(allocations.mapped("quantity"))
        rounding = self.product_id.uom_id.rounding
        if float_compare(wanted, allocated, precision_rounding=rounding):
            # A later change of quantity: procured the usual way.
            return super()._create_procurements(product_qty, procurement_uom, origin, values)
        dropship = self.env.ref("stock_dropshipping.route_drop_shipping", raise_if_not_found=False)
        procurements = []
        for allocation in allocations:
            source = allocation.source_id
            part_values = dict(values)
            if source.kind == "dropship":
                part_values["route_ids"] = dropship
                part_values["supplierinfo_name"] = source.vendor_id
            else:
                part_values["warehouse_id"] = source.warehouse_id
            quantity = self.product_id.uom_id._compute_quantity(
                allocation.quantity, procurement_uom
            )
            procurements += super()._create_procurements(
                quantity, procurement_uom, origin, part_values
            )
        return procurements
