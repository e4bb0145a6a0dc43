"""CSV order files → order drafts."""

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from .. import Address, Discount, MappingError, TaxLine, map_csv_order, read_csv_orders

FIXTURE = Path(__file__).parent / "fixtures" / "csv" / "marketplace_export.csv"


def orders():
    return {o["order_number"]: o for o in read_csv_orders(FIXTURE.read_bytes())}


def test_rows_are_grouped_by_order_number_in_file_order():
    result = read_csv_orders(FIXTURE.read_bytes())
    assert [o["order_number"] for o in result] == ["MK-1001", "MK-1002"]
    assert [row["row"] for row in result[0]["rows"]] == [2, 4, 5]


def test_order_with_three_lines_field_by_field():
    draft = map_csv_order(orders()["MK-1001"])
    assert draft.channel_kind == "csv"
    assert draft.external_id == draft.name == "MK-1001"
    assert draft.updated_at == datetime(2025, 3, 1, 10, 5, tzinfo=timezone.utc)
    assert draft.version == "2025-03-01T10:05:00Z"
    assert (draft.currency, draft.taxes_included, draft.payment_status) == ("EUR", True, "paid")
    shirt, cap, socks = draft.lines
    assert (shirt.sku, shirt.name, shirt.quantity, shirt.unit_price) == (
        "TSHIRT-BLK-M",
        "Organic T-Shirt, Black / M",
        2,
        Decimal("24.00"),
    )
    assert shirt.discounts == (Discount(amount=Decimal("4.80")),)
    assert shirt.taxes == (TaxLine(amount=Decimal("7.20"), rate=Decimal("0.2")),)
    assert (cap.sku, cap.subtotal, cap.tax_total) == ("CAP-RED", Decimal("19.50"), Decimal("3.25"))
    assert socks.tax_total == Decimal("2.50")
    (shipping,) = draft.shipping_lines
    assert (shipping.method, shipping.price, shipping.tax_total) == (
        "DPD Classic",
        Decimal("4.90"),
        Decimal("0.82"),
    )
    assert draft.billing_address == Address(
        name="Ana Silva", street="Rua Augusta 10", city="Lisboa", zip="1100-053", country_code="PT"
    )
    assert draft.shipping_address == draft.billing_address
    assert (draft.email, draft.phone, draft.customer_name) == (
        "ana.silva@example.com",
        "+351912345678",
        "Ana Silva",
    )
    assert draft.note == "Ring twice, please"
    assert draft.totals.total == Decimal("82.59") == draft.computed_total()


def test_order_without_version_or_total_gets_a_content_hash_and_the_sum():
    draft = map_csv_order(json.dumps(orders()["MK-1002"]))
    assert draft.updated_at is None
    assert draft.version.startswith("sha256:")
    assert draft.version == map_csv_order(orders()["MK-1002"]).version
    assert draft.created_at == datetime(2025, 3, 1, 11, 30, tzinfo=timezone.utc)
    assert (draft.taxes_included, draft.payment_status) == (False, "pending")
    assert draft.lines[0].taxes == (TaxLine(amount=Decimal("0.99"), rate=Decimal("0.0825")),)
    assert draft.totals.total == Decimal("12.99")
    assert draft.shipping_lines == ()
    assert draft.shipping_address is None


def test_semicolon_files_with_a_bom():
    text = "\ufefforder_number;currency;sku;quantity;unit_price\nA-1;CHF;MUG;2;3,50\n"
    (order,) = read_csv_orders(text.encode())
    with pytest.raises(MappingError, match="not an amount") as caught:
        map_csv_order(order)
    assert caught.value.path == "row 2, column unit_price"
    fixed = text.replace("3,50", "3.50")
    draft = map_csv_order(read_csv_orders(fixed)[0])
    assert (draft.currency, draft.lines[0].subtotal) == ("CHF", Decimal("7.00"))


HEADER = "order_number,currency,sku,name,quantity,unit_price,payment_status,taxes_included\n"


@pytest.mark.parametrize(
    ("rows", "path", "message"),
    [
        ("A,EUR,S,N,0,1.00,,\n", "row 2, column quantity", "at least 1"),
        ("A,EUR,S,N,-1,1.00,,\n", "row 2, column quantity", "at least 1"),
        ("A,EUR,S,N,1.5,1.00,,\n", "row 2, column quantity", "whole number"),
        ("A,EUR,S,N,,1.00,,\n", "row 2, column quantity", "is empty"),
        ("A,EUR,S,N,1,,,\n", "row 2, column unit_price", "is empty"),
        ("A,EUR,S,N,1,-2,,\n", "row 2, column unit_price", "must not be negative"),
        ("A,EUX,S,N,1,1.00,,\n", "row 2, column currency", "not an ISO 4217"),
        ("A,,S,N,1,1.00,,\n", "row 2, column ?", ""),
        ("A,EUR,S,N,1,1.00,,\nA,USD,T,M,1,1.00,,\n", "row 3, column currency", "differs"),
        ("A,EUR,S,N,1,1.00,maybe,\n", "row 2, column payment_status", "unknown payment status"),
        ("A,EUR,S,N,1,1.00,,perhaps\n", "row 2, column taxes_included", "not true or false"),
        ("A,EUR,,,1,1.00,,\n", "row 2, column sku", "neither SKU nor name"),
    ],
)
def test_bad_rows(rows, path, message):
    (order,) = read_csv_orders(HEADER + rows)
    with pytest.raises(MappingError) as caught:
        map_csv_order(order)
    if path.endswith("?"):  # no currency anywhere in the order
        assert caught.value.message == "the currency is missing"
    else:
        assert (caught.value.path, message in caught.value.message) == (path, True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00o\x00r", "not UTF-8"),
        (b"order_number,sku,quantity\n", "lacks the column(s) currency, unit_price"),
        (b"x" * (21 * 1024 * 1024), "more than"),
        (HEADER.encode() + b",EUR,S,N,1,1.00,,\n", "has no order_number"),
        (HEADER.encode() + b"A,EUR,S,N,1,1.00,,,extra,cells\n", "has 10 cells"),
    ],
)
def test_bad_files(data, message):
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_csv_orders(data)


def test_markup_in_cells_is_kept_as_text():
    rows = 'A,EUR,S,"<script>alert(1)</script>\x07",1,1.00,,\n'
    draft = map_csv_order(read_csv_orders(HEADER + rows)[0])
    assert draft.lines[0].name == "<script>alert(1)</script>"


def test_csv_lines_have_no_channel_product_ids():
    """A file names products by SKU only (issue 19 point 5)."""
    lines = map_csv_order(orders()["MK-1001"]).lines
    assert {(line.product_external_id, line.variant_external_id) for line in lines} == {("", "")}
