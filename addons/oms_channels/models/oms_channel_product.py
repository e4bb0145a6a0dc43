import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..channel_clients import (
    ChannelConnectionError,
    ChannelError,
    ChannelRateLimitError,
    ChannelServerError,
)
from ..channel_clients.woocommerce import Product as WooProduct

_logger = logging.getLogger(__name__)

# Seconds a push on change waits, so that a burst of moves makes one push.
PUSH_DELAY = 30
TRANSIENT_ERRORS = (ChannelConnectionError, ChannelRateLimitError, ChannelServerError)


class OmsChannelProduct(models.Model):
    """A product sold on a channel: its SKU there, its id there, and the stock
    figure last sent with how it was reached (on hand - reserved - buffer)."""

    _name = "oms.channel.product"
    _description = "Product on a Channel"
    _order = "channel_id, sku, id"
    _rec_name = "sku"

    channel_id = fields.Many2one("oms.channel", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_storable", "=", True)],
    )
    sku = fields.Char(
        string="Channel SKU",
        required=True,
        help="The SKU of the product on the channel (its internal reference by default).",
    )
    remote_id = fields.Char(
        string="Channel ID",
        copy=False,
        help="The channel's id of what stock is set on (Shopify inventory item, "
        "WooCommerce product); found by SKU at the first push.",
    )
    remote_parent_id = fields.Char(
        string="Channel Parent ID", copy=False, help="WooCommerce: the product of a variation."
    )
    active = fields.Boolean(default=True)
    qty_on_hand = fields.Float(string="On Hand", readonly=True, copy=False)
    qty_reserved = fields.Float(string="Reserved", readonly=True, copy=False)
    qty_buffer = fields.Float(string="Buffer", readonly=True, copy=False)
    qty_pushed = fields.Integer(
        string="Sent to Channel",
        readonly=True,
        copy=False,
        help="What the channel was told it may sell: on hand - reserved - buffer, "
        "never below zero.",
    )
    push_date = fields.Datetime(string="Sent On", readonly=True, copy=False)
    push_reference = fields.Char(
        readonly=True, copy=False, help="The channel's reference of the push (Amazon feed id)."
    )
    push_state = fields.Selection(
        [("new", "Not sent yet"), ("done", "Sent"), ("error", "Error")],
        default="new",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    push_error = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        (
            "channel_product_uniq",
            "unique(channel_id, product_id)",
            "This product is already listed on this channel.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("sku") and vals.get("product_id"):
                product = self.env["product.product"].browse(vals["product_id"])
                vals["sku"] = product.default_code or product.barcode
        self.env.registry.clear_cache()  # _oms_push_channels_of
        return super().create(vals_list)

    def write(self, vals):
        if {"product_id", "channel_id", "active"} & set(vals):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _oms_push_channels_of(self, product_id):
        """Ids of the channels that list ``product_id`` and push stock on change
        (read once per worker, until listings change): stock moves ask often."""
        return self._oms_push_channels_by_product().get(product_id, ())

    @tools.ormcache()
    def _oms_push_channels_by_product(self):
        self.env.cr.execute(
            """
            SELECT binding.product_id, array_agg(DISTINCT binding.channel_id)
              FROM oms_channel_product binding
              JOIN oms_channel channel ON channel.id = binding.channel_id
             WHERE binding.active AND channel.active AND channel.stock_push_on_change
             GROUP BY binding.product_id
            """
        )
        return {product_id: tuple(ids) for product_id, ids in self.env.cr.fetchall()}

    @api.onchange("product_id")
    def _onchange_product_id_sku(self):
        if self.product_id and not self.sku:
            self.sku = self.product_id.default_code or self.product_id.barcode

    @api.model
    def _oms_ensure(self, channel, products):
        """List ``products`` on ``channel`` (the products of its orders) under their
        internal reference, or barcode, as SKU."""
        products = products.filtered(lambda p: p.is_storable and (p.default_code or p.barcode))
        if not products:
            return self
        known = self.with_context(active_test=False).search(
            [("channel_id", "=", channel.id), ("product_id", "in", products.ids)]
        )
        return self.sudo().create(
            [
                {
                    "channel_id": channel.id,
                    "product_id": product.id,
                    "sku": product.default_code or product.barcode,
                }
                for product in products - known.product_id
            ]
        )

    def action_push_now(self):
        for channel in self.channel_id:
            channel._oms_push_stock(self.filtered(lambda b, c=channel: b.channel_id == c))
        return True


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    def _oms_stock_locations(self):
        """The stock locations whose quantities the channel sells."""
        self.ensure_one()
        if self.warehouse_id:
            return self.warehouse_id.lot_stock_id
        warehouses = self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)])
        return warehouses.lot_stock_id

    def _oms_stock_breakdown(self, products):
        """``{product id: (on hand, reserved)}`` in the channel's stock locations,
        read in one query."""
        self.ensure_one()
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("location_id", "child_of", self._oms_stock_locations().ids),
                ],
                ["product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        return {product.id: (quantity, reserved) for product, quantity, reserved in groups}

    def action_push_stock(self):
        for channel in self:
            channel._oms_push_stock()
            if channel.last_push_error:
                raise UserError(channel.last_push_error)
        return True

    def _oms_push_stock(self, bindings=None, only_changed=False):
        """Send each listed product's sellable quantity to the channel, with its
        breakdown kept on the listing. ``only_changed`` sends just the figures
        that differ from the last ones sent (pushes on change)."""
        self.ensure_one()
        if self.channel_type not in ("shopify", "woocommerce", "amazon"):
            return False
        bindings = (bindings or self.product_binding_ids).filtered("active").sudo()
        if not bindings:
            return False
        breakdown = self._oms_stock_breakdown(bindings.product_id)
        figures = {}
        for binding in bindings:
            on_hand, reserved = breakdown.get(binding.product_id.id, (0.0, 0.0))
            quantity = max(0, int(on_hand - reserved - self.stock_buffer))
            figures[binding] = (on_hand, reserved, quantity)
        if only_changed:
            bindings = bindings.filtered(
                lambda b: b.push_state != "done" or b.qty_pushed != figures[b][2]
            )
            if not bindings:
                return True
        try:
            client = self._oms_get_channel_client()
            pushed, refused, reference = getattr(self, f"_oms_push_stock_{self.channel_type}")(
                client, bindings, {b: figures[b][2] for b in bindings}
            )
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error), seconds=60) from error
            self.sudo().last_push_error = _("Stock push failed: %s", error)
            return False
        except (ChannelError, UserError) as error:
            self.sudo().write({"last_push_error": _("Stock push failed: %s", error)})
            bindings.write({"push_state": "error", "push_error": str(error)})
            return False
        now = fields.Datetime.now()
        for binding in pushed:
            on_hand, reserved, quantity = figures[binding]
            binding.write(
                {
                    "qty_on_hand": on_hand,
                    "qty_reserved": reserved,
                    "qty_buffer": self.stock_buffer,
                    "qty_pushed": quantity,
                    "push_date": now,
                    "push_state": "done",
                    "push_error": False,
                    "push_reference": reference or False,
                }
            )
        for binding, message in refused.items():
            binding.write({"push_state": "error", "push_error": message})
        self.sudo().write(
            {
                "last_push_date": now,
                "last_push_error": _("%s products refused: see their listings.", len(refused))
                if refused
                else False,
            }
        )
        return True

    def _oms_push_stock_shopify(self, client, bindings, quantities):
        if not self.shopify_location_id:
            raise UserError(_("Set the Shopify location of %s first.", self.name))
        if bindings.filtered(lambda b: not b.remote_id):
            items = {v.sku: v.inventory_item_id for v in client.iter_variants() if v.sku}
            for binding in bindings.filtered(lambda b: not b.remote_id):
                if items.get(binding.sku):
                    binding.remote_id = items[binding.sku]
        pushed, refused = self.env["oms.channel.product"], {}
        for binding in bindings:
            if not binding.remote_id:
                refused[binding] = _("No variant of the shop has the SKU %s.", binding.sku)
                continue
            client.set_inventory_level(
                binding.remote_id, self.shopify_location_id, quantities[binding]
            )
            pushed |= binding
        return pushed, refused, None

    def _oms_push_stock_woocommerce(self, client, bindings, quantities):
        pushed, refused = self.env["oms.channel.product"], {}
        for binding in bindings.filtered(lambda b: not b.remote_id):
            product = client.find_product_by_sku(binding.sku)
            if product:
                binding.write({"remote_id": product.id, "remote_parent_id": product.parent_id})
        simple = bindings.filtered(lambda b: b.remote_id and not b.remote_parent_id)
        by_id = {binding.remote_id: binding for binding in simple}
        if simple:
            result = client.set_stock_batch({b.remote_id: quantities[b] for b in simple})
            for product_id, message in result.errors:
                if product_id in by_id:
                    refused[by_id[product_id]] = message
            pushed |= simple.filtered(lambda b: b not in refused)
        for binding in bindings.filtered(lambda b: b.remote_id and b.remote_parent_id):
            variation = WooProduct(
                id=binding.remote_id,
                parent_id=binding.remote_parent_id,
                sku=binding.sku,
                name="",
                type="variation",
                manage_stock=True,
                stock_quantity=None,
            )
            client.set_stock(variation, quantities[binding])
            pushed |= binding
        for binding in bindings.filtered(lambda b: not b.remote_id):
            refused[binding] = _("No product of the store has the SKU %s.", binding.sku)
        return pushed, refused, None

    def _oms_push_stock_amazon(self, client, bindings, quantities):
        if not self.amazon_seller_id:
            raise UserError(_("Set the Amazon seller id of %s first.", self.name))
        feed_id = client.submit_inventory(
            self.amazon_seller_id, {binding.sku: quantities[binding] for binding in bindings}
        )
        return bindings, {}, _("Feed %s", feed_id)

    def _oms_queue_stock_push(self):
        """Push soon the stock of the channels' products that moved: one pending
        job per channel however many moves happen meanwhile."""
        for channel in self.filtered("stock_push_on_change"):
            channel.with_delay(
                eta=PUSH_DELAY,
                identity_key=identity_exact,
                description=_("Push stock to %s", channel.name),
            )._oms_push_stock(only_changed=True)

    @api.model
    def _cron_oms_push_stock(self):
        """Push every API channel's stock, each in a savepoint: a channel whose
        push fails in an unexpected way (an answer nothing expected, a bug) is
        rolled back alone, with the error on the channel, and the others go on."""
        for channel in self.search([("channel_type", "in", ("shopify", "woocommerce", "amazon"))]):
            if not (channel.sudo().api_base_url and channel.product_binding_ids):
                continue
            try:
                with self.env.cr.savepoint():
                    channel._oms_push_stock()
            except Exception as error:
                _logger.exception("Channel %s: the scheduled stock push failed", channel.id)
                channel.sudo().last_push_error = _("Stock push failed: %s", error)
