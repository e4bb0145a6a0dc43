from odoo import api, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _oms_soft_reserved_qty(self, warehouses=None, exclude_orders=None):
        """``{product id: quantity}`` (in the product's unit) of these products held
        by orders on hold: a quotation with an active hold keeps its units until it
        is confirmed (released) or cancelled. Routing subtracts them from the free
        stock of the order's warehouse, and the channels' stock push from the
        figure it sends.

        ``warehouses``: only the held orders of these warehouses (all when None).
        ``exclude_orders``: orders whose own units are not counted."""
        held = {}
        for per_product in (
            self.env["product.product"]
            ._oms_soft_reserved_by_warehouse(self, warehouses, exclude_orders)
            .values()
        ):
            for product_id, quantity in per_product.items():
                held[product_id] = held.get(product_id, 0.0) + quantity
        return held

    @api.model
    def _oms_soft_reserved_by_warehouse(self, products, warehouses=None, exclude_orders=None):
        """``{warehouse id: {product id: quantity}}`` held by orders on hold, per
        warehouse of the order, in one query (see ``_oms_soft_reserved_qty``)."""
        if not products:
            return {}
        domain = [
            ("product_id", "in", products.ids),
            ("display_type", "=", False),
            ("order_id.state", "in", ("draft", "sent")),
            ("order_id.oms_stage", "=", "on_hold"),
        ]
        if warehouses is not None:
            domain.append(("order_id.warehouse_id", "in", warehouses.ids))
        if exclude_orders:
            domain.append(("order_id", "not in", exclude_orders.ids))
        held = {}
        # Units delivered already (a channel shipped them before the import) are
        # not held: they left from the channel's own location.
        for order, product, uom, quantity, delivered in (
            self.env["sale.order.line"]
            .sudo()
            ._read_group(
                domain,
                ["order_id", "product_id", "product_uom"],
                ["product_uom_qty:sum", "qty_delivered:sum"],
            )
        ):
            left = max(quantity - delivered, 0.0)
            if not left:
                continue
            per = held.setdefault(order.warehouse_id.id, {})
            per[product.id] = per.get(product.id, 0.0) + uom._compute_quantity(
                left, product.uom_id, rounding_method="HALF-UP"
            )
        return held

    @api.model
    def _oms_held_product_ids(self):
        """Ids of the products any order on hold keeps units of (one query)."""
        return {
            product.id
            for (product,) in self.env["sale.order.line"]
            .sudo()
            ._read_group(
                [
                    ("display_type", "=", False),
                    ("product_id", "!=", False),
                    ("order_id.state", "in", ("draft", "sent")),
                    ("order_id.oms_stage", "=", "on_hold"),
                ],
                ["product_id"],
            )
        }
