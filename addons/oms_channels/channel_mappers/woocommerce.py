"""WooCommerce REST API v3 order JSON → :class:`OrderDraft`.

WooCommerce stores line amounts without tax (``subtotal`` before coupons,
``total`` after, ``subtotal_tax`` / ``total_tax`` beside them) whatever the shop's
setting. When ``prices_include_tax`` is true the draft states prices tax included
(amount + tax), as the customer saw them; otherwise tax excluded. The line's
discount is ``subtotal - total`` (plus the tax difference when tax included),
named after the order's coupon codes. Tax rates come from the order's
``tax_lines`` (``rate_percent``, WooCommerce 5.7+), matched by rate id; before
5.7 a tax line has no rate (Odoo finds it from the amounts) and keeps its
``rate_code`` for the channel's tax mapping.
WooCommerce sends product names with HTML entities (``&ndash;``): they are
decoded to the characters they stand for, and kept as plain text. WooCommerce's
core REST API gives no fraud data: every draft has no fraud assessment.

Order status ``cancelled``, ``refunded`` or ``failed`` sets the cancelled flag,
``completed`` the fulfilled-by-channel one (shipped outside Odoo); ``processing`` /
``completed`` mean paid, ``refunded`` refunded, ``failed`` voided, ``pending`` /
``on-hold`` unpaid (``date_paid_gmt`` set makes them paid). A paid order that
lists refunds (``refunds[].total``, negative amounts) is partially refunded: its
lines and total stay as sold (the refunded items are only in the refund objects).
"""

import html
from decimal import Decimal

from . import _fields as f
from .draft import Address, Discount, FeeLine, OrderDraft, OrderLine, ShippingLine, TaxLine, Totals
from .errors import MappingError

_STATUS = {
    "pending": "unpaid",
    "on-hold": "unpaid",
    "processing": "paid",
    "completed": "paid",
    "cancelled": "voided",
    "refunded": "refunded",
    "failed": "voided",
    "checkout-draft": "unpaid",
    "trash": "voided",
}
# Statuses of an order that will not be shipped (the money is not, or no more, taken).
CANCELLED_STATUSES = ("cancelled", "refunded", "failed")
_EXACT = Decimal("0.000001")


def map_woocommerce_order(payload):
    """Map one WooCommerce order (dict or raw JSON body, as the API or a webhook sends it)."""
    data = f.load_json(payload)
    currency = f.currency(data.get("currency"), "currency")
    included = f.flag(data, "prices_include_tax", "")
    rates = _rates(data)
    codes = ", ".join(
        f.text(coupon, "code", f"coupon_lines[{index}]")
        for index, coupon in enumerate(f.array(data, "coupon_lines", ""))
        if f.as_object(coupon, f"coupon_lines[{index}]") is not None
    )
    lines = tuple(
        _line(item, f"line_items[{index}]", included, rates, codes)
        for index, item in enumerate(
            f.array(data, "line_items", "", required=True, max_items=f.MAX_LINES)
        )
    )
    if not lines:
        raise MappingError("the order has no lines", "line_items")
    shipping = tuple(
        _shipping(item, f"shipping_lines[{index}]", included, rates)
        for index, item in enumerate(f.array(data, "shipping_lines", ""))
    )
    fees = tuple(
        _fee(item, f"fee_lines[{index}]", included, rates)
        for index, item in enumerate(f.array(data, "fee_lines", ""))
    )
    status = f.text(data, "status", "", required=True)
    if status not in _STATUS:
        raise MappingError(f"unknown order status {status!r}", "status")
    payment = _STATUS[status]
    if payment == "unpaid" and f.text(data, "date_paid_gmt", ""):
        payment = "paid"
    if payment == "paid" and _refunded(data):
        payment = "partially_refunded"
    updated_at = f.timestamp(data, "date_modified_gmt", "")
    billing = _address(data, "billing")
    shipping_address = _address(data, "shipping")
    return OrderDraft(
        channel_kind="woocommerce",
        external_id=f.ident(data, "id", ""),
        name=f.text(data, "number", "") or f.ident(data, "id", ""),
        version=f.iso(updated_at),
        updated_at=updated_at,
        created_at=f.timestamp(data, "date_created_gmt", "", required=False),
        currency=currency,
        taxes_included=included,
        lines=lines,
        shipping_lines=shipping,
        fees=fees,
        totals=Totals(
            total=f.money(data, "total", ""),
            tax=f.money(data, "total_tax", "", required=False, default=None),
            shipping=_with_tax(data, "shipping_total", "shipping_tax", included),
            discount=_with_tax(data, "discount_total", "discount_tax", included),
        ),
        payment_status=payment,
        channel_status=status,
        billing_address=billing,
        shipping_address=shipping_address,
        email=billing.email if billing else "",
        phone=(billing.phone if billing else "")
        or (shipping_address.phone if shipping_address else ""),
        customer_name=billing.name if billing else "",
        note=f.text(data, "customer_note", "", max_len=f.MAX_NOTE, multiline=True),
        cancelled=status in CANCELLED_STATUSES,
        fulfilled_by_channel=status == "completed",
        extra=tuple(
            (key, value)
            for key, value in (
                ("payment_method", f.text(data, "payment_method", "")),
                ("customer_ip_address", f.text(data, "customer_ip_address", "")),
            )
            if value
        ),
    )


