import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..channel_clients import ChannelError
from ..channel_connectors import ConnectorError, Shipment
from .oms_channel_product import TRANSIENT_ERRORS

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    oms_channel_push_state = fields.Selection(
        [("pending", "To Send"), ("done", "Sent"), ("error", "Error"), ("skipped", "Not Needed")],
        string="Channel Update",
        readonly=True,
        copy=False,
        help="Whether the channel was told about this shipment (carrier and tracking).",
    )
    oms_channel_push_error = fields.Text(string="Channel Update Error", readonly=True, copy=False)
    oms_channel_push_reference = fields.Char(
        string="Channel Fulfillment", readonly=True, copy=False
    )
    oms_channel_refund_ref = fields.Char(
        string="Channel Refund",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The channel's refund this return receipt brings the restocked items back "
        "for (refund:<id>).",
    )

    def _action_done(self):
        result = super()._action_done()
        shipped = self.filtered(
            lambda p: p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.sale_id.oms_channel_id
            and p.sale_id.oms_channel_id._oms_connector().pushes_shipments
            and p.sale_id.oms_external_ref
            # Orders brought in already shipped (a migration, the demo): the channel knows.
            and not self.env.context.get("oms_channel_already_told")
        )
        for picking in shipped:
            picking.oms_channel_push_state = "pending"
            picking.with_delay(
                description=_(
                    "Tell %(channel)s about %(delivery)s",
                    channel=picking.sale_id.oms_channel_id.name,
                    delivery=picking.name,
                )
            )._oms_push_shipment()
        self.filtered(
            lambda p: p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.sale_id.oms_channel_id.invoice_policy == "ship"
        ).sale_id._oms_queue_channel_invoice()
        return result

    def action_oms_push_shipment(self):
        """Send the shipment to the channel again (after fixing what it refused)."""
        for picking in self.filtered(lambda p: p.oms_channel_push_state in ("error", "pending")):
            picking._oms_push_shipment()
            if picking.oms_channel_push_state == "error":
                raise UserError(picking.oms_channel_push_error)
        return True

    def _oms_shipped_quantities(self):
        """``{sale line: quantity shipped}`` in this picking."""
        quantities = {}
        for move in self.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id):
            line = move.sale_line_id
            quantities[line] = quantities.get(line, 0) + move.product_uom._compute_quantity(
                move.quantity, line.product_uom
            )
        return quantities

    def _oms_push_shipment(self):
        """Tell the channel this delivery shipped, with its carrier and tracking.

        Transient channel errors are retried by the job; a refusal is recorded on
        the delivery and in the order's timeline."""
        self.ensure_one()
        order = self.sale_id
        channel = order.oms_channel_id
        if self.oms_channel_push_state == "done":
            return True
        try:
            client = channel._oms_get_channel_client()
            reference = channel._oms_connector().push_shipment(client, self._oms_shipment(order))
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error)) from error
            return self._oms_push_failed(error)
        except (ChannelError, ConnectorError, UserError) as error:
            return self._oms_push_failed(error)
        self.write(
            {
                "oms_channel_push_state": "done",
                "oms_channel_push_error": False,
                "oms_channel_push_reference": reference or False,
            }
        )
        order._oms_log_event(
            "note",
            _("%(channel)s told about %(picking)s", channel=channel.name, picking=self.name),
            reason=self.carrier_tracking_ref or False,
        )
        return True

    def _oms_push_failed(self, error):
        message = _("The channel refused the shipment: %s", error)
        self.write({"oms_channel_push_state": "error", "oms_channel_push_error": message})
        self.sale_id._oms_log_event(
            "note", _("Channel not told about %s", self.name), reason=message
        )
        return False

    def _oms_tracking(self):
        """(carrier name, tracking number, tracking URL) of the delivery, from the
        delivery-method fields when Odoo's stock_delivery is installed."""
        fields_ = self._fields
        carrier = self["carrier_id"].name if "carrier_id" in fields_ else ""
        tracking = self["carrier_tracking_ref"] if "carrier_tracking_ref" in fields_ else ""
        url = self["carrier_tracking_url"] if tracking and "carrier_tracking_url" in fields_ else ""
        return carrier or "", tracking or "", url or None

    def _oms_shipment(self, order):
        """The delivery as the channel's connector sends it (``Shipment``)."""
        carrier, tracking, url = self._oms_tracking()
        quantities = self._oms_shipped_quantities()
        outgoing = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )
        # The last part shipped completes the order; an earlier part sent again
        # (a retry) stays a part.
        last = all(
            p.state == "done" and (p.date_done, p.id) <= (self.date_done, self.id) for p in outgoing
        )
        note = ""
        if not last:
            # What shipped and the delivery's reference: each part's note differs
            # from the others', so that a note already there means it was told.
            items = ", ".join(
                f"{quantity:g} x {line.product_id.display_name}"
                for line, quantity in quantities.items()
            )
            note = _(
                "Part of your order has shipped (%(reference)s): %(items)s",
                reference=self.name,
                items=items,
            )
            if tracking:
                note += _(
                    ", with %(carrier)s, tracking number %(tracking)s",
                    carrier=carrier,
                    tracking=tracking,
                )
        return Shipment(
            order_id=order.oms_external_ref,
            reference=self.name,
            package_id=self.id,
            shipped={
                line.oms_external_line_id: quantity
                for line, quantity in quantities.items()
                if line.oms_external_line_id
            },
            carrier=carrier,
            tracking=tracking,
            tracking_url=url,
            ship_date=(self.date_done or fields.Datetime.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
            completes_order=last,
            part_note=note,
        )
