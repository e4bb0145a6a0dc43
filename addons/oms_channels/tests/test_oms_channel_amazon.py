"""Every amount and flag of an Amazon order is accounted for (issue 26, point 2):
gift wrap and COD fee lines, gifts on the delivery, the buyer's cancel request,
Amazon Points, and the manager's cancellation sent back through the order
acknowledgement feed; on the documented examples (see the fixtures' SOURCES.md)."""

import copy
import json
from datetime import datetime, timedelta

from odoo.tests import new_test_user
from odoo.tools import html2plaintext

from odoo.addons.queue_job.tests.common import trap_jobs

from tests.simulators.amazon_sp import AmazonSpSimulator
from tests.simulators.amazon_sp import generate_orders as amazon_orders

from .common import ChannelSimulatorCase, FixtureChannelsCase, fixture

AMAZON_TIME = "%Y-%m-%dT%H:%M:%SZ"


def _later(payload, seconds=60):
    """The same Amazon order as a later pull lists it."""
    payload = copy.deepcopy(payload)
    moment = datetime.strptime(payload["Order"]["LastUpdateDate"], AMAZON_TIME)
    payload["Order"]["LastUpdateDate"] = (moment + timedelta(seconds=seconds)).strftime(AMAZON_TIME)
    return payload


class TestAmazonAmountsAndFlags(FixtureChannelsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.JPY").active = True
        cls.jp_products = cls.env["product.product"].create(
            [
                {"name": "Example item name", "default_code": sku, "is_storable": True}
                for sku in ("CBA_OTF_1", "CBA_OTF_5")
            ]
        )
        for product in cls.jp_products:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 100
            )

    def _import(self, payload, channel=None):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            channel or self.amazon, "pull", json.dumps(payload)
        )
        with trap_jobs():
            inbox._oms_process()
        return inbox

    def _events(self, order):
        return order.oms_event_ids.mapped(lambda e: f"{e.name} | {e.reason or ''}")

    def _buyer_cancel(self, order):
        return order.oms_hold_ids.filtered(lambda h: h.hold_type == "buyer_cancel")

    def _address_completed(self, order):
        """The documented examples give no street: a person completes it."""
        order.oms_hold_ids.filtered(
            lambda h: h.hold_type == "address" and h.state == "active"
        ).action_release("address completed")
        return order

    def test_amazon_channel_has_its_gift_wrap_and_cod_fee_products(self):
        for product, name in (
            (self.amazon.gift_wrap_product_id, "Gift Wrap (Amazon US)"),
            (self.amazon.cod_fee_product_id, "Cash on Delivery Fee (Amazon US)"),
        ):
            self.assertEqual((product.name, product.type), (name, "service"))
            self.assertFalse(product.taxes_id, "the channel's tax lines decide")
        self.assertFalse(self.shopify.gift_wrap_product_id, "Amazon's fees only")

    def test_cod_fee_gift_wraps_and_points_of_the_documented_items(self):
        inbox = self._import(fixture("amazon", "order_jp_cod_gift_points.json"))
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        self.assertEqual(order.currency_id.name, "JPY")
        wraps = order.order_line.filtered(
            lambda ol: ol.product_id == self.amazon.gift_wrap_product_id
        )
        self.assertEqual(
            sorted((ol.name, ol.price_unit, ol.price_subtotal) for ol in wraps),
            [
                ("Gift wrap (Classic): Example item name", 199.0, 199.0),
                ("Gift wrap (Classic): Example item name", 4199.0, 4199.0),
            ],
        )
        cod = order.order_line.filtered(lambda ol: ol.product_id == self.amazon.cod_fee_product_id)
        self.assertEqual(
            (cod.name, cod.price_unit, cod.discount, cod.price_subtotal),
            ("Cash on delivery fee", 1000.0, 10.0, 900.0),
        )
        # Amazon's OrderTotal to the yen: no total-mismatch hold.
        self.assertEqual(order.amount_total, 9818.0)
        self.assertFalse(order.oms_hold_ids.filtered(lambda h: "Total mismatch" in h.reason))
        # The points are a note, never money of the order.
        self.assertIn(
            "Amazon US grants the buyer points | 10 points worth 10.00 JPY, paid by the "
            "channel: not part of the order's total.",
            self._events(order),
        )
        # Both documented items say the buyer asked to cancel: one hold, naming why.
        (hold,) = self._buyer_cancel(order)
        self.assertEqual(hold.state, "active")
        self.assertIn("“Found cheaper somewhere else.”", hold.reason)
        self._address_completed(order)
        self.assertNotEqual(order.state, "sale", "held: a person decides")

    def test_documented_gift_wrap_in_another_currency_is_refused(self):
        inbox = self._import(fixture("amazon", "order_items_docs_example.json"))
        self.assertEqual(inbox.state, "error")
        self.assertEqual(
            inbox.error_message,
            "OrderItems[0].BuyerInfo.GiftWrapPrice.CurrencyCode: is in GBP, the order is in JPY",
        )
        self.assertFalse(inbox.order_id)

    def test_gift_wrap_with_its_tax_and_the_gift_message_on_the_delivery(self):
        inbox = self._import(fixture("amazon", "order_us_gift_wrap.json"))
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = self._address_completed(inbox.order_id)
        self.assertEqual(order.state, "sale", order.oms_hold_ids.mapped("reason"))
        wrap = order.order_line.filtered(
            lambda ol: ol.product_id == self.amazon.gift_wrap_product_id
        )
        self.assertEqual((wrap.price_unit, wrap.tax_id.amount), (4.95, 10.1))
        self.assertEqual((wrap.price_tax, order.amount_total), (0.5, 16.46))
        (delivery,) = order.picking_ids
        note = html2plaintext(delivery.note)
        self.assertIn("Gift: 1 x B00551Q3CS [Card Book] (NABetaASINB00551Q3CS)", note)
        self.assertIn("gift wrap Classic", note)
        self.assertIn("“Happy birthday, Sam!", note)
        self.assertIn("Love, Alex”", note)

    def test_an_order_not_a_gift_has_no_gift_note(self):
        order = self._import(fixture("amazon", "order_us_docs_example.json")).order_id
        self.assertEqual(self._address_completed(order).state, "sale")
        self.assertFalse(order.oms_gift_note)
        self.assertFalse(order.picking_ids.note)

    def test_buyer_cancel_request_holds_once_across_versions(self):
        payload = fixture("amazon", "order_us_buyer_cancel.json")
        order = self._address_completed(self._import(payload).order_id)
        hold = self._buyer_cancel(order)
        self.assertEqual(hold.state, "active")
        self.assertIn("The buyer asked Amazon US to cancel", hold.reason)
        self.assertIn("Found cheaper somewhere else.", hold.reason)
        self.assertFalse(order.picking_ids, "nothing ships while the buyer's request waits")
        # A person decides to ship all the same.
        hold.action_release("called the buyer: ships")
        self.assertEqual(order.state, "sale")
        # Amazon still lists the request in later versions: no second hold.
        inbox = self._import(_later(payload))
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(self._buyer_cancel(order), hold)
        self.assertEqual(hold.state, "released")
        self.assertEqual(order.state, "sale")

    def test_a_later_version_asking_to_cancel_holds_the_order(self):
        plain = fixture("amazon", "order_us_docs_example.json")
        order = self._address_completed(self._import(plain).order_id)
        self.assertEqual(order.state, "sale")
        asked = fixture("amazon", "order_us_buyer_cancel.json")
        asked["Order"]["LastUpdateDate"] = "2025-01-19T04:30:00Z"
        self.assertEqual(self._import(asked).state, "done")
        (hold,) = order.oms_hold_ids.filtered(lambda h: h.state == "active")
        self.assertEqual(hold.hold_type, "buyer_cancel")
        self.assertIn("Found cheaper somewhere else.", hold.reason)
        # The request withdrawn: said in the timeline, the hold stays for a person.
        plain["Order"]["LastUpdateDate"] = "2025-01-19T05:00:00Z"
        self.assertEqual(self._import(plain).state, "done")
        self.assertEqual(hold.state, "active")
        self.assertTrue(
            any(
                event.startswith("The channel no longer lists the buyer's cancel request")
                for event in self._events(order)
            )
        )

    def test_later_versions_keep_the_fee_lines(self):
        payload = fixture("amazon", "order_jp_cod_gift_points.json")
        order = self._import(payload).order_id
        lines = order.order_line.mapped(lambda ol: (ol.product_id, ol.product_uom_qty))
        inbox = self._import(_later(payload))
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(
            order.order_line.mapped(lambda ol: (ol.product_id, ol.product_uom_qty)), lines
        )
        self.assertNotIn("Quantities changed in the channel", order.oms_event_ids.mapped("name"))
        self.assertEqual(order.amount_total, 9818.0)


