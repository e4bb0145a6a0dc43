from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        """Held stock is promised stock: a delivery of an order reserves no unit
        that orders on hold in the same warehouse keep
        (``product.product._oms_soft_reserved_qty``); the held order's own
        delivery, once released, does."""
        held = self._oms_units_held_by_others(location_id)
        if held > 0:
            available = self._get_available_quantity(
                location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id, strict=strict
            )
            need = min(need, available - held)
            if need <= 0:
                return 0
        return super()._update_reserved_quantity(
            need,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    def _oms_units_held_by_others(self, location):
        """Units of the move's product that orders on hold, other than its own,
        keep in the warehouse of ``location`` (0 for moves not delivering an
        order)."""
        self.ensure_one()
        order = self.sale_line_id.order_id
        warehouse = location.warehouse_id
        if not order or not warehouse or location.usage != "internal":
            return 0.0
        held = self.product_id._oms_soft_reserved_qty(warehouse, exclude_orders=order)
        return held.get(self.product_id.id, 0.0)

    def _assign_picking_post_process(self, new=False):
        """An order's urgent deliveries (fast service level, express, VIP) come
        first in Odoo's lists and reservations: Odoo makes every new transfer
        normal, whatever the procurement said, and its moves follow it."""
        result = super()._assign_picking_post_process(new=new)
        urgent = self.filtered(
            lambda m: m.picking_id.priority == "0"
            and m.picking_code == "outgoing"
            and m.sale_line_id.order_id._oms_delivery_priority() == "1"
        ).picking_id
        if urgent:
            urgent.priority = "1"
        return result
