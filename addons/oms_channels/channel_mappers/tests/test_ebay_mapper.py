"""eBay Fulfillment API orders → drafts, on the real-shaped corpus (fixtures/ebay,
see its SOURCES.md) and the simulator's orders."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.simulators.ebay import generate_orders

from ..ebay import ebay_order_refunds, map_ebay_order, map_ebay_refund
from ..errors import MappingError

FIXTURES = Path(__file__).parent / "fixtures" / "ebay"
CORPUS = sorted(FIXTURES.glob("*.json"))


def load(name):
    return json.loads((FIXTURES / name).read_text())


def test_the_corpus_is_named_in_its_sources():
    sources = (FIXTURES / "SOURCES.md").read_text()
    assert len(CORPUS) >= 6
    for path in CORPUS:
        assert f"`{path.name}`" in sources


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_corpus_order_adds_up_to_ebays_total(path):
    draft = map_ebay_order(path.read_text())
    assert draft.computed_total() == draft.totals.total
    assert draft.external_id == draft.name == json.loads(path.read_text())["orderId"]


def test_us_order_with_sales_tax_ebay_collects():
    draft = map_ebay_order(load("order_us_sales_tax_2020.json"))
    (line,) = draft.lines
    assert (line.sku, line.quantity, line.unit_price, line.external_id) == (
        "791689",
        1,
        Decimal("35.0"),
        "10031270641208",
    )
    assert line.name == "OUTLAWS: Behind The Walls LP (prison band) Country"
    assert line.product_external_id == "313124572816"
    assert [(t.amount, t.rate) for t in line.taxes] == [(Decimal("2.8"), None)]
    (shipping,) = draft.shipping_lines
    assert (shipping.method, shipping.price) == ("USPSMedia", Decimal("4.0"))
    assert draft.totals.total == Decimal("41.8")
    assert draft.totals.tax == Decimal("2.8")
    assert not draft.taxes_included
    # The sales tax eBay remits is in the total but never paid out to the seller.
    assert draft.withheld_tax == Decimal("2.8")
    assert draft.currency == "USD"
    address = draft.shipping_address
    assert (address.name, address.street, address.city, address.state_code) == (
        "Jane Buyer",
        "100 Example Ridge Dr",
        "Birmingham",
        "AL",
    )
    assert (address.zip, address.country_code, address.phone) == ("35209-6247", "US", "2055550100")
    assert draft.customer_name == "Jane Buyer"
    assert draft.payment_status == "paid"
    assert not (draft.cancelled or draft.fulfilled_by_channel or draft.cancel_requested)
    assert draft.latest_ship_date.isoformat() == "2020-11-24T07:59:59+00:00"
    assert draft.version == "2020-11-22T03:19:04Z"


def test_recycling_fee_is_a_fee_line_and_sales_tax_a_tax():
    draft = map_ebay_order(load("order_us_recycling_fee_2020.json"))
    (line,) = draft.lines
    assert [(t.amount, t.code) for t in line.taxes] == [(Decimal("24.33"), "STATE_SALES_TAX")]
    assert [(fee.name, fee.amount) for fee in draft.fees] == [
        ("Electronic recycling fee", Decimal("6.0"))
    ]
    assert draft.withheld_tax == Decimal("30.33")
    assert draft.email == "jane.kelly@test.com"
    assert draft.billing_address.name == "Jane Kelly"


def test_oss_vat_outside_the_total_is_not_withheld():
    draft = map_ebay_order(load("order_eu_oss_vat_2023.json"))
    assert draft.currency == "EUR"
    assert draft.withheld_tax == 0
    assert not draft.lines[0].taxes
    assert draft.lines[0].sku == ""
    assert draft.totals.total == Decimal("116.26")
    assert draft.shipping_address.country_code == "ES"


def test_fully_refunded_order_is_cancelled_never_work_to_do():
    draft = map_ebay_order(load("order_us_fully_refunded_2024.json"))
    assert draft.cancelled
    assert draft.payment_status == "refunded"
    assert draft.cancel_reason == "payment fully refunded in eBay"
    assert not draft.fulfilled_by_channel, "cancelled wins: nothing to record as delivered"
    assert draft.withheld_tax == 0


def test_cancelled_order_says_why():
    draft = map_ebay_order(load("order_us_cancelled_by_buyer.json"))
    assert draft.cancelled
    assert draft.cancel_reason == "cancelled in eBay (BUYER_ASKED_CANCEL)"
    assert not draft.cancel_requested


def test_cancel_requested_waits_for_a_person():
    order = load("order_us_sales_tax_2020.json")
    order["cancelStatus"] = {
        "cancelState": "IN_PROGRESS",
        "cancelRequests": [{"cancelReason": "ADDRESS_ISSUES", "cancelRequestState": "REQUESTED"}],
    }
    draft = map_ebay_order(order)
    assert draft.cancel_requested and not draft.cancelled
    assert draft.cancel_request_reason == "ADDRESS_ISSUES"


def test_fulfilled_in_ebay_is_recorded_not_shipped_again():
    draft = map_ebay_order(load("order_us_fulfilled.json"))
    assert draft.fulfilled_by_channel and not draft.cancelled
    assert draft.lines[0].shipped_quantity == 1


def test_partial_refund_keeps_the_order():
    order = load("order_us_sales_tax_2020.json")
    order["paymentSummary"]["refunds"] = [
        {"amount": {"value": "10.0", "currency": "USD"}, "refundStatus": "REFUNDED"},
        {"amount": {"value": "50.0", "currency": "USD"}, "refundStatus": "FAILED"},
    ]
    draft = map_ebay_order(order)
    assert draft.payment_status == "partially_refunded"
    assert not draft.cancelled


def test_promotions_and_quantities_of_the_simulators_orders_add_up():
    for order in generate_orders(40, seed=9):
        draft = map_ebay_order(order)
        assert draft.computed_total() == draft.totals.total, order["orderId"]
        assert draft.withheld_tax == draft.tax_total
        for line, item in zip(draft.lines, order["lineItems"], strict=True):
            assert line.quantity == item["quantity"]
            assert line.unit_price * line.quantity == Decimal(item["lineItemCost"]["value"])


def test_odd_quantity_keeps_the_line_exact():
    order = load("order_us_sales_tax_2020.json")
    order["lineItems"][0]["quantity"] = 3
    (line,) = map_ebay_order(order).lines
    assert line.subtotal == Decimal("35.0")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o["pricingSummary"].pop("total"), "pricingSummary.total: is missing"),
        (
            lambda o: o["lineItems"][0]["lineItemCost"].update(currency="EUR"),
            "lineItems[0].lineItemCost.currency: is in EUR, the order is in USD",
        ),
        (lambda o: o["lineItems"][0].update(quantity=0), "lineItems[0].quantity: quantity"),
        (lambda o: o.update(orderPaymentStatus="MAYBE"), "unknown payment status 'MAYBE'"),
        (
            lambda o: o["cancelStatus"].update(cancelState="LATER"),
            "unknown cancel state 'LATER'",
        ),
        (lambda o: o.update(lineItems=[]), "lineItems: the order has no lines"),
    ],
)
def test_bad_orders_are_refused_naming_the_field(change, message):
    order = copy.deepcopy(load("order_us_sales_tax_2020.json"))
    change(order)
    with pytest.raises(MappingError) as caught:
        map_ebay_order(order)
    assert message in str(caught.value)


def test_a_partial_refund_is_one_completed_refund_money_only():
    order = load("order_us_partially_refunded.json")
    (refund,) = ebay_order_refunds(order)  # the PENDING one moved no money yet
    assert refund["id"] == "5001234567"
    draft = map_ebay_refund(refund)
    assert draft.channel_kind == "ebay"
    assert draft.external_id == "5001234567"
    assert draft.order_external_id == order["orderId"]
    assert draft.currency == "USD"
    assert draft.amount == Decimal("10.0")
    assert draft.lines == ()  # 10.00 of a 37.80 item: money only
    assert draft.note == "eBay refund reference 4KT40927PX1822010"
    assert draft.created_at.isoformat().startswith("2020-11-25T18:40:57")


def test_a_line_refunded_whole_is_named_by_its_units():
    order = load("order_us_partially_refunded.json")
    order["lineItems"][0]["quantity"] = 2
    order["lineItems"][0]["total"]["value"] = "79.6"  # 2 x (35.00 + 2.80) + 4.00
    for refund in order["paymentSummary"]["refunds"][:1] + order["lineItems"][0]["refunds"]:
        refund["amount"]["value"] = "37.8"
    (refund,) = ebay_order_refunds(order)
    (line,) = map_ebay_refund(refund).lines
    assert (line.line_id, line.quantity, line.restock) == ("10031270641208", 1, False)
    assert line.subtotal == Decimal("37.8")


def test_ebays_own_refund_without_refund_id_is_keyed_by_its_reference():
    order = load("order_us_fully_refunded_2024.json")
    (refund,) = ebay_order_refunds(order)
    draft = map_ebay_refund(refund)
    assert draft.external_id == "5341241417"
    assert draft.amount == Decimal("122.31")
    # The line's refund names no id: it is the order's refund of the same date.
    ((line_id, quantity),) = [(line.line_id, line.quantity) for line in draft.lines]
    assert (line_id, quantity) == ("10064504641912", 1)


@pytest.mark.parametrize("status", ["PENDING", "FAILED"])
def test_a_refund_not_completed_is_no_refund(status):
    order = load("order_us_partially_refunded.json")
    order["paymentSummary"]["refunds"][0]["refundStatus"] = status
    assert ebay_order_refunds(order) == []
    (refund,) = ebay_order_refunds(load("order_us_partially_refunded.json"))
    with pytest.raises(MappingError, match=f"the refund is {status}"):
        map_ebay_refund(dict(refund, refundStatus=status))


def test_a_refund_in_another_currency_than_the_order_is_refused():
    order = load("order_us_partially_refunded.json")
    order["paymentSummary"]["refunds"][0]["amount"]["currency"] = "EUR"
    with pytest.raises(MappingError, match="is in EUR, the order is in USD"):
        ebay_order_refunds(order)
