"""What a batch of channel drafts needs, each read once (products, listings,
taxes, currencies, pricelists), and the helpers that describe draft lines.
"""

from dataclasses import replace
from decimal import Decimal

from odoo import _
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import email_normalize

# The tax group of the taxes a channel creates for rates Odoo has no tax for.
CHANNEL_TAX_GROUP = "Channel Taxes"


def describe_line(env, line, with_name=True):
    """What the channel says of a line: its product and variant ids, its SKU and
    (``with_name``) its title, to find it in the channel."""
    parts = []
    if line.product_external_id:
        parts.append(env._("product id %s", line.product_external_id))
    if line.variant_external_id:
        parts.append(env._("variant id %s", line.variant_external_id))
    parts.append(env._("SKU “%s”", line.sku) if line.sku else env._("no SKU"))
    if with_name:
        parts.append(env._("title “%s”", line.name))
    return ", ".join(parts)


def unknown_reason(env, line):
    return env._(
        "Unknown product: the channel's %s matches no mapped listing and no product by "
        "SKU or barcode (lines are never matched by title). Map the listing (Listings to "
        "Map) or create the product: the line then gets its product and this hold is "
        "released.",
        describe_line(env, line),
    )


def email_key(email):
    """The email as Odoo normalises it (``res.partner.email_normalized``: no name,
    no surrounding spaces, lower case), the text it is compared on: ``_`` and
    ``%`` are plain characters."""
    if not email or not email.strip():
        return ""
    return email_normalize(email) or email.strip().lower()


def line_base(draft, line):
    """The amount a line's taxes were computed on: its subtotal without tax."""
    subtotal = line.subtotal if hasattr(line, "subtotal") else line.amount
    return subtotal - line.tax_total if draft.taxes_included else subtotal


def lines_only(draft, lines):
    """The draft with only ``lines`` and no shipping, fees or order discounts."""
    return replace(draft, lines=tuple(lines), shipping_lines=(), fees=(), order_discounts=())


