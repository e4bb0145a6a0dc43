from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class OmsReturn(models.Model):
    """What comes back: Odoo's return receipts of the original deliveries, their
    receipt, and the inspection that restocks, scraps or quarantines each line."""

    _inherit = "oms.return"

    picking_ids = fields.One2many("stock.picking", "oms_return_id", string="Receipts")
    can_be_received = fields.Boolean(compute="_compute_can_be_received")
    can_be_inspected = fields.Boolean(compute="_compute_can_be_received")

    @api.depends("state", "line_ids.disposition")
    def _compute_can_be_received(self):
        for request in self:
            state = request.state
            request.can_be_received = state in ("approved", "label_sent", "in_transit")
            request.can_be_inspected = state == "received" and all(
                line.disposition or line.keep_item for line in request.line_ids
            )

    def action_receive(self):
        """The parcel is here. Receipts the warehouse has not validated yet are
        validated with the quantities requested (no backorder); to receive less,
        validate the receipt itself first."""
        self._ensure_can_be("received")
        for request in self:
            for receipt in request.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            ):
                for move in receipt.move_ids:
                    move.quantity = move.product_uom_qty
                receipt.move_ids.picked = True
                receipt.with_context(cancel_backorder=True)._action_done()
            done_moves = request.picking_ids.filtered(lambda p: p.state == "done").move_ids
            for line in request.line_ids:
                if line.keep_item:
                    line.quantity_received = line.quantity
                    continue
                received = sum(
                    move.product_uom._compute_quantity(move.quantity, line.sale_line_id.product_uom)
                    for move in done_moves.filtered(
                        lambda m, sl=line.sale_line_id: m.sale_line_id == sl
                    )
                )
                if (
                    float_compare(
                        received,
                        line.quantity,
                        precision_rounding=line.sale_line_id.product_uom.rounding,
                    )
                    > 0
                ):
                    raise UserError(
                        _(
                            "%(request)s: %(received)s of %(product)s received, but only "
                            "%(requested)s requested. Receive no more than requested: send "
                            "the surplus back or make a new request for it.",
                            request=request.name,
                            received=received,
                            product=line.product_id.display_name,
                            requested=line.quantity,
                        )
                    )
                line.quantity_received = received
            request.state = "received"
            request._oms_mail_step(_("Return %s received", request.name), "received")
        return True

    def action_inspect(self):
        """Apply each line's disposition: back to stock, scrap, or quarantine."""
        self._ensure_can_be("inspected")
        for request in self:
            used = {}
            for line in request.line_ids.filtered(
                lambda ln: not ln.keep_item and ln.quantity_received
            ):
                request._oms_dispose(line, used)
            request.state = "inspected"
            request._oms_log(_("Return %s inspected", request.name))
        return True

    def _oms_create_receipts(self):
        """Odoo's return of the original deliveries, into the warehouse's returns
        location, for what comes back."""
        self.ensure_one()
        coming_back = self.line_ids.filtered(lambda ln: not ln.keep_item)
        # What is still to ask for, over all the deliveries: each delivery is asked
        # only for what came from it and is not asked of an earlier one.
        wanted = {}
        for line in coming_back:
            wanted[line.sale_line_id] = wanted.get(line.sale_line_id, 0.0) + line.quantity
        for delivery in coming_back.sale_line_id.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
        ).picking_id.sorted("id"):
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=delivery.id, active_model="stock.picking")
                .create({"picking_id": delivery.id})
            )
            for return_line in wizard.product_return_moves:
                sale_line = return_line.move_id.sale_line_id
                quantity = min(wanted.get(sale_line, 0.0), return_line.move_id.quantity)
                return_line.quantity = quantity
                if sale_line in wanted:
                    wanted[sale_line] -= quantity
            if not any(wizard.product_return_moves.mapped("quantity")):
                continue
            receipt = wizard._create_return()
            returns_location = self._oms_location(receipt.picking_type_id.warehouse_id, "Returns")
            receipt.write({"location_dest_id": returns_location.id, "oms_return_id": self.id})
            receipt.move_ids.write({"location_dest_id": returns_location.id})
            receipt.move_line_ids.write({"location_dest_id": returns_location.id})

    def _oms_location(self, warehouse, name):
        """The warehouse's internal location ``name`` (Returns, Quarantine), made once."""
        Location = self.env["stock.location"].sudo()
        parent = warehouse.view_location_id
        return Location.search(
            [("location_id", "=", parent.id), ("name", "=", name), ("usage", "=", "internal")],
            limit=1,
        ) or Location.create({"name": name, "location_id": parent.id, "usage": "internal"})

    def _oms_dispose(self, line, used=None):
        """Restock, scrap or quarantine what came back of ``line``, from where each
        receipt put it (a line returned through the receipts of two warehouses goes
        back to each warehouse's stock from its own Returns location). ``used``: the
        quantity of each receipt move already disposed of by the request's earlier
        lines of the same order line, updated."""
        used = {} if used is None else used
        receipt_moves = (
            self.picking_ids.filtered(lambda p: p.state == "done")
            .move_ids.filtered(lambda m: m.sale_line_id == line.sale_line_id and m.state == "done")
            .sorted("id")
        )
        product_uom = line.product_id.uom_id
        left = line.sale_line_id.product_uom._compute_quantity(line.quantity_received, product_uom)
        for move in receipt_moves:
            if float_compare(left, 0.0, precision_rounding=product_uom.rounding) <= 0:
                break
            available = move.product_uom._compute_quantity(move.quantity, product_uom)
            part = min(left, available - used.get(move, 0.0))
            if float_compare(part, 0.0, precision_rounding=product_uom.rounding) <= 0:
                continue
            used[move] = used.get(move, 0.0) + part
            left -= part
            source = move.location_dest_id
            warehouse = source.warehouse_id or move.picking_type_id.warehouse_id
            self._oms_dispose_from(line, source, warehouse, part)

    def _oms_dispose_from(self, line, source, warehouse, quantity):
        """``quantity`` (in the product's unit) of ``line`` from ``source`` (a
        warehouse's Returns location) to the line's fate in that ``warehouse``."""
        if line.disposition == "scrap":
            scrap = self.env["stock.scrap"].create(
                {
                    "product_id": line.product_id.id,
                    "scrap_qty": quantity,
                    "location_id": source.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                }
            )
            scrap.action_validate()
            return
        destination = (
            warehouse.lot_stock_id
            if line.disposition == "restock"
            else self._oms_location(warehouse, "Quarantine")
        )
        move = self.env["stock.move"].create(
            {
                "name": _(
                    "%(name)s: %(disposition)s", name=self.name, disposition=line.disposition
                ),
                "product_id": line.product_id.id,
                "product_uom_qty": quantity,
                "product_uom": line.product_id.uom_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "origin": self.name,
                "company_id": self.company_id.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.quantity = quantity
        move.picked = True
        move._action_done()
