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
Odoo (``fulfilled_by_channel``); ``partial``, that the lines whose own
``fulfillment_status`` says so were shipped, in whole or in part
(``shipped_quantity``), and Odoo ships the rest. A line item
without a SKU keeps an empty SKU; the Odoo side holds such an order for a person.

What the buyer paid besides goods and shipping becomes fee lines, as ``total_price``
counts it: the tip (``total_tip_received``), the duties (each line's ``duties``
with their taxes, else the order's ``original_total_duties_set``; none when
``duties_included`` says the prices hold them) and Shopify's additional fees
(``original_total_additional_fees_set``).

An order edited or refunded with items removed lists its lines at their ordered
``quantity`` and what is left in ``current_quantity`` (removed shipping lines have
``is_removed``): such an order is mapped as it is now, each line at its current
quantity (its discounts, taxes and duties in proportion; a line with none left
is left out), compared with ``current_total_price``. When nothing is left (a
refunded order), the order is mapped as it was ordered.
"""

from dataclasses import replace
from decimal import Decimal

from . import _fields as f
from .draft import (
    ZERO,
    Address,
    Discount,
    FeeLine,
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
    items = f.array(data, "line_items", path, required=True, max_items=f.MAX_LINES)
    items = [
        f.as_object(item, f.join(f.join(path, "line_items"), i)) for i, item in enumerate(items)
    ]
    shipping_items = f.array(data, "shipping_lines", path)
    shares = _current_shares(items, shipping_items, path)
    taxes_included = f.flag(data, "taxes_included", path)
    lines = tuple(
        line
        for index, item in enumerate(items)
        if (line := _line(item, f.join(f.join(path, "line_items"), index), applications, shares))
    )
    if not lines:
        raise MappingError("the order has no lines", f.join(path, "line_items"))
    shipping = tuple(
        _shipping_line(item, f.join(f.join(path, "shipping_lines"), index), applications)
        for index, item in enumerate(shipping_items)
        if shares is None or not _removed(item, f.join(f.join(path, "shipping_lines"), index))
    )
    lines, shipping = _order_level_taxes(data, path, lines, shipping, taxes_included)
    edited = shares is not None
    fees = _fees(data, path, items, shares, taxes_included)
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
        fees=fees,
        totals=_totals(data, path, shipping, edited),
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


def _line(item, path, applications, shares=None):
    """The line, at its current quantity when ``shares`` says so (None when none
    of it is left)."""
    f.as_object(item, path)
    name = f.text(item, "name", path) or f.text(item, "title", path, required=True)
    line = OrderLine(
        external_id=f.text(item, "id", path),
        sku=f.text(item, "sku", path, max_len=255),
        product_external_id=f.text(item, "product_id", path, max_len=255),
        variant_external_id=f.text(item, "variant_id", path, max_len=255),
        name=name,
        quantity=f.quantity(item, "quantity", path),
        unit_price=f.money(item, "price", path),
        discounts=_discounts(item, path, applications),
        taxes=_taxes(item, path),
    )
    if line.discount_total > line.unit_price * line.quantity:
        raise MappingError("the discounts exceed the line's price", path)
    if shares is None:
        return replace(line, shipped_quantity=_shipped(item, path, line.quantity))
    current = shares[id(item)]
    if not current:
        return None
    if current == line.quantity:
        return replace(line, shipped_quantity=_shipped(item, path, current))
    return replace(
        line,
        quantity=current,
        shipped_quantity=_shipped(item, path, current),
        discounts=tuple(
            replace(d, amount=_share(d.amount, current, line.quantity)) for d in line.discounts
        ),
        taxes=tuple(
            replace(t, amount=_share(t.amount, current, line.quantity)) for t in line.taxes
        ),
    )


def _shipped(item, path, quantity):
    """Units of the line (``quantity``: as mapped, its current quantity) Shopify
    says are fulfilled already: all of them when the line's ``fulfillment_status``
    is ``fulfilled``, what its ``fulfillable_quantity`` does not leave when it is
    ``partial``, none otherwise (``null``: not fulfilled; the documents' examples
    give unfulfilled lines a ``fulfillable_quantity`` of 0, which says nothing)."""
    status = f.text(item, "fulfillment_status", path)
    if status == "fulfilled":
        return quantity
    if status != "partial":
        return 0
    left = item.get("fulfillable_quantity")
    if isinstance(left, bool) or not isinstance(left, int) or left < 0:
        raise MappingError(
            f"must be a whole number of 0 or more for a partly fulfilled line, got {left!r}",
            f.join(path, "fulfillable_quantity"),
        )
    return max(0, quantity - left)


def _share(amount, part, whole):
    """``amount`` in proportion ``part / whole``, to the cent."""
    return (amount * part / whole).quantize(CENT)


def _current_shares(items, shipping_items, path):
    """``{id(item): current quantity}`` when the order was edited or refunded with
    items removed (a line's ``current_quantity`` below its ``quantity``, or a
    shipping line ``is_removed``) and something is left; None to map the order as
    ordered."""
    shares, edited = {}, False
    for index, item in enumerate(items):
        where = f.join(f.join(path, "line_items"), index)
        ordered = f.quantity(item, "quantity", where)
        current = item.get("current_quantity")
        if current is None:
            shares[id(item)] = ordered
            continue
        if isinstance(current, bool) or not isinstance(current, int) or not 0 <= current <= ordered:
            raise MappingError(
                f"must be a whole number from 0 to the quantity {ordered}, got {current!r}",
                f.join(where, "current_quantity"),
            )
        shares[id(item)] = current
        edited = edited or current != ordered
    for index, item in enumerate(shipping_items):
        edited = edited or _removed(item, f.join(f.join(path, "shipping_lines"), index))
    if not edited or not any(shares.values()):
        return None
    return shares


def _removed(item, path):
    return f.flag(f.as_object(item, path), "is_removed", path)


def _bag(data, key, path):
    """The shop-money amount of a money bag (``{"shop_money": {"amount"}}``), or None."""
    bag = f.obj(data, key, path, required=False)
    if not bag:
        return None
    where = f.join(path, key)
    shop = f.obj(bag, "shop_money", where)
    return f.money(shop, "amount", f.join(where, "shop_money"))


def _fees(data, path, items, shares, taxes_included):
    """Tip, duties and additional fees: what the buyer paid besides goods and
    shipping, each a fee line (tax included when the order's prices are)."""
    fees = []
    tip = f.money(data, "total_tip_received", path, required=False)
    if tip:
        fees.append(FeeLine(name="Tip", amount=tip))
    if not f.flag(data, "duties_included", path):
        amount, taxes = _line_duties(items, path, shares)
        if not amount and not taxes:
            key = "original_total_duties_set" if shares is None else "current_total_duties_set"
            amount = _bag(data, key, path) or ZERO
        if amount or taxes:
            fees.append(FeeLine(name="Duties", amount=amount, taxes=taxes))
    key = (
        "original_total_additional_fees_set"
        if shares is None
        else "current_total_additional_fees_set"
    )
    additional = _bag(data, key, path)
    if additional:
        fees.append(FeeLine(name="Additional fees", amount=additional))
    if taxes_included:
        fees = [replace(fee, amount=fee.amount + fee.tax_total) for fee in fees]
    return tuple(fees)


def _line_duties(items, path, shares):
    """The lines' duties (shop money, in proportion to what is left of each line)
    and their taxes."""
    amount, taxes = ZERO, []
    for index, item in enumerate(items):
        where = f.join(f.join(path, "line_items"), index)
        ordered = f.quantity(item, "quantity", where)
        current = ordered if shares is None else shares[id(item)]
        for number, duty in enumerate(f.array(item, "duties", where)):
            at = f.join(f.join(where, "duties"), number)
            f.as_object(duty, at)
            bag = duty.get("price_set") if isinstance(duty.get("price_set"), dict) else duty
            shop = f.obj(bag, "shop_money", at if bag is duty else f.join(at, "price_set"))
            price = f.money(shop, "amount", at)
            duty_taxes = _taxes(duty, at)
            if current != ordered:
                price = _share(price, current, ordered)
                duty_taxes = tuple(
                    replace(t, amount=_share(t.amount, current, ordered)) for t in duty_taxes
                )
            amount += price
            taxes.extend(t for t in duty_taxes if t.amount)
    return amount, tuple(taxes)


def _totals(data, path, shipping, edited):
    """The channel's figures: as ordered, or as they are now for an edited order."""
    if edited and data.get("current_total_price") not in (None, ""):
        return Totals(
            total=f.money(data, "current_total_price", path),
            tax=f.money(data, "current_total_tax", path, required=False, default=None),
            shipping=_bag(data, "current_shipping_price_set", path)
            if isinstance(data.get("current_shipping_price_set"), dict)
            else (sum((s.subtotal for s in shipping), ZERO) if shipping else None),
            discount=f.money(data, "current_total_discounts", path, required=False, default=None),
        )
    return Totals(
        total=f.money(data, "total_price", path),
        tax=f.money(data, "total_tax", path, required=False, default=None),
        shipping=_shipping_total(data, path, shipping),
        discount=f.money(data, "total_discounts", path, required=False, default=None),
    )


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
