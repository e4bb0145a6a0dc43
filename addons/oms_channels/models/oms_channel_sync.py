"""The channel's connector and client, its connection test, the orders pulled
from it and the webhook deliveries imported, in jobs."""

import json
import logging
from datetime import datetime, timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.job import identity_exact

from ..channel_clients import ChannelError
from ..channel_connectors import (
    ChannelConnector,
    MissingCredentials,
    NoApi,
    connector_class,
    kinds_with,
)
from .oms_channel import import_job_key
from .oms_channel_inbox import BATCH_SIZE

# Webhook deliveries wait this long (seconds) for the ones that follow them, so
# that a burst is imported in batches rather than one order per job.
WEBHOOK_GATHER_SECONDS = 2
# Payloads a webhook stored longer ago than this without being imported (a job
# lost, a server stopped) are queued again by the scheduled pull.
WEBHOOK_SWEEP_AFTER = timedelta(minutes=10)
# A version changed longer ago than this that a pull finds before its webhook was
# missed (channels deliver within seconds; a later one is stored once all the same).
WEBHOOK_GRACE = timedelta(minutes=5)


_logger = logging.getLogger(__name__)


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    def _oms_connector(self):
        """The connector of the channel's kind (channel_connectors), with the
        credentials its client needs: what the Odoo side knows of a kind. A kind
        without a connector (oms_core's manual channels) gets the interface's
        defaults: no webhooks, no API, nothing to map."""
        self.ensure_one()
        cls = connector_class(self.channel_type) or ChannelConnector
        secrets = self.sudo()
        return cls({name: secrets[name] for name in cls.credential_fields})

    def _oms_get_channel_client(self):
        """The API client of the channel: the one place that builds it."""
        self.ensure_one()
        problem = self._oms_api_url_problem()
        if problem:
            raise UserError(problem)
        try:
            return self._oms_connector().client()
        except MissingCredentials:
            raise UserError(
                _("Set the API base URL and the credentials of %s first.", self.name)
            ) from None
        except NoApi:
            raise UserError(
                _("%s has no API: its orders come in files (Import File).", self.name)
            ) from None

    def _oms_first_cursor(self):
        """Where a first pull starts (aware UTC, or None for the whole history):
        the import date, unless older open orders are wanted too."""
        if self.import_older_open or not self.import_orders_from:
            return None
        return self.import_orders_from.replace(tzinfo=timezone.utc)

    def _oms_remote_orders(self, client):
        """The channel's orders updated since the cursor (a first pull: since the
        import date), in a stable order across pages."""
        connector = self._oms_connector()
        since = (
            _utc(self.pull_cursor)
            or self._oms_first_cursor()
            or connector.first_pull_since(self.import_orders_from, datetime.now(timezone.utc))
        )
        return connector.iter_orders(client, since=since)

    def action_test_connection(self):
        self.ensure_one()
        client = self._oms_get_channel_client()
        try:
            answer = self._oms_connector().test_connection(client)
        except ChannelError as error:
            raise UserError(_("The channel answered: %s", error)) from error
        if answer.shop:
            message = _(
                "Connected to %(shop)s (%(currency)s).", shop=answer.shop, currency=answer.currency
            )
        elif answer.orders is not None:
            message = _("Connected: the store has %s orders.", answer.orders)
        else:
            message = _("Connected: %s accepted the token and listed orders.", answer.vendor)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "title": _("Connected"), "message": message},
        }

    def action_read_shopify_locations(self):
        """List the shop's locations (``locations``) on the channel, to map each to a
        warehouse: new ones added unmapped, known ones renamed, none removed."""
        self.ensure_one()
        if not self._oms_connector().stock_by_location:
            raise UserError(_("%s is not a Shopify channel.", self.name))
        try:
            locations = list(self._oms_get_channel_client().iter_locations())
        except ChannelError as error:
            raise UserError(_("Shopify answered: %s", error)) from error
        known = {mapping.remote_id: mapping for mapping in self.shopify_location_ids}
        new_vals = []
        for location in locations:
            vals = {"name": location.name, "remote_active": location.active}
            if location.id in known:
                known[location.id].write(vals)
            else:
                new_vals.append({**vals, "channel_id": self.id, "remote_id": location.id})
        self.env["oms.channel.location"].create(new_vals)
        return True

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
        recorded on the channel; what was stored before it stays, and the cursor
        does not move: the next pull reads the same orders again (the inbox stores
        each version once), so an error mid-pull never skips an order."""
        self.ensure_one()
        client = self._oms_get_channel_client()
        Inbox = self.env["oms.channel.inbox"]
        new = Inbox
        newest = self.pull_cursor
        # A channel whose webhooks deliver: what the pull stores that they had not
        # delivered, changed long enough ago, they missed.
        webhooks = Inbox.sudo().search_count(
            [("channel_id", "=", self.id), ("source", "=", "webhook")], limit=1
        )
        missed_before = datetime.now(timezone.utc) - WEBHOOK_GRACE
        caught = Inbox
        try:
            for remote in self._oms_remote_orders(client):
                record, created = Inbox._oms_store(self, "pull", json.dumps(remote.payload))
                updated = _utc(remote.updated_at)
                if created:
                    new |= record
                    if webhooks and updated and updated < missed_before:
                        caught |= record
                if updated and (not newest or updated > _utc(newest)):
                    newest = updated.isoformat()
            error = False
        except ChannelError as exc:
            error = _("Pull failed: %s", exc)
            newest = self.pull_cursor
        caught.sudo().write({"caught_by_pull": True})
        self.sudo().write(
            {
                "pull_cursor": newest,
                "last_pull_date": fields.Datetime.now(),
                "last_pull_error": error,
                "last_pull_caught": len(caught),
            }
        )
        if caught:
            _logger.info("Channel %s: the pull caught %s missed by webhooks", self.id, len(caught))
        new._oms_queue_processing()
        return len(new)

    @api.model
    def _cron_oms_pull_orders(self):
        """Queue a pull of every API channel, one job each (root.oms.import; one
        still waiting is not queued again), so that the pulls spread over the job
        workers and a slow channel holds back no other; then queue again what
        waits too long. Each pull runs in a savepoint: one that fails in any way
        (missing credentials, a bug, a payload nothing expected) is rolled back
        alone, with the error on its channel."""
        for channel in self.search([("channel_type", "in", kinds_with("pulls_orders"))]):
            if channel.sudo()[channel._oms_connector().pull_setting]:
                channel.sudo().with_delay(
                    identity_key=identity_exact,
                    description=_("Pull the orders of %s", channel.name),
                )._oms_pull_orders_isolated()
        waiting = self.env["oms.channel.inbox"]._read_group(
            [
                ("source", "=", "webhook"),
                ("state", "=", "received"),
                ("create_date", "<", fields.Datetime.now() - WEBHOOK_SWEEP_AFTER),
            ],
            groupby=["channel_id"],
        )
        for (channel,) in waiting:
            channel._oms_queue_webhook_import(eta=0)
        self.env["oms.channel.inbox"]._oms_queue_orphans(WEBHOOK_SWEEP_AFTER)

    def _oms_pull_orders_isolated(self):
        """``_oms_pull_orders`` in a savepoint; a failure is rolled back and
        recorded on the channel (and logged with its traceback), not raised."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._oms_pull_orders()
        except Exception as error:
            _logger.exception("Channel %s: the scheduled pull failed", self.id)
            self.sudo().write(
                {
                    "last_pull_date": fields.Datetime.now(),
                    "last_pull_error": _("Pull failed: %s", error),
                }
            )
            return False
        return True

    def _oms_queue_webhook_import(self, eta=WEBHOOK_GATHER_SECONDS):
        """Ask for the import of what the channels' webhooks stored: one pending
        job per channel, however many deliveries arrive before it starts."""
        for channel in self:
            channel.with_delay(
                eta=eta,
                # Also looked for by the opt-in webhook intake (oms_fast_intake).
                identity_key=import_job_key(channel.id),
                description=_("Import the webhook orders of %s", channel.name),
            )._oms_import_webhooks()

    def _oms_import_webhooks(self):
        """Import one batch of what the channel's webhooks stored, oldest first,
        and ask for the next one if more may be waiting. The payloads are locked
        while they are imported and a job running at the same time skips them:
        two jobs never import the same payload."""
        self.ensure_one()
        self.env["oms.channel.inbox"].flush_model(["channel_id", "source", "state"])
        self.env.cr.execute(
            "SELECT id FROM oms_channel_inbox WHERE channel_id = %s AND source = 'webhook' "
            "AND state = 'received' ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            [self.id, BATCH_SIZE],
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        # One payload the import cannot cope with does not hold back every later
        # delivery of the channel (see _oms_process_batch).
        self.env["oms.channel.inbox"].browse(ids)._oms_process_batch()
        if len(ids) == BATCH_SIZE:
            self._oms_queue_webhook_import(eta=0)
        return len(ids)


def _utc(timestamp):
    """An ISO 8601 time of a channel as an aware UTC datetime (None if absent)."""
    if not timestamp:
        return None
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
