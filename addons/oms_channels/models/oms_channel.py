import json
import logging
from datetime import datetime, timedelta, timezone

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.oms_core.tools import credentials_may_go_to
from odoo.addons.queue_job.job import identity_exact

from ..channel_clients import ChannelError
from ..channel_clients.amazon import TOKEN_URL
from ..channel_connectors import (
    ChannelConnector,
    MissingCredentials,
    NoApi,
    api_kinds,
    connector_class,
    registered_kinds,
)
from .oms_channel_inbox import BATCH_SIZE

# Kinds that pull orders and push stock through an API (their connectors say so).
API_KINDS = api_kinds()
# The URLs the channel's client sends credentials to: administrators only, https.
URL_FIELDS = ("api_base_url", "amazon_token_url")
# What a client sends to those URLs: forgotten when one of them changes (unless
# given again in the same change), so that secrets only go where an
# administrator who knows them said.
CREDENTIAL_FIELDS = (
    "shopify_access_token",
    "woocommerce_consumer_key",
    "woocommerce_consumer_secret",
    "amazon_client_secret",
    "amazon_refresh_token",
)
# Webhook deliveries wait this long (seconds) for the ones that follow them, so
# that a burst is imported in batches rather than one order per job.
WEBHOOK_GATHER_SECONDS = 2
# Payloads a webhook stored longer ago than this without being imported (a job
# lost, a server stopped) are queued again by the scheduled pull.
WEBHOOK_SWEEP_AFTER = timedelta(minutes=10)
# A version changed longer ago than this that a pull finds before its webhook was
# missed (channels deliver within seconds; a later one is stored once all the same).
WEBHOOK_GRACE = timedelta(minutes=5)

# The view location the channels' "fulfilled by channel" locations are under.
FULFILLED_PARENT_NAME = "Fulfilled by Channels"
# A fee line's kind (channel_mappers.draft.FEE_KINDS) → the channel's field of its
# service product and the product's name. A channel gets those its connector
# names (``fee_kinds``: Amazon's) when created.
FEE_PRODUCT_FIELDS = {
    "gift_wrap": ("gift_wrap_product_id", "Gift Wrap"),
    "cod_fee": ("cod_fee_product_id", "Cash on Delivery Fee"),
}

_logger = logging.getLogger(__name__)


def import_job_key(channel_id):
    """The identity key of the job importing a channel's webhook deliveries:
    while one waits, no other is queued."""
    return f"oms.channel({channel_id},)._oms_import_webhooks"


