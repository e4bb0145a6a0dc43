"""Shopify Admin REST API (2025-01) ``order`` resource → :class:`OrderDraft`.

Amounts are the shop currency's (``price``, ``total_price``...); the presentment
currency sets are not used. Line discounts are the line's ``discount_allocations``
(order-wide discounts are allocated to lines by Shopify already), shipping
discounts the shipping line's. Fraud comes from the order's risk assessments (the
Order Risk resource, ``orders/<id>/risks.json``: ``recommendation`` accept /
investigate / cancel), which no order payload carries: the import job reads them
through the client and gives them as ``risks`` (or a caller merged them into the
payload as ``risks``). An order with no risk listed has no assessment
(``fraud_assessed`` false), which is not the same as a low risk. ``cancelled_at``
set means cancelled; ``fulfillment_status`` ``fulfilled`` means shipped outside
Odoo (``fulfilled_by_channel``). A line item
without a SKU keeps an empty SKU; the Odoo side holds such an order for a person.
"""

from dataclasses import replace
from decimal import Decimal

from . import _fields as f
from .draft import (
    ZERO,
    Address,
    Discount,
    FraudHint,
    OrderDraft,
    OrderLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from .errors import MappingError

_PAYMENT_STATUS = {
    "pending": "pending",
    "authorized": "authorized",
    "partially_paid": "partially_paid",
    "paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "voided",
    "expired": "voided",
}
CENT = Decimal("0.01")
_RISK_LEVEL = {"cancel": "high", "investigate": "medium"}


def map_shopify_order(payload, risks=None):
    """Map one Shopify order (a dict, or the raw JSON body; a webhook body is the order).

    A body wrapped as ``{"order": {...}}`` (the REST answer for one order) is accepted.
    ``risks``: the order's risk assessments as ``risks.json`` lists them (its
    ``risks`` array), read by the caller; None when not read.
    """
    data = f.load_json(payload)
    path = ""
    if set(data) == {"order"}:
        data, path = f.as_object(data["order"], "order"), "order"
    currency = f.currency(data.get("currency"), f.join(path, "currency"))
    applications = f.array(data, "discount_applications", path)
    lines = tuple(
        _line(item, f.join(f.join(path, "line_items"), index), applications)
        for index, item in enumerate(
            f.array(data, "line_items", path, required=True, max_items=f.MAX_LINES)
        )
    )
    if not lines:
        raise MappingError("the order has no lines", f.join(path, "line_items"))
    shipping = tuple(
        _shipping_line(item, f.join(f.join(path, "shipping_lines"), index), applications)
        for index, item in enumerate(f.array(data, "shipping_lines", path))
    )
    taxes_included = f.flag(data, "taxes_included", path)
    lines, shipping = _order_level_taxes(data, path, lines, shipping, taxes_included)
    updated_at = f.timestamp(data, "updated_at", path)
    status = f.text(data, "financial_status", path) or "pending"
    if status not in _PAYMENT_STATUS:
        raise MappingError(f"unknown payment status {status!r}", f.join(path, "financial_status"))
    customer = f.obj(data, "customer", path, required=False) or {}
    billing = _address(data, "billing_address", path)
    shipping_address = _address(data, "shipping_address", path)
    email = (
        f.text(data, "email", path)
        or f.text(data, "contact_email", path)
        or f.text(customer, "email", f.join(path, "customer"))
    )
    phone = (
        f.text(data, "phone", path)
        or f.text(customer, "phone", f.join(path, "customer"))
        or (shipping_address.phone if shipping_address else "")
        or (billing.phone if billing else "")
    )
    customer_name = " ".join(
        filter(
            None,
            (
                f.text(customer, "first_name", f.join(path, "customer")),
                f.text(customer, "last_name", f.join(path, "customer")),
            ),
        )
    ) or (billing.name if billing else "")
    cancelled_at = f.timestamp(data, "cancelled_at", path, required=False)
    return OrderDraft(
        channel_kind="shopify",
        external_id=f.ident(data, "id", path),
        name=f.text(data, "name", path) or f.text(data, "order_number", path),
        version=f.iso(updated_at),
        updated_at=updated_at,
        created_at=f.timestamp(data, "created_at", path, required=False),
        currency=currency,
        taxes_included=taxes_included,
        lines=lines,
        shipping_lines=shipping,
        totals=Totals(
            total=f.money(data, "total_price", path),
            tax=f.money(data, "total_tax", path, required=False, default=None),
            shipping=_shipping_total(data, path, shipping),
            discount=f.money(data, "total_discounts", path, required=False, default=None),
        ),
        payment_status=_PAYMENT_STATUS[status],
        channel_status=f.text(data, "fulfillment_status", path) or "unfulfilled",
        billing_address=billing,
        shipping_address=shipping_address,
        email=email,
        phone=phone,
        customer_name=customer_name,
        **_risks(data, path, risks),
        note=f.text(data, "note", path, max_len=f.MAX_NOTE, multiline=True),
        cancelled=cancelled_at is not None,
        cancel_reason=f.text(data, "cancel_reason", path) if cancelled_at else "",
        fulfilled_by_channel=f.text(data, "fulfillment_status", path) == "fulfilled",
        extra=tuple(
            (key, value)
            for key, value in (
                ("tags", f.text(data, "tags", path)),
                ("source_name", f.text(data, "source_name", path)),
            )
            if value
        ),
    )


def _taxes(data, path):
    taxes = []
    for index, tax in enumerate(f.array(data, "tax_lines", path)):
        where = f.join(f.join(path, "tax_lines"), index)
        f.as_object(tax, where)
        taxes.append(
            TaxLine(
                amount=f.money(tax, "price", where),
                rate=f.money(tax, "rate", where, required=False, default=None),
                title=f.text(tax, "title", where),
            )
        )
    return tuple(taxes)


def _order_level_taxes(data, path, lines, shipping, taxes_included):
    """Lines (and shipping lines) with the order's taxes when only the order lists
    them (its ``tax_lines``, no line's): each tax spread over the lines in
    proportion to their price without tax, the last taking the rounding. A tax
    with a ``rate`` is spread over the goods and the shipping when that rate gives
    its amount on both, else over the goods; a tax without a rate is spread over
    the goods and keeps no rate: Odoo finds it from each line's amounts."""
    if any(line.taxes for line in (*lines, *shipping)):
        return lines, shipping
    order_taxes = _taxes(data, path)
    if not order_taxes:
        return lines, shipping
    total_tax = sum((t.amount for t in order_taxes), ZERO)
    items = list(lines) + list(shipping)
    bases = [item.subtotal for item in items]
    if taxes_included:
        gross = sum(bases, ZERO)
        if not gross:
            return lines, shipping
        bases = [b - (total_tax * b / gross).quantize(CENT) for b in bases]
    goods = len(lines)
    spread = [[] for _item in items]
    for tax in order_taxes:
        count = goods
        if tax.rate is not None and shipping:
            with_shipping = abs(tax.rate * sum(bases, ZERO) - tax.amount)
            without = abs(tax.rate * sum(bases[:goods], ZERO) - tax.amount)
            count = len(items) if with_shipping < without else goods
        base = sum(bases[:count], ZERO)
        if not base:
            continue
        left = tax.amount
        for index in range(count):
            share = (
                left if index == count - 1 else (tax.amount * bases[index] / base).quantize(CENT)
            )
            left -= share
            spread[index].append(TaxLine(amount=share, rate=tax.rate, title=tax.title))
    taxed = [
        replace(item, taxes=tuple(t for t in taxes if t.amount))
        for item, taxes in zip(items, spread, strict=True)
    ]
    return tuple(taxed[:goods]), tuple(taxed[goods:])


def _discounts(data, path, applications):
    allocations = f.array(data, "discount_allocations", path)
    discounts = []
    for index, allocation in enumerate(allocations):
        where = f.join(f.join(path, "discount_allocations"), index)
        f.as_object(allocation, where)
        amount = f.money(allocation, "amount", where)
        code = ""
        app_index = allocation.get("discount_application_index")
        if isinstance(app_index, int) and 0 <= app_index < len(applications):
            application = applications[app_index]
            if isinstance(application, dict):
                code = f.text(application, "code", where) or f.text(application, "title", where)
        if amount:
            discounts.append(Discount(amount=amount, code=code))
    if not allocations:
        amount = f.money(data, "total_discount", path, required=False)
        if amount:
            discounts.append(Discount(amount=amount))
    return tuple(discounts)


def _line(item, path, applications):
    f.as_object(item, path)
    name = f.text(item, "name", path) or f.text(item, "title", path, required=True)
    line = OrderLine(
        external_id=f.text(item, "id", path),
        sku=f.text(item, "sku", path, max_len=255),
        name=name,
        quantity=f.quantity(item, "quantity", path),
        unit_price=f.money(item, "price", path),
        discounts=_discounts(item, path, applications),
        taxes=_taxes(item, path),
    )
    if line.discount_total > line.unit_price * line.quantity:
        raise MappingError("the discounts exceed the line's price", path)
    return line


def _shipping_line(item, path, applications):
    f.as_object(item, path)
    return ShippingLine(
        method=f.text(item, "code", path) or f.text(item, "source", path),
        title=f.text(item, "title", path),
        price=f.money(item, "price", path),
        discounts=_discounts(item, path, applications),
        taxes=_taxes(item, path),
    )


def _shipping_total(data, path, shipping):
    price_set = data.get("total_shipping_price_set")
    if isinstance(price_set, dict) and isinstance(price_set.get("shop_money"), dict):
        where = f.join(f.join(path, "total_shipping_price_set"), "shop_money")
        return f.money(price_set["shop_money"], "amount", where)
    return sum((s.subtotal for s in shipping), ZERO) if shipping else None


def _address(data, key, path):
    address = f.obj(data, key, path, required=False)
    if not address:
        return None
    where = f.join(path, key)
    name = f.text(address, "name", where) or " ".join(
        filter(None, (f.text(address, "first_name", where), f.text(address, "last_name", where)))
    )
    return Address(
        name=name,
        company=f.text(address, "company", where),
        street=f.text(address, "address1", where),
        street2=f.text(address, "address2", where),
        city=f.text(address, "city", where),
        zip=f.text(address, "zip", where),
        state_code=f.text(address, "province_code", where),
        country_code=f.text(address, "country_code", where).upper(),
        phone=f.text(address, "phone", where),
    )


def _risks(data, path, risks=None):
    """fraud_hints and fraud_assessed of the risks read (``risks``) or merged into
    the payload. A risk with ``display`` false is ignored, as Shopify does."""
    if risks is None:
        risks, where_risks = f.array(data, "risks", path), f.join(path, "risks")
    else:
        risks, where_risks = f.array({"risks": risks}, "risks", ""), "risks"
    hints, assessed = [], False
    for index, risk in enumerate(risks):
        where = f.join(where_risks, index)
        f.as_object(risk, where)
        if risk.get("display") is False:
            continue
        recommendation = f.text(risk, "recommendation", where)
        if recommendation not in ("accept", *_RISK_LEVEL):
            raise MappingError(
                f"unknown risk recommendation {recommendation!r}", f.join(where, "recommendation")
            )
        assessed = True
        level = _RISK_LEVEL.get(recommendation)
        if level:
            hints.append(
                FraudHint(source="shopify", level=level, message=f.text(risk, "message", where))
            )
    return {"fraud_hints": tuple(hints), "fraud_assessed": assessed}
