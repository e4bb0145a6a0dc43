"""Shopify order JSON → order draft, on golden payloads shaped as Shopify documents them."""

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from tests.simulators.shopify import generate_orders

from .. import Address, Discount, FeeLine, FraudHint, MappingError, TaxLine, map_shopify_order

FIXTURES = Path(__file__).parent / "fixtures" / "shopify"


def load(name):
    return json.loads((FIXTURES / name).read_text())


def test_taxes_excluded_order_field_by_field():
    draft = map_shopify_order(load("order_taxes_excluded.json"))
    assert draft.channel_kind == "shopify"
    assert (draft.external_id, draft.name) == ("450789469", "#1001")
    assert draft.updated_at == datetime(2025, 1, 10, 16, 0, tzinfo=timezone.utc)
    assert draft.version == "2025-01-10T16:00:00Z"
    assert draft.created_at == datetime(2025, 1, 10, 15, 45, tzinfo=timezone.utc)
    assert (draft.currency, draft.taxes_included) == ("USD", False)
    assert draft.payment_status == "paid"
    assert draft.cancelled is False
    first, second = draft.lines
    assert (first.sku, first.name, first.quantity, first.unit_price) == (
        "IPOD2008GREEN",
        "IPod Nano - 8gb - green",
        1,
        Decimal("199.00"),
    )
    assert first.external_id == "466157049"
    assert first.discounts == (Discount(amount=Decimal("3.34"), code="TENOFF"),)
    assert first.taxes == (
        TaxLine(amount=Decimal("11.74"), rate=Decimal("0.06"), title="State Tax"),
    )
    assert (second.sku, second.quantity, second.subtotal) == ("IPOD2008RED", 2, Decimal("391.34"))
    (shipping,) = draft.shipping_lines
    assert (shipping.method, shipping.title, shipping.price) == (
        "Free Shipping",
        "Small Packet International Air",
        Decimal("4.00"),
    )
    assert shipping.tax_total == Decimal("0.24")
    assert draft.billing_address == Address(
        name="Bob Norman",
        street="Chestnut Street 92",
        city="Louisville",
        zip="40202",
        state_code="KY",
        country_code="US",
        phone="+1(502)-459-2181",
    )
    assert draft.shipping_address.company == "Acme"
    assert draft.shipping_address.street2 == "Apt 2"
    assert (draft.email, draft.phone) == ("bob.norman@mail.example.com", "+557734881234")
    assert draft.customer_name == "Bob Norman"
    assert draft.note == "Please leave the parcel\nat the back door."
    assert draft.fraud_hints == (
        FraudHint(
            source="shopify", level="medium", message="This order came from an anonymous proxy"
        ),
    )
    assert dict(draft.extra) == {"tags": "VIP, wholesale", "source_name": "web"}
    assert draft.totals.total == Decimal("626.46")
    assert draft.totals.tax == Decimal("35.46") == draft.tax_total
    assert draft.totals.shipping == Decimal("4.00")
    assert draft.totals.discount == Decimal("10.00")
    assert draft.computed_total() == draft.totals.total


def test_cancelled_order_with_taxes_included_wrapped_in_order():
    draft = map_shopify_order(json.dumps(load("order_cancelled_taxes_included.json")).encode())
    assert draft.external_id == "820982911946154508"
    assert draft.cancelled is True
    assert draft.cancel_reason == "customer"
    assert draft.payment_status == "voided"
    assert draft.taxes_included is True
    assert draft.billing_address is None
    assert draft.shipping_address.country_code == "DE"
    assert draft.customer_name == "Jon Smith"
    (line,) = draft.lines
    assert line.discounts == (Discount(amount=Decimal("6.00"), code="Loyalty"),)
    assert draft.totals.shipping == Decimal("5.90")
    assert draft.computed_total() == draft.totals.total == Decimal("59.90")


def test_generated_orders_add_up():
    for order in generate_orders(200, seed=7):
        draft = map_shopify_order(order)
        assert draft.computed_total() == draft.totals.total, order["name"]
        assert draft.tax_total == draft.totals.tax, order["name"]


def test_same_order_maps_to_the_same_draft():
    payload = load("order_taxes_excluded.json")
    assert map_shopify_order(payload) == map_shopify_order(json.dumps(payload))


def test_line_without_sku_keeps_its_name():
    payload = load("order_taxes_excluded.json")
    payload["line_items"][0]["sku"] = None
    draft = map_shopify_order(payload)
    assert (draft.lines[0].sku, draft.lines[0].name) == ("", "IPod Nano - 8gb - green")


def test_unknown_financial_status_is_refused():
    payload = load("order_taxes_excluded.json")
    payload["financial_status"] = "maybe"
    with pytest.raises(MappingError, match="unknown payment status 'maybe'") as caught:
        map_shopify_order(payload)
    assert caught.value.path == "financial_status"


def _order_without_risks():
    order = load("order_taxes_excluded.json")
    del order["risks"]  # no order payload carries them: risks.json does
    return order


