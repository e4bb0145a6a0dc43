from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from ..channel_clients import (
    ChannelConnectionError,
    ChannelRateLimitError,
    ChannelServerError,
)
from ..channel_connectors import connector_class

TRANSIENT_ERRORS = (ChannelConnectionError, ChannelRateLimitError, ChannelServerError)


LISTING_STATES = [("mapped", "Mapped"), ("to_map", "To Map"), ("ignored", "Ignored")]


class OmsChannelProduct(models.Model):
    """A listing: something the channel sells (a Shopify variant, a WooCommerce
    product or variation, an Amazon seller SKU) with the channel's ids, and the
    Odoo product it is (mapped), not yet (to map) or never (ignored). Order lines
    are matched through it by the channel's ids; the stock of mapped listings is
    pushed, with the figure last sent and how it was reached (on hand - reserved
    - buffer)."""

    _name = "oms.channel.product"
    _description = "Listing on a Channel"
    _order = "channel_id, sku, id"

    channel_id = fields.Many2one("oms.channel", required=True, index=True, ondelete="cascade")
    channel_type = fields.Selection(related="channel_id.channel_type")
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    product_id = fields.Many2one(
        "product.product",
        index=True,
        ondelete="cascade",
        domain=[("is_storable", "=", True)],
        help="The Odoo product this listing is; empty while the listing is to map.",
    )
    sku = fields.Char(
        string="Channel SKU",
        index=True,
        help="The SKU of the product on the channel (its internal reference by default).",
    )
    name = fields.Char(string="Channel Title", help="The product's title on the channel.")
    barcode = fields.Char(string="Channel Barcode")
    list_price = fields.Float(string="Channel Price", digits="Product Price")
    channel_product_ref = fields.Char(
        string="Channel Product ID",
        index=True,
        help="The channel's id of the product: Shopify product, WooCommerce product "
        "(the parent of a variation), Amazon ASIN.",
    )
    channel_variant_ref = fields.Char(
        string="Channel Variant ID",
        help="The channel's id of the variant: Shopify variant, WooCommerce variation; "
        "empty for a product without variants and on Amazon.",
    )
    channel_key = fields.Char(
        compute="_compute_channel_key",
        store=True,
        index=True,
        help="What the listing is unique by on its channel: the variant id, else the "
        "product id (Amazon: the seller SKU).",
    )
    is_ignored = fields.Boolean(
        string="Ignored", copy=False, help="Never to map: its order lines stay notes."
    )
    state = fields.Selection(
        LISTING_STATES, compute="_compute_state", store=True, index=True, string="Mapping"
    )
    catalogue_date = fields.Datetime(string="Last Seen in the Catalogue", readonly=True, copy=False)
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
    qty_reserved = fields.Float(
        string="Reserved",
        readonly=True,
        copy=False,
        help="Reserved for deliveries, and held by orders on hold (promised: never "
        "offered again while the hold is checked).",
    )
    qty_buffer = fields.Float(string="Buffer", readonly=True, copy=False)
    qty_pushed = fields.Integer(
        string="Sent to Channel",
        readonly=True,
        copy=False,
        help="What the channel was told it may sell: on hand - reserved - buffer, "
        "never below zero.",
    )
    qty_channel_read = fields.Integer(
        string="Read from Channel",
        readonly=True,
        copy=False,
        help="Shopify: the available figure read just before the push (summed over "
        "the locations), which the push was compared with (compare-and-set): a sale "
        "made meanwhile shows here and was not overwritten.",
    )
    push_levels = fields.Json(
        readonly=True,
        copy=False,
        help="Shopify: per location id, its name, the warehouse's on hand and reserved, "
        "the figure read, the figure sent and the error, of the last push.",
    )
    push_detail = fields.Text(string="Per Location", compute="_compute_push_detail")
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
            "channel_key_uniq",
            "unique(channel_id, channel_key)",
            "This channel already has a listing with this variant (or product) id.",
        ),
    ]

    @api.depends("channel_id.channel_type", "channel_variant_ref", "channel_product_ref", "sku")
    def _compute_channel_key(self):
        for listing in self:
            connector = connector_class(listing.channel_id.channel_type)
            if connector and connector.listings_by_sku:
                listing.channel_key = listing.sku or False
            else:
                listing.channel_key = (
                    listing.channel_variant_ref or listing.channel_product_ref or False
                )

    @api.depends("product_id", "is_ignored")
    def _compute_state(self):
        for listing in self:
            if listing.is_ignored:
                listing.state = "ignored"
            else:
                listing.state = "mapped" if listing.product_id else "to_map"

    @api.depends("push_levels")
    def _compute_push_detail(self):
        for listing in self:
            lines = []
            for location_id, level in sorted((listing.push_levels or {}).items()):
                line = _(
                    "%(location)s: on hand %(on_hand)s, reserved %(reserved)s, read "
                    "%(read)s, sent %(sent)s",
                    location=level.get("name") or location_id,
                    on_hand=level.get("on_hand"),
                    reserved=level.get("reserved"),
                    read="-" if level.get("read") is None else level["read"],
                    sent="-" if level.get("sent") is None else level["sent"],
                )
                if level.get("error"):
                    line += f" ({level['error']})"
                lines.append(line)
            listing.push_detail = "\n".join(lines) or False

    def _oms_push_changed(self, figures):
        """The targets of ``figures`` (``{target: (on hand, reserved, quantity)}``)
        whose quantity differs from what the listing last sent there: all of them
        when its last push failed or it was never pushed."""
        self.ensure_one()
        if self.push_state != "done":
            return set(figures)
        if list(figures) == [None]:
            return {None} if self.qty_pushed != figures[None][2] else set()
        sent = {key: (level or {}).get("sent") for key, level in (self.push_levels or {}).items()}
        if not sent and len(figures) == 1:
            # Pushed before per-location figures were kept: that one location.
            sent = dict.fromkeys(figures, self.qty_pushed)
        return {key for key, figure in figures.items() if sent.get(key) != figure[2]}

    def _prepare_stock_push_vals(self, figures, levels, names, error=None):
        """The listing's values after a push: ``figures`` ``{target: (on hand,
        reserved, quantity)}`` of every target, ``levels`` what each Shopify
        location sent to read and was sent (or why not; the locations not sent
        to keep their last ones), ``error`` when the listing was refused (then the
        totals last sent stay)."""
        self.ensure_one()
        vals = {}
        if levels:
            merged = {
                key: level
                for key, level in (self.push_levels or {}).items()
                if key in figures and key not in levels
            }
            for key, level in levels.items():
                merged[key] = {
                    "name": names.get(key) or key,
                    "on_hand": figures[key][0],
                    "reserved": figures[key][1],
                    **level,
                }
            vals["push_levels"] = merged
            vals["qty_channel_read"] = sum(level.get("read") or 0 for level in merged.values())
        if error:
            return {**vals, "push_state": "error", "push_error": error}
        return {
            **vals,
            "qty_on_hand": sum(figure[0] for figure in figures.values()),
            "qty_reserved": sum(figure[1] for figure in figures.values()),
            "qty_buffer": self.channel_id.stock_buffer * len(figures),
            "qty_pushed": sum(figure[2] for figure in figures.values()),
            "push_state": "done",
            "push_error": False,
        }

    @api.depends("sku", "name", "channel_key")
    def _compute_display_name(self):
        for listing in self:
            label = listing.name or listing.channel_key or ""
            listing.display_name = f"[{listing.sku}] {label}" if listing.sku else label

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("sku") and vals.get("product_id"):
                product = self.env["product.product"].browse(vals["product_id"])
                vals["sku"] = product.default_code or product.barcode
        self.env.registry.clear_cache()  # _oms_push_channels_of
        return super().create(vals_list)

    def write(self, vals):
        if {"product_id", "channel_id", "active", "is_ignored"} & set(vals):
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
        self.flush_model(["product_id", "channel_id", "active", "state"])
        self.env.cr.execute(
            """
            SELECT binding.product_id, array_agg(DISTINCT binding.channel_id)
              FROM oms_channel_product binding
              JOIN oms_channel channel ON channel.id = binding.channel_id
             WHERE binding.active AND binding.state = 'mapped'
               AND channel.active AND channel.stock_push_on_change
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
        Listing = self.with_context(active_test=False).sudo()
        known = Listing.search(
            [("channel_id", "=", channel.id), ("product_id", "in", products.ids)]
        )
        products -= known.product_id
        if channel._oms_connector().listings_by_sku and products:
            # An Amazon listing is its seller SKU: one already there (to map) is
            # this product's, not a second listing of the same SKU.
            by_sku = {
                listing.channel_key: listing
                for listing in Listing.search(
                    [
                        ("channel_id", "=", channel.id),
                        ("channel_key", "in", [p.default_code or p.barcode for p in products]),
                    ]
                )
            }
            for product in products:
                listing = by_sku.get(product.default_code or product.barcode)
                if listing:
                    if listing.state == "to_map":
                        listing.product_id = product
                    products -= product
        return Listing.create(
            [
                {
                    "channel_id": channel.id,
                    "product_id": product.id,
                    "sku": product.default_code or product.barcode,
                }
                for product in products
            ]
        )

    def action_push_now(self):
        for channel in self.channel_id:
            channel._oms_push_stock(self.filtered(lambda b, c=channel: b.channel_id == c))
        return True

    # --- mapping ------------------------------------------------------------------------
    def action_map(self):
        """Choose the Odoo product of the listings (a wizard)."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Map to a Product"),
            "res_model": "oms.channel.product.map",
            "view_mode": "form",
            "target": "new",
            "context": {"default_listing_ids": self.ids},
        }

    def _oms_map(self, product):
        """Make ``product`` the Odoo product of the listings, then turn the lines of
        held orders that waited for them into lines of that product."""
        if not product.is_storable:
            raise UserError(_("%s is not a storable product.", product.display_name))
        self.write({"product_id": product.id, "is_ignored": False})
        self._oms_fix_waiting_orders()
        return True

    def action_create_product(self):
        """Create a storable product per listing to map, from its title, SKU,
        barcode and price, and map the listing to it."""
        listings = self.filtered(lambda listing: listing.state != "mapped")
        if not listings:
            raise UserError(_("These listings are mapped already."))
        Product = self.env["product.product"]
        barcodes = [listing.barcode for listing in listings if listing.barcode]
        taken = set(
            Product.with_context(active_test=False)
            .search([("barcode", "in", barcodes)])
            .mapped("barcode")
            if barcodes
            else ()
        )
        for listing in listings:
            if not (listing.name or listing.sku):
                raise UserError(
                    _("The listing %s has neither title nor SKU to name a product.", listing.id)
                )
            vals = {
                "name": listing.name or listing.sku,
                "default_code": listing.sku or False,
                "type": "consu",
                "is_storable": True,
            }
            if listing.barcode and listing.barcode not in taken:
                vals["barcode"] = listing.barcode
                taken.add(listing.barcode)
            if listing.list_price:
                vals["list_price"] = listing.list_price
            product = Product.create(vals)
            listing._oms_map(product)
        return True

    def action_ignore(self):
        """Never map these listings: their order lines stay notes, their stock is
        never pushed."""
        self.write({"is_ignored": True, "product_id": False})
        return True

    def action_to_map(self):
        """Put ignored or mapped listings back in the list to map."""
        self.write({"is_ignored": False, "product_id": False})
        return True

    def _oms_fix_waiting_orders(self):
        """The orders not confirmed yet whose note lines wait for these listings:
        those lines become lines of the listings' products (sale_order.py)."""
        lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [("oms_channel_product_id", "in", self.ids), ("display_type", "=", "line_note")]
            )
        )
        lines.order_id._oms_fix_channel_lines()
