import logging

from psycopg2 import errors

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
from ..channel_connectors import MissingSetting, StockLine, api_kinds, connector_class

_logger = logging.getLogger(__name__)

# Seconds a push on change waits, so that a burst of moves makes one push.
PUSH_DELAY = 30
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


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    catalogue_date = fields.Datetime(string="Last Catalogue Import", readonly=True, copy=False)
    catalogue_result = fields.Char(
        string="Catalogue Import", readonly=True, copy=False, help="What the last import did."
    )
    listing_to_map_count = fields.Integer(
        string="Listings to Map", compute="_compute_listing_to_map_count"
    )

    def _compute_listing_to_map_count(self):
        groups = dict(
            self.env["oms.channel.product"]._read_group(
                [("channel_id", "in", self.ids), ("state", "=", "to_map")],
                ["channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            channel.listing_to_map_count = groups.get(channel._origin, 0)

    def action_open_listings_to_map(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "oms_channels.oms_channel_product_action_to_map"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"default_channel_id": self.id, "search_default_to_map": 1}
        return action

    # --- catalogue ------------------------------------------------------------------------
    def action_import_catalogue(self):
        """Import the channel's catalogue in the background (root.oms.import)."""
        for channel in self:
            if not channel._oms_connector().has_api:
                raise UserError(_("%s has no catalogue to import.", channel.name))
            channel.with_delay(
                identity_key=identity_exact,
                description=_("Import the catalogue of %s", channel.name),
            )._oms_import_catalogue()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Catalogue import queued"),
                "message": _("The listings appear under Listings to Map as it runs."),
            },
        }

    def _oms_import_catalogue(self):
        """Read the channel's whole catalogue and apply it to its listings; a
        transient channel error is retried by the job, any other is recorded on the
        channel and raised (nothing is half-applied: the catalogue is read first)."""
        self.ensure_one()
        try:
            client = self._oms_get_channel_client()
            items = list(self._oms_connector().iter_catalogue(client))
        except MissingSetting as error:
            raise UserError(
                _(
                    "Set the %(setting)s of %(channel)s first.",
                    setting=error.setting,
                    channel=self.name,
                )
            ) from None
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error)) from error
            raise UserError(_("The channel could not be reached: %s", error)) from error
        except ChannelError as error:
            raise UserError(_("Catalogue import failed: %s", error)) from error
        try:
            with self.env.cr.savepoint():
                return self._oms_apply_catalogue(items)
        except errors.UniqueViolation as error:
            # Another job (a second import, an order's listing to map) made one of
            # these listings meanwhile: run again, it is known then.
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(
                    _("A listing of %s was made meanwhile: the import runs again.", self.name),
                    seconds=5,
                ) from error
            raise UserError(
                _("A listing of %s was made meanwhile: import the catalogue again.", self.name)
            ) from error

    def _oms_apply_catalogue(self, items):
        """Make the channel's listings what ``items`` (``CatalogItem``) say: new
        ones created and matched to an Odoo product by SKU, then barcode (else left
        to map); known ones updated (by their variant or product id, or adopted from
        a listing made before by SKU or stock id); the ones the channel no longer
        has archived, never deleted. Returns the summary kept on the channel."""
        self.ensure_one()
        Listing = self.env["oms.channel.product"].sudo().with_context(active_test=False)
        amazon = self._oms_connector().listings_by_sku
        wanted = {}
        for item in items:
            key = item.sku if amazon else (item.variant_id or item.product_id)
            if key:
                wanted.setdefault(key, item)
        listings = Listing.search([("channel_id", "=", self.id)])
        by_key = {listing.channel_key: listing for listing in listings if listing.channel_key}
        loose = listings.filtered(lambda listing: not listing.channel_key)
        loose_by_stock = {listing.remote_id: listing for listing in loose if listing.remote_id}
        loose_by_sku = {listing.sku: listing for listing in loose if listing.sku}
        matches = self._oms_catalogue_matches(wanted.values())
        now = fields.Datetime.now()
        created = updated = matched = 0
        new_vals, unchanged = [], Listing
        for key, item in wanted.items():
            listing = by_key.get(key) or loose_by_stock.pop(item.stock_id, None)
            if listing is None and item.sku:
                listing = loose_by_sku.pop(item.sku, None)
            vals = {
                "channel_product_ref": item.product_id or False,
                "channel_variant_ref": item.variant_id or False,
                "sku": item.sku or False,
                "name": item.title or False,
                "barcode": item.barcode or False,
                "list_price": float(item.price) if item.price else 0.0,
                "remote_id": item.stock_id or False,
                "remote_parent_id": item.stock_parent_id or False,
                "active": True,
            }
            product = matches.get(item)
            if listing is None:
                new_vals.append(
                    {
                        **vals,
                        "channel_id": self.id,
                        "product_id": product.id if product else False,
                        "catalogue_date": now,
                    }
                )
                created += 1
                matched += bool(product)
                continue
            if listing.state == "to_map" and product:
                vals["product_id"] = product.id
                matched += 1
            changed = {
                name: value
                for name, value in vals.items()
                if (listing[name].id if name == "product_id" else listing[name] or False) != value
            }
            if changed:
                listing.write({**changed, "catalogue_date": now})
                updated += 1
            else:
                unchanged |= listing
        unchanged.write({"catalogue_date": now})
        if new_vals:
            Listing.create(new_vals)
        gone = listings.filtered(
            lambda listing: listing.active
            and listing.channel_key
            and listing.channel_key not in wanted
            and listing.catalogue_date
        )
        gone.write({"active": False})
        to_map = Listing.search_count(
            [("channel_id", "=", self.id), ("state", "=", "to_map"), ("active", "=", True)]
        )
        summary = _(
            "%(total)s listings: %(created)s new, %(updated)s changed, %(matched)s matched "
            "by SKU or barcode, %(to_map)s to map, %(gone)s archived (gone from the channel).",
            total=len(wanted),
            created=created,
            updated=updated,
            matched=matched,
            to_map=to_map,
            gone=len(gone),
        )
        self.sudo().write({"catalogue_date": now, "catalogue_result": summary})
        return summary

    def _oms_catalogue_matches(self, items):
        """``{item: product}`` for the items an Odoo product matches: by SKU (the
        product's internal reference), then by barcode (the item's barcode, or its
        SKU written as a barcode); never by title."""
        Product = self.env["product.product"].sudo()
        company = [("company_id", "in", (self.company_id.id, False))]
        items = list(items)
        skus = list({item.sku for item in items if item.sku})
        by_code, by_barcode = {}, {}
        if skus:
            for product in Product.search([("default_code", "in", skus), *company]):
                by_code.setdefault(product.default_code, product)
        codes = list(
            {code for item in items for code in (item.barcode, item.sku) if code} - set(by_code)
        )
        if codes:
            for product in Product.search([("barcode", "in", codes), *company]):
                by_barcode.setdefault(product.barcode, product)
        result = {}
        for item in items:
            product = (
                by_code.get(item.sku) or by_barcode.get(item.barcode) or by_barcode.get(item.sku)
            )
            if product and product.is_storable:
                result[item] = product
        return result

    def _oms_stock_locations(self):
        """The stock locations whose quantities the channel sells."""
        self.ensure_one()
        if self.warehouse_id:
            return self.warehouse_id.lot_stock_id
        warehouses = self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)])
        return warehouses.lot_stock_id

    def _oms_stock_breakdown(self, products, warehouses=None):
        """``{product id: (on hand, reserved)}`` in ``warehouses`` (the channel's by
        default): what their sellable locations hold (never quarantine, scrap,
        returns, nor a location marked *Not Free Stock*) and what is reserved there,
        deliveries' reservations and the units orders on hold keep alike."""
        self.ensure_one()
        if warehouses is None:
            warehouses = self._oms_stock_locations().warehouse_id
        locations = self.env["stock.location"].sudo()._oms_sellable_locations(warehouses)
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [("product_id", "in", products.ids), ("location_id", "in", locations.ids)],
                ["product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        held = products.sudo()._oms_soft_reserved_qty(warehouses)
        return {
            product.id: (quantity, reserved + held.get(product.id, 0.0))
            for product, quantity, reserved in groups
        }

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
        if not self._oms_connector().has_api:
            return False
        # Only listings that are an Odoo product: one to map or ignored has no stock.
        bindings = (
            (bindings or self.product_binding_ids)
            .filtered(lambda b: b.active and b.state == "mapped")
            .sudo()
        )
        if not bindings:
            return False
        # Where the figures go: Shopify's mapped locations, each from its own
        # warehouse; else one target (key None) from the channel's warehouses.
        try:
            targets = self._oms_stock_targets()
        except UserError as error:
            return self._oms_stock_push_failed(bindings, error)
        figures = self._oms_stock_figures(bindings, targets)
        # What each listing is sent: every target's figure, or (on change) the
        # figures that differ from the last ones sent.
        send = {
            b: b._oms_push_changed(figures[b]) if only_changed else set(figures[b])
            for b in bindings
        }
        bindings = bindings.filtered(lambda b: send[b])
        if not bindings:
            return True
        try:
            client = self._oms_get_channel_client()
            result = self._oms_send_stock(client, bindings, send, figures)
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error)) from error
            self.sudo().last_push_error = _("Stock push failed: %s", error)
            return False
        except MissingSetting as error:
            return self._oms_stock_push_failed(
                bindings,
                UserError(
                    _(
                        "Set the %(setting)s of %(channel)s first.",
                        setting=error.setting,
                        channel=self.name,
                    )
                ),
            )
        except (ChannelError, UserError) as error:
            return self._oms_stock_push_failed(bindings, error)
        pushed = bindings.browse(result.pushed)
        refused = {bindings.browse(key): message for key, message in result.refused.items()}
        levels = {bindings.browse(key): level for key, level in (result.levels or {}).items()}
        reference = result.reference
        now = fields.Datetime.now()
        names = {key: name for key, name, _warehouses in targets}
        for binding in bindings:
            if binding not in pushed and binding not in refused:
                continue
            vals = binding._prepare_stock_push_vals(
                figures[binding], levels.get(binding, {}), names, refused.get(binding)
            )
            if binding not in refused:
                vals.update({"push_date": now, "push_reference": reference or False})
            binding.write(vals)
        self.sudo().write(
            {
                "last_push_date": now,
                "last_push_error": _("%s products refused: see their listings.", len(refused))
                if refused
                else False,
            }
        )
        return True

    def _oms_send_stock(self, client, bindings, send, figures):
        """The listings' figures to send, through the channel's connector: the
        channel's ids of the listings that have none are looked up by SKU and kept
        first, then the figures are sent; the connector's ``StockPush``."""
        connector = self._oms_connector()
        lines = [
            StockLine(
                binding.id,
                binding.sku,
                binding.remote_id or None,
                binding.remote_parent_id or None,
                {key: figures[binding][key][2] for key in send[binding]},
            )
            for binding in bindings
        ]
        found = connector.find_remote_ids(client, lines)
        for binding in bindings:
            if binding.id in found:
                binding.write(found[binding.id])
        lines = [
            line._replace(
                remote_id=found[line.key]["remote_id"] or None,
                remote_parent_id=found[line.key].get("remote_parent_id", line.remote_parent_id)
                or None,
            )
            if line.key in found
            else line
            for line in lines
        ]
        return connector.push_stock(client, lines)

    def _oms_stock_figures(self, bindings, targets):
        """``{listing: {target key: (on hand, reserved, quantity)}}``, the quantity
        being on hand - reserved - buffer in the target's warehouses, never below 0."""
        figures = {binding: {} for binding in bindings}
        for key, _name, warehouses in targets:
            breakdown = self._oms_stock_breakdown(bindings.product_id, warehouses)
            for binding in bindings:
                on_hand, reserved = breakdown.get(binding.product_id.id, (0.0, 0.0))
                quantity = max(0, int(on_hand - reserved - self.stock_buffer))
                figures[binding][key] = (on_hand, reserved, quantity)
        return figures

    def _oms_stock_push_failed(self, bindings, error):
        self.sudo().write({"last_push_error": _("Stock push failed: %s", error)})
        bindings.write({"push_state": "error", "push_error": str(error)})
        return False

    def _oms_stock_targets(self):
        """``[(key, name, warehouses)]``: where the channel's figures go and whose
        stock each is. Shopify: each location mapped to a warehouse (key: its
        Shopify id); while none is, the channel's Shopify location with the
        channel's stock. Other channels: one figure (key None) of the channel's
        warehouses."""
        self.ensure_one()
        if self.channel_type != "shopify":
            return [(None, None, self._oms_stock_locations().warehouse_id)]
        mapped = self.sudo().shopify_location_ids.filtered("warehouse_id")
        if mapped:
            return [(m.remote_id, m.name or m.remote_id, m.warehouse_id) for m in mapped]
        if not self.shopify_location_id:
            raise UserError(
                _(
                    "Set the Shopify location of %s first (or map its Shopify locations "
                    "to warehouses).",
                    self.name,
                )
            )
        return [
            (
                self.shopify_location_id,
                self.shopify_location_id,
                self._oms_stock_locations().warehouse_id,
            )
        ]

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
        """Queue a push of every API channel's stock, one job each (root.oms.push;
        one still waiting is not queued again): a slow channel holds back no
        other."""
        for channel in self.search([("channel_type", "in", api_kinds())]):
            if not (channel.sudo().api_base_url and channel.product_binding_ids):
                continue
            channel.sudo().with_delay(
                identity_key=identity_exact,
                description=_("Push the stock of %s", channel.name),
            )._oms_push_stock_isolated()

    def _oms_push_stock_isolated(self):
        """Push the channel's stock in a savepoint: a push that fails in an
        unexpected way (an answer nothing expected, a bug) is rolled back, with
        the error on the channel."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._oms_push_stock()
        except Exception as error:
            _logger.exception("Channel %s: the scheduled stock push failed", self.id)
            self.sudo().last_push_error = _("Stock push failed: %s", error)