def test_documented_risks_read_by_the_job_make_a_high_risk_assessment():
    risks = load("risks_anonymous_proxy.json")["risks"]
    draft = map_shopify_order(_order_without_risks(), risks=risks)
    assert draft.fraud_assessed is True
    assert [(h.level, h.message) for h in draft.fraud_hints] == [
        ("high", "This order came from an anonymous proxy")
    ] * 2


def test_accepted_order_is_assessed_without_hints_and_hidden_risks_are_ignored():
    draft = map_shopify_order(_order_without_risks(), risks=load("risks_accept.json")["risks"])
    assert (draft.fraud_assessed, draft.fraud_hints) == (True, ())


def test_no_risk_listed_means_no_assessment_not_a_low_risk():
    assert map_shopify_order(_order_without_risks(), risks=[]).fraud_assessed is False
    assert map_shopify_order(_order_without_risks()).fraud_assessed is False


def test_risks_given_by_the_job_replace_those_merged_into_the_payload():
    draft = map_shopify_order(load("order_taxes_excluded.json"), risks=[])
    assert (draft.fraud_assessed, draft.fraud_hints) == (False, ())


def test_unknown_risk_recommendation_is_refused():
    with pytest.raises(MappingError, match="recommendation"):
        map_shopify_order(
            _order_without_risks(), risks=[{"recommendation": "maybe", "message": "?"}]
        )


def _order_level_only(rate=True):
    """Shopify's documented order with its taxes on the order only (no line or
    shipping line lists any), as some apps and older orders give them."""
    order = load("order_taxes_excluded.json")
    for item in order["line_items"] + order["shipping_lines"]:
        item["tax_lines"] = []
    if not rate:
        del order["tax_lines"][0]["rate"]
    return order


def test_order_level_tax_with_rate_is_spread_over_goods_and_shipping():
    draft = map_shopify_order(_order_level_only())
    taxes = [t for item in (*draft.lines, *draft.shipping_lines) for t in item.taxes]
    assert {t.rate for t in taxes} == {Decimal("0.06")}
    assert [t.amount for t in taxes] == [Decimal("11.74"), Decimal("23.48"), Decimal("0.24")]
    assert draft.tax_total == Decimal("35.46")
    assert draft.computed_total() == draft.totals.total


def test_order_level_tax_without_rate_gets_it_from_its_amounts():
    draft = map_shopify_order(_order_level_only(rate=False))
    assert draft.tax_total == Decimal("35.46")
    # Spread by the goods' price without tax (195.66 and 391.34; shipping aside),
    # without a rate: the Odoo side finds the tax from each line's amounts.
    assert [[(t.amount, t.rate) for t in line.taxes] for line in draft.lines] == [
        [(Decimal("11.82"), None)],
        [(Decimal("23.64"), None)],
    ]
    assert draft.shipping_lines[0].taxes == ()


# What the buyer paid besides goods and shipping (issue 26): tips, duties and
# additional fees are fee lines, so the order adds up to Shopify's total_price.


def _usd(amount):
    return {
        "shop_money": {"amount": amount, "currency_code": "USD"},
        "presentment_money": {"amount": amount, "currency_code": "USD"},
    }


def test_tip_and_duties_are_fee_lines_and_the_order_adds_up():
    draft = map_shopify_order(load("order_tip_and_duties.json"))
    assert draft.fees == (
        FeeLine(name="Tip", amount=Decimal("5.00")),
        FeeLine(
            name="Duties",
            amount=Decimal("12.00"),
            taxes=(TaxLine(amount=Decimal("1.20"), rate=Decimal("0.1"), title="VAT"),),
        ),
    )
    assert draft.totals.total == Decimal("644.66")
    assert draft.computed_total() == draft.totals.total
    assert len(draft.lines) == 2  # the goods as before


def test_duties_given_as_documented_beside_the_duty_and_on_the_order_only():
    payload = load("order_tip_and_duties.json")
    duty = payload["line_items"][0]["duties"][0]
    duty.update(duty.pop("price_set"))  # the property example's shape: shop_money beside
    assert map_shopify_order(payload).fees[1].amount == Decimal("12.00")
    payload["line_items"][0]["duties"] = []  # the order's total only: no tax to read
    payload["total_price"] = "643.46"
    draft = map_shopify_order(payload)
    assert draft.fees[1] == FeeLine(name="Duties", amount=Decimal("12.00"))
    assert draft.computed_total() == draft.totals.total


def test_duties_included_in_the_prices_are_not_added_again():
    payload = load("order_tip_and_duties.json")
    payload["duties_included"] = True
    payload["total_price"] = "631.46"
    draft = map_shopify_order(payload)
    assert [fee.name for fee in draft.fees] == ["Tip"]
    assert draft.computed_total() == draft.totals.total


def test_additional_fees_are_a_fee_line():
    payload = load("order_taxes_excluded.json")
    payload["original_total_additional_fees_set"] = _usd("3.50")
    payload["total_price"] = "629.96"
    draft = map_shopify_order(payload)
    assert draft.fees == (FeeLine(name="Additional fees", amount=Decimal("3.50")),)
    assert draft.computed_total() == draft.totals.total


