"""A channel's listings to map and its catalogue, read from the channel."""

from psycopg2 import errors

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..channel_clients import ChannelError
from ..channel_connectors import MissingSetting
from .oms_channel_product import TRANSIENT_ERRORS


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
