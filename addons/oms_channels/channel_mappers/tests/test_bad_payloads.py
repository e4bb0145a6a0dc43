"""A corpus of bad payloads: each gives a MappingError that names the field and the fault.

The draft is all or nothing: no partial draft is ever returned.
"""

import copy
import json
from pathlib import Path

import pytest

from .. import MappingError, map_shopify_order, map_woocommerce_order

FIXTURES = Path(__file__).parent / "fixtures"
SHOPIFY = json.loads((FIXTURES / "shopify" / "order_taxes_excluded.json").read_text())


def shopify(change):
    payload = copy.deepcopy(SHOPIFY)
    change(payload)
    return payload


def _set(path, value):
    def change(payload):
        *parents, last = path
        target = payload
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _delete(path):
    def change(payload):
        *parents, last = path
        target = payload
        for key in parents:
            target = target[key]
        del target[last]

    return change


SHOPIFY_CASES = [
    ("not json", b"{not json", "", "not valid JSON"),
    ("a list", b"[1, 2]", "", "expected an object, got a list"),
    ("empty body", b"", "", "not valid JSON"),
    (
        "nested too deep",
        b'{"id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "",
        "too deep",
    ),
    ("huge body", b'{"a": "' + b"x" * (10 * 1024 * 1024) + b'"}', "", "more than the"),
    ("unknown currency", shopify(_set(["currency"], "XYZ")), "currency", "not an ISO 4217"),
    ("no currency", shopify(_delete(["currency"])), "currency", "currency is missing"),
    ("currency a number", shopify(_set(["currency"], 978)), "currency", "currency is missing"),
    ("no lines", shopify(_set(["line_items"], [])), "line_items", "no lines"),
    ("lines missing", shopify(_delete(["line_items"])), "line_items", "is missing"),
    ("lines not a list", shopify(_set(["line_items"], {})), "line_items", "expected a list"),
    (
        "zero quantity",
        shopify(_set(["line_items", 1, "quantity"], 0)),
        "line_items[1].quantity",
        "at least 1, got 0",
    ),
    (
        "negative quantity",
        shopify(_set(["line_items", 0, "quantity"], -2)),
        "line_items[0].quantity",
        "at least 1, got -2",
    ),
    (
        "fractional quantity",
        shopify(_set(["line_items", 0, "quantity"], 1.5)),
        "line_items[0].quantity",
        "whole number",
    ),
    (
        "quantity as true",
        shopify(_set(["line_items", 0, "quantity"], True)),
        "line_items[0].quantity",
        "whole number",
    ),
    (
        "absurd quantity",
        shopify(_set(["line_items", 0, "quantity"], 10**12)),
        "line_items[0].quantity",
        "beyond any plausible",
    ),
    (
        "price not a number",
        shopify(_set(["line_items", 0, "price"], "twelve")),
        "line_items[0].price",
        "not an amount",
    ),
    (
        "price NaN",
        shopify(_set(["line_items", 0, "price"], "NaN")),
        "line_items[0].price",
        "not an amount",
    ),
    (
        "negative price",
        shopify(_set(["line_items", 0, "price"], "-1.00")),
        "line_items[0].price",
        "must not be negative",
    ),
    (
        "price an object",
        shopify(_set(["line_items", 0, "price"], {"amount": 1})),
        "line_items[0].price",
        "expected an amount, got an object",
    ),
    (
        "line not an object",
        shopify(_set(["line_items", 0], "IPOD")),
        "line_items[0]",
        "expected an object, got text",
    ),
    (
        "discount above price",
        shopify(_set(["line_items", 0, "discount_allocations", 0, "amount"], "500.00")),
        "line_items[0]",
        "discounts exceed",
    ),
    (
        "tax not a number",
        shopify(_set(["line_items", 0, "tax_lines", 0, "price"], "n/a")),
        "line_items[0].tax_lines[0].price",
        "not an amount",
    ),
    ("no total", shopify(_delete(["total_price"])), "total_price", "is missing"),
    ("no id", shopify(_delete(["id"])), "id", "is missing"),
    ("id an object", shopify(_set(["id"], {"a": 1})), "id", "expected text"),
    ("no updated_at", shopify(_delete(["updated_at"])), "updated_at", "is missing"),
    ("bad updated_at", shopify(_set(["updated_at"], "yesterday")), "updated_at", "not an ISO"),
    (
        "address a list",
        shopify(_set(["shipping_address"], ["Main St"])),
        "shipping_address",
        "expected an object",
    ),
    (
        "huge name",
        shopify(_set(["line_items", 0, "name"], "A" * 50_000)),
        "line_items[0].name",
        "characters long",
    ),
    (
        "too many lines",
        shopify(_set(["line_items"], [SHOPIFY["line_items"][0]] * 1001)),
        "line_items",
        "more than the 1000",
    ),
    (
        "taxes_included a string",
        shopify(_set(["taxes_included"], "yes")),
        "taxes_included",
        "true or false",
    ),
]


