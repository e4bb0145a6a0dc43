"""Deliveries of EDI orders: an advance ship notice (856 / DESADV) when done,
one carton per package (SSCC-18), the delivery's tracking number."""

from odoo import _, models

from ..channel_edi.outbound import Carton, ShipNotice, sscc
from .sale_order_edi import edi_line


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        for picking in self.filtered(
            lambda p: p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.sale_id.oms_channel_id.channel_type == "edi"
            and p.sale_id.oms_external_ref
        ):
            picking._oms_edi_send_ship_notice()
        return result

    def _oms_edi_cartons(self, prefix):
        """The cartons of the delivery: one per destination package, or the
        delivery as one carton when nothing was packed."""
        by_package = {}
        for move_line in self.move_line_ids.filtered(
            lambda ml: ml.quantity and ml.move_id.sale_line_id
        ):
            by_package.setdefault(move_line.result_package_id, []).append(move_line)
        cartons = []
        for package, move_lines in by_package.items():
            # Packages and unpacked deliveries never share a serial: the
            # latter start with a 9.
            width = 16 - len("".join(ch for ch in prefix if ch.isdigit()))
            serial = package.id if package else int("9" + str(self.id).zfill(width - 1))
            lines = []
            for move_line in move_lines:
                sale_line = move_line.move_id.sale_line_id
                quantity = move_line.product_uom_id._compute_quantity(
                    move_line.quantity, sale_line.product_uom
                )
                lines.append(edi_line(sale_line, quantity))
            cartons.append(Carton(sscc(prefix, serial), tuple(lines)))
        return tuple(cartons)

    def _oms_edi_send_ship_notice(self):
        self.ensure_one()
        order = self.sale_id
        channel = order.oms_channel_id.sudo()
        if not channel.edi_gs1_prefix:
            order._oms_log_event(
                "note",
                _("No ship notice sent for %s", self.name),
                reason=_("Set the GS1 company prefix of %s: cartons need an SSCC.", channel.name),
            )
            return False
        carrier, tracking, _url = self._oms_tracking()
        moment = self.date_done
        ship_to = order.partner_shipping_id
        document = ShipNotice(
            number=self.name,
            po_number=order.oms_external_ref,
            date=moment.strftime("%Y%m%d"),
            time=moment.strftime("%H%M"),
            carrier=carrier,
            tracking=tracking,
            ship_to_code=ship_to.ref or "",
            ship_to_name=ship_to.name or "",
            cartons=self._oms_edi_cartons(channel.edi_gs1_prefix),
        )
        return channel._oms_edi_send("ship_notice", document, order)
