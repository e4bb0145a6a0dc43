"""CSV order files → :class:`OrderDraft`, for marketplaces without an API and migrations.

One row per order line; the rows of an order share its ``order_number`` (they
need not be next to each other). UTF-8 (a BOM is fine), comma or semicolon
separated, a header row with these columns (order in the file is free, unknown
columns are ignored, names are case-insensitive):

=================== ======== ==========================================================
column              required meaning
=================== ======== ==========================================================
order_number        yes      the order's reference in the source, unique per channel
currency            yes      ISO 4217 code (EUR, USD...)
sku                 yes*     product SKU (* or ``name`` when the product has no SKU)
name                no       product name as sold (defaults to the SKU)
quantity            yes      whole number, at least 1
unit_price          yes      price of one unit before discount (``.`` decimal point)
line_discount       no       amount taken off the line (not per unit)
tax_rate            no       percent (``20`` for 20 %)
tax_amount          no       the line's tax; computed from ``tax_rate`` when left out
taxes_included      no       ``true`` / ``false`` (default): do prices include tax
order_date          no       ISO 8601; no time zone means UTC
updated_at          no       ISO 8601: the version of the order; a newer file wins
order_total         no       the total the source states; defaults to the lines' sum
payment_status      no       pending, authorized, paid (default), partially_paid,
                             partially_refunded, refunded, voided, unpaid
cancelled           no       ``true`` to cancel an order imported before
email, phone        no       the customer's
customer_name       no       defaults to the billing name
note                no       free text
shipping_method     no       carrier service name
shipping_price      no       shipping amount (same tax basis as prices)
shipping_tax        no       tax on shipping
billing_name, billing_company, billing_street, billing_street2, billing_city,
billing_zip, billing_state, billing_country (ISO 3166 alpha-2), billing_phone
shipping_name, shipping_company, ... the same for the delivery address
=================== ======== ==========================================================

Order-level columns are read from the order's rows: empty cells are fine, two
different values in one order are an error. Without ``updated_at`` the version is
a hash of the order's rows, so the same rows imported twice are one version.
"""

import csv
import hashlib
import io
import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from . import _fields as f
from .draft import (
    PAYMENT_STATUSES,
    Address,
    Discount,
    OrderDraft,
    OrderLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from .errors import MappingError

MAX_FILE_BYTES = 20 * 1024 * 1024
REQUIRED = ("order_number", "currency", "quantity", "unit_price")
ORDER_COLUMNS = (
    "currency",
    "taxes_included",
    "order_date",
    "updated_at",
    "order_total",
    "payment_status",
    "cancelled",
    "email",
    "phone",
    "customer_name",
    "note",
    "shipping_method",
    "shipping_price",
    "shipping_tax",
    *(
        f"{kind}_{field}"
        for kind in ("billing", "shipping")
        for field in ("name", "company", "street", "street2", "city", "zip", "state", "country")
    ),
    "billing_phone",
    "shipping_phone",
)
_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}
CENT = Decimal("0.01")


def read_csv_orders(data):
    """Split a CSV file into orders: ``[{"order_number": ..., "rows": [{...}, ...]}, ...]``.

    Each item is one order's payload, to be stored in the inbox and mapped with
    :func:`map_csv_order`. File-level faults (not text, no header, missing
    columns) raise :class:`MappingError`.
    """
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_FILE_BYTES:
            raise MappingError(f"the file is {len(data)} bytes, more than {MAX_FILE_BYTES}")
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise MappingError(
                f"the file is not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
            ) from None
    data = data.lstrip("\ufeff")
    first_line = data.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise MappingError("the file is empty") from None
    except csv.Error as error:
        raise MappingError(f"the file is not valid CSV ({error})") from None
    missing = [column for column in REQUIRED if column not in header]
    if "sku" not in header and "name" not in header:
        missing.append("sku")
    if missing:
        raise MappingError(f"the header lacks the column(s) {', '.join(missing)}", "row 1")
    orders = {}
    try:
        for row_number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                raise MappingError(
                    f"has {len(values)} cells, the header {len(header)}", f"row {row_number}"
                )
            row = {"row": row_number, **dict(zip(header, values, strict=False))}
            number = f.clean_text(row.get("order_number", ""))
            if not number:
                raise MappingError("has no order_number", f"row {row_number}")
            orders.setdefault(number, {"order_number": number, "rows": []})["rows"].append(row)
    except csv.Error as error:
        raise MappingError(f"the file is not valid CSV ({error})") from None
    return list(orders.values())


