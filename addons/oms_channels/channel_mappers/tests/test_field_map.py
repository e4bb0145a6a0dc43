"""Every field of the channels' documented example orders is in the field map
(issue 26): mapped, ignored (why) or refused; a new field with a value fails."""

import csv
import json
from pathlib import Path

import pytest

from ..field_map import DISPOSITIONS, KINDS, disposition, leaves, tables, unmapped

FIXTURES = Path(__file__).parent / "fixtures"
ORDERS = {
    "shopify": sorted((FIXTURES / "shopify").glob("order_*.json")),
    "woocommerce": sorted((FIXTURES / "woocommerce").glob("order_*.json")),
    "amazon": sorted((FIXTURES / "amazon").glob("order_*.json")),
}
RISKS = sorted((FIXTURES / "shopify").glob("risks_*.json"))
CSV_FILES = sorted((FIXTURES / "csv").glob("*.csv"))
SHOPIFY_DOCS = "shopify/order_docs_rest_2025_01.json"


def example(path):
    return json.loads(Path(path).read_text())


def fields_not_in_the_map(kind, data):
    """The fields of one stored payload of ``kind`` that no row covers."""
    if kind == "shopify":
        if set(data) == {"order"}:  # the REST answer for one order
            data = data["order"]
        risks = data.get("risks") or []
        rest = {key: value for key, value in data.items() if key != "risks"}
        return unmapped("Shopify Order", rest) + [
            path for risk in risks for path in unmapped("Shopify Order Risk", risk)
        ]
    if kind == "woocommerce":
        return unmapped("WooCommerce Order", data)
    if kind == "amazon":
        items = data.get("OrderItems") or []
        return unmapped("Amazon Order", data.get("Order") or {}) + [
            path for item in items for path in unmapped("Amazon OrderItem", item)
        ]
    if kind == "csv":
        filled = {column for row in data for column, value in row.items() if value}
        return sorted(column for column in filled if disposition("CSV file", column) is None)
    raise AssertionError(kind)


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{key.strip().lower(): value for key, value in row.items()} for row in rows]


@pytest.mark.parametrize(
    ("kind", "path"),
    [(kind, path) for kind, paths in ORDERS.items() for path in paths],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_every_field_of_the_documented_examples_is_in_the_map(kind, path):
    assert fields_not_in_the_map(kind, example(path)) == []


@pytest.mark.parametrize("path", RISKS, ids=lambda value: value.name)
def test_every_field_of_the_documented_risks_is_in_the_map(path):
    risks = example(path)["risks"]
    assert risks
    assert [p for risk in risks for p in unmapped("Shopify Order Risk", risk)] == []


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda value: value.name)
def test_every_column_of_the_csv_examples_is_in_the_map(path):
    rows = csv_rows(path)
    assert rows
    assert fields_not_in_the_map("csv", rows) == []


def test_there_are_documented_examples_of_every_channel():
    assert all(ORDERS.values()) and RISKS and CSV_FILES


@pytest.mark.parametrize(
    ("kind", "name", "where", "field"),
    [
        ("shopify", SHOPIFY_DOCS, ["order"], "total_gift_wrap_price"),
        ("shopify", SHOPIFY_DOCS, ["order", "line_items", 0], "deposit"),
        ("shopify", SHOPIFY_DOCS, ["order", "shipping_lines", 0], "surcharge"),
        ("shopify", "shopify/order_taxes_excluded.json", ["risks", 0], "chargeback_fee"),
        ("woocommerce", "woocommerce/order_docs_example.json", [], "gift_wrap_total"),
        ("woocommerce", "woocommerce/order_docs_example.json", ["line_items", 0], "deposit"),
        ("woocommerce", "woocommerce/order_docs_example.json", ["shipping_lines", 0], "surcharge"),
        ("amazon", "amazon/order_us_docs_example.json", ["Order"], "OrderSurcharge"),
        ("amazon", "amazon/order_us_docs_example.json", ["OrderItems", 0], "HandlingFee"),
    ],
)
def test_a_new_field_with_a_value_is_noticed(kind, name, where, field):
    data = example(FIXTURES / name)
    target = data
    for step in where:
        target = target[step]
    target[field] = {"Amount": "2.50"} if kind == "amazon" else "2.50"
    assert fields_not_in_the_map(kind, data) != []


def test_a_new_csv_column_is_noticed():
    rows = csv_rows(CSV_FILES[0])
    rows[0]["gift_wrap_price"] = "2.50"
    assert fields_not_in_the_map("csv", rows) == ["gift_wrap_price"]


def test_an_empty_new_field_is_not_noise():
    data = example(FIXTURES / "woocommerce/order_docs_example.json")
    data["gift_wrap_total"] = None
    data["line_items"][0]["deposit"] = ""
    assert fields_not_in_the_map("woocommerce", data) == []


def test_the_map_is_well_formed_and_names_every_money_field():
    found = tables()
    assert set(found) == {
        "Shopify Order",
        "Shopify Order Risk",
        "WooCommerce Order",
        "Amazon Order",
        "Amazon OrderItem",
        "CSV file",
    }
    for obj, rows in found.items():
        assert rows, obj
        for pattern, kind, how, note in rows:
            assert how in DISPOSITIONS, (obj, pattern)
            assert kind in KINDS, (obj, pattern)
            assert note, (obj, pattern)
        # no catch-all: a field nobody named must fail the walk
        assert not any(row[0] in ("*", "*.*") for row in rows), obj
    # the money the totals are compared on is mapped one by one, not swept by a pattern
    for obj, path in (
        ("Shopify Order", "total_price"),
        ("Shopify Order", "line_items[].price"),
        ("Shopify Order", "line_items[].discount_allocations[].amount"),
        ("Shopify Order", "shipping_lines[].price"),
        ("Shopify Order", "total_tip_received"),
        ("Shopify Order", "current_total_price"),
        ("Shopify Order", "line_items[].duties[].price_set.shop_money.amount"),
        ("WooCommerce Order", "total"),
        ("WooCommerce Order", "line_items[].subtotal"),
        ("WooCommerce Order", "fee_lines[].total"),
        ("Amazon Order", "OrderTotal.Amount"),
        ("Amazon OrderItem", "ItemPrice.Amount"),
        ("Amazon OrderItem", "CODFee.Amount"),
        ("Amazon OrderItem", "BuyerInfo.GiftWrapPrice.Amount"),
        ("CSV file", "unit_price"),
    ):
        row = disposition(obj, path)
        assert (row[0], row[1], row[2]) == (path, "money", "mapped"), (obj, path)
    assert [path for path, _v in leaves({"a": [{"b": 1}], "c": None, "d": False})] == ["a[].b"]
