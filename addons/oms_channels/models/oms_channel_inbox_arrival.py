"""Payloads kept in the inbox by the state their order arrives in (pending in
the channel, cancelled before import, before the import date)."""

from odoo import _, models


class OmsChannelInbox(models.Model):
    _inherit = "oms.channel.inbox"

    def _oms_wait(self, message):
        """The channel cannot give the order whole yet (Amazon ``Pending``): the
        payload waits, not in error; the order's next version is imported."""
        self.write({"state": "pending", "error_message": message})

    def _oms_kept_in_inbox(self, draft):
        """Keep a new order in the inbox instead of making it: one created before
        its channel's import date, or one the channel cancelled before import when
        its channel says so (instead of a cancelled sales order). True if kept."""
        self.ensure_one()
        if self._oms_keep_too_old(draft):
            return True
        if not draft.cancelled or self.channel_id.cancelled_arrival != "inbox":
            return False
        self.write(
            {
                "state": "cancelled",
                "error_message": _(
                    "Cancelled in the channel before import (%s): no order made.",
                    draft.cancel_reason or draft.channel_status or _("no reason given"),
                ),
            }
        )
        return True

    def _oms_keep_too_old(self, draft):
        """Keep a new order created before its channel's import date in the inbox
        (unless the channel imports older open orders and it is open)."""
        channel = self.channel_id
        start = channel.import_orders_from
        if not start or not draft.created_at:
            return False
        if draft.created_at.replace(tzinfo=None) >= start:
            return False
        if channel.import_older_open and not draft.cancelled and not draft.fulfilled_by_channel:
            return False
        self.write(
            {
                "state": "too_old",
                "error_message": _(
                    "Created in the channel (%(created)s) before %(channel)s imports orders "
                    "(%(start)s): no order made.",
                    created=draft.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    channel=channel.name,
                    start=start,
                ),
            }
        )
        return True

    def _oms_settle_pending(self):
        """Pending versions of orders imported since are superseded: stale."""
        done = self.filtered(lambda r: r.state == "done" and r.order_id)
        if not done:
            return
        waiting = self.sudo().search(
            [
                ("state", "=", "pending"),
                ("channel_id", "in", done.channel_id.ids),
                ("external_id", "in", done.mapped("external_id")),
            ]
        )
        for record in waiting:
            order = done.filtered(
                lambda r, w=record: r.channel_id == w.channel_id and r.external_id == w.external_id
            )[:1].order_id
            record.write(
                {
                    "state": "stale",
                    "order_id": order.id,
                    "error_message": _("A later version of this order was imported."),
                }
            )