class AmazonSimulatorCase(ChannelSimulatorCase):
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
                "pull_cursor": "2025-01-01T00:00:00Z",
            }
        )
        self.stock_everything(20)

    def _pull(self):
        with trap_jobs() as trap:
            self.channel.action_pull_orders()
            self.assertFalse(self.channel.last_pull_error)
            trap.perform_enqueued_jobs()
        inbox = self.env["oms.channel.inbox"].search([("channel_id", "=", self.channel.id)])
        self.assertEqual(
            set(inbox.mapped("state")) - {"stale"}, {"done"}, inbox.mapped("error_message")
        )
        return self.env["sale.order"].search([("oms_channel_id", "=", self.channel.id)])


class TestAmazonGiftsPulled(AmazonSimulatorCase):
    def test_orders_imported_together_each_get_their_gift_note(self):
        # A seed whose taxes give Odoo's 8.25 % exactly: the three go through at once.
        remotes = amazon_orders(3, seed=30, lines=1)
        for index, remote in enumerate(remotes[:2]):
            (item,) = remote["OrderItems"]
            item["IsGift"] = "true"
            item["BuyerInfo"] = {"GiftMessageText": f"For you, number {index}!"}
        self.sim.add_orders(remotes)
        orders = self._pull()
        self.assertEqual(orders.mapped("state"), ["sale"] * 3)
        notes = {
            order.oms_external_ref: html2plaintext(order.picking_ids.note or "") for order in orders
        }
        for index, remote in enumerate(remotes[:2]):
            note = notes[remote["Order"]["AmazonOrderId"]]
            self.assertIn(f"“For you, number {index}!”", note)
            self.assertIn(remote["OrderItems"][0]["SellerSKU"], note)
        self.assertEqual(notes[remotes[2]["Order"]["AmazonOrderId"]], "", "not a gift")


