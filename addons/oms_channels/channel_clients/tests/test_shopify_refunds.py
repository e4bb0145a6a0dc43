"""Refunds on the Shopify GraphQL Admin API: suggestedRefund, then refundCreate."""

from decimal import Decimal

import pytest

from tests.simulators.shopify import ShopifySimulator, generate_orders

from .. import ChannelNotFoundError, ChannelServerError, ChannelValidationError, ShopifyClient
from .fakes import FakeClock

TOKEN = "shpat_simulator_token"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with ShopifySimulator(access_token=TOKEN, clock=clock) as simulator:
        yield simulator


@pytest.fixture
def client(sim, clock):
    return ShopifyClient(sim.url, TOKEN, sleep=clock.sleep, clock=clock, timeout=(2, 5))


def paid_order(sim, seed, lines=2):
    (order,) = generate_orders(1, seed=seed, lines=lines)
    order["financial_status"] = "paid"
    sim.add_orders([order])
    return sim.orders[order["id"]]


def line_refund(line, quantity):
    """What one unit count of a tax-included line refunds: its price less its discount share."""
    discount = sum((Decimal(a["amount"]) for a in line["discount_allocations"]), Decimal(0))
    share = discount * quantity / line["quantity"]
    return (Decimal(line["price"]) * quantity - share).quantize(Decimal("0.01"))


def test_a_line_and_part_of_the_shipping_are_refunded_through_the_sale(sim, client):
    order = paid_order(sim, seed=40)  # 12.00 shipping
    line = order["line_items"][0]
    refund = client.create_refund(
        order["id"], lines={line["id"]: 1}, shipping_amount="1.00", note="odoo:RMA/0001"
    )
    expected = line_refund(line, 1) + Decimal("1.00")
    assert Decimal(refund.amount) == expected
    assert refund.note == "odoo:RMA/0001"
    (stored,) = order["refunds"]
    (sale,) = sim.transactions_of(order["id"])
    (money,) = stored["transactions"]
    assert (money["kind"], money["parent_id"], Decimal(money["amount"])) == (
        "refund",
        sale["id"],
        expected,
    )
    assert stored["refund_line_items"][0]["restock_type"] == "no_restock"
    assert stored["order_adjustments"] == [{"kind": "shipping_refund", "amount": "-1.00"}]
    assert order["financial_status"] == "partially_refunded"
    # The calculate step came first, with the same lines.
    (suggested,) = sim.graphql_calls("SuggestedRefund")
    assert suggested["refundLineItems"] == [
        {"lineItemId": f"gid://shopify/LineItem/{line['id']}", "quantity": 1}
    ]
    (created,) = sim.graphql_calls("RefundCreate")
    assert created["input"]["transactions"][0]["parentId"] == (
        f"gid://shopify/OrderTransaction/{sale['id']}"
    )


def test_everything_refunded_makes_the_order_refunded(sim, client):
    order = paid_order(sim, seed=43)
    lines = {line["id"]: line["quantity"] for line in order["line_items"]}
    refund = client.create_refund(order["id"], lines=lines, full_shipping=True)
    assert Decimal(refund.amount) == Decimal(order["total_price"])
    assert order["financial_status"] == "refunded"


def test_a_returned_line_is_restocked_at_the_location(sim, client):
    order = paid_order(sim, seed=43)
    line = order["line_items"][0]
    client.create_refund(order["id"], lines={line["id"]: 1}, restock=True, location_id=655441491)
    (created,) = sim.graphql_calls("RefundCreate")
    assert created["input"]["refundLineItems"][0]["restockType"] == "RETURN"
    assert created["input"]["refundLineItems"][0]["locationId"] == (
        "gid://shopify/Location/655441491"
    )
    assert order["refunds"][0]["refund_line_items"][0]["restock_type"] == "return"


def test_more_than_was_bought_is_refused_and_nothing_is_refunded(sim, client):
    order = paid_order(sim, seed=44)
    line = order["line_items"][0]
    with pytest.raises(ChannelValidationError, match="more items than were purchased"):
        client.create_refund(order["id"], lines={line["id"]: line["quantity"] + 1})
    assert sim.graphql_calls("RefundCreate") == []
    assert "refunds" not in order
    client.create_refund(order["id"], lines={line["id"]: line["quantity"]})
    with pytest.raises(ChannelValidationError, match="more items than were purchased"):
        client.create_refund(order["id"], lines={line["id"]: 1})
    assert len(order["refunds"]) == 1


def test_a_refund_is_not_sent_again_after_a_5xx_and_is_found_by_its_note(sim, client):
    order = paid_order(sim, seed=45)
    line = order["line_items"][0]
    sim.fail_next_graphql("RefundCreate", status=503)
    with pytest.raises(ChannelServerError):
        client.create_refund(order["id"], lines={line["id"]: 1}, note="odoo:RMA/0002")
    assert len(sim.graphql_calls("RefundCreate")) == 1, "money is never sent twice"
    assert client.find_refund(order["id"], "odoo:RMA/0002") is None
    made = client.create_refund(order["id"], lines={line["id"]: 1}, note="odoo:RMA/0002")
    found = client.find_refund(order["id"], "odoo:RMA/0002")
    assert found == made


def test_a_refund_for_an_unknown_order_is_not_found(client):
    with pytest.raises(ChannelNotFoundError):
        client.create_refund(1, lines={2: 1})
