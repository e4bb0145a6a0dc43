"""Shopify Refund JSON (the refunds/create body) → refund draft."""

import json
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from ..errors import MappingError
from ..refund import (
    RefundLine,
    is_shopify_refund,
    is_woocommerce_refund,
    map_shopify_refund,
    map_woocommerce_refund,
)

FIXTURES = Path(__file__).parent / "fixtures" / "shopify"


def load(name):
    return json.loads((FIXTURES / name).read_text())


def test_documented_refund_field_by_field():
    refund = map_shopify_refund(load("refund_return_and_shipping.json"))
    assert (refund.external_id, refund.order_external_id) == ("509562969", "450789469")
    assert refund.created_at == datetime(2025, 1, 12, 16, 0, tzinfo=timezone.utc)
    assert refund.currency == "USD"
    assert refund.lines == (RefundLine("518995019", 1, True, Decimal("195.67"), Decimal("11.74")),)
    assert (refund.shipping, refund.shipping_tax) == (Decimal("4.00"), Decimal("0.24"))
    assert refund.amount == Decimal("211.65")
    assert refund.note == "it broke during shipping"
    assert refund.restock_lines == refund.lines


def test_a_refund_is_told_from_an_order():
    assert is_shopify_refund(load("refund_return_and_shipping.json"))
    assert not is_shopify_refund(load("order_taxes_excluded.json"))
    assert not is_shopify_refund([])


@pytest.mark.parametrize(
    ("restock_type", "restock"),
    [("return", True), ("legacy_restock", True), ("cancel", False), ("no_restock", False)],
)
def test_restock_types(restock_type, restock):
    payload = load("refund_return_and_shipping.json")
    payload["refund_line_items"][0]["restock_type"] = restock_type
    assert map_shopify_refund(payload).lines[0].restock is restock


def test_failed_and_pending_transactions_moved_no_money():
    payload = load("refund_return_and_shipping.json")
    failed = dict(payload["transactions"][0], id=1, status="failure", amount="211.65")
    pending = dict(payload["transactions"][0], id=2, status="pending", amount="5.00")
    payload["transactions"] += [failed, pending]
    assert map_shopify_refund(payload).amount == Decimal("211.65")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.pop("order_id"), "order_id: is missing"),
        (lambda p: p.pop("id"), "id: is missing"),
        (
            lambda p: p["refund_line_items"][0].update(quantity=0),
            "refund_line_items[0].quantity: quantity must be at least 1",
        ),
        (
            lambda p: p["refund_line_items"][0].update(restock_type="sideways"),
            "refund_line_items[0].restock_type: unknown restock type 'sideways'",
        ),
        (
            lambda p: p["transactions"][0].update(amount="-3"),
            "transactions[0].amount: must not be negative",
        ),
        (
            lambda p: p["transactions"].append(dict(p["transactions"][0], currency="EUR")),
            "several currencies (EUR, USD)",
        ),
        (
            lambda p: p["order_adjustments"][0].update(amount="4.00", tax_amount="0.24"),
            "a shipping refund must give shipping back",
        ),
        (
            lambda p: p.update(refund_line_items=[], order_adjustments=[], transactions=[]),
            "the refund gives nothing back",
        ),
    ],
)
def test_bad_refunds_are_refused_naming_the_field(change, message):
    payload = load("refund_return_and_shipping.json")
    change(payload)
    with pytest.raises(MappingError, match=re.escape(message)):
        map_shopify_refund(payload)


def test_woocommerce_documented_refund():
    payload = json.loads((FIXTURES.parent / "woocommerce" / "refund_docs_example.json").read_text())
    assert is_woocommerce_refund(payload)
    refund = map_woocommerce_refund(payload)
    assert (refund.external_id, refund.order_external_id) == ("726", "723")
    assert refund.lines == (RefundLine("311", 1, False, Decimal("9.00"), Decimal("0.00")),)
    assert refund.amount == Decimal("10.00")
    assert refund.created_at == datetime(2017, 3, 21, 20, 7, 11, tzinfo=timezone.utc)
    payload["line_items"][0]["meta_data"] = []
    with pytest.raises(MappingError, match="names no order item"):
        map_woocommerce_refund(payload)
