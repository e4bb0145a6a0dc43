"""Stock, shipments and cancellations going back to the channels' simulators."""

import base64
import json
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from tests.simulators.amazon_sp import AmazonSpSimulator
from tests.simulators.amazon_sp import generate_orders as amazon_orders
from tests.simulators.shopify import CATALOGUE, ShopifySimulator, generate_orders
from tests.simulators.woocommerce import WooCommerceSimulator, product_id
from tests.simulators.woocommerce import generate_orders as woo_orders

from .common import ChannelSimulatorCase

FIXTURES = Path(__file__).parent.parent / "channel_mappers" / "tests" / "fixtures"
ITEM_IDS = {sku: item_id for sku, _title, _variant, _price, item_id in CATALOGUE}


class ChannelFlowCase(ChannelSimulatorCase):
    def shopify_channel(self, **values):
        """A Shopify channel on a fresh simulated shop (``self.sim``), shipping from
        the test warehouse."""
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        return self.env["oms.channel"].create(
            {
                "name": "Shopify (simulator)",
                "channel_type": "shopify",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "shopify_access_token": self.sim.access_token,
                "shopify_location_id": str(self.sim.location_id),
                "warehouse_id": self.warehouse.id,
                **values,
            }
        )

    def _import_all(self, channel):
        with trap_jobs() as trap:
            channel.action_pull_orders()
            self.assertFalse(channel.last_pull_error)
            trap.perform_enqueued_jobs()
        inbox = self.env["oms.channel.inbox"].search([("channel_id", "=", channel.id)])
        self.assertEqual(set(inbox.mapped("state")), {"done"}, inbox.mapped("error_message"))
        return self.env["sale.order"].search([("oms_channel_id", "=", channel.id)])

    def _release(self, order):
        order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("checked")
        if order.state != "sale":
            order.action_confirm()
        self.assertEqual(order.state, "sale")

    def _ship(self, order, tracking="1Z999AA10123456784", quantities=None):
        """Validate the order's delivery (all of it, or ``{sku: qty}``) with a tracking
        number; returns the delivery and the jobs it queued."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            if quantities is not None:
                move.quantity = quantities.get(move.product_id.default_code, 0)
            move.picked = True
        if "carrier_tracking_ref" in picking._fields:
            picking.carrier_tracking_ref = tracking
        with trap_jobs() as trap:
            picking.with_context(cancel_backorder=False)._action_done()
            jobs = [job for job in trap.enqueued_jobs if job.method_name == "_oms_push_shipment"]
        self.assertEqual(picking.state, "done")
        return picking, jobs


class TestShopifyPushBack(ChannelFlowCase):
    def setUp(self):
        super().setUp()
        self.channel = self.shopify_channel(stock_buffer=1)

    def test_stock_pushed_is_on_hand_minus_reserved_minus_buffer(self):
        self.stock_everything(10)
        self.sim.add_orders(generate_orders(1, seed=7, lines=3))
        order = self._import_all(self.channel)
        self._release(order)  # reserves what it needs
        bindings = self.channel.product_binding_ids
        self.assertEqual(len(bindings), 3, "the order's products are listed on the channel")
        self.channel.action_push_stock()
        for binding in bindings:
            line = order.order_line.filtered(lambda ol, b=binding: ol.product_id == b.product_id)
            reserved = line.product_uom_qty
            self.assertEqual(binding.push_state, "done", binding.push_error)
            self.assertEqual(binding.remote_id, str(ITEM_IDS[binding.sku]))
            self.assertEqual(
                (binding.qty_on_hand, binding.qty_reserved, binding.qty_buffer),
                (10, reserved, 1),
            )
            self.assertEqual(binding.qty_pushed, 10 - reserved - 1)
            self.assertEqual(
                self.sim.inventory_levels[(ITEM_IDS[binding.sku], self.sim.location_id)],
                10 - reserved - 1,
                "the channel received the same figure",
            )

    def test_a_unit_held_by_an_order_on_hold_or_in_quarantine_is_not_offered(self):
        """One unit left, an order on a fraud hold: the channel is sent 0. A unit
        in a quarantine under the stock location is not free stock either."""
        self.channel.stock_buffer = 0
        self.set_stock("CAP-RED", 1)
        quarantine = self.env["stock.location"].create(
            {
                "name": "Quarantine",
                "location_id": self.warehouse.lot_stock_id.id,
                "oms_not_sellable": True,
            }
        )
        self.env["stock.quant"]._update_available_quantity(self.by_sku["CAP-RED"], quarantine, 4)
        held = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Risky buyer"}).id,
                "warehouse_id": self.warehouse.id,
                "order_line": [(0, 0, {"product_id": self.by_sku["CAP-RED"].id})],
            }
        )
        self.env["oms.order.hold"].create(
            {"order_id": held.id, "hold_type": "fraud", "reason": "Fraud score 90"}
        )
        (listing,) = self.env["oms.channel.product"]._oms_ensure(
            self.channel, self.by_sku["CAP-RED"]
        )
        self.channel.action_push_stock()
        self.assertEqual((listing.qty_on_hand, listing.qty_reserved), (1, 1))
        self.assertEqual(listing.qty_pushed, 0)
        self.assertEqual(self.sim.inventory_levels[(ITEM_IDS["CAP-RED"], self.sim.location_id)], 0)
        # The hold lifted and the order cancelled: the unit is offered again.
        held.with_context(disable_cancel_warning=True).action_cancel()
        self.channel.action_push_stock()
        self.assertEqual(listing.qty_pushed, 1)

    def test_stock_is_never_pushed_below_zero_and_unknown_sku_is_an_error(self):
        self.set_stock("CAP-RED", 2)
        self.channel.stock_buffer = 5
        listed = self.env["oms.channel.product"].create(
            [
                {"channel_id": self.channel.id, "product_id": self.by_sku["CAP-RED"].id},
                {
                    "channel_id": self.channel.id,
                    "product_id": self.by_sku["MUG-CER-350"].id,
                    "sku": "NOT-IN-SHOP",
                },
            ]
        )
        self.assertEqual(listed[0].sku, "CAP-RED", "the SKU defaults to the internal reference")
        with self.assertRaisesRegex(UserError, "1 products refused"):
            self.channel.action_push_stock()
        self.assertEqual(self.sim.inventory_levels[(ITEM_IDS["CAP-RED"], self.sim.location_id)], 0)
        self.assertEqual(listed[1].push_state, "error")
        self.assertIn("NOT-IN-SHOP", listed[1].push_error)
        self.assertEqual(self.channel.stock_push_error_count, 1)

    def test_a_stock_move_queues_one_push_that_sends_only_what_changed(self):
        self.stock_everything(5)
        self.env["oms.channel.product"]._oms_ensure(self.channel, self.products)
        self.channel.action_push_stock()
        calls = len(self.sim.graphql_calls("InventorySetQuantities"))
        with trap_jobs() as trap:
            self.set_stock("SOCKS-3PK", 3)
            self.set_stock("SOCKS-3PK", -1)
            self.set_stock("SOCKS-3PK", 1)
            self.assertFalse(trap.enqueued_jobs, "queued when the transaction commits")
            self.env.cr.precommit.run()
            self.assertEqual(len(trap.enqueued_jobs), 1, "one push for the moves of a transaction")
            pushes = [job for job in trap.enqueued_jobs if job.method_name == "_oms_push_stock"]
            self.assertTrue(pushes, "a move of a listed product queues a push")
            self.assertEqual(pushes[0].kwargs, {"only_changed": True})
            pushes[0].perform()
        sent = self.sim.graphql_calls("InventorySetQuantities")[calls:]
        self.assertEqual(len(sent), 1, "only the product that moved is sent again")
        (quantity,) = sent[0]["input"]["quantities"]
        self.assertEqual(quantity["quantity"], 5 + 3 - 1 + 1 - 1)

    def test_push_needs_the_shopify_location(self):
        self.channel.shopify_location_id = False
        self.env["oms.channel.product"]._oms_ensure(self.channel, self.products[:1])
        with self.assertRaisesRegex(UserError, "Shopify location"):
            self.channel.action_push_stock()

    def test_shipment_goes_back_as_a_fulfillment_with_tracking_once(self):
        self.stock_everything()
        self.sim.add_orders(generate_orders(1, seed=11, lines=2))
        order = self._import_all(self.channel)
        self._release(order)
        picking, jobs = self._ship(order)
        self.assertEqual(len(jobs), 1)
        self.assertEqual(picking.oms_channel_push_state, "pending")
        jobs[0].perform()
        self.assertEqual(picking.oms_channel_push_state, "done", picking.oms_channel_push_error)
        self.assertEqual(len(self.sim.fulfillments), 1)
        fulfillment = self.sim.fulfillments[0]
        if "carrier_tracking_ref" in picking._fields:
            self.assertEqual(fulfillment["tracking_numbers"], ["1Z999AA10123456784"])
        remote = self.sim.orders[int(order.oms_external_ref)]
        self.assertEqual(remote["fulfillment_status"], "fulfilled")
        # A job run twice (its first answer lost) does not fulfil twice.
        picking.oms_channel_push_state = "pending"
        picking._oms_push_shipment()
        self.assertEqual(len(self.sim.fulfillments), 1)
        self.assertIn(
            f"{self.channel.name} told about {picking.name}", order.oms_event_ids.mapped("name")
        )

    def test_partial_shipment_fulfils_only_what_shipped(self):
        self.stock_everything()
        self.sim.add_orders(generate_orders(1, seed=11, lines=2))
        order = self._import_all(self.channel)
        self._release(order)
        first_sku = order.order_line.filtered("oms_external_line_id")[0].product_id.default_code
        first_qty = order.order_line.filtered(
            lambda ol: ol.product_id.default_code == first_sku
        ).product_uom_qty
        _picking, jobs = self._ship(order, quantities={first_sku: first_qty})
        jobs[0].perform()
        remote = self.sim.orders[int(order.oms_external_ref)]
        self.assertEqual(remote["fulfillment_status"], "partial")
        _backorder, jobs = self._ship(order, tracking="1Z999AA10123456799")
        jobs[0].perform()
        self.assertEqual(len(self.sim.fulfillments), 2)
        self.assertEqual(
            self.sim.orders[int(order.oms_external_ref)]["fulfillment_status"], "fulfilled"
        )

    def test_refused_shipment_is_recorded_and_can_be_sent_again(self):
        self.stock_everything()
        self.sim.add_orders(generate_orders(1, seed=12, lines=1))
        order = self._import_all(self.channel)
        self._release(order)
        picking, jobs = self._ship(order)
        self.sim.fail_next(403, body={"errors": "[API] This action requires merchant approval"})
        jobs[0].perform()
        self.assertEqual(picking.oms_channel_push_state, "error")
        self.assertIn("merchant approval", picking.oms_channel_push_error)
        picking.action_oms_push_shipment()
        self.assertEqual(picking.oms_channel_push_state, "done")
        self.assertEqual(len(self.sim.fulfillments), 1)

    def test_cancelled_in_odoo_is_cancelled_in_the_channel_not_echoed_back(self):
        self.sim.add_orders(generate_orders(2, seed=13, lines=1))
        first, second = self._import_all(self.channel).sorted("oms_external_ref")
        with trap_jobs() as trap:
            first._action_cancel()
            trap.assert_jobs_count(1, only=first._oms_push_cancellation)
            trap.perform_enqueued_jobs()
        self.assertTrue(self.sim.orders[int(first.oms_external_ref)]["cancelled_at"])
        self.assertIn("Cancelled in Shopify (simulator) too", first.oms_event_ids.mapped("name"))
        # A cancellation that comes from the channel is not sent back to it.
        remote = self.sim.update_order(
            int(second.oms_external_ref), cancelled_at="2025-04-01T10:00:00+00:00"
        )
        with trap_jobs() as trap:
            inbox, _created = self.env["oms.channel.inbox"]._oms_store(
                self.channel, "webhook", json.dumps(remote)
            )
            inbox._oms_process()
            trap.assert_jobs_count(0, only=second._oms_push_cancellation)
        self.assertEqual(second.state, "cancel")


class TestQuantityChanges(ChannelFlowCase):
    def setUp(self):
        super().setUp()
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Shopify (simulator)",
                "channel_type": "shopify",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "shopify_access_token": self.sim.access_token,
            }
        )
        self.stock_everything()
        self.sim.add_orders(generate_orders(1, seed=21, lines=2))
        self.order = self._import_all(self.channel)
        self.remote = self.sim.orders[int(self.order.oms_external_ref)]

    def _apply(self, **changes):
        payload = self.sim.update_order(self.remote["id"], **changes)
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.channel, "webhook", json.dumps(payload)
        )
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        return inbox

    def _line(self, item):
        return self.order.order_line.filtered(lambda ol: ol.oms_external_line_id == str(item["id"]))

    def test_new_quantities_apply_before_shipping(self):
        self._release(self.order)
        items = json.loads(json.dumps(self.remote["line_items"]))
        items[0]["quantity"] += 2
        removed = items.pop(1)
        self._apply(line_items=items)
        self.assertEqual(self._line(items[0]).product_uom_qty, items[0]["quantity"])
        self.assertEqual(self._line(removed).product_uom_qty, 0)
        moves = self.order.picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(
            sum(
                moves.filtered(lambda m: m.sale_line_id == self._line(items[0])).mapped(
                    "product_uom_qty"
                )
            ),
            items[0]["quantity"],
            "the delivery follows",
        )
        event = self.order.oms_event_ids.filtered(
            lambda e: e.name == "Quantities changed in the channel"
        )
        self.assertIn(items[0]["sku"], event.reason)

    def test_new_quantities_after_shipping_wait_for_a_person(self):
        self._release(self.order)
        self._ship(self.order)
        items = json.loads(json.dumps(self.remote["line_items"]))
        items[0]["quantity"] += 1
        self._apply(line_items=items)
        hold = self.order.oms_hold_ids.filtered(lambda h: h.state == "active")
        self.assertIn("Quantities changed in the channel after something shipped", hold.reason)
        self.assertNotEqual(self._line(items[0]).product_uom_qty, items[0]["quantity"])


class TestWooCommercePushBack(ChannelFlowCase):
    def setUp(self):
        super().setUp()
        self.sim = WooCommerceSimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "WooCommerce (simulator)",
                "channel_type": "woocommerce",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "woocommerce_consumer_key": self.sim.consumer_key,
                "woocommerce_consumer_secret": self.sim.consumer_secret,
                "warehouse_id": self.warehouse.id,
            }
        )

    def test_stock_is_set_in_one_batch(self):
        self.set_stock("HOODIE-GRY-M", 7)
        self.env["oms.channel.product"]._oms_ensure(self.channel, self.products[:4])
        self.channel.action_push_stock()
        self.assertEqual(self.sim.products[product_id("HOODIE-GRY-M")]["stock_quantity"], 7)
        self.assertEqual(self.sim.products[product_id("TSHIRT-BLK-S")]["stock_quantity"], 0)
        batches = [r for r in self.sim.received if r.path.endswith("products/batch")]
        self.assertEqual(len(batches), 1)

    @mute_logger("odoo.addons.oms_channels.models.oms_channel_stock_push")
    def test_a_channel_whose_push_fails_does_not_stop_the_scheduled_push(self):
        other_sim = WooCommerceSimulator().start()
        self.addCleanup(other_sim.stop)
        Channel = self.env["oms.channel"]
        Channel.search([("channel_type", "in", ("shopify", "woocommerce", "amazon"))]).filtered(
            lambda c: c != self.channel
        ).active = False
        # Pushed in name order: the one that fails comes first.
        failing = self.channel.copy(
            {
                "name": "A store answering nonsense",
                "allow_insecure_http": True,
                "api_base_url": other_sim.url,
                "woocommerce_consumer_key": other_sim.consumer_key,
                "woocommerce_consumer_secret": other_sim.consumer_secret,
            }
        )
        self.channel.name = "B good store"
        other_sim.fail_next(
            200,
            path=r"products/batch",
            body={"update": [{"id": product_id("HOODIE-GRY-M"), "stock_quantity": "lots"}]},
        )
        self.set_stock("HOODIE-GRY-M", 7)
        for channel in failing | self.channel:
            self.env["oms.channel.product"]._oms_ensure(channel, self.by_sku["HOODIE-GRY-M"])
        with trap_jobs() as trap:
            self.env["oms.channel"]._cron_oms_push_stock()
            pushes = [j for j in trap.enqueued_jobs if j.method_name == "_oms_push_stock_isolated"]
            # The cron only queues: one push per channel, each its own job.
            self.assertEqual({job.recordset for job in pushes}, {failing, self.channel})
            self.assertEqual(self.channel.product_binding_ids.push_state, "new")
            for job in pushes:
                job.perform()
        self.assertIn("Stock push failed", failing.last_push_error)
        self.assertEqual(failing.product_binding_ids.push_state, "new", "rolled back")
        self.assertFalse(self.channel.last_push_error)
        self.assertEqual(self.channel.product_binding_ids.push_state, "done")
        self.assertEqual(self.sim.products[product_id("HOODIE-GRY-M")]["stock_quantity"], 7)

    def test_a_scheduled_push_the_channel_did_not_answer_runs_again(self):
        """A channel that answers 503 to the scheduled push: the job is retried by
        its retry pattern, not recorded as a failed push and dropped."""
        self.set_stock("HOODIE-GRY-M", 7)
        self.env["oms.channel.product"]._oms_ensure(self.channel, self.by_sku["HOODIE-GRY-M"])
        # More 503s than the client's own tries: the channel stays down.
        self.sim.fail_next(503, times=20, path=r"products/batch")
        with self.assertRaises(RetryableJobError):
            self.channel.with_context(job_uuid="test")._oms_push_stock_isolated()
        self.assertFalse(self.channel.last_push_error)

    def test_shipment_completes_the_order_with_a_tracking_note(self):
        self.stock_everything()
        self.sim.add_orders(woo_orders(1, seed=4, lines=1))
        order = self._import_all(self.channel)
        self._release(order)
        picking, jobs = self._ship(order)
        jobs[0].perform()
        self.assertEqual(picking.oms_channel_push_state, "done", picking.oms_channel_push_error)
        remote_id = int(order.oms_external_ref)
        self.assertEqual(self.sim.orders[remote_id]["status"], "completed")
        if "carrier_tracking_ref" in picking._fields:
            notes = self.sim.notes[remote_id]
            self.assertIn("1Z999AA10123456784", notes[-1]["note"])
        # A job run again (its first answer lost): the customer is not mailed twice.
        picking.oms_channel_push_state = "pending"
        picking._oms_push_shipment()
        self.assertEqual(picking.oms_channel_push_state, "done", picking.oms_channel_push_error)
        tracked = "carrier_tracking_ref" in picking._fields
        self.assertEqual(len(self.sim.notes.get(remote_id, [])), 1 if tracked else 0)

    def test_each_partial_shipment_is_told_once(self):
        self.stock_everything()
        self.sim.add_orders(woo_orders(1, seed=6, lines=2))
        order = self._import_all(self.channel)
        self._release(order)
        first = order.order_line.filtered("oms_external_line_id")[0]
        picking, jobs = self._ship(
            order, quantities={first.product_id.default_code: first.product_uom_qty}
        )
        jobs[0].perform()
        remote_id = int(order.oms_external_ref)
        self.assertNotEqual(self.sim.orders[remote_id]["status"], "completed")
        _rest, jobs = self._ship(order, tracking="1Z999AA10123456799")
        jobs[0].perform()
        self.assertEqual(self.sim.orders[remote_id]["status"], "completed")
        notes = [note["note"] for note in self.sim.notes[remote_id]]
        self.assertEqual(len(notes), 2)
        self.assertIn(picking.name, notes[0])
        self.assertIn(first.product_id.display_name, notes[0])
        # The first part's job run again (its answer lost): no second mail about it.
        picking.oms_channel_push_state = "pending"
        picking._oms_push_shipment()
        self.assertEqual(picking.oms_channel_push_state, "done", picking.oms_channel_push_error)
        self.assertEqual(len(self.sim.notes[remote_id]), 2)


class TestAmazon(ChannelFlowCase):
    def setUp(self):
        super().setUp()
        self.sim = AmazonSpSimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Amazon US (simulator)",
                "channel_type": "amazon",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "amazon_token_url": f"{self.sim.url}/auth/o2/token",
                "amazon_client_id": self.sim.client_id,
                "amazon_client_secret": self.sim.client_secret,
                "amazon_refresh_token": self.sim.refresh_token,
                "amazon_marketplace_ids": self.sim.marketplace_id,
                "amazon_seller_id": "A2SIMULATOR",
                "warehouse_id": self.warehouse.id,
                # The simulator's orders are from 2025; a first pull looks 30 days back.
                "pull_cursor": "2025-01-01T00:00:00Z",
            }
        )

    def test_pull_creates_orders_once_with_the_amazon_reference(self):
        self.assertEqual(self.channel.action_test_connection()["params"]["type"], "success")
        remote = amazon_orders(3, seed=5, lines=2)
        self.sim.add_orders(remote)
        orders = self._import_all(self.channel)
        self.assertEqual(
            sorted(orders.mapped("oms_external_ref")),
            sorted(o["Order"]["AmazonOrderId"] for o in remote),
        )
        for order in orders:
            self.assertFalse(
                order.oms_hold_ids.filtered(lambda h: "mismatch" in (h.reason or "")),
                "Odoo's total equals Amazon's",
            )
        self.channel.action_pull_orders()
        self.assertEqual(
            self.env["sale.order"].search_count([("oms_channel_id", "=", self.channel.id)]), 3
        )

    def test_shipment_confirmation_and_inventory_feed(self):
        self.stock_everything(20)
        self.sim.add_orders(amazon_orders(1, seed=6, lines=2))
        order = self._import_all(self.channel)
        self._release(order)
        if "carrier_tracking_ref" not in self.env["stock.picking"]._fields:
            return  # Amazon needs a tracking number, which comes with delivery methods
        picking, jobs = self._ship(order)
        jobs[0].perform()
        self.assertEqual(picking.oms_channel_push_state, "done", picking.oms_channel_push_error)
        shipment = self.sim.shipments[0]
        self.assertEqual(shipment["order_id"], order.oms_external_ref)
        self.assertEqual(shipment["packageDetail"]["trackingNumber"], "1Z999AA10123456784")
        self.assertEqual(
            {i["orderItemId"]: i["quantity"] for i in shipment["packageDetail"]["orderItems"]},
            {
                line.oms_external_line_id: int(line.product_uom_qty)
                for line in order.order_line.filtered("oms_external_line_id")
            },
        )
        # A retry after a lost answer: Amazon has the package, nothing is sent twice.
        picking.oms_channel_push_state = "pending"
        picking._oms_push_shipment()
        self.assertEqual(picking.oms_channel_push_state, "done")
        self.assertEqual(len(self.sim.shipments), 1)
        self.channel.action_push_stock()
        for binding in self.channel.product_binding_ids:
            self.assertEqual(self.sim.inventory[binding.sku], binding.qty_pushed)
            self.assertTrue(binding.push_reference.startswith("Feed "))

    def test_cancellation_goes_back_through_the_acknowledgement_feed(self):
        # More cases in test_oms_channel_amazon.py (buyer's request, FBA, shipped).
        self.sim.add_orders(amazon_orders(1, seed=8, lines=1))
        order = self._import_all(self.channel)
        with trap_jobs() as trap:
            order._action_cancel()
            trap.perform_enqueued_jobs()
        self.assertIn(
            "Cancellation sent to Amazon US (simulator)", order.oms_event_ids.mapped("name")
        )
        self.assertEqual([c["order_id"] for c in self.sim.cancellations], [order.oms_external_ref])


class TestFileAndHealth(ChannelSimulatorCase):
    def setUp(self):
        super().setUp()
        self.channel = self.env["oms.channel"].create(
            {"name": "Marketplace files", "channel_type": "file"}
        )

    def _upload(self, content):
        wizard = (
            self.env["oms.channel.import"]
            .with_context(default_channel_id=self.channel.id)
            .create({"file": base64.b64encode(content), "filename": "orders.csv"})
        )
        with trap_jobs() as trap:
            action = wizard.action_import()
            jobs = trap.enqueued_jobs
            trap.perform_enqueued_jobs()
        return self.env["oms.channel.inbox"].browse(action["domain"][0][2]), jobs

    def test_file_orders_land_once_and_become_sales_orders(self):
        content = (FIXTURES / "csv" / "marketplace_export.csv").read_bytes()
        inbox, jobs = self._upload(content)
        self.assertEqual(len(inbox), 2)
        self.assertEqual(len(jobs), 1, "one import job for the file's orders")
        self.assertEqual(set(inbox.mapped("source")), {"file"})
        self.assertEqual(set(inbox.mapped("state")), {"done"}, inbox.mapped("error_message"))
        self.assertEqual(inbox.order_id.oms_channel_id, self.channel)
        self.assertEqual(self.channel.last_import_date, max(inbox.mapped("processed_date")))
        again, jobs = self._upload(content)
        self.assertEqual(again, inbox, "the same file again adds nothing")
        self.assertFalse(jobs)

    def test_bad_file_is_refused_with_the_reason(self):
        with self.assertRaisesRegex(UserError, "lacks the column"):
            self._upload(b"order,qty\n1,2\n")
        self.assertFalse(self.channel.inbox_ids)

    def test_bad_row_ends_in_error_alone(self):
        inbox, _jobs = self._upload(
            b"order_number,currency,sku,quantity,unit_price\n"
            b"A-1,EUR,CAP-RED,1,19.50\n"
            b"A-2,EUR,CAP-RED,-1,19.50\n"
        )
        good, bad = inbox.sorted("external_id")
        self.assertEqual(good.state, "done")
        self.assertEqual(bad.state, "error")
        self.assertIn("at least 1", bad.error_message)
        self.assertFalse(bad.order_id)
        self.assertEqual(self.channel.inbox_error_count, 1)
        self.assertEqual(self.channel.inbox_errors_today, 1)
        self.assertEqual(self.channel.inbox_backlog_count, 0)
        # On the integration health dashboard, grouped per channel.
        check = self.env.ref("oms_channels.health_inbox_errors")
        self.assertEqual(check.state, "problem")
        action = check.action_open()
        self.assertEqual(action["context"]["group_by"], ["channel_id"])
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]) & inbox, bad)

    def test_backlog_and_time_to_drain(self):
        Inbox = self.env["oms.channel.inbox"]
        for number in range(4):
            Inbox._oms_store(
                self.channel,
                "file",
                json.dumps(
                    {
                        "order_number": f"B-{number}",
                        "rows": [
                            {
                                "order_number": f"B-{number}",
                                "currency": "EUR",
                                "sku": "CAP-RED",
                                "quantity": "1",
                                "unit_price": "19.50",
                            }
                        ],
                    }
                ),
            )
        received = self.channel.inbox_ids
        received[:2]._oms_process()
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.inbox_backlog_count, 2)
        self.assertEqual(self.channel.imported_last_hour, 2)
        self.assertEqual(self.channel.drain_minutes, 60.0, "2 waiting at 2 an hour")
        backlog = self.env.ref("oms_channels.health_inbox_backlog").action_open()
        self.assertEqual(
            self.env["oms.channel.inbox"].search(backlog["domain"]) & received, received[2:]
        )
