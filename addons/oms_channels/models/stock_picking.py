import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..channel_clients import ChannelError, ChannelValidationError
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
            and p.sale_id.oms_channel_id.channel_type in ("shopify", "woocommerce", "amazon")
            and p.sale_id.oms_external_ref
            # Orders brought in already shipped (a migration, the demo): the channel knows.
            and not self.env.context.get("oms_channel_already_told")
        )
        for picking in shipped:
            picking.oms_channel_push_state = "pending"
            picking.with_delay(
                description=_("Tell %s about %s", picking.sale_id.oms_channel_id.name, picking.name)
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
            reference = getattr(self, f"_oms_push_shipment_{channel.channel_type}")(client, order)
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error), seconds=60) from error
            return self._oms_push_failed(error)
        except (ChannelError, UserError) as error:
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

    def _oms_push_shipment_shopify(self, client, order):
        shipped = {
            line.oms_external_line_id: qty
            for line, qty in self._oms_shipped_quantities().items()
            if line.oms_external_line_id
        }
        by_order = {}
        for fulfillment_order in client.get_fulfillment_orders(order.oms_external_ref):
            if not fulfillment_order.can_be_fulfilled:
                continue
            for item in fulfillment_order.line_items:
                wanted = min(int(shipped.get(item.line_item_id, 0)), item.fulfillable_quantity)
                if wanted > 0:
                    by_order.setdefault(fulfillment_order.id, {})[item.id] = wanted
                    shipped[item.line_item_id] -= wanted
        if not by_order:
            # Already fulfilled (a retry after a lost answer), or nothing to fulfil.
            return _("nothing left to fulfil")
        carrier, tracking, url = self._oms_tracking()
        fulfillment = client.create_fulfillment(
            by_order,
            tracking_number=tracking or None,
            tracking_company=carrier or None,
            tracking_url=url,
        )
        return fulfillment.id

    def _oms_push_shipment_woocommerce(self, client, order):
        carrier, tracking, url = self._oms_tracking()
        outgoing = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )
        # The last part shipped completes the order; an earlier part sent again
        # (a retry) stays a part.
        if all(
            p.state == "done" and (p.date_done, p.id) <= (self.date_done, self.id) for p in outgoing
        ):
            if tracking:
                client.push_tracking(order.oms_external_ref, carrier, tracking, url)
            else:
                client.complete_order(order.oms_external_ref)
            return _("completed")
        # What shipped and the delivery's reference: each part's note differs from
        # the others', so that a note already there means this part was told.
        items = ", ".join(
            f"{quantity:g} x {line.product_id.display_name}"
            for line, quantity in self._oms_shipped_quantities().items()
        )
        text = _(
            "Part of your order has shipped (%(reference)s): %(items)s",
            reference=self.name,
            items=items,
        )
        if tracking:
            text += _(
                ", with %(carrier)s, tracking number %(tracking)s",
                carrier=carrier,
                tracking=tracking,
            )
        note = client.add_order_note_once(order.oms_external_ref, text, customer_note=True)
        return note.id

    def _oms_push_shipment_amazon(self, client, order):
        carrier, tracking, _url = self._oms_tracking()
        if not tracking:
            raise UserError(_("Amazon needs a tracking number to confirm %s.", self.name))
        items = {
            line.oms_external_line_id: int(qty)
            for line, qty in self._oms_shipped_quantities().items()
            if line.oms_external_line_id and int(qty) > 0
        }
        try:
            client.confirm_shipment(
                order.oms_external_ref,
                package_reference_id=self.id,
                carrier_code="Other",
                carrier_name=carrier or "Other",
                tracking_number=tracking,
                ship_date=(self.date_done or fields.Datetime.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
                items=items,
            )
        except ChannelValidationError as error:
            # Amazon refuses a package it has already: the first try went through
            # and only its answer was lost.
            if "already used" not in str(error):
                raise
        return str(self.id)
