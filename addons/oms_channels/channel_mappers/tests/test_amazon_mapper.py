"""Amazon SP-API Orders v0 order + items → order draft, on golden payloads."""

import copy
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from tests.simulators.amazon_sp import generate_orders

from .. import Address, Discount, MappingError, TaxLine, map_amazon_order

FIXTURES = Path(__file__).parent / "fixtures" / "amazon"


def load(name):
    return json.loads((FIXTURES / name).read_text())


def test_us_documentation_example_tax_added():
    draft = map_amazon_order(load("order_us_docs_example.json"))
    assert draft.channel_kind == "amazon"
    assert draft.external_id == draft.name == "902-1845936-5435065"
    assert draft.updated_at == datetime(2025, 1, 19, 3, 58, 32, tzinfo=timezone.utc)
    assert draft.version == "2025-01-19T03:58:32Z"
    assert (draft.currency, draft.taxes_included) == ("USD", False)
    assert (draft.payment_status, draft.channel_status) == ("paid", "Unshipped")
    (line,) = draft.lines
    assert (line.sku, line.name, line.quantity, line.unit_price, line.external_id) == (
        "NABetaASINB00551Q3CS",
        "B00551Q3CS [Card Book]",
        1,
        Decimal("10.00"),
        "05015851154158",
    )
    assert line.taxes == (
        TaxLine(amount=Decimal("1.01"), rate=Decimal("0.1010"), title="Amazon tax"),
    )
    assert draft.shipping_lines[0].method == "Std US D2D Dom"
    assert draft.shipping_address == Address(
        city="SEATTLE", zip="98121", state_code="WA", country_code="US"
    )
    assert draft.email == "abcdefghi123456@marketplace.amazon.com"
    assert draft.totals.total == Decimal("11.01") == draft.computed_total()
    assert dict(draft.extra)["fulfillment_channel"] == "MFN"


def test_uk_order_prices_include_vat_with_promotion():
    draft = map_amazon_order(json.dumps(load("order_uk_tax_included.json")).encode())
    assert (draft.currency, draft.taxes_included, draft.channel_status) == ("GBP", True, "Shipped")
    hoodie, mug = draft.lines
    assert (hoodie.quantity, hoodie.unit_price) == (2, Decimal("59.90"))
    assert hoodie.discounts == (Discount(amount=Decimal("10.00"), code="SPRING-10-OFF"),)
    assert hoodie.taxes == (
        TaxLine(amount=Decimal("18.30"), rate=Decimal("0.2000"), title="Amazon tax"),
    )
    assert (mug.unit_price, mug.tax_total) == (Decimal("12.00"), Decimal("6.00"))
    (shipping,) = draft.shipping_lines
    assert (shipping.title, shipping.price, shipping.tax_total) == (
        "Std UK Dom_1",
        Decimal("4.02"),
        Decimal("0.67"),
    )
    assert shipping.taxes[0].rate == Decimal("0.2000")
    assert draft.shipping_address.street2 == "Flat 1"
    assert (draft.customer_name, draft.phone) == ("Olivia Brown", "+447700900123")
    assert dict(draft.extra)["is_prime"] == "true"
    assert draft.computed_total() == draft.totals.total == Decimal("149.82")


def test_taxes_included_can_be_forced():
    draft = map_amazon_order(load("order_us_docs_example.json"), taxes_included=True)
    assert draft.taxes_included is True
    assert draft.computed_total() == Decimal("10.00")


def test_generated_orders_add_up():
    for payload in generate_orders(200, seed=9):
        draft = map_amazon_order(payload)
        assert draft.computed_total() == draft.totals.total, payload["Order"]["AmazonOrderId"]


def test_uneven_unit_price_keeps_the_line_total():
    payload = load("order_us_docs_example.json")
    payload["OrderItems"][0]["QuantityOrdered"] = 3
    draft = map_amazon_order(payload)
    (line,) = draft.lines
    assert line.unit_price == Decimal("3.333333")
    assert line.subtotal == Decimal("10.00")
    assert draft.computed_total() == draft.totals.total


def test_pending_order_is_refused_with_a_reason():
    payload = load("order_us_docs_example.json")
    payload["Order"]["OrderStatus"] = "Pending"
    del payload["Order"]["OrderTotal"]
    with pytest.raises(MappingError, match="no prices for a pending order") as caught:
        map_amazon_order(payload)
    assert caught.value.path == "Order.OrderStatus"


def test_cancelled_order_without_prices_only_cancels():
    payload = load("order_us_docs_example.json")
    payload["Order"]["OrderStatus"] = "Canceled"
    del payload["Order"]["OrderTotal"]
    payload["OrderItems"][0]["QuantityOrdered"] = 0
    draft = map_amazon_order(payload)
    assert (draft.cancelled, draft.lines, draft.payment_status) == (True, (), "voided")
    assert draft.currency == "USD"


BAD = [
    ("no order", {"OrderItems": []}, "Order", "is missing"),
    ("no items", {"Order": load("order_us_docs_example.json")["Order"]}, "OrderItems", "missing"),
    (
        "empty items",
        {"Order": load("order_us_docs_example.json")["Order"], "OrderItems": []},
        "OrderItems",
        "no lines",
    ),
]


def _changed(path, value):
    payload = copy.deepcopy(load("order_us_docs_example.json"))
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


BAD += [
    (
        "unknown currency",
        _changed(["Order", "OrderTotal", "CurrencyCode"], "XXX"),
        "Order.OrderTotal.CurrencyCode",
        "not an ISO 4217",
    ),
    (
        "item in another currency",
        _changed(["OrderItems", 0, "ItemPrice", "CurrencyCode"], "EUR"),
        "OrderItems[0].ItemPrice.CurrencyCode",
        "the order is in USD",
    ),
    (
        "zero quantity",
        _changed(["OrderItems", 0, "QuantityOrdered"], 0),
        "OrderItems[0].QuantityOrdered",
        "at least 1",
    ),
    (
        "amount not a number",
        _changed(["OrderItems", 0, "ItemTax", "Amount"], "1,01"),
        "OrderItems[0].ItemTax.Amount",
        "not an amount",
    ),
    (
        "unknown status",
        _changed(["Order", "OrderStatus"], "Lost"),
        "Order.OrderStatus",
        "unknown order status",
    ),
    (
        "promotion above price",
        _changed(["OrderItems", 0, "PromotionDiscount", "Amount"], "50.00"),
        "OrderItems[0]",
        "exceeds the item price",
    ),
    (
        "no item id",
        _changed(["OrderItems", 0, "OrderItemId"], None),
        "OrderItems[0].OrderItemId",
        "missing",
    ),
]


@pytest.mark.parametrize(
    ("payload", "path", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_amazon_payload(payload, path, message):
    with pytest.raises(MappingError) as caught:
        map_amazon_order(payload)
    assert (caught.value.path, message in caught.value.message) == (path, True), caught.value
