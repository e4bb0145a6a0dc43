"""Listings: the channel's catalogue in Odoo, and order lines matched by the
channel's own ids (issue 19 point 5)."""

import copy
import json
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from tests.simulators.amazon_sp import AmazonSpSimulator, asin_of
from tests.simulators.shopify import ShopifySimulator
from tests.simulators.woocommerce import WooCommerceSimulator
from tests.simulators.woocommerce import product_id as woo_product_id

from .common import ChannelSimulatorCase, FixtureChannelsCase, fixture

GREEN_VARIANT, RED_VARIANT, IPOD = "39072856", "49148385", "632910392"


class TestOrderLineMatching(FixtureChannelsCase):
    """How a line of a channel order finds its product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.green, cls.red = cls.products[0], cls.products[1]
        cls.Listing = cls.env["oms.channel.product"]

    def _import(self, channel, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            channel, "webhook", json.dumps(payload)
        )
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        return inbox.order_id

    def _shopify_order(self):
        return fixture("shopify", "order_taxes_excluded.json")

    def _goods(self, order):
        return order.order_line.filtered(
            lambda line: not line.display_type and line.product_id.is_storable
        )

    def test_the_channels_variant_id_beats_the_sku(self):
        """A listing mapped by the shop's variant id decides, even when the line's
        SKU is another Odoo product's internal reference."""
        engraved = self.env["product.product"].create(
            {"name": "iPod green engraved", "default_code": "IPOD-ENGR", "is_storable": True}
        )
        self.Listing.create(
            {
                "channel_id": self.shopify.id,
                "channel_product_ref": IPOD,
                "channel_variant_ref": GREEN_VARIANT,
                "sku": "IPOD-ENGR",
                "product_id": engraved.id,
            }
        )
        order = self._import(self.shopify, self._shopify_order())
        green_line = order.order_line.filtered(lambda ol: ol.oms_external_line_id == "466157049")
        self.assertEqual(green_line.product_id, engraved, "the id is the truth, not SKU")
        red_line = order.order_line.filtered(lambda ol: ol.oms_external_line_id == "518995019")
        self.assertEqual(red_line.product_id, self.red, "no listing: by SKU")

    def test_sku_first_then_barcode(self):
        payload = self._shopify_order()
        payload["line_items"][0]["sku"] = "4006381333931"
        payload["line_items"][1]["sku"] = "SHARED"
        by_barcode, by_code, other = self.env["product.product"].create(
            [
                {"name": "By barcode", "barcode": "4006381333931", "is_storable": True},
                {"name": "By code", "default_code": "SHARED", "is_storable": True},
                {"name": "Barcode only", "barcode": "SHARED", "is_storable": True},
            ]
        )
        order = self._import(self.shopify, payload)
        self.assertEqual(self._goods(order).product_id, by_barcode | by_code)
        self.assertNotIn(other, order.order_line.product_id, "the SKU wins over a barcode")

    def test_a_line_is_never_matched_by_its_title(self):
        payload = self._shopify_order()
        payload["line_items"] = payload["line_items"][:1]
        item = payload["line_items"][0]
        item.update(sku=None, product_id=None, variant_id=None)
        self.env["product.product"].create(
            {"name": item["name"], "default_code": item["name"], "is_storable": True}
        )
        self.env["product.product"].create({"name": item["title"], "is_storable": True})
        order = self._import(self.shopify, payload)
        self.assertFalse(self._goods(order))
        (note,) = order.order_line.filtered(lambda ol: ol.display_type == "line_note")
        self.assertEqual(note.oms_external_line_id, "466157049")
        self.assertTrue(order.oms_hold_ids.filtered(lambda h: h.hold_type == "unknown_product"))

    def test_the_unknown_product_hold_names_ids_sku_and_title(self):
        payload = self._shopify_order()
        payload["line_items"][1]["sku"] = "IPOD2008BLUE"
        order = self._import(self.shopify, payload)
        (hold,) = order.oms_hold_ids.filtered(lambda h: h.hold_type == "unknown_product")
        self.assertEqual(hold.state, "active")
        for text in (
            f"product id {IPOD}",
            f"variant id {RED_VARIANT}",
            "SKU “IPOD2008BLUE”",
            "title “IPod Nano - 8gb - red”",
        ):
            self.assertIn(text, hold.reason)
        # a listing to map was made for it, and the note line waits for it
        listing = self.Listing.search(
            [("channel_id", "=", self.shopify.id), ("channel_variant_ref", "=", RED_VARIANT)]
        )
        self.assertEqual(
            (listing.state, listing.sku, listing.channel_product_ref, listing.name),
            ("to_map", "IPOD2008BLUE", IPOD, "IPod Nano - 8gb - red"),
        )
        note = order.order_line.filtered(lambda ol: ol.display_type == "line_note")
        self.assertEqual(note.oms_channel_product_id, listing)
        self.assertNotEqual(order.state, "sale")

    def test_mapping_the_listing_gives_the_held_order_its_line(self):
        payload = self._shopify_order()
        payload["line_items"][1]["sku"] = "IPOD2008BLUE"
        order = self._import(self.shopify, payload)
        listing = order.order_line.oms_channel_product_id
        blue = self.env["product.product"].create({"name": "iPod blue", "is_storable": True})
        manager = new_test_user(
            self.env, "listing.manager", groups="oms_core.group_oms_manager,base.group_user"
        )
        wizard = Form(
            self.env["oms.channel.product.map"]
            .with_user(manager)
            .with_context(default_listing_ids=listing.ids)
        )
        wizard.product_id = blue
        wizard.save().action_map()
        self.assertEqual(listing.state, "mapped")
        line = order.order_line.filtered(lambda ol: ol.oms_external_line_id == "518995019")
        self.assertEqual((line.display_type, line.product_id), (False, blue))
        self.assertEqual(line.product_uom_qty, 2)
        self.assertAlmostEqual(line.price_unit, 199.0)
        self.assertTrue(line.tax_id, "taxed as imported")
        (hold,) = order.oms_hold_ids.filtered(lambda h: h.hold_type == "unknown_product")
        self.assertEqual(hold.state, "released")
        self.assertAlmostEqual(order.amount_total, float(payload["total_price"]), delta=0.01)

    def test_releasing_the_hold_fixes_lines_a_new_product_matches(self):
        payload = self._shopify_order()
        payload["line_items"][1]["sku"] = "IPOD2008BLUE"
        order = self._import(self.shopify, payload)
        listing = order.order_line.oms_channel_product_id
        blue = self.env["product.product"].create(
            {"name": "iPod blue", "default_code": "IPOD2008BLUE", "is_storable": True}
        )
        order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("created it")
        self.assertEqual(listing.product_id, blue, "the listing follows its line's SKU")
        self.assertEqual(
            order.order_line.filtered(lambda ol: ol.oms_external_line_id == "518995019").product_id,
            blue,
        )
        self.assertFalse(order.order_line.filtered(lambda ol: ol.display_type == "line_note"))

    def test_match_channel_lines_button(self):
        payload = self._shopify_order()
        payload["line_items"][1]["sku"] = "IPOD2008BLUE"
        order = self._import(self.shopify, payload)
        clerk = new_test_user(
            self.env,
            "channel.clerk",
            groups="oms_core.group_oms_user,sales_team.group_sale_salesman_all_leads",
        )
        mine = order.with_user(clerk)
        self.assertEqual(mine.oms_channel_lines_waiting, 1)
        answer = mine.action_oms_match_channel_lines()
        self.assertEqual(answer["params"]["type"], "warning", "nothing matches it yet")
        blue = self.env["product.product"].create(
            {"name": "iPod blue", "default_code": "IPOD2008BLUE", "is_storable": True}
        )
        self.assertIs(mine.action_oms_match_channel_lines(), True)
        self.assertEqual(mine.oms_channel_lines_waiting, 0)
        self.assertIn(blue, order.order_line.product_id)
        (hold,) = order.oms_hold_ids.filtered(lambda h: h.hold_type == "unknown_product")
        self.assertEqual(hold.state, "released")

    def test_a_later_version_does_not_add_the_unknown_line_again(self):
        payload = self._shopify_order()
        payload["line_items"][1]["sku"] = "IPOD2008BLUE"
        order = self._import(self.shopify, payload)
        later = copy.deepcopy(payload)
        later["updated_at"] = "2025-01-10T17:00:00Z"
        later["note"] = "Leave at the door"
        self._import(self.shopify, later)
        notes = order.order_line.filtered(lambda ol: ol.display_type == "line_note")
        self.assertEqual(len(notes), 1)
        self.assertEqual(
            len(order.oms_hold_ids.filtered(lambda h: h.hold_type == "unknown_product")), 1
        )

    def test_woocommerce_lines_match_by_variation_then_product_id(self):
        payload = fixture("woocommerce", "order_docs_example.json")
        single, idea = self.env["product.product"].create(
            [
                {"name": "Woo Single", "is_storable": True},
                {"name": "Idea black M", "is_storable": True},
            ]
        )
        self.Listing.create(
            [
                {"channel_id": self.woo.id, "channel_product_ref": "93", "product_id": single.id},
                {
                    "channel_id": self.woo.id,
                    "channel_product_ref": "22",
                    "channel_variant_ref": "23",
                    "sku": "IDEA-BLK-M",
                    "product_id": idea.id,
                },
            ]
        )
        order = self._import(self.woo, payload)
        self.assertEqual(self._goods(order).product_id, single | idea)
        self.assertNotIn(self.products[3], order.order_line.product_id, "Bar3 by SKU lost")

    def test_amazon_lines_match_their_seller_sku_listing_not_the_asin(self):
        payload = fixture("amazon", "order_us_docs_example.json")
        new, used = self.env["product.product"].create(
            [
                {"name": "Card Book", "is_storable": True},
                {"name": "Card Book (used)", "is_storable": True},
            ]
        )
        self.Listing.create(
            [
                {
                    "channel_id": self.amazon.id,
                    "channel_product_ref": "B00551Q3CS",
                    "sku": "NABetaASINB00551Q3CS-USED",
                    "product_id": used.id,
                },
                {
                    "channel_id": self.amazon.id,
                    "channel_product_ref": "B00551Q3CS",
                    "sku": "NABetaASINB00551Q3CS",
                    "product_id": new.id,
                },
            ]
        )
        order = self._import(self.amazon, payload)
        self.assertEqual(self._goods(order).product_id, new)


