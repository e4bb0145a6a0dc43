"""What the customer paid for, from the channel's import to the delivery: an
express and a standard Shopify order and an Amazon Prime order are imported with
their service level, ship-by and deliver-by dates, and ship differently."""

from tests.simulators.amazon_sp import AmazonSpSimulator
from tests.simulators.amazon_sp import generate_orders as amazon_orders
from tests.simulators.shopify import generate_orders

from .test_oms_channel_push import ChannelFlowCase


class TestServiceLevelImport(ChannelFlowCase):
    def test_express_and_standard_orders_ship_differently(self):
        channel = self.shopify_channel()
        self.stock_everything(50)
        self.sim.add_orders(generate_orders(12, seed=3, lines=1))
        orders = self._import_all(channel)
        express = self.env.ref("oms_core.oms_service_level_express")
        standard = self.env.ref("oms_core.oms_service_level_standard")
        fast = orders.filtered(lambda o: o.oms_shipping_method == "EXPRESS")[:1]
        slow = orders.filtered(lambda o: o.oms_shipping_method == "STANDARD")[:1]
        self.assertTrue(fast and slow, orders.mapped("oms_shipping_method"))
        self.assertEqual(fast.oms_service_level_id, express)
        self.assertEqual(slow.oms_service_level_id, standard)
        # The codes met are listed on the channel for mapping, with their counts.
        rows = channel.service_level_map_ids
        self.assertEqual(
            sum(rows.mapped("seen_count")), len(orders.filtered("oms_shipping_method"))
        )
        self.assertIn("EXPRESS", rows.mapped("code"))
        for order in fast | slow:
            self._release(order)
        self.assertLess(fast.oms_deliver_by, slow.oms_deliver_by)
        fast_delivery, slow_delivery = fast.picking_ids, slow.picking_ids
        self.assertEqual(fast_delivery.priority, "1")
        self.assertEqual(slow_delivery.priority, "0")
        self.assertEqual(fast_delivery.date_deadline, fast.oms_deliver_by)
        self.assertEqual(slow_delivery.date_deadline, slow.oms_deliver_by)
        listed = self.env["stock.picking"].search(
            [("id", "in", (fast_delivery | slow_delivery).ids)]
        )
        self.assertEqual(listed[0], fast_delivery, "Odoo's picking list puts express first")

    def test_amazon_prime_order_keeps_amazons_dates(self):
        self.sim = AmazonSpSimulator().start()
        self.addCleanup(self.sim.stop)
        channel = self.env["oms.channel"].create(
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
                "pull_cursor": "2025-01-01T00:00:00Z",
            }
        )
        remote = amazon_orders(1, seed=5, lines=1)
        remote[0]["Order"].update(
            IsPrime=True,
            LatestShipDate="2025-01-08T07:59:59Z",
            LatestDeliveryDate="2025-01-10T07:59:59Z",
        )
        self.sim.add_orders(remote)
        order = self._import_all(channel)
        prime = self.env.ref("oms_core.oms_service_level_prime")
        self.assertEqual(order.oms_service_level_id, prime)
        self.assertEqual(order.oms_shipping_method, "Std US D2D Dom")
        self.assertEqual(str(order.oms_promised_date), "2025-01-08 07:59:59")
        self.assertEqual(str(order.oms_deliver_by), "2025-01-10 07:59:59")