class TestAmazonCancellation(AmazonSimulatorCase):
    """The manager's Cancel of an Amazon order goes to Amazon through the order
    acknowledgement feed, or says why it cannot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="amazon_cancel_manager", groups="oms_core.group_oms_manager"
        )

    def _cancel(self, order):
        """The manager's Cancel (the order's cancel wizard skipped), and the job it queues."""
        with trap_jobs() as trap:
            order.with_user(self.manager).with_context(disable_cancel_warning=True).action_cancel()
            self.assertEqual(order.state, "cancel")
            trap.perform_enqueued_jobs()

    def _remote(self, buyer_asked=False, fulfillment="MFN"):
        (remote,) = amazon_orders(1, seed=21, lines=2)
        remote["Order"]["FulfillmentChannel"] = fulfillment
        if buyer_asked:
            request = fixture("amazon", "order_us_buyer_cancel.json")["OrderItems"][0][
                "BuyerRequestedCancel"
            ]
            for item in remote["OrderItems"]:
                item["BuyerRequestedCancel"] = request
        self.sim.add_orders([remote])
        return remote

    def _notes(self, order):
        return order.oms_event_ids.mapped(lambda e: f"{e.name} | {e.reason or ''}")

    def test_cancel_of_an_order_the_buyer_asked_to_cancel_tells_amazon(self):
        remote = self._remote(buyer_asked=True)
        order = self._pull()
        self.assertEqual(order.oms_hold_ids.hold_type, "buyer_cancel")
        self._cancel(order)
        (cancellation,) = self.sim.cancellations
        self.assertEqual(cancellation["order_id"], order.oms_external_ref)
        self.assertEqual(
            cancellation["items"],
            {item["OrderItemId"]: "BuyerCanceled" for item in remote["OrderItems"]},
        )
        feed = self.sim.feeds[cancellation["feed_id"]]
        self.assertEqual(feed["feedType"], "POST_ORDER_ACKNOWLEDGEMENT_DATA")
        self.assertIn("<MerchantIdentifier>A2SIMULATOR</MerchantIdentifier>", feed["content"])
        self.assertIn("<StatusCode>Failure</StatusCode>", feed["content"])
        self.assertFalse(feed["errors"])
        self.assertTrue(
            any(
                note.startswith(
                    "Cancellation sent to Amazon US (simulator) | Order acknowledgement feed"
                )
                and "BuyerCanceled" in note
                for note in self._notes(order)
            ),
            self._notes(order),
        )
        # Amazon lists it Canceled: the next pull changes nothing and sends nothing.
        self.assertEqual(self.sim.orders[order.oms_external_ref]["OrderStatus"], "Canceled")
        self._pull()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(len(self.sim.cancellations), 1)

    def test_cancel_without_a_buyer_request_is_a_general_adjustment(self):
        remote = self._remote()
        order = self._pull()
        self.assertEqual(order.state, "sale")
        self._cancel(order)
        (cancellation,) = self.sim.cancellations
        self.assertEqual(set(cancellation["items"].values()), {"GeneralAdjustment"}, cancellation)
        self.assertEqual(
            self.sim.orders[remote["Order"]["AmazonOrderId"]]["OrderStatus"], "Canceled"
        )

    def test_an_order_amazon_fulfils_cannot_be_cancelled_and_it_is_said(self):
        self._remote(fulfillment="AFN")
        order = self._pull()
        self._cancel(order)
        self.assertFalse(self.sim.cancellations)
        self.assertFalse(
            [f for f in self.sim.feeds.values() if f["feedType"] != "JSON_LISTINGS_FEED"]
        )
        self.assertIn(
            "Cancel it in Amazon Seller Central too | Amazon fulfils this order (FBA or "
            "shipped before import): the seller cannot cancel it through the SP-API.",
            self._notes(order),
        )

    def test_an_order_partly_shipped_is_not_cancelled_in_amazon(self):
        self._remote()
        order = self._pull()
        picking = order.picking_ids
        picking.action_assign()
        first, second = picking.move_ids
        first.quantity, second.quantity = first.product_uom_qty, 0
        picking.move_ids.picked = True
        with trap_jobs():
            picking.with_context(cancel_backorder=False)._action_done()
        self._cancel(order)
        self.assertFalse(self.sim.cancellations)
        self.assertTrue(
            any("would refund all of it" in note for note in self._notes(order)),
            self._notes(order),
        )