class ChannelLookups:
    """What a batch of drafts needs, each read once: the channel's listings by its
    variant and product ids (Amazon: seller SKU) and by SKU, products by SKU (then
    barcode), taxes by rate, currencies and pricelists."""

    def __init__(self, env, company, channel=None):
        self.env, self.company, self.channel = env, company, channel
        self.connector = channel._oms_connector() if channel else None
        self._products, self._taxes, self._currencies, self._pricelists = {}, {}, {}, {}
        self._tax_candidates = {}
        # Per draft (by id): the channel taxes no Odoo tax matched, described.
        self.unmapped = {}
        self._services, self._analytic = {}, None
        # The channel's listings, read once per id asked for.
        self._asked = set()
        self._by_variant, self._by_product, self._by_sku = {}, {}, {}
        # Listings to map whose lines matched a product by SKU or barcode.
        self.matched_listings = {}

    def load_products(self, lines):
        """Read at once what ``lines`` (draft order lines) need: their listings,
        and products by their SKUs."""
        lines = list(lines)
        self._load_listings(lines)
        self._load_skus(line.sku for line in lines)

    def _load_listings(self, lines):
        if not self.channel:
            return
        asked = set()
        for line in lines:
            asked |= {
                ("variant", line.variant_external_id),
                ("product", line.product_external_id),
                ("sku", line.sku),
            }
        asked = {pair for pair in asked if pair[1]} - self._asked
        if not asked:
            return
        self._asked |= asked
        ids = {kind: [value for k, value in asked if k == kind] for kind in ("variant", "product")}
        skus = [value for kind, value in asked if kind == "sku"]
        terms = []
        if ids["variant"]:
            terms.append([("channel_variant_ref", "in", ids["variant"])])
        if ids["product"]:
            terms.append([("channel_product_ref", "in", ids["product"])])
        if skus:
            terms.append([("sku", "in", skus)])
        listings = (
            self.env["oms.channel.product"]
            .with_context(active_test=False)
            .search(
                expression.AND([[("channel_id", "=", self.channel.id)], expression.OR(terms)]),
                order="active desc, id",
            )
        )
        self._remember(listings)

    def _remember(self, listings):
        for listing in listings:
            if listing.channel_variant_ref:
                self._by_variant.setdefault(listing.channel_variant_ref, listing)
            elif listing.channel_product_ref:
                known = self._by_product.setdefault(listing.channel_product_ref, [])
                if listing not in known:
                    known.append(listing)
            if listing.sku:
                known = self._by_sku.setdefault(listing.sku, [])
                if listing not in known:
                    known.append(listing)

    def listing(self, line):
        """The channel's listing of a draft line by the channel's own ids: its
        variant, else its product (when the listing has no variants); on Amazon its
        seller SKU (an ASIN may be sold under several). None when there is none."""
        if not self.channel:
            return None
        self._load_listings([line])
        if self.connector.listings_by_sku:
            return next(
                (lst for lst in self._by_sku.get(line.sku, ()) if lst.channel_key == line.sku),
                None,
            )
        if line.variant_external_id and line.variant_external_id in self._by_variant:
            return self._by_variant[line.variant_external_id]
        candidates = self._by_product.get(line.product_external_id or None, ())
        if len(candidates) > 1:
            candidates = [lst for lst in candidates if lst.sku == line.sku]
        return candidates[0] if len(candidates) == 1 else None

    def product(self, line):
        """The product of a draft line: its listing's, when mapped (the channel's
        id is the truth, whatever the SKU says); else by SKU (a mapped listing
        with that SKU, then the product's internal reference), then barcode. Never
        by the line's title."""
        Product = self.env["product.product"]
        listing = self.listing(line)
        if listing and listing.state == "mapped" and listing.product_id.active:
            return listing.product_id
        if not line.sku:
            return Product
        found = next(
            (
                known.product_id
                for known in self._by_sku.get(line.sku, ())
                if known.active and known.state == "mapped" and known.product_id.active
            ),
            None,
        )
        if found is None:
            self._load_skus([line.sku])
            found = self._products[line.sku]
        if found and listing and listing.state == "to_map":
            # The line's listing was waiting for a product: its SKU says which.
            self.matched_listings.setdefault(listing, found)
        return found

    def map_matched_listings(self):
        """Map the listings to map whose lines a product matched by SKU or barcode."""
        for listing, product in self.matched_listings.items():
            if listing.state == "to_map" and product.is_storable:
                # the SKU decided it, not the user: listings are managers' to edit
                listing.sudo().product_id = product
        self.matched_listings = {}

    def ensure_listings(self, lines):
        """Make a listing "to map" for each line of an API channel that matches no
        product and has no listing yet, so that it can be mapped; one create."""
        if not self.channel or not self.connector.keeps_listings:
            return
        amazon = self.connector.listings_by_sku
        new = {}
        for line in lines:
            key = line.sku if amazon else (line.variant_external_id or line.product_external_id)
            if not key or key in new or self.listing(line) or self.product(line):
                continue
            new[key] = {
                "channel_id": self.channel.id,
                "channel_product_ref": line.product_external_id or False,
                "channel_variant_ref": line.variant_external_id or False,
                "sku": line.sku or False,
                "name": line.name or False,
                "list_price": float(line.unit_price),
            }
        if new:
            self._remember(self.env["oms.channel.product"].create(list(new.values())))

    def _load_skus(self, skus):
        Product = self.env["product.product"]
        missing = list({sku for sku in skus if sku and sku not in self._products})
        if not missing:
            return
        for product in Product.search([("default_code", "in", missing)]):
            self._products.setdefault(product.default_code, product)
        rest = [sku for sku in missing if sku not in self._products]
        if rest:
            for product in Product.search([("barcode", "in", rest)]):
                self._products.setdefault(product.barcode, product)
        for sku in missing:
            self._products.setdefault(sku, Product)

    def analytic_preset(self):
        """Line values that spare Odoo a search for analytic distribution models per
        line, each time amounts are computed, when the company has none: the
        distribution Odoo would compute then is empty."""
        if self._analytic is None:
            Model = self.env["account.analytic.distribution.model"]
            has_models = Model.search_count(
                [("company_id", "in", (self.company.id, False))], limit=1
            )
            self._analytic = {} if has_models else {"analytic_distribution": False}
        return self._analytic

    def service(self, kind=""):
        """The service product of a line that is not goods: the channel's product
        of the fee's kind, else the generic *Channel charge*."""
        if kind not in self._services:
            if kind and self.channel:
                self._services[kind] = self.channel._oms_fee_product(kind)
            else:
                self._services[kind] = self.env.ref(
                    "oms_channels.product_channel_charge"
                ).product_variant_id
        return self._services[kind]

    def currency(self, code):
        if code not in self._currencies:
            self._currencies[code] = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code)], limit=1)
            )
        currency = self._currencies[code]
        if not currency or not currency.active:
            raise UserError(_("The currency %s of the order is not active in Odoo.", code))
        return currency

    def pricelist(self, currency):
        if currency not in self._pricelists:
            Pricelist = self.env["product.pricelist"]
            self._pricelists[currency] = Pricelist.search(
                [
                    ("currency_id", "=", currency.id),
                    ("company_id", "in", (self.company.id, False)),
                ],
                limit=1,
            ) or Pricelist.create(
                {
                    "name": f"Channel orders ({currency.name})",
                    "currency_id": currency.id,
                    "company_id": self.company.id,
                }
            )
        return self._pricelists[currency]

    def taxes(self, draft, tax_lines, base=None):
        """Odoo sales taxes of the company matching the channel's rates and its
        taxes-included setting. A tax line without a rate (older WooCommerce) gets
        it from its amount and ``base`` (the line without tax): the Odoo tax whose
        rate gives that amount to the cent. Tax lines no tax matches are noted in
        ``unmapped``."""
        taxes = self.env["account.tax"]
        for tax_line in tax_lines:
            tax = self._tax_of(draft, tax_line, base)
            if tax:
                taxes |= tax
            elif tax_line.amount:
                self.unmapped.setdefault(id(draft), []).append(_describe(tax_line, base))
        return taxes

    def _tax_of(self, draft, tax_line, base):
        """The channel's tax mapping first (rate code or title, and rate), then the
        search by rate, then, when the channel allows it, a new tax."""
        rate = tax_line.rate
        if rate is None and base:
            rate = tax_line.amount / base
        mapped = self._mapped(tax_line, base)
        if mapped:
            return mapped
        found = self._tax_by_rate(draft, tax_line, base)
        if not found and self.channel and self.channel.create_missing_taxes:
            found = self._create_tax(draft, tax_line, rate, base)
        return found

    def _mapped(self, tax_line, base):
        if not self.channel or not self.channel.sudo().tax_map_ids:
            return self.env["account.tax"]
        names = {tax_line.code.strip().lower(), tax_line.title.strip().lower()} - {""}
        for line in self.channel.sudo().tax_map_ids:
            if line.name.strip().lower() not in names or not line.tax_id.active:
                continue
            if line.rate and tax_line.rate is not None:
                if abs(line.rate - float(tax_line.rate * 100)) > 0.0001:
                    continue
            elif line.rate and base:
                if abs(Decimal(str(line.rate)) / 100 * base - tax_line.amount) > Decimal("0.01"):
                    continue
            elif line.rate:
                continue
            return line.tax_id
        return self.env["account.tax"]

    def _create_tax(self, draft, tax_line, rate, base):
        """A tax of the channel's rate in the company's "Channel Taxes" group; a
        rate known only from amounts is rounded to 0.01 % and used only when it
        gives the channel's amount to the cent."""
        if rate is None:
            return self.env["account.tax"]
        percent = round(float(rate * 100), 4 if tax_line.rate is not None else 2)
        if tax_line.rate is None and (
            abs(Decimal(str(percent)) / 100 * base - tax_line.amount) > Decimal("0.01")
        ):
            return self.env["account.tax"]
        Group = self.env["account.tax.group"].sudo()
        group = Group.search(
            [("name", "=", CHANNEL_TAX_GROUP), ("company_id", "=", self.company.id)], limit=1
        ) or Group.create({"name": CHANNEL_TAX_GROUP, "company_id": self.company.id})
        label = tax_line.title or tax_line.code or self.channel.name
        tax = (
            self.env["account.tax"]
            .sudo()
            .create(
                {
                    "name": f"{label} {percent:g}%" + (" incl." if draft.taxes_included else ""),
                    "amount": percent,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": self.company.id,
                    "tax_group_id": group.id,
                    "price_include_override": "tax_included"
                    if draft.taxes_included
                    else "tax_excluded",
                }
            )
        )
        self._tax_candidates.pop(bool(draft.taxes_included), None)
        self._taxes.clear()
        return tax

    def _tax_by_rate(self, draft, tax_line, base):
        if tax_line.rate is None:
            if not base:
                return self.env["account.tax"]
            rate = tax_line.amount / base  # closest Odoo tax within a cent, below
            candidates = self._candidates(draft.taxes_included)
            fits = [
                tax
                for tax in candidates
                if abs(Decimal(str(tax.amount)) / 100 * base - tax_line.amount) <= Decimal("0.01")
            ]
            return min(
                fits,
                key=lambda tax: abs(Decimal(str(tax.amount)) / 100 - rate),
                default=self.env["account.tax"],
            )
        percent = float(tax_line.rate * 100)
        key = (round(percent, 4), bool(draft.taxes_included))
        if key not in self._taxes:
            self._taxes[key] = self.env["account.tax"].search(
                [
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("company_id", "=", self.company.id),
                    ("price_include", "=", draft.taxes_included),
                    ("amount", ">=", percent - 0.0001),
                    ("amount", "<=", percent + 0.0001),
                ],
                limit=1,
            )
        return self._taxes[key]

    def _candidates(self, included):
        if included not in self._tax_candidates:
            self._tax_candidates[included] = self.env["account.tax"].search(
                [
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("company_id", "=", self.company.id),
                    ("price_include", "=", bool(included)),
                    ("amount", ">", 0),
                ]
            )
        return self._tax_candidates[included]


def _describe(tax_line, base):
    """A channel tax as a person finds it in the channel: its title and rate."""
    title = f"“{tax_line.title}”" if tax_line.title else "tax"
    if tax_line.rate is not None:
        return f"{title} {tax_line.rate * 100:g} %"
    return f"{title} {tax_line.amount} on {base if base is not None else '?'} (no rate)"
