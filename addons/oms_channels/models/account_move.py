"""Credit notes and the channel: a refund the channel made is credited once
(its reference); a refund made in Odoo on a channel order is sent to the
channel once (Shopify, WooCommerce), with the channel's refund id kept."""

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..channel_clients import ChannelError
from ..channel_connectors import RefundRequest
from ..channel_mappers.refund import refund_ref
from .oms_channel_product import TRANSIENT_ERRORS

# The channel kinds a refund made in Odoo is sent to.


def refund_marker(move):
    """What a refund sent to a channel is noted with (Shopify's note, WooCommerce's
    reason): found again after a lost answer, and known when the channel sends
    it back (Shopify's refunds/create)."""
    return f"Odoo {move.name}"


class AccountMove(models.Model):
    _inherit = "account.move"

    oms_channel_id = fields.Many2one(
        "oms.channel",
        string="Refunded by Channel",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The channel whose refund this credit note records.",
    )
    oms_channel_refund_ref = fields.Char(
        string="Channel Refund",
        copy=False,
        readonly=True,
        help="The channel's refund this credit note records (refund:<id>): one credit "
        "note per channel refund.",
    )
    oms_channel_push_state = fields.Selection(
        [("pending", "To Send"), ("done", "Sent"), ("error", "Error")],
        string="Refund in the Channel",
        copy=False,
        readonly=True,
        help="Whether this credit note of a channel order was refunded in the channel "
        "(the customer's money back where they paid).",
    )
    oms_channel_push_error = fields.Text(string="Channel Refund Error", copy=False, readonly=True)

    _sql_constraints = [
        (
            "oms_channel_refund_ref_uniq",
            "UNIQUE (oms_channel_id, oms_channel_refund_ref)",
            "A channel's refund is credited once.",
        )
    ]

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._oms_queue_channel_refund()
        return posted

    def _oms_money_back_through_channel(self):
        """A credit note refunded in its order's channel (queued or done) sends the
        money back there."""
        return (
            self.oms_channel_push_state in ("pending", "done")
            or super()._oms_money_back_through_channel()
        )

    def _oms_channel_order(self):
        self.ensure_one()
        return self.sudo().invoice_line_ids.sale_line_ids.order_id[:1]

    def _oms_queue_channel_refund(self):
        """Credit notes of channel orders made in Odoo (not from a channel's refund)
        are refunded in the channel by a job each."""
        for move in self.filtered(
            lambda m: m.move_type == "out_refund" and not m.oms_channel_refund_ref
        ):
            order = move._oms_channel_order()
            channel = order.oms_channel_id
            if (
                not (channel and order.oms_external_ref)
                or not channel._oms_connector().pushes_refunds
            ):
                continue
            move.sudo().oms_channel_push_state = "pending"
            move.with_delay(
                identity_key=f"oms_channel_refund_push({move.id})",
                description=_(
                    "Refund %(move)s in %(channel)s", move=move.name, channel=channel.name
                ),
            )._oms_push_channel_refund()

    def action_oms_push_channel_refund(self):
        """Send again a refund the channel refused (after fixing its cause)."""
        self.filtered(lambda m: m.oms_channel_push_state == "error")._oms_queue_channel_refund()
        return True

    def _oms_push_channel_refund(self):
        """Refund the credit note in its order's channel, once: the refund is
        looked for by its marker first (a retry after a lost answer finds it),
        then made; its id is kept as the credit note's channel refund, and the
        money the channel returned is posted in its journal, reconciled with the
        credit note. Transient channel errors are retried by the job; a refusal is
        recorded on the credit note and in the order's timeline."""
        self.ensure_one()
        self.env.cr.execute("SELECT id FROM account_move WHERE id = %s FOR UPDATE", [self.id])
        self.invalidate_recordset()
        move = self.sudo()
        if move.oms_channel_refund_ref or move.state != "posted":
            return move.oms_channel_refund_ref
        order = move._oms_channel_order()
        channel = order.oms_channel_id
        marker = refund_marker(move)
        try:
            client = channel._oms_get_channel_client()
            remote_id, amount = channel._oms_connector().push_refund(
                client, move._oms_refund_request(order, marker)
            )
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error)) from error
            return move._oms_push_refund_failed(order, error)
        except (ChannelError, UserError) as error:
            return move._oms_push_refund_failed(order, error)
        ref = refund_ref(remote_id)
        move.write(
            {
                "oms_channel_push_state": "done",
                "oms_channel_push_error": False,
                "oms_channel_id": channel.id,
                "oms_channel_refund_ref": ref,
            }
        )
        order._oms_channel_refund_payment(
            amount,
            ref,
            _("%(channel)s refund %(refund)s", channel=channel.name, refund=remote_id),
            move,
        )
        order._oms_log_event(
            "note",
            _("Refund %(move)s sent to %(channel)s", move=move.name, channel=channel.name),
            reason=f"{remote_id}: {move.currency_id.format(float(amount))}",
        )
        return ref

    def _oms_refund_items(self):
        """{channel line id: quantity} of the credit note's goods, and the amount of
        its shipping (as the order's prices are: tax included or not)."""
        items, shipping = {}, 0.0
        for line in self.invoice_line_ids.filtered(lambda ln: ln.display_type == "product"):
            sale_line = line.sale_line_ids[:1]
            if sale_line.is_delivery:
                shipping += line.price_unit * line.quantity * (1 - line.discount / 100)
            elif sale_line.oms_external_line_id:
                key = sale_line.oms_external_line_id
                items[key] = items.get(key, 0) + int(line.quantity)
        return items, shipping

    def _oms_refund_request(self, order, marker):
        """The credit note as the channel's connector sends it (``RefundRequest``)."""
        items, shipping = self._oms_refund_items()
        lines = []
        for line in self.invoice_line_ids.filtered(lambda ln: ln.display_type == "product"):
            sale_line = line.sale_line_ids[:1]
            if sale_line.oms_external_line_id and not sale_line.is_delivery:
                lines.append((sale_line.oms_external_line_id, line.quantity, line.price_subtotal))
        return RefundRequest(
            order_id=order.oms_external_ref,
            marker=marker,
            items=items,
            shipping=shipping,
            total=self.amount_total,
            lines=tuple(lines),
        )

    def _oms_push_refund_failed(self, order, error):
        message = _("The channel refused the refund: %s", error)
        self.write({"oms_channel_push_state": "error", "oms_channel_push_error": message})
        order._oms_log_event(
            "note",
            _(
                "Refund %(move)s not sent to %(channel)s",
                move=self.name,
                channel=order.oms_channel_id.name,
            ),
            reason=str(error),
        )
        return False
