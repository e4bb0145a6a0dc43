"""What each channel says about an order's state on arrival, in the draft."""

import json
from pathlib import Path

import pytest

from .. import OrderPending, map_amazon_order, map_shopify_order, map_woocommerce_order

FIXTURES = Path(__file__).parent / "fixtures"


def load(system, name):
    return json.loads((FIXTURES / system / name).read_text())


def test_shopify_fulfilled_and_cancelled():
    assert map_shopify_order(load("shopify", "order_fulfilled.json")).fulfilled_by_channel
    open_order = map_shopify_order(load("shopify", "order_taxes_excluded.json"))
    assert (open_order.fulfilled_by_channel, open_order.cancelled) == (False, False)
    cancelled = map_shopify_order(load("shopify", "order_cancelled_taxes_included.json"))
    assert cancelled.cancelled


@pytest.mark.parametrize(
    ("status", "cancelled", "fulfilled"),
    [
        ("processing", False, False),
        ("completed", False, True),
        ("cancelled", True, False),
        ("refunded", True, False),
        ("failed", True, False),
    ],
)
def test_woocommerce_statuses(status, cancelled, fulfilled):
    payload = load("woocommerce", "order_docs_example.json")
    payload["status"] = status
    draft = map_woocommerce_order(payload)
    assert (draft.cancelled, draft.fulfilled_by_channel) == (cancelled, fulfilled)


def test_amazon_fba_and_shipped_are_fulfilled_by_the_channel():
    assert map_amazon_order(load("amazon", "order_fba_shipped.json")).fulfilled_by_channel
    payload = load("amazon", "order_us_docs_example.json")
    assert not map_amazon_order(payload).fulfilled_by_channel
    payload["Order"]["FulfillmentChannel"] = "AFN"
    assert map_amazon_order(payload).fulfilled_by_channel


def test_amazon_pending_order_is_pending_not_an_error_of_the_payload():
    with pytest.raises(OrderPending, match="pending"):
        map_amazon_order(load("amazon", "order_pending.json"))