def _refunded(data):
    """The amount the order's refunds gave back (WooCommerce lists them negative)."""
    total = Decimal("0")
    for index, refund in enumerate(f.array(data, "refunds", "")):
        where = f"refunds[{index}]"
        f.as_object(refund, where)
        total += abs(f.money(refund, "total", where, required=False, allow_negative=True))
    return total


def _rates(data):
    rates = {}
    for index, tax in enumerate(f.array(data, "tax_lines", "")):
        where = f"tax_lines[{index}]"
        f.as_object(tax, where)
        percent = f.money(tax, "rate_percent", where, required=False, default=None)
        rates[f.text(tax, "rate_id", where)] = (
            percent / 100 if percent is not None else None,
            f.text(tax, "label", where),
            f.text(tax, "rate_code", where),
        )
    return rates


def _taxes(item, path, rates, allow_negative=False):
    taxes = []
    for index, tax in enumerate(f.array(item, "taxes", path)):
        where = f.join(f.join(path, "taxes"), index)
        f.as_object(tax, where)
        amount = f.money(tax, "total", where, required=False, allow_negative=allow_negative)
        if not amount:
            continue
        rate, label, code = rates.get(f.text(tax, "id", where), (None, "", ""))
        taxes.append(TaxLine(amount=amount, rate=rate, title=label, code=code))
    return tuple(taxes)


def _divide(amount, quantity):
    unit = amount / quantity
    return unit if unit * quantity == amount else unit.quantize(_EXACT)


def _ref(item, key, path):
    """A product or variation id; WooCommerce writes 0 for none (a simple product,
    a product deleted since)."""
    value = f.text(item, key, path, max_len=255)
    return "" if value == "0" else value


def _line(item, path, included, rates, codes):
    f.as_object(item, path)
    quantity = f.quantity(item, "quantity", path)
    subtotal = f.money(item, "subtotal", path)
    total = f.money(item, "total", path)
    if included:
        subtotal += f.money(item, "subtotal_tax", path, required=False)
        total += f.money(item, "total_tax", path, required=False)
    if total > subtotal:
        raise MappingError("the line's total is above its subtotal", path)
    discount = subtotal - total
    unit_price = _divide(subtotal, quantity)
    return OrderLine(
        external_id=f.text(item, "id", path),
        sku=f.text(item, "sku", path, max_len=255),
        product_external_id=_ref(item, "product_id", path),
        variant_external_id=_ref(item, "variation_id", path),
        name=html.unescape(f.text(item, "name", path, required=True)),
        quantity=quantity,
        # unit price times quantity may differ from the subtotal by the rounding of
        # the unit price; the discount absorbs it so that the line adds up
        unit_price=unit_price,
        discounts=(
            (Discount(amount=unit_price * quantity - total, code=codes),)
            if discount or unit_price * quantity != subtotal
            else ()
        ),
        taxes=_taxes(item, path, rates),
    )


def _shipping(item, path, included, rates):
    f.as_object(item, path)
    price = f.money(item, "total", path)
    if included:
        price += f.money(item, "total_tax", path, required=False)
    return ShippingLine(
        method=f.text(item, "method_id", path),
        title=f.text(item, "method_title", path),
        price=price,
        taxes=_taxes(item, path, rates),
    )


def _fee(item, path, included, rates):
    f.as_object(item, path)
    amount = f.money(item, "total", path, allow_negative=True)
    if included:
        amount += f.money(item, "total_tax", path, required=False, allow_negative=True)
    return FeeLine(
        name=html.unescape(f.text(item, "name", path, required=True)),
        amount=amount,
        taxes=_taxes(item, path, rates, allow_negative=True),
    )


def _with_tax(data, key, tax_key, included):
    amount = f.money(data, key, "", required=False, default=None)
    if amount is not None and included:
        amount += f.money(data, tax_key, "", required=False)
    return amount


def _address(data, key):
    address = f.obj(data, key, "", required=False)
    if not address:
        return None
    name = " ".join(
        filter(None, (f.text(address, "first_name", key), f.text(address, "last_name", key)))
    )
    result = Address(
        name=name,
        company=f.text(address, "company", key),
        street=f.text(address, "address_1", key),
        street2=f.text(address, "address_2", key),
        city=f.text(address, "city", key),
        zip=f.text(address, "postcode", key),
        state_code=f.text(address, "state", key),
        country_code=f.text(address, "country", key).upper(),
        phone=f.text(address, "phone", key),
        email=f.text(address, "email", key),
    )
    return result if any(vars(result).values()) else None
