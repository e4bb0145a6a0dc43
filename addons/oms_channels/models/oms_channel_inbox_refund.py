"""A channel's refunds in the inbox: read from the channel, applied to their order."""

import json
import logging

from odoo import _, models
from odoo.exceptions import UserError

from ..channel_clients import ChannelError
from ..channel_mappers import MappingError
from ..channel_mappers.refund import refund_ref

_logger = logging.getLogger(__name__)


class OmsChannelInbox(models.Model):
    _inherit = "oms.channel.inbox"

    def _oms_fetch_refunds(self, channel):
        """WooCommerce orders list their refunds' ids only: the refunds of the
        imported orders not in the inbox yet are read from the channel
        (``GET orders/<id>/refunds``), stored once each (``refund:<id>``, with the
        order's id) and applied. A channel without API credentials reads none; one
        that cannot answer now is asked again with the order's next version."""
        connector = channel._oms_connector()
        if not connector.lists_refunds_by_id:
            return
        wanted = {}
        for record in self.filtered(lambda r: r.state == "done" and r.order_id):
            ids = connector.listed_refund_ids(json.loads(record.body))
            if ids:
                wanted[record.external_id] = ids
        if not wanted:
            return
        known = set(
            self.sudo()
            .search(
                [
                    ("channel_id", "=", channel.id),
                    ("external_id", "in", [refund_ref(i) for ids in wanted.values() for i in ids]),
                ]
            )
            .mapped("external_id")
        )
        missing = {
            order: [i for i in ids if refund_ref(i) not in known] for order, ids in wanted.items()
        }
        if not any(missing.values()):
            return
        try:
            client = channel._oms_get_channel_client()
        except UserError:
            return  # webhooks only: no API to read the refunds with
        stored = self.browse()
        for order_id, ids in missing.items():
            if not ids:
                continue
            try:
                refunds = connector.list_refunds(client, order_id)
            except ChannelError as error:
                _logger.warning(
                    "Channel %s: the refunds of order %s could not be read: %s",
                    channel.id,
                    order_id,
                    error,
                )
                continue
            for refund in refunds:
                if str(refund.get("id")) in ids:
                    body = json.dumps(dict(refund, order_id=order_id))
                    stored |= self._oms_store(channel, "pull", body, topic="refund")[0]
        stored._oms_process()

    def _oms_process_refund(self):
        """A refund the channel made: a credit note, the money back and the restock
        on its order (sale.order._oms_apply_channel_refund), once. A refund that
        cannot be read, of an order not imported, or that does not fit its order
        ends in error with the reason and writes nothing; reprocess it when fixed."""
        self.ensure_one()
        channel = self.channel_id
        connector = channel._oms_connector()
        mapper = connector.map_refund
        if not connector.can_map_refunds():
            self._oms_fail(_("Refunds of %s channels cannot be imported.", channel.name))
            return
        try:
            refund = mapper(self.body)
        except MappingError as error:
            self._oms_fail(str(error))
            return
        order = self.env["sale.order"]._oms_channel_order(channel, refund.order_external_id)
        if not order:
            self._oms_fail(
                _(
                    "Refund %(refund)s is of order %(order)s, which %(channel)s has not "
                    "imported: reprocess it once the order is.",
                    refund=refund.external_id,
                    order=refund.order_external_id,
                    channel=channel.name,
                )
            )
            return
        try:
            with self.env.cr.savepoint():
                order._oms_apply_channel_refund(refund)
        except UserError as error:
            self._oms_fail(str(error))
            return
        self.write({"state": "done", "order_id": order.id, "error_message": False})