@pytest.mark.parametrize(
    ("payload", "path", "message"),
    [case[1:] for case in SHOPIFY_CASES],
    ids=[case[0] for case in SHOPIFY_CASES],
)
def test_bad_shopify_payload(payload, path, message):
    with pytest.raises(MappingError) as caught:
        map_shopify_order(payload)
    assert caught.value.path == path
    assert message in caught.value.message
    error = caught.value
    assert str(error) == (f"{path}: {error.message}" if path else error.message)


def test_script_and_markup_in_names_stay_plain_text():
    payload = shopify(_set(["line_items", 0, "name"], '<script>alert("x")</script>\x00 Mug\u202e'))
    payload["shipping_address"]["name"] = "<b>Bob</b>\r\nNorman\x07"
    payload["note"] = "line 1\nline 2\x1b[31m"
    draft = map_shopify_order(payload)
    assert draft.lines[0].name == '<script>alert("x")</script> Mug'
    assert draft.shipping_address.name == "<b>Bob</b> Norman"
    assert draft.note == "line 1\nline 2[31m"


WOO = json.loads((FIXTURES / "woocommerce" / "order_tax_included_cancelled.json").read_text())


def woo(change):
    payload = copy.deepcopy(WOO)
    change(payload)
    return payload


WOO_CASES = [
    ("not json", "<html>502 Bad Gateway</html>", "", "not valid JSON"),
    ("unknown currency", woo(_set(["currency"], "EURO")), "currency", "not an ISO 4217"),
    ("no lines", woo(_set(["line_items"], [])), "line_items", "no lines"),
    (
        "zero quantity",
        woo(_set(["line_items", 0, "quantity"], 0)),
        "line_items[0].quantity",
        "at least 1",
    ),
    (
        "quantity as text",
        woo(_set(["line_items", 1, "quantity"], "three")),
        "line_items[1].quantity",
        "not a quantity",
    ),
    (
        "total above subtotal",
        woo(_set(["line_items", 0, "total"], "99.00")),
        "line_items[0]",
        "total is above its subtotal",
    ),
    ("no name", woo(_set(["line_items", 0, "name"], "")), "line_items[0].name", "is missing"),
    ("unknown status", woo(_set(["status"], "lost")), "status", "unknown order status"),
    (
        "no modification date",
        woo(_delete(["date_modified_gmt"])),
        "date_modified_gmt",
        "is missing",
    ),
    ("billing a string", woo(_set(["billing"], "Mia")), "billing", "expected an object"),
    (
        "fee without a name",
        woo(_set(["fee_lines", 0, "name"], None)),
        "fee_lines[0].name",
        "is missing",
    ),
    ("total negative", woo(_set(["total"], "-70.90")), "total", "must not be negative"),
]


@pytest.mark.parametrize(
    ("payload", "path", "message"),
    [case[1:] for case in WOO_CASES],
    ids=[case[0] for case in WOO_CASES],
)
def test_bad_woocommerce_payload(payload, path, message):
    with pytest.raises(MappingError) as caught:
        map_woocommerce_order(payload)
    assert (caught.value.path, message in caught.value.message) == (path, True), caught.value


def test_woocommerce_markup_in_names_stays_text():
    payload = woo(_set(["line_items", 0, "name"], "<img src=x onerror=alert(1)>\x0b Hoodie"))
    payload["billing"]["first_name"] = "<script>document.cookie</script>"
    draft = map_woocommerce_order(payload)
    assert draft.lines[0].name == "<img src=x onerror=alert(1)> Hoodie"
    assert draft.billing_address.name == "<script>document.cookie</script> Schmidt"