class TestListingActions(FixtureChannelsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "listings.manager", groups="oms_core.group_oms_manager,base.group_user"
        )
        cls.user = new_test_user(
            cls.env, "listings.user", groups="oms_core.group_oms_user,base.group_user"
        )
        cls.listings = cls.env["oms.channel.product"].create(
            [
                {
                    "channel_id": cls.shopify.id,
                    "channel_product_ref": "100",
                    "channel_variant_ref": str(100 + n),
                    "sku": f"NEW-{n}",
                    "name": f"New thing {n}",
                    "barcode": f"400638133393{n}",
                    "list_price": 10.0 + n,
                }
                for n in (1, 2, 3)
            ]
        )

    def test_create_product_from_title_sku_barcode_and_price(self):
        first, second, _third = self.listings
        (first | second).with_user(self.manager).action_create_product()
        self.assertEqual((first.state, second.state), ("mapped", "mapped"))
        product = first.product_id
        self.assertEqual(
            (product.name, product.default_code, product.barcode, product.list_price),
            ("New thing 1", "NEW-1", "4006381333931", 11.0),
        )
        self.assertTrue(product.is_storable)
        self.assertNotEqual(second.product_id, product)

    def test_ignore_and_back_to_map(self):
        first = self.listings[0]
        first.with_user(self.manager).action_ignore()
        self.assertEqual(first.state, "ignored")
        first.with_user(self.manager).action_to_map()
        self.assertEqual(first.state, "to_map")

    def test_several_listings_map_to_one_product(self):
        self.listings.with_user(self.manager)._oms_map(self.products[2])
        self.assertEqual(set(self.listings.mapped("state")), {"mapped"})
        self.assertEqual(self.listings.product_id, self.products[2])

    def test_users_read_listings_managers_change_them(self):
        listing = self.listings[0].with_user(self.user)
        self.assertEqual(listing.state, "to_map")
        with self.assertRaises(AccessError):
            listing.action_ignore()
        with self.assertRaises(AccessError):
            self.env["oms.channel.product.map"].with_user(self.user).create(
                {"listing_ids": listing.ids, "product_id": self.products[0].id}
            )


