import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.oms_core.tools import credentials_may_go_to

from ..channel_clients.amazon import TOKEN_URL
from ..channel_connectors import (
    connector_class,
    registered_kinds,
    secret_fields,
)

# The URLs the channel's client sends credentials to: administrators only, https.
URL_FIELDS = ("api_base_url", "amazon_token_url")
# What a client sends to those URLs: forgotten when one of them changes (unless
# given again in the same change), so that secrets only go where an
# administrator who knows them said.
# Each kind's connector lists its own (``secret_fields``).
CREDENTIAL_FIELDS = secret_fields()
_logger = logging.getLogger(__name__)


def import_job_key(channel_id):
    """The identity key of the job importing a channel's webhook deliveries:
    while one waits, no other is queued."""
    return f"oms.channel({channel_id},)._oms_import_webhooks"


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
    inbox_ids = fields.One2many("oms.channel.inbox", "channel_id")
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
        connector = connector_class(self.channel_type)
        if (
            not self._origin
            and not self.import_orders_from
            and connector
            and connector.imports_from_creation
        ):
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
