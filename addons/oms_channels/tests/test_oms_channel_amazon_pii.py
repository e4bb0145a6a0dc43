"""Amazon buyer and shipping address through a Restricted Data Token (issue 19
point 9), pulled from the SP-API simulator, which gives them only to calls made
with an RDT (as Amazon does).

The address and buyer are those of the ``getOrder`` answer in the Tokens API use
case guide (delegation tutorial, step 3: ``Michigan address``, ``1 Cross St.``,
Canton MI 48817, ``John Doe``, ``user@example.com``).
"""

from odoo.tools import html2plaintext

from tests.simulators.amazon_sp import generate_orders as amazon_orders

from .test_oms_channel_amazon import AmazonSimulatorCase

DOCS_ADDRESS = {
    "Name": "Michigan address",
    "AddressLine1": "1 Cross St.",
    "City": "Canton",
    "StateOrRegion": "MI",
    "PostalCode": "48817",
    "CountryCode": "US",
}
DOCS_BUYER = {
    "BuyerEmail": "user@example.com",
    "BuyerName": "John Doe",
    "PurchaseOrderNumber": "1234567890123",
}
DOCS_BUYER_CONTACT = ("John Doe", "user@example.com")
GIFT_MESSAGE = "Happy birthday, Sam!"


class TestAmazonBuyerDataPulled(AmazonSimulatorCase):
    def setUp(self):
        super().setUp()
        # A seed whose taxes give Odoo's 8.25 % exactly: the order goes through.
        (self.remote,) = amazon_orders(1, seed=30, lines=1)
        order = self.remote["Order"]
        order["ShippingAddress"] = dict(DOCS_ADDRESS)
        order["BuyerInfo"] = dict(DOCS_BUYER)
        (item,) = self.remote["OrderItems"]
        item["IsGift"] = "true"
        item["BuyerInfo"] = {"GiftMessageText": GIFT_MESSAGE, "GiftWrapLevel": "Classic"}
        self.sim.add_orders([self.remote])
        self.order_id = order["AmazonOrderId"]
        self.sku = item["SellerSKU"]

    def _rdt_requests(self):
        return self.sim.requests_to("POST", r"/tokens/2021-03-01/restrictedDataToken$")

    def test_the_order_gets_the_buyer_and_the_address_through_an_rdt(self):
        (order,) = self._pull()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.oms_hold_ids)
        shipping = order.partner_shipping_id
        self.assertEqual(
            (shipping.street, shipping.city, shipping.zip, shipping.state_id.code),
            ("1 Cross St.", "Canton", "48817", "MI"),
        )
        self.assertEqual(shipping.country_id.code, "US")
        self.assertEqual((order.partner_id.name, order.partner_id.email), DOCS_BUYER_CONTACT)
        note = html2plaintext(order.picking_ids.note or "")
        self.assertIn(f"“{GIFT_MESSAGE}”", note)
        self.assertIn(self.sku, note)
        (asked,) = self._rdt_requests()
        self.assertEqual(
            [r["path"] for r in asked.json()["restrictedResources"]],
            ["/orders/v0/orders", "/orders/v0/orders/{orderId}/orderItems"],
        )
        (rdt,) = self.sim.restricted_tokens
        reads = self.sim.requests_to("GET", r"/orders/v0/orders")
        self.assertEqual({r.headers["x-amz-access-token"] for r in reads}, {rdt})
        inbox = self.env["oms.channel.inbox"].search([("channel_id", "=", self.channel.id)])
        self.assertEqual(inbox.order_id, order)

    def test_without_the_tokens_role_the_order_is_held_for_its_address_not_an_error(self):
        self.sim.pii_access = False
        (order,) = self._pull()  # no pull error, every inbox record done
        self.assertFalse(self.channel.last_pull_error)
        shipping = order.partner_shipping_id
        self.assertFalse(shipping.street)
        self.assertEqual((shipping.city, shipping.zip), ("Canton", "48817"))
        self.assertFalse(order.partner_id.email)
        self.assertTrue(order.oms_address_incomplete)
        holds = order.oms_hold_ids.filtered(lambda h: h.state == "active")
        self.assertEqual(holds.mapped("hold_type"), ["address"])
        self.assertIn("lacks a street", holds.reason)
        self.assertEqual(order.state, "draft", "held: not confirmed, nothing reserved")
        self.assertFalse(order.picking_ids)
        # A later pull goes on the same way: one refused RDT request per pull, no loop.
        self.sim.update_order(self.order_id, OrderStatus="Unshipped")
        (again,) = self._pull()
        self.assertEqual(again, order)
        self.assertFalse(self.channel.last_pull_error)
        self.assertEqual(len(self._rdt_requests()), 2)
        self.assertFalse(self.sim.restricted_tokens)

    def test_an_order_held_without_address_gets_it_with_its_next_version_once_granted(self):
        self.sim.pii_access = False
        (order,) = self._pull()
        self.assertTrue(order.oms_hold_ids.filtered(lambda h: h.hold_type == "address"))
        self.sim.pii_access = True  # the seller granted the role
        self.sim.update_order(self.order_id, OrderStatus="Unshipped")  # a later version
        self._pull()
        self.assertEqual(order.partner_shipping_id.street, "1 Cross St.")
        self.assertFalse(order.oms_address_incomplete)
        hold = order.oms_hold_ids.filtered(lambda h: h.hold_type == "address")
        self.assertEqual(hold.state, "released")