def _journal_code(channel_id):
    """A short journal code of the channel (journal codes are 5 characters at
    most): "C" and its id in base 36."""
    digits, number = "", channel_id
    while True:
        number, rest = divmod(number, 36)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rest] + digits
        if not number:
            return f"C{digits}"


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    # The kinds of channel_connectors' registry.
    channel_type = fields.Selection(
        selection_add=registered_kinds(),
        ondelete={kind: "set default" for kind, _label in registered_kinds()},
    )
    api_base_url = fields.Char(
        string="API Base URL",
        groups="base.group_system",
        help="The channel's API endpoint (https): the production one, or a sandbox's. "
        "Changing it forgets the API credentials: give them again with it.",
    )
    allow_insecure_http = fields.Boolean(
        string="Allow HTTP (Simulators Only)",
        groups="base.group_system",
        help="Let the API URLs be plain http, as the local simulators of the demo and "
        "the tests are. Never for a real channel: the credentials would travel in clear.",
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
    amazon_client_id = fields.Char(string="LWA Client ID", groups="base.group_system", copy=False)
    amazon_client_secret = fields.Char(
        string="LWA Client Secret", groups="base.group_system", copy=False
    )
    amazon_refresh_token = fields.Char(
        string="LWA Refresh Token", groups="base.group_system", copy=False
    )
    amazon_token_url = fields.Char(
        string="LWA Token URL",
        default=TOKEN_URL,
        groups="base.group_system",
        help="Login with Amazon's token endpoint (https; another URL for a sandbox). "
        "Changing it forgets the LWA secret and refresh token.",
    )
    amazon_marketplace_ids = fields.Char(
        string="Marketplace IDs",
        help="Comma-separated Amazon marketplace ids, e.g. A1PA6795UKMFR9 for Germany.",
    )
    amazon_seller_id = fields.Char(
        string="Seller ID", help="The merchant token the inventory feed is sent for."
    )
    shopify_location_id = fields.Char(
        string="Shopify Location ID",
        help="The Shopify location whose available quantity Odoo sets while no "
        "location below is mapped to a warehouse (then from the channel's warehouse).",
    )
    shopify_location_ids = fields.One2many(
        "oms.channel.location",
        "channel_id",
        string="Shopify Locations",
        help="Each Shopify location mapped to the Odoo warehouse whose free stock it "
        "is sent (Read Locations lists the shop's). Once one is mapped, only mapped "
        "locations are pushed.",
    )
    stock_buffer = fields.Integer(
        string="Safety Buffer",
        help="Units kept back from what the channel may sell, per product: the channel "
        "is told on hand - reserved - buffer (never below zero).",
    )
    stock_push_on_change = fields.Boolean(
        string="Push Stock on Change",
        default=True,
        help="Push a product's stock shortly after it moves; a scheduled push "
        "resends everything anyway.",
    )
    product_binding_ids = fields.One2many(
        "oms.channel.product", "channel_id", string="Products on the Channel"
    )
    last_push_date = fields.Datetime(string="Last Stock Push", readonly=True, copy=False)
    last_push_error = fields.Text(readonly=True, copy=False)
    inbox_ids = fields.One2many("oms.channel.inbox", "channel_id", string="Inbox")
    inbox_backlog_count = fields.Integer(
        string="Backlog", compute="_compute_health", help="Payloads received, not processed yet."
    )
    inbox_error_count = fields.Integer(string="Inbox Errors", compute="_compute_health")
    inbox_errors_today = fields.Integer(string="Errors Today", compute="_compute_health")
    imported_last_hour = fields.Integer(compute="_compute_health")
    last_import_date = fields.Datetime(string="Last Success", compute="_compute_health")
    drain_minutes = fields.Float(
        string="Time to Drain (min)",
        compute="_compute_health",
        help="The backlog divided by the payloads processed in the last hour.",
    )
    stock_push_error_count = fields.Integer(compute="_compute_health")
    cancelled_arrival = fields.Selection(
        [("record", "Record a Cancelled Order"), ("inbox", "Keep in the Inbox")],
        string="Orders Cancelled Before Import",
        default="record",
        required=True,
        help="An order the channel cancelled (or refunded, or whose payment failed) "
        "before Odoo saw it is never confirmed, routed or reserved: it is recorded as a "
        "cancelled sales order, or kept in the inbox as cancelled before import.",
    )
    fulfilled_location_id = fields.Many2one(
        "stock.location",
        string="Fulfilled by Channel Location",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="Where the orders the channel shipped itself (fulfilled outside Odoo, Amazon "
        "FBA) are delivered from: an internal location outside the warehouses, so "
        "nothing leaves the warehouses' stock and nothing ships twice. Stock sent to "
        "the channel (FBA inbound) is moved here; what the channel shipped without it "
        "shows as negative stock here.",
    )
    fulfilled_picking_type_id = fields.Many2one(
        "stock.picking.type",
        string="Fulfilled by Channel Operation",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="The delivery operation that records what the channel shipped itself.",
    )
    gift_wrap_product_id = fields.Many2one(
        "product.product",
        string="Gift Wrap Product",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="The service product of the gift wrapping buyers pay the channel for "
        "(Amazon GiftWrapPrice): one order line per wrapped item.",
    )
    cod_fee_product_id = fields.Many2one(
        "product.product",
        string="Cash on Delivery Fee Product",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="The service product of the cash-on-delivery fee (Amazon CODFee, its "
        "discount as the line's discount).",
    )
    import_orders_from = fields.Datetime(
        string="Import Orders From",
        copy=False,
        help="Orders created in the channel before this moment are not imported (a "
        "first pull asks for nothing older; a webhook of an older order is kept in the "
        "inbox, not imported). A new channel's form sets it to its creation; empty: "
        "no limit.",
    )
    tax_map_ids = fields.One2many(
        "oms.channel.tax",
        "channel_id",
        string="Tax Mapping",
        help="The channel's taxes (rate code or title, and rate) and the Odoo tax each "
        "becomes; used before the search of an Odoo tax by rate.",
    )
    create_missing_taxes = fields.Boolean(
        string="Create Missing Taxes",
        help="When no mapping and no Odoo sales tax has a channel tax's rate, create "
        'one in the "Channel Taxes" group (a rate known only from amounts is rounded '
        "to 0.01 %). Off: the order is held for its total, naming the tax.",
    )
    import_older_open = fields.Boolean(
        string="Import Older Open Orders",
        help="Also import orders created before Import Orders From that are still open "
        "(neither cancelled nor fulfilled). The first pull then reads the shop's whole "
        "history (Amazon: from 30 days before that date) to find them.",
    )
    pull_cursor = fields.Char(
        readonly=True,
        copy=False,
        help="The channel's update time of the newest order pulled: the next pull asks "
        "for orders updated since then.",
    )
    last_pull_date = fields.Datetime(readonly=True, copy=False)
    last_pull_error = fields.Text(readonly=True, copy=False)
    last_pull_caught = fields.Integer(
        string="Caught by the Last Pull",
        readonly=True,
        copy=False,
        help="Order versions the last pull stored that the channel's webhooks had "
        "not delivered (changed more than a few minutes before the pull): what the "
        "pull, run as a sweep, caught.",
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        copy=False,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="The journal the payments the channel collected are posted in (one per "
        "channel, created with it): its outstanding receipts are what the channel owes "
        "until it pays out. Empty: no payment is recorded.",
    )
    invoice_policy = fields.Selection(
        [
            ("confirm", "On Confirmation"),
            ("ship", "On Shipment"),
            ("never", "Never"),
        ],
        string="Invoice Orders",
        default="never",
        required=True,
        help="When Odoo invoices the channel's orders (Odoo's own invoicing of what "
        "is to invoice, posted at once): when the order is confirmed, when a delivery "
        "of it is done, or never (invoices made by hand). A payment the channel "
        "collected is reconciled with the invoice when both exist.",
    )

    @api.onchange("channel_type")
    def _onchange_channel_type_import_from(self):
        # A new shop imports what is created from now on, unless told otherwise (a
        # file brings what it holds).
        if not self._origin and not self.import_orders_from and self.channel_type in API_KINDS:
            self.import_orders_from = fields.Datetime.now()

    @api.onchange("channel_type")
    def _onchange_channel_type_api_url(self):
        if not self.env.user.has_group("base.group_system"):
            return  # the URL is an administrator's to set
        # Where the kind's production API lives (a sandbox is any other URL).
        connector = connector_class(self.channel_type)
        if not self.api_base_url and connector and connector.default_api_url:
            self.api_base_url = connector.default_api_url

    @api.constrains(*URL_FIELDS, "allow_insecure_http")
    def _check_api_urls(self):
        for channel in self:
            problem = channel._oms_api_url_problem()
            if problem:
                raise ValidationError(problem)

    def _oms_api_url_problem(self):
        """Why the channel's client must not send its credentials to its URLs
        (an https URL with a host each, http only when allowed), or None."""
        self.ensure_one()
        channel = self.sudo()
        for name in URL_FIELDS:
            url = channel[name]
            if url and not credentials_may_go_to(url, channel.allow_insecure_http):
                return _(
                    "The %(field)s of %(channel)s must be an https:// address (“%(url)s” is "
                    "not); plain http is for the local simulators only (Allow HTTP).",
                    field=self._fields[name].string,
                    channel=channel.name,
                    url=url,
                )
        return None

    @api.depends("inbox_ids.state")
    def _compute_health(self):
        Inbox = self.env["oms.channel.inbox"].sudo()
        ids = self.ids
        now = fields.Datetime.now()
        today = fields.Datetime.to_datetime(fields.Date.context_today(self))
        counts = {}
        for domain, key in (
            ([("state", "=", "received")], "backlog"),
            ([("state", "=", "error")], "errors"),
            ([("state", "=", "error"), ("write_date", ">=", today)], "errors_today"),
            ([("processed_date", ">=", now - timedelta(hours=1))], "last_hour"),
        ):
            for channel, count in Inbox._read_group(
                [("channel_id", "in", ids), *domain], ["channel_id"], ["__count"]
            ):
                counts[channel.id, key] = count
        last = dict(
            Inbox._read_group(
                [("channel_id", "in", ids), ("state", "=", "done")],
                ["channel_id"],
                ["processed_date:max"],
            )
        )
        push_errors = dict(
            self.env["oms.channel.product"]
            .sudo()
            ._read_group(
                [("channel_id", "in", ids), ("push_state", "=", "error")],
                ["channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            backlog = counts.get((channel.id, "backlog"), 0)
            per_hour = counts.get((channel.id, "last_hour"), 0)
            channel.inbox_backlog_count = backlog
            channel.inbox_error_count = counts.get((channel.id, "errors"), 0)
            channel.inbox_errors_today = counts.get((channel.id, "errors_today"), 0)
            channel.imported_last_hour = per_hour
            channel.last_import_date = last.get(channel._origin) or False
            channel.drain_minutes = backlog * 60.0 / per_hour if per_hour else 0.0
            channel.stock_push_error_count = push_errors.get(channel._origin, 0)

    def action_open_inbox(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "oms_channels.oms_channel_inbox_action"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"search_default_" + self.env.context.get("inbox_filter", "all"): 1}
        return action

    def action_open_products(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "oms_channels.oms_channel_product_action"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"default_channel_id": self.id}
        return action

    def action_import_file(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Orders from a File"),
            "res_model": "oms.channel.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_channel_id": self.id},
        }

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        channels.filtered(
            lambda c: connector_class(c.channel_type)
        )._oms_fulfilled_by_channel_setup()
        for channel in channels:
            for kind in channel._oms_connector().fee_kinds:
                channel._oms_fee_product(kind)
        channels.filtered(lambda c: not c.payment_journal_id)._oms_payment_journal_setup()
        return channels

    def _oms_payment_journal_setup(self):
        """The channel's payment journal (a bank journal named after it), created
        when missing; skipped while the company has no chart of accounts."""
        Journal = self.env["account.journal"].sudo()
        for channel in self.sudo():
            company = channel.company_id
            if not company.chart_template:
                continue
            code = _journal_code(channel.id)
            if Journal.with_context(active_test=False).search_count(
                [("company_id", "=", company.id), ("code", "=", code)], limit=1
            ):
                code = Journal.get_next_bank_cash_default_code("bank", company)
            channel.payment_journal_id = Journal.create(
                {
                    "name": _("%s Payments", channel.name),
                    "type": "bank",
                    "code": code,
                    "company_id": company.id,
                }
            )
        return True

    def _oms_fee_product(self, kind):
        """The channel's service product of a fee kind (``gift_wrap``,
        ``cod_fee``), created when missing; the generic *Channel charge* for a fee
        of no particular kind."""
        self.ensure_one()
        if kind not in FEE_PRODUCT_FIELDS:
            return self.env.ref("oms_channels.product_channel_charge").product_variant_id
        name, label = FEE_PRODUCT_FIELDS[kind]
        channel = self.sudo()
        if not channel[name]:
            channel[name] = (
                self.env["product.product"]
                .sudo()
                .create(
                    {
                        "name": f"{label} ({channel.name})",
                        "type": "service",
                        "sale_ok": True,
                        "purchase_ok": False,
                        "list_price": 0.0,
                        "invoice_policy": "order",
                        "taxes_id": [Command.clear()],
                        "company_id": channel.company_id.id,
                    }
                )
            )
        return channel[name]

    def _oms_charge_products(self):
        """Every service product the channel's orders carry besides goods: the
        *Channel charge* (shipping, fees, discounts) and the channel's fee products."""
        products = self.env.ref("oms_channels.product_channel_charge").product_variant_id
        for channel in self.sudo():
            for name, _label in FEE_PRODUCT_FIELDS.values():
                products |= channel[name]
        return products.with_env(self.env)

    def _oms_fulfilled_by_channel_setup(self):
        """The channel's "fulfilled by channel" location (under the company's view
        location *Fulfilled by Channels*) and the delivery operation from it,
        created when missing."""
        Location = self.env["stock.location"].sudo()
        customers = self.env.ref("stock.stock_location_customers")
        for channel in self.sudo():
            company = channel.company_id
            if not channel.fulfilled_location_id:
                parent = Location.search(
                    [
                        ("name", "=", FULFILLED_PARENT_NAME),
                        ("usage", "=", "view"),
                        ("location_id", "=", False),
                        ("company_id", "=", company.id),
                    ],
                    limit=1,
                ) or Location.create(
                    {"name": FULFILLED_PARENT_NAME, "usage": "view", "company_id": company.id}
                )
                channel.fulfilled_location_id = Location.create(
                    {
                        "name": channel.name,
                        "usage": "internal",
                        "location_id": parent.id,
                        "company_id": company.id,
                    }
                )
            if not channel.fulfilled_picking_type_id:
                warehouse = channel.warehouse_id or self.env["stock.warehouse"].sudo().search(
                    [("company_id", "=", company.id)], limit=1
                )
                channel.fulfilled_picking_type_id = (
                    self.env["stock.picking.type"]
                    .sudo()
                    .create(
                        {
                            "name": _("Fulfilled by %s", channel.name),
                            "code": "outgoing",
                            # Its own numbers: channels sharing one prefix, each
                            # with its own sequence, would name two deliveries alike.
                            "sequence_code": f"FBC{channel.id}",
                            "company_id": company.id,
                            "warehouse_id": warehouse.id,
                            "default_location_src_id": channel.fulfilled_location_id.id,
                            "default_location_dest_id": customers.id,
                        }
                    )
                )
            elif channel.fulfilled_picking_type_id.sequence_code == "FBC":
                # Made before each channel had its own prefix: its next number may
                # be another channel's delivery's already.
                channel.fulfilled_picking_type_id.sequence_code = f"FBC{channel.id}"
        return True

    def write(self, vals):
        if {"stock_push_on_change", "active"} & set(vals):
            self.env.registry.clear_cache()  # oms.channel.product._oms_push_channels_of
        moved = self.browse()
        changed = [name for name in URL_FIELDS if name in vals]
        if changed:
            moved = self.sudo().filtered(
                lambda c: any((c[name] or False) != (vals[name] or False) for name in changed)
            )
        result = super().write(vals)
        forget = {name: False for name in CREDENTIAL_FIELDS if name not in vals}
        if moved and forget:
            _logger.info("Channels %s: API URL changed, credentials forgotten", moved.ids)
            moved.write(forget)
        return result

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
        if self.channel_type != "shopify":
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
        for channel in self.search([("channel_type", "in", API_KINDS)]):
            if channel.sudo().api_base_url:
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
                # Also looked for by the webhook intake (controllers/intake.py).
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