def map_csv_order(payload):
    """Map one order of a CSV file (an item of :func:`read_csv_orders`, or its JSON)."""
    data = f.load_json(payload)
    rows = f.array(data, "rows", "", required=True, max_items=f.MAX_LINES)
    if not rows:
        raise MappingError("the order has no lines", "rows")
    for index, row in enumerate(rows):
        f.as_object(row, f"rows[{index}]")
    order = _order_values(rows)
    where = _where(order)
    currency = f.currency(order.get("currency"), where("currency"))
    included = _flag(order, "taxes_included", where)
    lines = tuple(_line(row, included) for row in rows)
    updated_at = f.timestamp(order, "updated_at", "", required=False)
    shipping = ()
    if order.get("shipping_method") or order.get("shipping_price"):
        shipping_tax = _money(order, "shipping_tax", where, required=False)
        shipping = (
            ShippingLine(
                method=f.text(order, "shipping_method", ""),
                title=f.text(order, "shipping_method", ""),
                price=_money(order, "shipping_price", where, required=False),
                taxes=(TaxLine(amount=shipping_tax),) if shipping_tax else (),
            ),
        )
    status = f.clean_text(order.get("payment_status", "")).lower() or "paid"
    if status not in PAYMENT_STATUSES:
        raise MappingError(
            f"unknown payment status {status!r} (one of {', '.join(PAYMENT_STATUSES)})",
            where("payment_status"),
        )
    billing = _address(order, "billing")
    draft = OrderDraft(
        channel_kind="csv",
        external_id=f.text(data, "order_number", "", required=True, max_len=255),
        name=f.text(data, "order_number", "", max_len=255),
        version=f.iso(updated_at) if updated_at else _hash(rows),
        updated_at=updated_at,
        created_at=_timestamp(order, "order_date", where),
        currency=currency,
        taxes_included=included,
        lines=lines,
        shipping_lines=shipping,
        totals=Totals(total=Decimal(0)),
        payment_status=status,
        billing_address=billing,
        shipping_address=_address(order, "shipping"),
        email=f.text(order, "email", ""),
        phone=f.text(order, "phone", "") or (billing.phone if billing else ""),
        customer_name=f.text(order, "customer_name", "") or (billing.name if billing else ""),
        note=f.text(order, "note", "", max_len=f.MAX_NOTE, multiline=True),
        cancelled=_flag(order, "cancelled", where),
    )
    total = _money(order, "order_total", where, required=False, default=None)
    return _replace_totals(draft, total if total is not None else draft.computed_total())


def csv_order_version(payload):
    """The version of one order of a file: its ``updated_at`` cell, else a hash of
    its rows (the inbox keeps each version once). None when it cannot be read."""
    if not isinstance(payload, dict) or not isinstance(payload.get("rows"), list):
        return None
    rows = payload["rows"]
    for row in rows:
        if isinstance(row, dict) and (row.get("updated_at") or "").strip():
            return row["updated_at"].strip()
    if not all(isinstance(row, dict) for row in rows):
        return None
    return _hash(rows)


def _replace_totals(draft, total):
    return replace(draft, totals=Totals(total=total, tax=draft.tax_total))


def _where(order):
    rows = order.get("_rows", {})
    return lambda column: f"row {rows.get(column, '?')}, column {column}"


def _order_values(rows):
    """The order-level cells, checked to agree across the order's rows."""
    values, origin = {}, {}
    for row in rows:
        for column in ORDER_COLUMNS:
            cell = row.get(column)
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            if not isinstance(cell, str):
                raise MappingError("expected text", f"row {row.get('row')}, column {column}")
            cell = cell.strip()
            if column in values and values[column] != cell:
                raise MappingError(
                    f"{cell!r} differs from {values[column]!r} in row {origin[column]} "
                    "of the same order",
                    f"row {row.get('row')}, column {column}",
                )
            values[column] = cell
            origin[column] = row.get("row")
    values["_rows"] = origin
    return values


def _flag(values, column, where):
    cell = str(values.get(column, "")).strip().lower()
    if cell in _TRUE:
        return True
    if cell in _FALSE:
        return False
    raise MappingError(f"{cell!r} is not true or false", where(column))


def _money(values, column, where, required=True, default=Decimal(0)):
    cell = values.get(column)
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        if required:
            raise MappingError("is empty", where(column))
        return default
    return f.to_decimal(cell, where(column))


def _timestamp(values, column, where):
    cell = values.get(column)
    return f.to_timestamp(cell, where(column)) if cell else None


def _line(row, included):
    number = row.get("row")

    def where(column):
        return f"row {number}, column {column}"

    sku = f.text(row, "sku", "", max_len=255)
    name = f.text(row, "name", "") or sku
    if not name:
        raise MappingError("the line has neither SKU nor name", where("sku"))
    quantity = row.get("quantity")
    if quantity is None or (isinstance(quantity, str) and not quantity.strip()):
        raise MappingError("is empty", where("quantity"))
    quantity = f.to_quantity(quantity, where("quantity"))
    unit_price = _money(row, "unit_price", where)
    discount = _money(row, "line_discount", where, required=False)
    if discount > unit_price * quantity:
        raise MappingError("the discount exceeds the line's price", where("line_discount"))
    rate = _money(row, "tax_rate", where, required=False, default=None)
    if rate is not None:
        if rate > 100:
            raise MappingError(f"{rate} % is not a tax rate", where("tax_rate"))
        rate /= 100
    tax = _money(row, "tax_amount", where, required=False, default=None)
    base = unit_price * quantity - discount
    if tax is None and rate:
        tax = (base * rate / (1 + rate) if included else base * rate).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    return OrderLine(
        external_id=str(number),
        sku=sku,
        name=name,
        quantity=quantity,
        unit_price=unit_price,
        discounts=(Discount(amount=discount),) if discount else (),
        taxes=(TaxLine(amount=tax, rate=rate),) if tax else (),
    )


def _address(values, kind):
    def cell(field):
        return f.text(values, f"{kind}_{field}", "")

    address = Address(
        name=cell("name"),
        company=cell("company"),
        street=cell("street"),
        street2=cell("street2"),
        city=cell("city"),
        zip=cell("zip"),
        state_code=cell("state"),
        country_code=cell("country").upper(),
        phone=cell("phone"),
    )
    return address if any(vars(address).values()) else None


def _hash(rows):
    content = json.dumps(
        [{k: v for k, v in row.items() if k != "row"} for row in rows], sort_keys=True
    )
    return "sha256:" + hashlib.sha256(content.encode()).hexdigest()[:16]
