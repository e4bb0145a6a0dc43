import hashlib
import json
import logging

import psycopg2
from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from ..channel_clients import ChannelError
from ..channel_mappers import MappingError, OrderPending
from ..channel_mappers.refund import refund_ref
from .oms_channel_product import TRANSIENT_ERRORS

_logger = logging.getLogger(__name__)

# Payloads imported by one background job (pulls, files, webhooks, reprocessing).
BATCH_SIZE = 50
# The constraint (oms_core) that makes an order of a channel exist once.
ORDER_KEY_CONSTRAINT = "sale_order_oms_external_ref_channel_uniq"
# The constraint that makes a listing of a channel exist once: two jobs importing
# orders of the same new product both make its listing.
LISTING_KEY_CONSTRAINT = "oms_channel_product_channel_key_uniq"
# Seconds before a job tries again when another made the same order meanwhile.
MADE_MEANWHILE_RETRY = 5
# Seconds before a job tries again when the channel could not give an order's risks.
RISKS_RETRY = 60
# Times the scheduled pull queues a payload again whose import job is gone,
# before it puts the payload in error for a person.
MAX_REQUEUES = 3


def _retry_if_made_meanwhile(error):
    """Raise a retryable job error when ``error`` says that another transaction
    made the same order (channel and external id), or the same listing, since this
    one started: the job is tried again, in a new transaction that sees it, and
    the payload is applied to that order as an update (or uses that listing)
    instead of ending in error."""
    if not isinstance(error, errors.UniqueViolation):
        return
    constraint = error.diag.constraint_name
    if constraint == ORDER_KEY_CONSTRAINT:
        raise RetryableJobError(
            "Another import made this order meanwhile: tried again as an update.",
            seconds=MADE_MEANWHILE_RETRY,
        ) from error
    if constraint == LISTING_KEY_CONSTRAINT:
        raise RetryableJobError(
            "Another import made a listing of this order meanwhile: tried again.",
            seconds=MADE_MEANWHILE_RETRY,
        ) from error


