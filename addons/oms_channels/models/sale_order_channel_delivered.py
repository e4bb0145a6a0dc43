"""Orders the channel shipped itself, delivered from its own location."""

from odoo import _, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _oms_deliver_by_channel(self, channel):
        """Confirm orders the channel shipped itself (fulfilled outside Odoo, Amazon
        FBA) without procuring them from a warehouse, and record their goods as
        delivered from the channel's "fulfilled by channel" location: the delivered
        quantities are set, stock and valuation move from that location, and no
        delivery waits in a warehouse to be shipped twice. Their holds (an unknown
        product, a total that differs) stay, for a person, but hold nothing back."""
        if not self:
            return
        # Confirmed without procurement: Odoo's rules would make a warehouse delivery.
        self.with_context(oms_skip_holds=True, skip_procurement=True).action_confirm()
        for order in self:
            goods = order.order_line.filtered(
                lambda ol: not ol.display_type and ol.product_id.type == "consu"
            )
            order._oms_delivered_by_channel(
                channel, {line: line.product_uom_qty for line in goods}, _("The channel shipped it")
            )
        self._oms_sync_stage()

    def _oms_deliver_part_by_channel(self, channel, drafts):
        """Record the units the channel says it shipped already (``drafts``: {order
        id: its draft}, whose lines' ``shipped_quantity`` are a Shopify line
        fulfilled or partly fulfilled, an Amazon item's ``QuantityShipped``) as
        delivered from the channel's "fulfilled by channel" location, before the
        orders are confirmed: Odoo's procurement then asks the warehouses for the
        rest only, so nothing the channel shipped is shipped again."""
        for order in self:
            shipped = {line.external_id: line.shipped_quantity for line in drafts[order.id].lines}
            if not any(shipped.values()):
                continue
            by_ref = {
                line.oms_external_line_id: line
                for line in order.order_line
                if line.oms_external_line_id
                and not line.display_type
                and line.product_id.type == "consu"
            }
            quantities = {
                by_ref[ref]: min(quantity, by_ref[ref].product_uom_qty)
                for ref, quantity in shipped.items()
                if ref in by_ref and quantity > 0
            }
            order._oms_delivered_by_channel(
                channel, quantities, _("The channel shipped part of it before the import")
            )

    def _oms_delivered_by_channel(self, channel, quantities, reason):
        """A done delivery of ``quantities`` ({order line: quantity in its unit})
        from the channel's "fulfilled by channel" location, with the order's
        timeline saying so. The moves are done as Odoo's validation does them, but
        not through the delivery's validation: no carrier is chosen, no label
        bought, nothing told to the channel, which shipped them."""
        self.ensure_one()
        if not quantities:
            return
        channel._oms_fulfilled_by_channel_setup()
        channel = channel.sudo()
        location = channel.fulfilled_location_id
        order = self
        if not order.procurement_group_id:
            order.procurement_group_id = self.env["procurement.group"].create(
                order.order_line[:1]._prepare_procurement_group_vals()
            )
        customer = order.partner_shipping_id.property_stock_customer
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": channel.fulfilled_picking_type_id.id,
                    "location_id": location.id,
                    "location_dest_id": customer.id,
                    "partner_id": order.partner_shipping_id.id,
                    "origin": order.name,
                    "group_id": order.procurement_group_id.id,
                    "company_id": order.company_id.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": line.name,
                                "product_id": line.product_id.id,
                                "product_uom_qty": quantity,
                                "product_uom": line.product_uom.id,
                                "location_id": location.id,
                                "location_dest_id": customer.id,
                                "sale_line_id": line.id,
                                "group_id": order.procurement_group_id.id,
                                "company_id": order.company_id.id,
                            },
                        )
                        for line, quantity in quantities.items()
                    ],
                }
            )
        )
        picking.action_confirm()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.move_ids._action_done()
        picking.date_done = fields.Datetime.now()
        order._oms_log_event(
            "note",
            _("Fulfilled by %s", channel.name),
            reason=_(
                "%(reason)s: delivered from %(location)s (%(picking)s).",
                reason=reason,
                location=location.display_name,
                picking=picking.name,
            ),
        )