def test_a_tip_on_a_taxes_included_order_adds_up():
    payload = load("order_cancelled_taxes_included.json")
    payload["order"]["total_tip_received"] = "2.00"
    payload["order"]["total_price"] = "61.90"
    draft = map_shopify_order(payload)
    assert draft.fees == (FeeLine(name="Tip", amount=Decimal("2.00")),)
    assert draft.computed_total() == draft.totals.total == Decimal("61.90")


# An order edited or refunded with items removed (issue 26): what is left of it,
# not what was first ordered, is what Odoo ships.


def test_documented_refunded_order_is_mapped_as_it_is_now():
    draft = map_shopify_order(load("order_docs_rest_2025_01.json"))
    # Two of its three iPods were refunded and removed (current_quantity 0).
    (line,) = draft.lines
    assert (line.sku, line.quantity, line.external_id) == ("IPOD2008RED", 1, "518995019")
    assert line.discounts == (Discount(amount=Decimal("3.33"), code="TENOFF"),)
    assert line.taxes == (TaxLine(amount=Decimal("3.98"), rate=Decimal("0.06"), title="State Tax"),)
    assert draft.payment_status == "partially_refunded"
    assert draft.totals.total == Decimal("199.65")  # current_total_price, not 598.94
    assert draft.computed_total() == draft.totals.total


def test_a_line_partly_removed_keeps_its_share_of_discounts_and_taxes():
    payload = load("order_taxes_excluded.json")
    payload["line_items"][1]["current_quantity"] = 1  # one of the two red iPods removed
    payload["current_total_price"] = "419.05"  # 626.46 - (199.00 - 3.33 + 11.74)
    draft = map_shopify_order(payload)
    red = draft.lines[1]
    assert (red.quantity, red.discount_total, red.tax_total) == (
        1,
        Decimal("3.33"),
        Decimal("11.74"),
    )
    assert draft.lines[0].quantity == 1
    assert draft.computed_total() == draft.totals.total == Decimal("419.05")


def test_a_removed_shipping_line_is_left_out():
    payload = load("order_taxes_excluded.json")
    payload["shipping_lines"][0]["is_removed"] = True
    payload["current_total_price"] = "622.22"
    draft = map_shopify_order(payload)
    assert draft.shipping_lines == ()
    assert draft.computed_total() == draft.totals.total


def test_an_order_with_nothing_left_is_mapped_as_ordered():
    payload = load("order_taxes_excluded.json")
    payload["financial_status"] = "refunded"
    for item in payload["line_items"]:
        item["current_quantity"] = 0
    payload["current_total_price"] = "0.00"
    draft = map_shopify_order(payload)
    assert [line.quantity for line in draft.lines] == [1, 2]
    assert draft.payment_status == "refunded"  # the Odoo side cancels it
    assert draft.totals.total == Decimal("626.46")


def test_a_current_quantity_above_the_quantity_is_refused():
    payload = load("order_taxes_excluded.json")
    payload["line_items"][0]["current_quantity"] = 3
    with pytest.raises(MappingError, match="from 0 to the quantity 1") as caught:
        map_shopify_order(payload)
    assert caught.value.path == "line_items[0].current_quantity"


def test_a_line_carries_the_shops_product_and_variant_ids():
    """Issue 19 point 5: lines are matched by the shop's own ids first."""
    (line,) = map_shopify_order(load("order_docs_rest_2025_01.json")).lines
    assert (line.sku, line.product_external_id, line.variant_external_id) == (
        "IPOD2008RED",
        "632910392",
        "49148385",
    )


def test_a_custom_line_has_no_product_or_variant_id():
    payload = load("order_taxes_excluded.json")
    payload["line_items"][0]["product_id"] = None
    payload["line_items"][0]["variant_id"] = None
    line = map_shopify_order(payload).lines[0]
    assert (line.product_external_id, line.variant_external_id) == ("", "")


def test_lines_fulfilled_in_shopify_before_the_import_are_shipped_quantities():
    """An order ``partial``: the line ``fulfilled`` is shipped whole, the line
    ``partial`` as far as its ``fulfillable_quantity`` does not leave; an unfulfilled
    line (the examples' ``fulfillable_quantity`` 0 with no status) ships nothing."""
    payload = load("order_taxes_excluded.json")
    payload["fulfillment_status"] = "partial"
    first, second = payload["line_items"]
    first.update(fulfillment_status="fulfilled", fulfillable_quantity=0)
    second.update(fulfillment_status="partial", fulfillable_quantity=1)
    draft = map_shopify_order(payload)
    assert draft.fulfilled_by_channel is False
    assert [(line.quantity, line.shipped_quantity) for line in draft.lines] == [(1, 1), (2, 1)]
    assert [
        line.shipped_quantity for line in map_shopify_order(load("order_taxes_excluded.json")).lines
    ] == [0, 0]


def test_a_partly_fulfilled_line_needs_its_fulfillable_quantity():
    payload = load("order_taxes_excluded.json")
    payload["line_items"][1].update(fulfillment_status="partial", fulfillable_quantity="1")
    with pytest.raises(MappingError, match=r"line_items\[1\]\.fulfillable_quantity"):
        map_shopify_order(payload)