class OmsChannelInbox(models.Model):
    """Every payload a channel sends, stored as received before anything else.

    One record per channel, external id and version: a redelivery of the same
    version is stored once; a newer version of an order is a new record.
    Processing reads the inbox; it never depends on the sender waiting.
    """

    _name = "oms.channel.inbox"
    _description = "Channel Inbox"
    _order = "id desc"
    _rec_name = "external_id"

    channel_id = fields.Many2one(
        "oms.channel", required=True, index=True, ondelete="restrict", readonly=True
    )
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    source = fields.Selection(
        [("webhook", "Webhook"), ("pull", "Pull"), ("file", "File")],
        required=True,
        readonly=True,
    )
    topic = fields.Char(readonly=True, help="What the channel says the payload is about.")
    external_id = fields.Char(required=True, readonly=True, index=True)
    version = fields.Char(required=True, readonly=True)
    channel_updated_at = fields.Char(
        string="Updated in Channel", readonly=True, help="The channel's update time, as sent."
    )
    body = fields.Text(string="Raw Payload", required=True, readonly=True)
    state = fields.Selection(
        [
            ("received", "Received"),
            ("done", "Done"),
            ("error", "Error"),
            ("duplicate", "Duplicate"),
            ("stale", "Stale"),
            ("pending", "Pending in Channel"),
            ("cancelled", "Cancelled Before Import"),
            ("too_old", "Before Import Date"),
        ],
        default="received",
        required=True,
        index=True,
        readonly=True,
    )
    error_message = fields.Text(readonly=True)
    attempts = fields.Integer(readonly=True)
    caught_by_pull = fields.Boolean(
        readonly=True,
        index="btree_not_null",
        help="A version of an order the channel's webhooks never delivered: the "
        "scheduled pull, the channels' own advice against missed webhooks, caught it.",
    )
    requeued = fields.Integer(
        string="Queued Again",
        readonly=True,
        help="How many times the scheduled pull queued it again because its import "
        f"job was gone. After {MAX_REQUEUES} times it is put in error, for a person to "
        "look at.",
    )
    processed_date = fields.Datetime(
        readonly=True, index=True, help="When the payload was last processed."
    )
    order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")

    _sql_constraints = [
        (
            "channel_external_version_uniq",
            "unique(channel_id, external_id, version)",
            "This version of this channel record is already in the inbox.",
        ),
    ]

    @api.model
    def _oms_identify(self, channel, payload):
        """(external id, version, error) of a parsed payload; the error is a
        sentence for a user when the payload does not say which order it is."""
        external_id, version, missing = channel._oms_connector().identify(payload)
        if missing == "":
            return None, None, _("The payload is not a JSON object.")
        if missing:
            return None, None, _("The payload does not say which order it is (no “%s”).", missing)
        return external_id, version, None

    @api.model
    def _oms_store(self, channel, source, raw_body, topic=None):
        """Store a payload exactly once; returns (inbox record, created).

        ``raw_body`` is the text as received. A body that is JSON but does not
        name its order is kept too, in error, under its content hash.
        """
        digest = "sha256:" + hashlib.sha256(raw_body.encode()).hexdigest()
        try:
            payload = json.loads(raw_body)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            payload = None
        external_id, version, error = self._oms_identify(channel, payload)
        values = {
            "channel_id": channel.id,
            # Given, not computed after the insert: one query less per payload.
            "company_id": channel.company_id.id,
            "source": source,
            "topic": topic,
            "external_id": external_id or digest,
            "version": version or digest,
            "channel_updated_at": version,
            "body": raw_body,
        }
        if error:
            values.update(state="error", error_message=error)
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                return self.sudo().create(values), True
        except errors.UniqueViolation:
            existing = self.sudo().search(
                [
                    ("channel_id", "=", channel.id),
                    ("external_id", "=", values["external_id"]),
                    ("version", "=", values["version"]),
                ],
                limit=1,
            )
            _logger.info(
                "Channel %s: %s %s version %s already in the inbox",
                channel.id,
                source,
                values["external_id"],
                values["version"],
            )
            return existing, False

    def _oms_process(self):
        """Turn received payloads into orders. New orders of a channel are made
        together (one create, one confirmation); a payload that cannot become an
        order ends in error with its message and leaves no half order, the others
        go on. Unexpected failures are raised, so that the job is retried whole."""
        records = self.filtered(lambda r: r.state == "received").sorted("id")
        if not records:
            return
        records._oms_count_attempt()
        for record in records.filtered(
            lambda r: r.topic
            and r.topic == r.channel_id._oms_connector().refund_topic
            and not r._oms_is_refund()
        ):
            # Not read as an order: a refund's figures are not an order's.
            record._oms_fail(
                _(
                    "A %s delivery that is not a refund: it must name its order "
                    "(order_id) and give its refund_line_items.",
                    record.topic,
                )
            )
        records = records.filtered(lambda r: r.state == "received")
        for channel in records.channel_id:
            mine = records.filtered(lambda r, c=channel: r.channel_id == c)
            refunds = mine.filtered(lambda r: r._oms_is_refund())
            # The orders first: a refund stored with its order finds it.
            if mine - refunds:
                (mine - refunds)._oms_process_channel(channel)
            for record in refunds:
                record._oms_process_refund()
            (mine - refunds)._oms_fetch_refunds(channel)

    def _oms_process_batch(self):
        """A background job's batch (a pull, a file, reprocessing, webhooks): the
        payloads still received are locked while they are imported, so that a job
        running at the same time skips them, and imported together. If an
        unexpected failure stops the batch, each is imported on its own and the one
        that fails ends in error, kept, for a person to reprocess: it does not hold
        back the others. A database error (a lock, a serialization failure) is
        raised, for the job to be retried, and so is a new order that another job
        made meanwhile (RetryableJobError): tried again, the payload updates that
        order. Returns how many were imported."""
        if not self:
            return 0
        self.flush_model(["state"])
        self.env.cr.execute(
            "SELECT id FROM oms_channel_inbox WHERE id IN %s AND state = 'received' "
            "ORDER BY id FOR UPDATE SKIP LOCKED",
            [tuple(self.ids)],
        )
        batch = self.browse([row[0] for row in self.env.cr.fetchall()])
        error = batch._oms_unexpected_error(batch._oms_process)
        if error:
            _logger.error("Inbox batch %s failed, importing one by one", batch.ids, exc_info=error)
            for record in batch:
                record._oms_process_alone()
        return len(batch)

    def _oms_process_alone(self):
        """Import one payload; an unexpected failure (a database error aside)
        leaves it in error with the reason instead of failing its neighbours."""
        self.ensure_one()
        error = self._oms_unexpected_error(self._oms_process)
        if error:
            _logger.error("Inbox record %s could not be imported", self.id, exc_info=error)
            # The savepoint took back the attempt with the rest: count it again.
            self._oms_count_attempt()
            self._oms_fail(_("The import failed unexpectedly: %s", error))

    def _oms_unexpected_error(self, work):
        """Run ``work`` in a savepoint. A database error (a lock, a serialization
        failure), a RetryableJobError and an order or listing another job made
        meanwhile go up, for the job to be retried; any other error is taken back
        with the savepoint and returned (None when ``work`` went through)."""
        try:
            with self.env.cr.savepoint():
                work()
        except (psycopg2.OperationalError, RetryableJobError):
            raise
        except Exception as error:
            _retry_if_made_meanwhile(error)
            return error
        return None

    def _oms_map(self, mapper):
        """The draft ``mapper`` reads from the payload, or None: a payload the
        channel still has pending waits, one that cannot be read ends in error."""
        try:
            return mapper(self.body)
        except OrderPending as error:
            self._oms_wait(str(error))
        except MappingError as error:
            self._oms_fail(str(error))
        return None

    def _oms_count_attempt(self):
        self.env.cr.execute(
            "UPDATE oms_channel_inbox SET attempts = COALESCE(attempts, 0) + 1, "
            "processed_date = (now() AT TIME ZONE 'UTC') WHERE id IN %s",
            [tuple(self.ids)],
        )
        self.invalidate_recordset(["attempts", "processed_date"])

    def _oms_is_refund(self):
        """A channel refund's payload (Shopify refunds/create), not an order's."""
        self.ensure_one()
        return self.external_id.startswith(refund_ref(""))

    def _oms_process_channel(self, channel):
        connector = channel._oms_connector()
        mapper = connector.map_order
        if not connector.can_map_orders():
            self._oms_fail(_("Orders of %s channels cannot be imported.", channel.name))
            return
        known = set(
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("oms_channel_id", "=", channel.id),
                    ("oms_external_ref", "in", list(set(self.mapped("external_id")))),
                ]
            )
            .mapped("oms_external_ref")
        )
        new, later = [], self.browse()
        for record in self:
            if record.external_id in known:
                later |= record  # an update, or a second version in this batch
                continue
            draft = record._oms_map(mapper)
            if draft is None:
                continue
            if record._oms_kept_in_inbox(draft):
                continue
            known.add(record.external_id)
            new.append((record, draft))
        new = self._oms_with_risks(channel, mapper, new)
        if len(new) > 1:
            try:
                with self.env.cr.savepoint():
                    orders = self.env["sale.order"]._oms_create_from_drafts(
                        channel, [draft for _record, draft in new]
                    )
            except UserError:
                orders = None  # one of them cannot: each on its own, the others go in
            if orders is not None:
                for (record, _draft), order in zip(new, orders, strict=True):
                    record.write({"state": "done", "order_id": order.id, "error_message": False})
                new = []
        for record, draft in new:
            record._oms_process_one(mapper, draft)
        for record in later:
            record._oms_process_one(mapper)
        self._oms_settle_pending()

    def _oms_with_risks(self, channel, mapper, pairs):
        """The (record, draft) pairs of new orders, their drafts mapped again with
        the orders' risk assessments, read here, by the import job, through the
        channel's client (never inside a create or a compute). Shopify only:
        WooCommerce's core REST API and Amazon SP-API Orders v0 give no fraud data,
        so their orders have no assessment. A channel without API credentials
        (webhooks only) reads none either. A channel that cannot answer now makes
        the job try again later (nothing is imported without its risks); one that
        refuses (a missing scope, an unknown order) leaves the order without an
        assessment, logged. A record whose risks cannot be read ends in error."""
        connector = channel._oms_connector()
        if not connector.reads_risks or not pairs:
            return pairs
        try:
            client = channel._oms_get_channel_client()
        except UserError:
            return pairs  # no API: no assessment
        result = []
        for record, draft in pairs:
            try:
                risks = connector.order_risks(client, record.external_id)
            except TRANSIENT_ERRORS as error:
                raise RetryableJobError(
                    f"{channel.name} could not give the risks of order {record.external_id}: "
                    f"{error}",
                    seconds=RISKS_RETRY,
                ) from error
            except ChannelError as error:
                _logger.warning(
                    "Channel %s: no risks for order %s, imported without a fraud assessment: %s",
                    channel.id,
                    record.external_id,
                    error,
                )
                result.append((record, draft))
                continue
            try:
                result.append((record, mapper(record.body, risks=risks)))
            except MappingError as error:
                record._oms_fail(str(error))
        return result

    def _oms_process_one(self, mapper, draft=None):
        """One payload on its own: a newer version of a known order, or a new order."""
        self.ensure_one()
        existing = self.env["sale.order"]._oms_channel_order(self.channel_id, self.external_id)
        if existing:
            self._oms_update(existing, mapper)
            return
        given = draft is not None
        draft = draft or self._oms_map(mapper)
        if draft is None:
            return
        if self._oms_kept_in_inbox(draft):
            return
        if not given:
            pairs = self._oms_with_risks(self.channel_id, mapper, [(self, draft)])
            if not pairs:
                return
            draft = pairs[0][1]
        try:
            with self.env.cr.savepoint():
                order = self.env["sale.order"]._oms_create_from_draft(self.channel_id, draft)
        except (MappingError, UserError) as error:
            self._oms_fail(str(error))
            return
        self.write({"state": "done", "order_id": order.id, "error_message": False})

    def _oms_update(self, order, mapper):
        """A later payload of a known order: applied when newer, else stale."""
        try:
            with self.env.cr.savepoint():
                applied = order._oms_apply_draft_update(mapper(self.body))
        except OrderPending:
            # The channel's version from before the order could be made (Amazon's
            # Pending, stored late): older than what made it, it changes nothing.
            self.write(
                {
                    "state": "stale",
                    "order_id": order.id,
                    "error_message": _(
                        "A pending version of an order imported already: nothing changed."
                    ),
                }
            )
            return
        except (MappingError, UserError) as error:
            self._oms_fail(str(error))
            return
        if applied:
            self.write({"state": "done", "order_id": order.id, "error_message": False})
        else:
            self.write(
                {
                    "state": "stale",
                    "order_id": order.id,
                    "error_message": _(
                        "An equal or newer version of this order was applied "
                        "already: nothing changed."
                    ),
                }
            )

    def _oms_fail(self, message):
        self.write({"state": "error", "error_message": message})

    def action_reprocess(self):
        """Try records in error again (after fixing a product, a tax, a currency)."""
        retry = self.filtered(lambda r: r.state == "error")
        retry.write({"state": "received", "error_message": False, "requeued": 0})
        retry._oms_queue_processing()
        return True
