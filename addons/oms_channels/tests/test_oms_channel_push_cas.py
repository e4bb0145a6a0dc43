"""Shopify stock pushes by compare-and-set, and Shopify locations mapped to warehouses."""

import importlib.util
from pathlib import Path

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user

from ..channel_clients.shopify import CAS_TRIES
from .test_oms_channel_push import ITEM_IDS, ChannelFlowCase

MIGRATION = Path(__file__).parent.parent / "migrations" / "18.0.3.0.0" / "post-migration.py"
BERLIN = 655441492


class TestShopifyStockCompareAndSet(ChannelFlowCase):
    def setUp(self):
        super().setUp()
        self.channel = self.shopify_channel(stock_buffer=0)
        self.main = self.sim.location_id
        self.cap, self.mug = self.by_sku["CAP-RED"], self.by_sku["MUG-CER-350"]
        self.listings = self.env["oms.channel.product"]._oms_ensure(
            self.channel, self.cap | self.mug
        )
        self.cap_listing = self.listings.filtered(lambda listing: listing.product_id == self.cap)
        self.cap_item = ITEM_IDS["CAP-RED"]

    def test_a_sale_between_read_and_write_is_read_again_before_the_figure_is_set(self):
        self.set_stock("CAP-RED", 10)
        self.set_stock("MUG-CER-350", 4)
        self.sim.inventory_levels[(self.cap_item, self.main)] = 6
        # A customer buys one cap in Shopify right after Odoo read the figures.
        self.sim.after_next_graphql(
            "InventoryLevels", lambda shop: shop.sell(self.cap_item, self.main)
        )
        self.channel.action_push_stock()
        first, second = self.sim.graphql_calls("InventorySetQuantities")
        for call in (first, second):
            self.assertIs(call["input"]["ignoreCompareQuantity"], False)
        compared = {
            q["inventoryItemId"]: q["compareQuantity"] for q in second["input"]["quantities"]
        }
        self.assertEqual(
            compared[f"gid://shopify/InventoryItem/{self.cap_item}"],
            5,
            "the write that held was compared with the figure after the sale",
        )
        self.assertEqual(self.sim.inventory_levels[(self.cap_item, self.main)], 10)
        self.assertEqual(self.cap_listing.push_state, "done", self.cap_listing.push_error)
        self.assertEqual((self.cap_listing.qty_channel_read, self.cap_listing.qty_pushed), (5, 10))
        level = self.cap_listing.push_levels[str(self.main)]
        self.assertEqual((level["read"], level["sent"], level["tries"]), (5, 10, 2))
        self.assertIn("read 5, sent 10", self.cap_listing.push_detail)

    def test_a_figure_that_keeps_moving_leaves_the_listing_in_error_until_the_next_push(self):
        self.set_stock("CAP-RED", 10)
        self.set_stock("MUG-CER-350", 4)
        self.sim.inventory_levels[(self.cap_item, self.main)] = 8
        self.sim.after_next_graphql(
            "InventoryLevels", lambda shop: shop.sell(self.cap_item, self.main), times=CAS_TRIES
        )
        self.channel._oms_push_stock()
        self.assertEqual(self.cap_listing.push_state, "error")
        self.assertIn(f"changed during each of {CAS_TRIES} tries", self.cap_listing.push_error)
        self.assertEqual(
            self.sim.inventory_levels[(self.cap_item, self.main)],
            8 - CAS_TRIES,
            "every sale made during the push stands",
        )
        self.assertIn("1 products refused", self.channel.last_push_error)
        mug = self.listings - self.cap_listing
        self.assertEqual((mug.push_state, mug.qty_pushed), ("done", 4))
        # The sales stopped: the next push on change sends the cap again.
        self.channel._oms_push_stock(only_changed=True)
        self.assertEqual(self.cap_listing.push_state, "done", self.cap_listing.push_error)
        self.assertEqual(self.sim.inventory_levels[(self.cap_item, self.main)], 10)
        self.assertEqual(self.cap_listing.qty_channel_read, 8 - CAS_TRIES)

    def test_the_single_location_of_an_older_channel_becomes_its_first_mapping(self):
        self.set_stock("CAP-RED", 3)
        self.channel._oms_push_stock()
        self.assertEqual(self.sim.inventory_levels[(self.cap_item, self.main)], 3)
        self.assertFalse(self.channel.shopify_location_ids, "a channel set up before")
        spec = importlib.util.spec_from_file_location("oms_channels_mig_18_0_3", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.env.flush_all()
        migration.migrate(self.env.cr, "18.0.2.2.0")
        self.env.invalidate_all()
        (mapping,) = self.channel.shopify_location_ids
        self.assertEqual(
            (mapping.remote_id, mapping.warehouse_id), (str(self.main), self.warehouse)
        )
        self.set_stock("CAP-RED", 2)
        self.channel._oms_push_stock(only_changed=True)
        self.assertEqual(self.sim.inventory_levels[(self.cap_item, self.main)], 5)
        self.assertEqual(self.cap_listing.push_levels[str(self.main)]["sent"], 5)


class TestShopifyLocations(ChannelFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="shopify_location_manager", groups="oms_core.group_oms_manager"
        )
        cls.berlin_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Berlin", "code": "BER", "company_id": cls.env.company.id}
        )

    def setUp(self):
        super().setUp()
        self.channel = self.shopify_channel(stock_buffer=1)
        self.sim.add_location(BERLIN, "Berlin Store")

    def _map(self):
        self.channel.with_user(self.manager).action_read_shopify_locations()
        by_id = {mapping.remote_id: mapping for mapping in self.channel.shopify_location_ids}
        by_id[str(self.sim.location_id)].with_user(self.manager).warehouse_id = self.warehouse
        by_id[str(BERLIN)].with_user(self.manager).warehouse_id = self.berlin_warehouse
        return by_id

    def test_read_locations_lists_the_shop_locations_once(self):
        self.channel.with_user(self.manager).action_read_shopify_locations()
        self.sim.locations[BERLIN]["name"] = "Berlin Flagship"
        self.channel.with_user(self.manager).action_read_shopify_locations()
        self.assertEqual(
            sorted(self.channel.shopify_location_ids.mapped(lambda m: (m.remote_id, m.name))),
            [(str(self.sim.location_id), "Main Warehouse"), (str(BERLIN), "Berlin Flagship")],
        )
        self.assertFalse(self.channel.shopify_location_ids.warehouse_id, "mapped by a person")

    def test_each_location_gets_the_free_stock_of_its_own_warehouse(self):
        by_id = self._map()
        cap = self.by_sku["CAP-RED"]
        self.set_stock("CAP-RED", 6)
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(cap, self.berlin_warehouse.lot_stock_id, 3)
        quarantine = self.env["stock.location"].create(
            {
                "name": "Quarantine",
                "location_id": self.berlin_warehouse.lot_stock_id.id,
                "oms_not_sellable": True,
            }
        )
        Quant._update_available_quantity(cap, quarantine, 10)
        (listing,) = self.env["oms.channel.product"]._oms_ensure(self.channel, cap)
        self.channel.action_push_stock()
        item = ITEM_IDS["CAP-RED"]
        self.assertEqual(self.sim.inventory_levels[(item, self.sim.location_id)], 6 - 1)
        self.assertEqual(
            self.sim.inventory_levels[(item, BERLIN)], 3 - 1, "quarantine is not free stock"
        )
        self.assertEqual((listing.qty_on_hand, listing.qty_pushed), (9, 7))
        self.assertEqual(listing.push_levels[str(BERLIN)]["name"], "Berlin Store")
        # Stock moves in Berlin only: the push on change sends Berlin's figure only.
        Quant._update_available_quantity(cap, self.berlin_warehouse.lot_stock_id, 1)
        calls = len(self.sim.graphql_calls("InventorySetQuantities"))
        self.channel._oms_push_stock(only_changed=True)
        (sent,) = self.sim.graphql_calls("InventorySetQuantities")[calls:]
        (quantity,) = sent["input"]["quantities"]
        self.assertEqual(
            (quantity["locationId"], quantity["quantity"]), (f"gid://shopify/Location/{BERLIN}", 3)
        )
        # One warehouse cannot be sold at two Shopify locations.
        with self.assertRaises(ValidationError):
            by_id[str(BERLIN)].warehouse_id = self.warehouse

    def test_an_unmapped_location_is_not_pushed_and_the_single_location_is_the_fallback(self):
        self.channel.with_user(self.manager).action_read_shopify_locations()
        self.set_stock("CAP-RED", 4)
        self.env["oms.channel.product"]._oms_ensure(self.channel, self.by_sku["CAP-RED"])
        self.channel.action_push_stock()
        item = ITEM_IDS["CAP-RED"]
        self.assertEqual(self.sim.inventory_levels, {(item, self.sim.location_id): 3})
