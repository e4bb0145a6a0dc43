"""An order cancelled in Odoo, cancelled in its channel."""

from odoo import _, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..channel_clients import ChannelError
from ..channel_connectors import Cancellation
from .oms_channel_product import TRANSIENT_ERRORS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_cancel(self):
        """An order cancelled in Odoo is cancelled in its channel too (not when the
        channel is where the cancellation came from)."""
        to_tell = self.filtered(
            lambda o: o.state != "cancel"
            and o.oms_external_ref
            and o.oms_channel_id
            and o.oms_channel_id._oms_connector().pushes_cancellations
        )
        result = super()._action_cancel()
        if not self.env.context.get("oms_channel_cancelled"):
            for order in to_tell.filtered(lambda o: o.state == "cancel"):
                order.with_delay(
                    description=_("Cancel %s in its channel", order.name)
                )._oms_push_cancellation()
        return result

    def _oms_push_cancellation(self):
        """Cancel the order in its channel; a refusal goes into the timeline."""
        self.ensure_one()
        channel = self.oms_channel_id
        connector = channel._oms_connector()
        if connector.cancels_unshipped_only:
            refusal = self._oms_amazon_cannot_cancel()
            if refusal:
                self._oms_log_event(
                    "note", _("Cancel it in Amazon Seller Central too"), reason=refusal
                )
                return False
        try:
            client = channel._oms_get_channel_client()
            asked = self.oms_hold_ids.filtered(lambda h: h.hold_type == "buyer_cancel")
            sent = connector.cancel_order(
                client,
                Cancellation(
                    order_id=self.oms_external_ref,
                    item_ids=tuple(
                        i
                        for i in dict.fromkeys(self.order_line.mapped("oms_external_line_id"))
                        if i
                    ),
                    buyer_asked=bool(asked),
                ),
            )
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error)) from error
            raise UserError(_("The channel could not be reached: %s", error)) from error
        except (ChannelError, UserError) as error:
            self._oms_log_event(
                "note", _("The channel refused the cancellation"), reason=str(error)
            )
            return False
        if sent:
            # A feed the channel processes later (Amazon's acknowledgement feed).
            self._oms_log_event(
                "note",
                _("Cancellation sent to %s", channel.name),
                reason=_(
                    "Order acknowledgement feed %(feed)s, reason %(reason)s: Amazon lists the "
                    "order Canceled once it has processed the feed.",
                    feed=sent.reference,
                    reason=sent.reason,
                ),
            )
            return True
        self._oms_log_event("note", _("Cancelled in %s too", channel.name))
        return True

    def _oms_amazon_cannot_cancel(self):
        """Why the seller cannot cancel this Amazon order (None when he can): Amazon
        fulfils it (FBA), or part of it has shipped (the acknowledgement feed
        would refund the whole order), or the channel has no seller id."""
        self.ensure_one()
        channel = self.oms_channel_id.sudo()
        shipped = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        if channel.fulfilled_picking_type_id and (
            shipped.picking_type_id & channel.fulfilled_picking_type_id
        ):
            return _(
                "Amazon fulfils this order (FBA or shipped before import): the seller "
                "cannot cancel it through the SP-API."
            )
        if shipped:
            return _(
                "Part of the order has shipped: Amazon's order acknowledgement feed "
                "would refund all of it. Refund what did not ship in Seller Central."
            )
        if not channel.amazon_seller_id:
            return _("%s has no Seller ID to send the cancellation with.", channel.name)
        if not self.order_line.filtered("oms_external_line_id"):
            return _("The order has no Amazon item ids to cancel.")
        return None
