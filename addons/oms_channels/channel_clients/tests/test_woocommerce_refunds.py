"""WooCommerce refunds (POST/GET orders/<id>/refunds) against the simulator."""

import pytest

from tests.simulators.woocommerce import WooCommerceSimulator, generate_orders

from .. import ChannelServerError, ChannelValidationError, WooCommerceClient
from .fakes import FakeClock

KEY, SECRET = "ck_simulator", "cs_simulator"


@pytest.fixture
def sim():
    with WooCommerceSimulator(consumer_key=KEY, consumer_secret=SECRET) as simulator:
        yield simulator


@pytest.fixture
def client(sim):
    return WooCommerceClient(sim.url, KEY, SECRET, sleep=FakeClock().sleep, timeout=(2, 5))


def test_a_refund_of_items_goes_through_the_gateway_and_is_found_by_its_reason(sim, client):
    (order,) = sim.add_orders(generate_orders(1, seed=41, lines=2))
    item = order["line_items"][0]
    refund = client.create_refund(
        order["id"],
        "5.00",
        "Odoo RINV/2025/00001",
        line_items=[{"id": item["id"], "quantity": 1, "refund_total": "5.00"}],
    )
    assert refund.amount == "5.00" and refund.refunded_payment
    (sent,) = sim.requests_to("POST", r"/refunds$")
    assert sent.json() == {
        "amount": "5.00",
        "reason": "Odoo RINV/2025/00001",
        "api_refund": True,
        "line_items": [{"id": item["id"], "quantity": 1, "refund_total": "5.00"}],
    }
    assert sim.orders[order["id"]]["refunds"][-1]["total"] == "-5.00"
    assert client.find_refund(order["id"], "Odoo RINV/2025/00001") == refund
    assert client.find_refund(order["id"], "Odoo RINV/2025/00002") is None


def test_more_than_is_left_is_refused(sim, client):
    (order,) = sim.add_orders(generate_orders(1, seed=42, lines=1))
    with pytest.raises(ChannelValidationError, match="Invalid refund amount"):
        client.create_refund(order["id"], "100000.00", "too much")
    assert sim.refunds == {}


def test_a_refund_is_not_repeated_after_a_5xx(sim, client):
    (order,) = sim.add_orders(generate_orders(1, seed=43, lines=1))
    sim.fail_next(500, path=r"/refunds$")
    with pytest.raises(ChannelServerError):
        client.create_refund(order["id"], "1.00", "Odoo RINV/1")
    assert len(sim.requests_to("POST", r"/refunds$")) == 1
