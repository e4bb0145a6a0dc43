"""Cancelling a merchant-fulfilled Amazon order with the order acknowledgement
feed (``POST_ORDER_ACKNOWLEDGEMENT_DATA``), against the SP-API simulator."""

from xml.etree import ElementTree

import pytest

from tests.simulators.amazon_sp import AmazonSpSimulator, generate_orders

from ..amazon import order_cancellation_feed
from .fakes import FakeClock
from .test_amazon_client import CLIENT_ID, REFRESH, SECRET, client_for


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with AmazonSpSimulator(CLIENT_ID, SECRET, REFRESH, clock=clock) as simulator:
        yield simulator


def test_the_feed_is_the_documented_order_acknowledgement():
    content = order_cancellation_feed("A3SELLER", "111-2-3", ["11", "12"], "BuyerCanceled")
    envelope = ElementTree.fromstring(content)
    assert content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert envelope.tag == "AmazonEnvelope"
    assert envelope.findtext("Header/DocumentVersion") == "1.01"
    assert envelope.findtext("Header/MerchantIdentifier") == "A3SELLER"
    assert envelope.findtext("MessageType") == "OrderAcknowledgement"
    acknowledgement = envelope.find("Message/OrderAcknowledgement")
    assert envelope.findtext("Message/MessageID") == "1"
    assert acknowledgement.findtext("AmazonOrderID") == "111-2-3"
    assert acknowledgement.findtext("StatusCode") == "Failure"
    assert [
        (item.findtext("AmazonOrderItemCode"), item.findtext("CancelReason"))
        for item in acknowledgement.findall("Item")
    ] == [("11", "BuyerCanceled"), ("12", "BuyerCanceled")]


def test_only_the_schema_s_reasons_and_a_whole_request():
    with pytest.raises(ValueError, match="not an Amazon cancel reason"):
        order_cancellation_feed("A3SELLER", "111-2-3", ["11"], "Changed my mind")
    with pytest.raises(ValueError, match="are needed"):
        order_cancellation_feed("", "111-2-3", ["11"])
    with pytest.raises(ValueError, match="are needed"):
        order_cancellation_feed("A3SELLER", "111-2-3", [])


def test_an_unshipped_order_is_cancelled(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=3, lines=2))
    order_id = order["Order"]["AmazonOrderId"]
    items = [item["OrderItemId"] for item in order["OrderItems"]]
    client = client_for(sim, clock)
    feed_id = client.cancel_order("A3SELLER", order_id, items, reason="NoInventory")
    feed = client.get_feed(feed_id)
    assert (feed.feed_type, feed.processing_status) == ("POST_ORDER_ACKNOWLEDGEMENT_DATA", "DONE")
    assert sim.cancellations == [
        {"order_id": order_id, "feed_id": feed_id, "items": dict.fromkeys(items, "NoInventory")}
    ]
    assert sim.orders[order_id]["OrderStatus"] == "Canceled"
    (document,) = sim.feed_documents.values()
    assert document["contentType"] == "text/xml; charset=UTF-8"


def test_amazon_refuses_to_cancel_a_shipped_order_in_the_feed_report(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=4, lines=1))
    order_id = order["Order"]["AmazonOrderId"]
    (item,) = order["OrderItems"]
    client = client_for(sim, clock)
    client.confirm_shipment(
        order_id, 1, "UPS", "1Z999", "2025-01-02T10:00:00Z", {item["OrderItemId"]: 1}
    )
    feed_id = client.cancel_order("A3SELLER", order_id, [item["OrderItemId"]])
    assert sim.cancellations == []
    assert sim.feeds[feed_id]["errors"] == [
        f"{order_id}: An item of this order has shipped already."
    ]
    assert sim.orders[order_id]["OrderStatus"] == "Shipped"
