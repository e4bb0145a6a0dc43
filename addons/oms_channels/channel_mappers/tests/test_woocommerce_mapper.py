"""WooCommerce REST v3 order JSON → order draft, on golden payloads."""

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from tests.simulators.woocommerce import generate_orders

from .. import Address, Discount, FeeLine, MappingError, TaxLine, map_woocommerce_order

FIXTURES = Path(__file__).parent / "fixtures" / "woocommerce"


def load(name):
    return json.loads((FIXTURES / name).read_text())


def test_documentation_example_field_by_field():
    draft = map_woocommerce_order(load("order_docs_example.json"))
    assert draft.channel_kind == "woocommerce"
    assert (draft.external_id, draft.name) == ("727", "727")
    assert draft.updated_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=timezone.utc)
    assert draft.version == "2017-03-22T19:28:08Z"
    assert (draft.currency, draft.taxes_included) == ("USD", False)
    assert (draft.payment_status, draft.channel_status) == ("paid", "processing")
    first, second = draft.lines
    assert (first.sku, first.name, first.quantity, first.unit_price) == (
        "",
        "Woo Single #1",
        2,
        Decimal("3.00"),
    )
    assert first.discounts == ()
    assert first.taxes == (
        TaxLine(amount=Decimal("0.45"), rate=Decimal("0.075"), title="State Tax"),
    )
    assert second.name == "Ship Your Idea \u2013 Color: Black, Size: M Test"
    assert (second.sku, second.unit_price, second.tax_total) == (
        "Bar3",
        Decimal("12.00"),
        Decimal("0.9"),
    )
    (shipping,) = draft.shipping_lines
    assert (shipping.method, shipping.title, shipping.price, shipping.taxes) == (
        "flat_rate",
        "Flat Rate",
        Decimal("10.00"),
        (),
    )
    assert draft.billing_address == Address(
        name="John Doe",
        street="969 Market",
        city="San Francisco",
        zip="94103",
        state_code="CA",
        country_code="US",
        phone="(555) 555-5555",
        email="john.doe@example.com",
    )
    assert draft.shipping_address.email == ""
    assert (draft.email, draft.phone) == ("john.doe@example.com", "(555) 555-5555")
    assert draft.totals.total == Decimal("29.35") == draft.computed_total()
    assert draft.totals.tax == Decimal("1.35") == draft.tax_total
    assert draft.totals.shipping == Decimal("10.00")
    assert dict(draft.extra) == {"payment_method": "bacs"}


def test_prices_with_tax_coupon_fee_and_cancellation():
    draft = map_woocommerce_order(json.dumps(load("order_tax_included_cancelled.json")))
    assert draft.taxes_included is True
    assert draft.cancelled is True
    assert draft.payment_status == "voided"
    hoodie, socks = draft.lines
    assert hoodie.name == "Zip Hoodie \u2013 Grey / M"
    assert (hoodie.unit_price, hoodie.quantity) == (Decimal("20.00"), 2)
    assert hoodie.discounts == (Discount(amount=Decimal("4.00"), code="summer10"),)
    assert hoodie.taxes == (TaxLine(amount=Decimal("6.00"), rate=Decimal("0.2"), title="MwSt."),)
    assert (socks.unit_price, socks.subtotal) == (Decimal("10.00"), Decimal("27.00"))
    assert draft.shipping_lines[0].price == Decimal("4.90")
    assert draft.fees == (
        FeeLine(
            name="Gift wrap",
            amount=Decimal("3.00"),
            taxes=(TaxLine(amount=Decimal("0.50"), rate=Decimal("0.2"), title="MwSt."),),
        ),
    )
    assert draft.totals.discount == Decimal("7.00")
    assert draft.totals.shipping == Decimal("4.90")
    assert draft.tax_total == draft.totals.tax == Decimal("11.82")
    assert draft.computed_total() == draft.totals.total == Decimal("70.90")
    assert draft.shipping_address.company == "Schmidt GmbH"
    assert draft.note == "Bitte beim Nachbarn abgeben."
    assert dict(draft.extra)["customer_ip_address"] == "203.0.113.7"


def test_generated_orders_add_up():
    for order in generate_orders(200, seed=5):
        draft = map_woocommerce_order(order)
        assert draft.computed_total() == draft.totals.total, order["id"]
        assert draft.tax_total == draft.totals.tax, order["id"]


def test_on_hold_order_paid_when_date_paid_is_set():
    payload = load("order_docs_example.json")
    payload["status"] = "on-hold"
    assert map_woocommerce_order(payload).payment_status == "paid"
    payload["date_paid_gmt"] = None
    assert map_woocommerce_order(payload).payment_status == "unpaid"


def test_documented_order_with_refunds_is_partially_refunded_and_still_adds_up():
    # The v3 docs' "List all orders" example: completed, 10.00 and 9.00 refunded.
    draft = map_woocommerce_order(load("order_docs_list_refunded.json"))
    assert draft.payment_status == "partially_refunded"
    assert (draft.channel_status, draft.fulfilled_by_channel) == ("completed", True)
    assert [line.quantity for line in draft.lines] == [1, 1]  # as sold
    assert draft.computed_total() == draft.totals.total == Decimal("39.00")


def test_a_refunded_order_stays_refunded_and_a_bad_refund_is_refused():
    payload = load("order_docs_list_refunded.json")
    payload["status"] = "refunded"
    assert map_woocommerce_order(dict(payload)).payment_status == "refunded"
    payload["status"] = "completed"
    payload["refunds"][0]["total"] = "ten"
    with pytest.raises(MappingError) as caught:
        map_woocommerce_order(payload)
    assert caught.value.path == "refunds[0].total"


def test_lines_carry_the_product_and_variation_ids_zero_being_none():
    """Issue 19 point 5: product_id, and variation_id for a variable product's
    line; WooCommerce's 0 (a simple product) is no id."""
    simple, variation = map_woocommerce_order(load("order_docs_example.json")).lines
    assert (simple.product_external_id, simple.variant_external_id) == ("93", "")
    assert (variation.product_external_id, variation.variant_external_id) == ("22", "23")


def test_a_deleted_products_line_has_no_product_id():
    payload = load("order_docs_example.json")
    payload["line_items"][0]["product_id"] = 0
    assert map_woocommerce_order(payload).lines[0].product_external_id == ""
