"""eBay channels end to end against the eBay simulator (tests/simulators/ebay.py)
and the real-shaped corpus (channel_mappers/tests/fixtures/ebay, SOURCES.md):
pull and import, redelivery stored once, eBay's cancelled / refunded / fulfilled
orders never work to do, shipments and stock pushed back."""

import json
from decimal import Decimal

from odoo.exceptions import UserError

from odoo.addons.queue_job.tests.common import trap_jobs

from tests.simulators.ebay import EbaySimulator, generate_orders

from .common import fixture
from .test_oms_channel_push import ChannelFlowCase


class TestEbayChannel(ChannelFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The corpus' US order: 2.80 of sales tax on 35.00 (8 %).
        cls.env["account.tax"].create(
            {
                "name": "Sales tax 8%",
                "amount": 8.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        cls.record = cls.env["product.product"].create(
            {"name": "Outlaws LP", "default_code": "791689", "is_storable": True}
        )

    def setUp(self):
        super().setUp()
        self.sim = EbaySimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "eBay US (simulator)",
                "channel_type": "ebay",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "ebay_client_id": self.sim.client_id,
                "ebay_client_secret": self.sim.client_secret,
                "ebay_refresh_token": self.sim.refresh_token,
                "warehouse_id": self.warehouse.id,
            }
        )

    def _inbox(self):
        return self.env["oms.channel.inbox"].search([("channel_id", "=", self.channel.id)])

    def _store(self, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.channel, "pull", json.dumps(payload)
        )
        with trap_jobs():
            inbox._oms_process()
        return inbox

    def test_connection_and_a_refused_refresh_token(self):
        action = self.channel.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.channel.ebay_refresh_token = "v^1.1#revoked"
        with self.assertRaisesRegex(UserError, "invalid_grant|refused the refresh token"):
            self.channel.action_test_connection()

    def test_pull_imports_orders_with_partner_ship_to_lines_and_totals(self):
        self.stock_everything()
        (payload,) = self.sim.add_orders(generate_orders(1, seed=21, lines=3))
        order = self._import_all(self.channel)
        self.assertEqual(len(order), 1)
        self.assertEqual(order.oms_external_ref, payload["orderId"])
        ship_to = payload["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]
        self.assertEqual(order.partner_id.email, ship_to["email"])
        self.assertEqual(
            order.partner_shipping_id.street, ship_to["contactAddress"]["addressLine1"]
        )
        self.assertEqual(order.partner_shipping_id.zip, ship_to["contactAddress"]["postalCode"])
        self.assertEqual(
            order.partner_shipping_id.country_id.code, ship_to["contactAddress"]["countryCode"]
        )
        goods = order.order_line.filtered(lambda ol: ol.product_id in self.products)
        self.assertEqual(
            sorted((ol.product_id.default_code, ol.product_uom_qty, ol.price_unit) for ol in goods),
            sorted(
                (
                    item["sku"],
                    item["quantity"],
                    float(Decimal(item["lineItemCost"]["value"]) / item["quantity"]),
                )
                for item in payload["lineItems"]
            ),
        )
        self.assertEqual(set(goods.tax_id.mapped("amount")), {8.25}, "eBay's sales tax")
        total = float(payload["pricingSummary"]["total"]["value"])
        self.assertAlmostEqual(order.amount_total, total, places=2)
        tax = float(payload["pricingSummary"]["tax"]["value"])
        self.assertAlmostEqual(order.oms_channel_withheld_tax, tax, places=2)
        self.assertAlmostEqual(order.oms_channel_paid_amount, total - tax, places=2)
        self.assertFalse(order.oms_hold_ids.filtered(lambda h: "Total" in (h.reason or "")))
        self.assertEqual(self.channel.pull_cursor[:4], payload["lastModifiedDate"][:4])

    def test_redelivered_orders_are_stored_and_imported_once(self):
        self.stock_everything()
        self.sim.add_orders(generate_orders(3, seed=22, lines=1))
        orders = self._import_all(self.channel)
        self.assertEqual(len(orders), 3)
        self.channel.pull_cursor = False  # eBay sends the same versions again
        with trap_jobs() as trap:
            self.channel.action_pull_orders()
            trap.assert_jobs_count(0)
        self.assertEqual(len(self._inbox()), 3, "a version is stored once")
        payload = self.sim.orders[orders[0].oms_external_ref]
        again = self._store(payload)
        self.assertEqual(len(self._inbox()), 3)
        self.assertEqual(again.order_id, orders[0])
        self.assertEqual(
            self.env["sale.order"].search_count([("oms_channel_id", "=", self.channel.id)]), 3
        )

    def test_documented_us_order_adds_up_with_the_tax_ebay_remits(self):
        inbox = self._store(fixture("ebay", "order_us_sales_tax_2020.json"))
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        self.assertEqual(order.amount_total, 41.8)
        self.assertEqual(order.amount_tax, 2.8)
        self.assertEqual(order.oms_channel_withheld_tax, 2.8)
        self.assertEqual(order.partner_shipping_id.name, "Jane Buyer")
        self.assertEqual(order.partner_shipping_id.state_id.code, "AL")

    def test_cancelled_and_refunded_orders_are_no_work(self):
        self.set_stock("MUG-CER-350", 5)
        self.env["stock.quant"]._update_available_quantity(
            self.record, self.warehouse.lot_stock_id, 5
        )
        cancelled = self._store(fixture("ebay", "order_us_cancelled_by_buyer.json"))
        self.assertEqual(cancelled.state, "done", cancelled.error_message)
        self.assertEqual(cancelled.order_id.state, "cancel")
        self.assertFalse(cancelled.order_id.picking_ids.filtered(lambda p: p.state != "cancel"))
        refunded = fixture("ebay", "order_us_fully_refunded_2024.json")
        refunded["lineItems"][0]["sku"] = "MUG-CER-350"
        refunded = self._store(refunded)
        self.assertEqual(refunded.state, "done", refunded.error_message)
        self.assertEqual(refunded.order_id.state, "cancel")
        self.assertFalse(refunded.order_id.picking_ids.filtered(lambda p: p.state != "cancel"))

    def test_an_order_fulfilled_in_ebay_is_recorded_not_shipped(self):
        self.env["stock.quant"]._update_available_quantity(
            self.record, self.warehouse.lot_stock_id, 5
        )
        fulfilled = self._store(fixture("ebay", "order_us_fulfilled.json"))
        self.assertEqual(fulfilled.state, "done", fulfilled.error_message)
        order = fulfilled.order_id
        self.assertEqual(order.state, "sale")
        to_ship = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertFalse(to_ship, "shipped by the seller in eBay: nothing left to ship")
        record = order.order_line.filtered(lambda ol: ol.product_id == self.record)
        self.assertEqual(record.qty_delivered, 1.0)

    def test_a_known_order_cancelled_in_ebay_is_cancelled_in_odoo(self):
        self.env["stock.quant"]._update_available_quantity(
            self.record, self.warehouse.lot_stock_id, 5
        )
        first = self._store(fixture("ebay", "order_us_sales_tax_2020.json"))
        order = first.order_id
        self._release(order)
        later = self._store(fixture("ebay", "order_us_cancelled_by_buyer.json"))
        self.assertEqual(later.state, "done", later.error_message)
        self.assertEqual(later.order_id, order)
        self.assertEqual(order.state, "cancel")

    def test_a_buyers_cancel_request_holds_the_order_for_a_person(self):
        self.env["stock.quant"]._update_available_quantity(
            self.record, self.warehouse.lot_stock_id, 5
        )
        payload = fixture("ebay", "order_us_sales_tax_2020.json")
        payload["cancelStatus"] = {
            "cancelState": "IN_PROGRESS",
            "cancelRequests": [
                {
                    "cancelReason": "ADDRESS_ISSUES",
                    "cancelInitiator": "BUYER",
                    "cancelRequestState": "REQUESTED",
                }
            ],
        }
        inbox = self._store(payload)
        self.assertEqual(inbox.state, "done", inbox.error_message)
        (hold,) = inbox.order_id.oms_hold_ids.filtered(lambda h: h.hold_type == "buyer_cancel")
        self.assertEqual(hold.state, "active")
        self.assertIn("ADDRESS_ISSUES", hold.reason)
        # eBay's API takes no cancellation: the hold says to cancel it there too.
        self.assertIn("which Odoo cannot tell", hold.reason)
        self.assertNotIn("is told", hold.reason)
        self.assertNotEqual(inbox.order_id.state, "sale", "held: a person decides")

    def test_a_partial_refund_in_ebay_is_one_credit_note_once(self):
        self.stock_everything(20)
        (payload,) = self.sim.add_orders(generate_orders(1, seed=31, lines=1))
        (order,) = self._import_all(self.channel)
        self._release(order)
        self._ship(order)
        order._oms_invoice_channel_order()
        order._oms_record_channel_payment()
        self.assertEqual(order.invoice_ids.state, "posted")
        order_id = payload["orderId"]
        line_id = payload["lineItems"][0]["lineItemId"]
        done = self.sim.refund(order_id, "5.00", line_item_id=line_id)
        pending = self.sim.refund(order_id, "3.00", status="PENDING")
        self._import_all(self.channel)  # the order's new version lists both

        def credit_notes():
            return order._oms_credit_notes()

        credit_note = credit_notes()
        self.assertEqual(len(credit_note), 1, "the pending refund moved no money: none")
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(credit_note.amount_total, 5.0, places=2)
        self.assertEqual(credit_note.oms_channel_refund_ref, f"refund:{done}")
        self.assertEqual(credit_note.currency_id, order.currency_id)
        # A later version still lists it: stored once, credited once.
        self.sim.update_order(order_id, buyerCheckoutNotes="leave at the door")
        self._import_all(self.channel)
        self.assertEqual(credit_notes(), credit_note)
        self.assertEqual(
            len(self._inbox().filtered(lambda r: r.external_id == f"refund:{done}")), 1
        )
        self.assertFalse(self.sim.requests_to("GET", rf"/order/{order_id}$"), "read from the order")
        # The pending refund goes through: its own credit note.
        self.sim.complete_refund(order_id, pending)
        self._import_all(self.channel)
        self.assertEqual(sorted(credit_notes().mapped("amount_total")), [3.0, 5.0], credit_notes())

    def test_a_refund_of_a_whole_item_credits_its_line(self):
        self.stock_everything(20)
        (payload,) = self.sim.add_orders(generate_orders(1, seed=32, lines=2))
        (order,) = self._import_all(self.channel)
        self._release(order)
        self._ship(order)
        order._oms_invoice_channel_order()
        order._oms_record_channel_payment()
        item = payload["lineItems"][1]  # no shipping on it
        unit = Decimal(item["total"]["value"]) / item["quantity"]
        refund_id = self.sim.refund(
            payload["orderId"], f"{unit:.2f}", line_item_id=item["lineItemId"]
        )
        self._import_all(self.channel)
        (credit_note,) = order._oms_credit_notes()
        self.assertEqual(credit_note.oms_channel_refund_ref, f"refund:{refund_id}")
        self.assertAlmostEqual(credit_note.amount_total, float(f"{unit:.2f}"), places=2)
        goods = credit_note.invoice_line_ids.filtered("sale_line_ids")
        self.assertEqual(goods.sale_line_ids.oms_external_line_id, item["lineItemId"])
        self.assertEqual(goods.quantity, 1)

    def test_shipment_goes_back_as_one_fulfillment_with_its_tracking(self):
        self.stock_everything()
        (payload,) = self.sim.add_orders(generate_orders(1, seed=23, lines=2))
        order = self._import_all(self.channel)
        self._release(order)
        picking, jobs = self._ship(order, tracking="9400111899223100001")
        self.assertEqual(len(jobs), 1)
        jobs[0].perform()
        self.assertEqual(picking.oms_channel_push_state, "done", picking.oms_channel_push_error)
        jobs[0].perform()  # sent again (a lost answer): eBay keeps one fulfillment
        (fulfillment,) = self.sim.fulfillments[payload["orderId"]]
        self.assertEqual(fulfillment["shipmentTrackingNumber"], "9400111899223100001")
        self.assertEqual(
            sorted((i["lineItemId"], i["quantity"]) for i in fulfillment["lineItems"]),
            sorted((i["lineItemId"], i["quantity"]) for i in payload["lineItems"]),
        )
        self.assertEqual(self.sim.orders[payload["orderId"]]["orderFulfillmentStatus"], "FULFILLED")

    def test_stock_is_pushed_by_sku_and_an_unknown_sku_is_refused(self):
        self.set_stock("CAP-RED", 6)
        listings = self.env["oms.channel.product"].create(
            [
                {"channel_id": self.channel.id, "product_id": self.by_sku["CAP-RED"].id},
                {
                    "channel_id": self.channel.id,
                    "product_id": self.by_sku["MUG-CER-350"].id,
                    "sku": "NOT-ON-EBAY",
                },
            ]
        )
        with self.assertRaisesRegex(UserError, "1 products refused"):
            self.channel.action_push_stock()
        self.assertEqual(self.sim.inventory["CAP-RED"]["quantity"], 6)
        self.assertEqual(listings[0].push_state, "done", listings[0].push_error)
        self.assertEqual(listings[1].push_state, "error")
        self.assertIn("NOT-ON-EBAY", listings[1].push_error)

    def test_catalogue_lists_each_inventory_item_by_sku_matched_to_its_product(self):
        with trap_jobs() as trap:
            self.channel.action_import_catalogue()
            trap.perform_enqueued_jobs()
        listings = self.env["oms.channel.product"].search([("channel_id", "=", self.channel.id)])
        self.assertEqual(sorted(listings.mapped("sku")), sorted(self.sim.inventory))
        for listing in listings:
            self.assertEqual(listing.product_id, self.by_sku[listing.sku], listing.sku)
            self.assertEqual(listing.state, "mapped")
