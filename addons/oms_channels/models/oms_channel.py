import json
import logging
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..channel_clients import ChannelError, ShopifyClient, WooCommerceClient

_logger = logging.getLogger(__name__)


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    channel_type = fields.Selection(
        selection_add=[
            ("shopify", "Shopify"),
            ("woocommerce", "WooCommerce"),
            ("amazon", "Amazon SP-API"),
            ("file", "File (CSV)"),
        ],
        ondelete={
            "shopify": "set default",
            "woocommerce": "set default",
            "amazon": "set default",
            "file": "set default",
        },
    )
    api_base_url = fields.Char(
        string="API Base URL",
        help="The channel's API endpoint: the production one, or any URL for a sandbox.",
    )
    webhook_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Secret the channel signs its webhooks with (HMAC-SHA256).",
    )
    shopify_access_token = fields.Char(
        string="Admin API Access Token", groups="base.group_system", copy=False
    )
    woocommerce_consumer_key = fields.Char(
        string="Consumer Key", groups="base.group_system", copy=False
    )
    woocommerce_consumer_secret = fields.Char(
        string="Consumer Secret", groups="base.group_system", copy=False
    )
    inbox_ids = fields.One2many("oms.channel.inbox", "channel_id", string="Inbox")
    pull_cursor = fields.Char(
        readonly=True,
        copy=False,
        help="The channel's update time of the newest order pulled: the next pull asks "
        "for orders updated since then.",
    )
    last_pull_date = fields.Datetime(readonly=True, copy=False)
    last_pull_error = fields.Text(readonly=True, copy=False)

    def _oms_get_channel_client(self):
        """The API client of the channel: the one place that builds it."""
        self.ensure_one()
        secrets = self.sudo()
        if self.channel_type == "shopify" and self.api_base_url and secrets.shopify_access_token:
            return ShopifyClient(self.api_base_url, secrets.shopify_access_token)
        if (
            self.channel_type == "woocommerce"
            and self.api_base_url
            and secrets.woocommerce_consumer_key
            and secrets.woocommerce_consumer_secret
        ):
            return WooCommerceClient(
                self.api_base_url,
                secrets.woocommerce_consumer_key,
                secrets.woocommerce_consumer_secret,
            )
        if self.channel_type in ("shopify", "woocommerce"):
            raise UserError(_("Set the API base URL and the credentials of %s first.", self.name))
        raise UserError(_("Connecting to %s channels is not available yet.", self.channel_type))

    def _oms_remote_orders(self, client):
        """The channel's orders updated since the cursor, oldest first."""
        if self.channel_type == "woocommerce":
            # WooCommerce's modified_after is a GMT time without an offset.
            since = _utc(self.pull_cursor)
            return client.iter_orders(
                modified_after=since.replace(tzinfo=None).isoformat() if since else None
            )
        return client.iter_orders(updated_at_min=self.pull_cursor)

    def action_test_connection(self):
        self.ensure_one()
        try:
            answer = self._oms_get_channel_client().test_connection()
        except ChannelError as error:
            raise UserError(_("The channel answered: %s", error)) from error
        if self.channel_type == "shopify":
            message = _(
                "Connected to %(shop)s (%(currency)s).", shop=answer.name, currency=answer.currency
            )
        else:
            message = _("Connected: the store has %s orders.", answer)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "title": _("Connected"), "message": message},
        }

    def action_pull_orders(self):
        """Pull now; a channel error is shown to the user."""
        for channel in self:
            count = channel._oms_pull_orders()
            if channel.last_pull_error:
                raise UserError(channel.last_pull_error)
            _logger.info("Channel %s: %s new payloads pulled", channel.id, count)
        return True

    def _oms_pull_orders(self):
        """Store every order updated since the cursor in the inbox (each version
        once), move the cursor, and queue their processing. A channel error is
        recorded on the channel; what was stored before it stays."""
        self.ensure_one()
        client = self._oms_get_channel_client()
        Inbox = self.env["oms.channel.inbox"]
        new = Inbox
        cursor = self.pull_cursor
        try:
            for remote in self._oms_remote_orders(client):
                record, created = Inbox._oms_store(self, "pull", json.dumps(remote.payload))
                if created:
                    new |= record
                updated = _utc(remote.updated_at)
                if updated and (not cursor or updated > _utc(cursor)):
                    cursor = updated.isoformat()
            error = False
        except ChannelError as exc:
            error = _("Pull failed: %s", exc)
        self.sudo().write(
            {
                "pull_cursor": cursor,
                "last_pull_date": fields.Datetime.now(),
                "last_pull_error": error,
            }
        )
        for record in new.filtered(lambda r: r.state == "received"):
            record.with_delay(description=f"Import {record.external_id}")._oms_process()
        return len(new)

    @api.model
    def _cron_oms_pull_orders(self):
        for channel in self.search([("channel_type", "in", ("shopify", "woocommerce"))]):
            channel._oms_pull_orders()


def _utc(timestamp):
    """An ISO 8601 time of a channel as an aware UTC datetime (None if absent)."""
    if not timestamp:
        return None
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