class TestCatalogueImport(ChannelSimulatorCase):
    """Import Catalogue through each channel's simulator."""

    def _channel(self, kind, sim, **values):
        return self.env["oms.channel"].create(
            {
                "name": f"{kind} (simulator)",
                "channel_type": kind,
                "allow_insecure_http": True,
                "api_base_url": sim.url,
                **values,
            }
        )

    def _listings(self, channel):
        return (
            self.env["oms.channel.product"]
            .with_context(active_test=False)
            .search([("channel_id", "=", channel.id)])
        )

    def _run(self, channel):
        with trap_jobs() as trap:
            channel.action_import_catalogue()
            (job,) = trap.enqueued_jobs
            self.assertEqual(job.channel, "root.oms.import")
            trap.perform_enqueued_jobs()
        return channel.catalogue_result

    def test_shopify_catalogue_matches_by_sku_then_barcode_and_reruns_without_duplicates(self):
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        channel = self._channel("shopify", sim, shopify_access_token=sim.access_token)
        # One variant without SKU but with a barcode an Odoo product carries, one
        # variant nothing in Odoo matches.
        cap = next(p for p in sim.catalogue if p["title"] == "Baseball Cap")["variants"][0]
        cap.update(sku="", barcode="4006381333931")
        self.by_sku["CAP-RED"].barcode = "4006381333931"
        tote = next(p for p in sim.catalogue if p["title"] == "Canvas Tote")["variants"][0]
        tote["sku"] = "TOTE-NEW"
        summary = self._run(channel)
        listings = self._listings(channel)
        self.assertEqual(len(listings), 12)
        self.assertIn("11 matched", summary)
        self.assertIn("1 to map", summary)
        self.assertEqual(channel.listing_to_map_count, 1)
        by_variant = {listing.channel_variant_ref: listing for listing in listings}
        cap_listing = by_variant[str(cap["id"])]
        self.assertEqual(cap_listing.product_id, self.by_sku["CAP-RED"], "by barcode")
        self.assertEqual(cap_listing.remote_id, str(cap["inventory_item_id"]))
        tote_listing = by_variant[str(tote["id"])]
        self.assertEqual(
            (tote_listing.state, tote_listing.name, tote_listing.list_price),
            ("to_map", "Canvas Tote", 17.0),
        )
        # Again, with a new title: the same listings, updated.
        tote["price"] = "18.00"
        self._run(channel)
        again = self._listings(channel)
        self.assertEqual(again, listings)
        self.assertEqual(tote_listing.list_price, 18.0)
        # A variant removed from the shop: its listing is archived, not deleted.
        shirt = next(p for p in sim.catalogue if p["title"] == "Organic T-Shirt")
        gone = shirt["variants"].pop()
        summary = self._run(channel)
        self.assertIn("1 archived", summary)
        archived = by_variant[str(gone["id"])]
        self.assertTrue(archived.exists())
        self.assertFalse(archived.active)
        self.assertEqual(archived.product_id, self.by_sku[gone["sku"]])

    def test_a_listing_made_meanwhile_runs_the_import_again(self):
        """A second job made one of the listings between this import's read of the
        listings and its create: the job is retried (it then knows the listing),
        not failed, and nothing of this attempt is kept."""
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        channel = self._channel("shopify", sim, shopify_access_token=sim.access_token)
        Listing = self.env["oms.channel.product"]
        search = type(Listing).search

        def blind_then_made(records, domain, *args, **kwargs):
            found = search(records, domain, *args, **kwargs)
            if domain == [("channel_id", "=", channel.id)] and not found:
                # What the other job committed, after this one looked.
                variant = sim.catalogue[0]["variants"][0]
                Listing.create(
                    {
                        "channel_id": channel.id,
                        "channel_product_ref": str(sim.catalogue[0]["id"]),
                        "channel_variant_ref": str(variant["id"]),
                        "sku": variant["sku"],
                    }
                )
            return found

        with (
            patch.object(type(Listing), "search", blind_then_made),
            self.assertRaisesRegex(RetryableJobError, "made meanwhile"),
        ):
            channel.with_context(job_uuid="test")._oms_import_catalogue()
        # (The other job's listing, made here inside this attempt, went with it.)
        self.assertFalse(self._listings(channel), "nothing of the attempt is kept")
        self._run(channel)
        self.assertEqual(len(self._listings(channel)), 12)

    def test_a_refused_catalogue_read_changes_nothing(self):
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        channel = self._channel("shopify", sim, shopify_access_token="shpat_wrong")
        with self.assertRaisesRegex(UserError, "Catalogue import failed"):
            channel._oms_import_catalogue()
        self.assertFalse(self._listings(channel))
        self.assertFalse(channel.catalogue_date)

    def test_catalogue_adopts_the_listings_made_by_orders(self):
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        channel = self._channel("shopify", sim, shopify_access_token=sim.access_token)
        made = self.env["oms.channel.product"]._oms_ensure(channel, self.by_sku["MUG-CER-350"])
        self._run(channel)
        listings = self._listings(channel)
        self.assertEqual(len(listings), 12)
        self.assertIn(made, listings)
        self.assertTrue(made.channel_variant_ref)

    def test_woocommerce_catalogue_with_variations(self):
        sim = WooCommerceSimulator().start()
        self.addCleanup(sim.stop)
        channel = self._channel(
            "woocommerce",
            sim,
            woocommerce_consumer_key=sim.consumer_key,
            woocommerce_consumer_secret=sim.consumer_secret,
        )
        sim.products[900] = {
            "id": 900,
            "name": "Slim Jeans",
            "type": "variable",
            "sku": "",
            "price": "89.00",
        }
        sim.variations[900] = [
            {
                "id": 901,
                "sku": "JEANS-32-34",
                "price": "89.00",
                "attributes": [{"name": "Size", "option": "32/34"}],
            }
        ]
        self._run(channel)
        listings = self._listings(channel)
        self.assertEqual(len(listings), 13)
        variation = listings.filtered(lambda listing: listing.channel_variant_ref == "901")
        self.assertEqual(
            (variation.channel_product_ref, variation.remote_parent_id, variation.state),
            ("900", "900", "to_map"),
        )
        hoodie = listings.filtered(lambda listing: listing.sku == "HOODIE-GRY-M")
        self.assertEqual(
            (hoodie.channel_product_ref, hoodie.product_id),
            (str(woo_product_id("HOODIE-GRY-M")), self.by_sku["HOODIE-GRY-M"]),
        )
        self._run(channel)
        self.assertEqual(self._listings(channel), listings)

    def test_amazon_catalogue_by_seller_sku(self):
        sim = AmazonSpSimulator().start()
        self.addCleanup(sim.stop)
        channel = self._channel(
            "amazon",
            sim,
            amazon_token_url=f"{sim.url}/auth/o2/token",
            amazon_client_id=sim.client_id,
            amazon_client_secret=sim.client_secret,
            amazon_refresh_token=sim.refresh_token,
            amazon_marketplace_ids=sim.marketplace_id,
            amazon_seller_id="A2SIMULATOR",
        )
        del sim.listings["SOCKS-3PK"]
        self._run(channel)
        listings = self._listings(channel)
        self.assertEqual(len(listings), 11)
        mug = listings.filtered(lambda listing: listing.sku == "MUG-CER-350")
        self.assertEqual(
            (mug.channel_product_ref, mug.channel_variant_ref, mug.product_id),
            (asin_of("MUG-CER-350"), False, self.by_sku["MUG-CER-350"]),
        )
        self.assertEqual(set(listings.mapped("state")), {"mapped"})

    def test_the_stock_push_skips_listings_to_map_or_ignored(self):
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        channel = self._channel(
            "shopify",
            sim,
            shopify_access_token=sim.access_token,
            shopify_location_id=str(sim.location_id),
        )
        self._run(channel)
        listings = self._listings(channel)
        mug, cap, tote = (
            listings.filtered(lambda listing, sku=sku: listing.sku == sku)
            for sku in ("MUG-CER-350", "CAP-RED", "TOTE-CANVAS")
        )
        cap.action_ignore()
        tote.action_to_map()
        self.set_stock("MUG-CER-350", 4)
        channel.action_push_stock()
        pushed = {item for item, _location in sim.inventory_levels}
        self.assertIn(int(mug.remote_id), pushed)
        self.assertEqual(sim.inventory_levels[(int(mug.remote_id), sim.location_id)], 4)
        self.assertNotIn(int(cap.remote_id), pushed)
        self.assertNotIn(int(tote.remote_id), pushed)
        self.assertEqual(len(pushed), 10)


class TestListingFollowsSku(FixtureChannelsCase):
    def test_a_listing_to_map_is_mapped_by_its_next_lines_sku(self):
        """A listing to map whose next order line a product matches by SKU is
        that product's: no second listing of it is made."""
        listing = self.env["oms.channel.product"].create(
            {
                "channel_id": self.shopify.id,
                "channel_product_ref": IPOD,
                "channel_variant_ref": GREEN_VARIANT,
                "sku": "IPOD2008GREEN",
            }
        )
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.shopify, "webhook", json.dumps(fixture("shopify", "order_taxes_excluded.json"))
        )
        inbox._oms_process()
        self.assertEqual(listing.product_id, self.products[0])
        self.assertEqual(
            self.env["oms.channel.product"].search_count(
                [("channel_id", "=", self.shopify.id), ("product_id", "=", self.products[0].id)]
            ),
            1,
        )
