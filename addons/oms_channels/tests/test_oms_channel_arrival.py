"""Orders arrive in the state the channel says they are in (issue 19, point 1)."""

import json

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import FixtureChannelsCase, fixture


class TestArrivalStates(FixtureChannelsCase):
    def _import(self, channel, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            channel, "pull", json.dumps(payload)
        )
        inbox._oms_process()
        return inbox

    def _warehouse_stock(self):
        return {
            product.default_code: product.with_context(
                location=self.warehouse.lot_stock_id.id
            ).free_qty
            for product in self.products
        }

    # --- cancelled before import --------------------------------------------------
    def assert_cancelled_on_arrival(self, inbox):
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.oms_stage, "cancelled")
        self.assertFalse(order.picking_ids, "never confirmed, never routed")
        self.assertFalse(
            self.env["stock.move"].search([("sale_line_id", "in", order.order_line.ids)]),
            "no stock reserved",
        )
        self.assertFalse(order.oms_hold_ids, "nothing to hold: it never goes on")
        self.assertIn("Cancelled in the channel before import", order.oms_event_ids.mapped("name"))
        return order

    def test_shopify_order_cancelled_before_import_is_a_cancelled_order(self):
        stock = self._warehouse_stock()
        with trap_jobs() as trap:
            inbox = self._import(
                self.shopify, fixture("shopify", "order_cancelled_taxes_included.json")["order"]
            )
        self.assert_cancelled_on_arrival(inbox)
        self.assertEqual(self._warehouse_stock(), stock)
        self.assertFalse(
            [job for job in trap.enqueued_jobs if job.method_name == "_oms_push_cancellation"],
            "the channel cancelled it: nothing to tell it",
        )

    def test_woocommerce_cancelled_refunded_failed_orders_arrive_cancelled(self):
        for index, status in enumerate(("cancelled", "refunded", "failed")):
            with self.subTest(status=status):
                payload = fixture("woocommerce", "order_docs_example.json")
                payload.update(id=9000 + index, number=str(9000 + index), status=status)
                self.assert_cancelled_on_arrival(self._import(self.woo, payload))

    def test_amazon_canceled_order_arrives_cancelled(self):
        payload = fixture("amazon", "order_us_docs_example.json")
        payload["Order"]["OrderStatus"] = "Canceled"
        self.assert_cancelled_on_arrival(self._import(self.amazon, payload))

    def test_channel_option_keeps_cancelled_orders_in_the_inbox(self):
        self.shopify.cancelled_arrival = "inbox"
        payload = fixture("shopify", "order_cancelled_taxes_included.json")["order"]
        inbox = self._import(self.shopify, payload)
        self.assertEqual(inbox.state, "cancelled")
        self.assertIn("Cancelled in the channel before import", inbox.error_message)
        self.assertFalse(inbox.order_id)
        self.assertFalse(
            self.env["sale.order"].search(
                [
                    ("oms_channel_id", "=", self.shopify.id),
                    ("oms_external_ref", "=", str(payload["id"])),
                ]
            )
        )

    # --- fulfilled by the channel -------------------------------------------------
    def assert_fulfilled_by_channel(self, channel, inbox, skus, stage="shipped"):
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        self.assertEqual(order.state, "sale")
        location = channel.fulfilled_location_id
        self.assertTrue(location)
        self.assertEqual(order.picking_ids.location_id, location, "nothing from the warehouse")
        self.assertEqual(set(order.picking_ids.mapped("state")), {"done"})
        goods = order.order_line.filtered(lambda ol: ol.product_id.is_storable)
        self.assertEqual(set(goods.product_id.mapped("default_code")), set(skus))
        for line in goods:
            self.assertEqual(line.qty_delivered, line.product_uom_qty, line.name)
        self.assertEqual(order.oms_stage, stage)
        self.assertIn(f"Fulfilled by {channel.name}", order.oms_event_ids.mapped("name"))
        return order

    def test_shopify_fulfilled_order_is_delivered_from_the_channel_location(self):
        stock = self._warehouse_stock()
        with trap_jobs() as trap:
            inbox = self._import(self.shopify, fixture("shopify", "order_fulfilled.json"))
        order = self.assert_fulfilled_by_channel(
            self.shopify, inbox, ["IPOD2008GREEN", "IPOD2008RED"]
        )
        self.assertEqual(self._warehouse_stock(), stock, "no stock taken or reserved")
        self.assertFalse(
            [job for job in trap.enqueued_jobs if job.method_name == "_oms_push_shipment"],
            "the channel shipped it: nothing to tell it",
        )
        # What the channel shipped left its location, not the warehouse.
        green = self.products.filtered(lambda p: p.default_code == "IPOD2008GREEN")
        line = order.order_line.filtered(lambda ol: ol.product_id == green)
        self.assertEqual(
            green.with_context(location=self.shopify.fulfilled_location_id.id).qty_available,
            -line.product_uom_qty,
        )

    def _warehouse_moves(self, order):
        return order.picking_ids.move_ids.filtered(
            lambda m: m.location_id != order.oms_channel_id.fulfilled_location_id
        )

    def test_shopify_lines_fulfilled_before_import_are_not_shipped_again(self):
        """A Shopify order ``partial``: its fulfilled line is delivered from the
        channel's location at import, and the warehouse ships the other one only."""
        payload = fixture("shopify", "order_fulfilled.json")
        payload["fulfillment_status"] = "partial"
        first, second = payload["line_items"]
        first["fulfillment_status"] = "fulfilled"
        second["fulfillment_status"] = None
        inbox = self._import(self.shopify, payload)
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        shipped, rest = (
            order.order_line.filtered(
                lambda ol, ref=str(item["id"]): ol.oms_external_line_id == ref
            )
            for item in (first, second)
        )
        self.assertEqual(shipped.qty_delivered, shipped.product_uom_qty)
        self.assertEqual(rest.qty_delivered, 0)
        self.assertIn(f"Fulfilled by {self.shopify.name}", order.oms_event_ids.mapped("name"))
        if order.state != "sale":
            order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("checked")
        self.assertEqual(order.state, "sale", order.oms_hold_ids.mapped("reason"))
        moves = self._warehouse_moves(order)
        self.assertEqual(moves.product_id, rest.product_id, "the warehouse ships the rest only")
        self.assertEqual(sum(moves.mapped("product_uom_qty")), rest.product_uom_qty)

    def test_amazon_items_partly_shipped_before_import_ship_the_rest(self):
        payload = fixture("amazon", "order_us_docs_example.json")
        payload["Order"]["OrderStatus"] = "PartiallyShipped"
        (item,) = payload["OrderItems"]
        item.update(QuantityOrdered=3, QuantityShipped=2)
        item["ItemPrice"]["Amount"] = "30.00"
        inbox = self._import(self.amazon, payload)
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        line = order.order_line.filtered(lambda ol: ol.product_id.is_storable)
        self.assertEqual((line.product_uom_qty, line.qty_delivered), (3, 2))
        if order.state != "sale":
            order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("checked")
        self.assertEqual(order.state, "sale", order.oms_hold_ids.mapped("reason"))
        self.assertEqual(sum(self._warehouse_moves(order).mapped("product_uom_qty")), 1)

    def test_woocommerce_completed_order_is_delivered_from_the_channel_location(self):
        inbox = self._import(self.woo, fixture("woocommerce", "order_completed.json"))
        # The docs' example has a line without a SKU: its hold stays, for a person,
        # but holds nothing back (the channel shipped it).
        order = self.assert_fulfilled_by_channel(self.woo, inbox, ["Bar3"], stage="on_hold")
        self.assertIn("Unknown product", " ".join(order.oms_hold_ids.mapped("reason")))

    def test_amazon_shipped_fba_order_is_delivered_from_the_channel_location(self):
        inbox = self._import(self.amazon, fixture("amazon", "order_fba_shipped.json"))
        self.assert_fulfilled_by_channel(self.amazon, inbox, ["NABetaASINB00551Q3CS"])

    def test_amazon_fba_order_is_always_fulfilled_by_the_channel(self):
        payload = fixture("amazon", "order_us_docs_example.json")
        payload["Order"]["FulfillmentChannel"] = "AFN"  # Unshipped yet: Amazon ships it
        inbox = self._import(self.amazon, payload)
        self.assert_fulfilled_by_channel(self.amazon, inbox, ["NABetaASINB00551Q3CS"])

    def test_each_channel_gets_its_own_fulfilled_by_channel_location(self):
        locations = (self.shopify | self.woo | self.amazon).fulfilled_location_id
        self.assertEqual(len(locations), 3)
        self.assertEqual(set(locations.mapped("usage")), {"internal"})
        self.assertEqual(locations.location_id.usage, "view")
        self.assertFalse(locations.warehouse_id, "outside every warehouse's stock")

    def test_deliveries_fulfilled_by_two_channels_are_numbered_apart(self):
        shopify = self._import(self.shopify, fixture("shopify", "order_fulfilled.json"))
        amazon = self._import(self.amazon, fixture("amazon", "order_fba_shipped.json"))
        self.assertEqual(shopify.state, "done", shopify.error_message)
        self.assertEqual(amazon.state, "done", amazon.error_message)
        names = (shopify.order_id | amazon.order_id).picking_ids.mapped("name")
        self.assertEqual(len(set(names)), 2, names)

    def test_channels_sharing_one_prefix_get_their_own_at_their_next_delivery(self):
        """Channels set up before each had its own prefix: both sequences give
        WH/FBC/00001 first."""
        channels = self.shopify | self.amazon
        channels._oms_fulfilled_by_channel_setup()
        channels.fulfilled_picking_type_id.write({"sequence_code": "FBC"})
        shopify = self._import(self.shopify, fixture("shopify", "order_fulfilled.json"))
        amazon = self._import(self.amazon, fixture("amazon", "order_fba_shipped.json"))
        self.assertEqual(amazon.state, "done", amazon.error_message)
        names = (shopify.order_id | amazon.order_id).picking_ids.mapped("name")
        self.assertEqual(len(set(names)), 2, names)

    # --- pending ------------------------------------------------------------------
    def test_amazon_pending_order_waits_then_is_imported_when_it_changes(self):
        pending = self._import(self.amazon, fixture("amazon", "order_pending.json"))
        self.assertEqual(pending.state, "pending")
        self.assertIn("pending", pending.error_message)
        self.assertFalse(pending.order_id)
        self.assertFalse(self.env["sale.order"].search([("oms_channel_id", "=", self.amazon.id)]))
        unshipped = self._import(self.amazon, fixture("amazon", "order_us_docs_example.json"))
        self.assertEqual(unshipped.state, "done", unshipped.error_message)
        self.assertEqual(unshipped.order_id.oms_external_ref, "902-1845936-5435065")
        self.assertEqual(pending.state, "stale")
        self.assertEqual(pending.order_id, unshipped.order_id)
