"""eBay Sell Fulfillment API ``Order`` JSON → :class:`OrderDraft`.

Amounts are ``{"value", "currency"}`` objects (text values) and must all be in
the order's currency (``pricingSummary.total``'s).

- A line's ``lineItemCost`` is the price of its whole quantity: the unit price is
  ``lineItemCost / quantity``. Its ``appliedPromotions[].discountAmount`` are its
  discounts (named after the promotion's description, else its id); an order's
  ``pricingSummary.priceDiscount`` (negative) with no promotion on any line is an
  order discount.
- ``lineItems[].taxes`` are what the buyer was charged on top of the price
  (eBay's prices do not include the taxes it lists): a sales tax, VAT or GST is a
  tax line of the item (its rate is found from the amounts), a tax type ending
  in ``_FEE`` (``ELECTRONIC_RECYCLING_FEE``...) is a fee line of its own, as
  ``pricingSummary.fee`` counts it.
- ``ebayCollectAndRemitTaxes``: the part of those taxes eBay collects and remits
  itself (US sales tax, OSS / IOSS VAT, AU / NZ GST). What of it is in the
  line's ``taxes`` (and so in the total) is ``withheld_tax``: charged to the
  buyer, never paid out to the seller. eBay's newer answers leave such a tax
  out of ``taxes`` and out of ``pricingSummary.total``: then nothing is withheld.
- ``deliveryCost.shippingCost`` and ``handlingCost`` of the lines make one
  shipping line named after the ship-to step's ``shippingServiceCode``, their
  ``deliveryCost.discountAmount`` its discount (else
  ``pricingSummary.deliveryDiscount``); ``importCharges`` a fee line.
- ``pricingSummary.adjustment`` (either sign) is a fee line.
- The shipping address is the first ``SHIP_TO`` instruction's ``shipTo``; the
  billing address is the buyer's ``buyerRegistrationAddress``.
- States: ``cancelStatus.cancelState`` ``CANCELED``, ``orderPaymentStatus``
  ``FULLY_REFUNDED`` or ``FAILED``, or refunds (``paymentSummary.refunds`` not
  failed) reaching the total: cancelled. ``IN_PROGRESS``: the buyer asked to
  cancel (``cancelRequests[].cancelReason``). ``orderFulfillmentStatus``
  ``FULFILLED``: fulfilled by the channel (shipped outside Odoo); a line
  ``FULFILLED`` in an order ``IN_PROGRESS`` is shipped already.
- eBay's Fulfillment API gives no fraud data: no assessment.

Refunds are listed on the order itself (``paymentSummary.refunds[]``: ``amount``,
``refundDate``, ``refundId``, ``refundReferenceId``, ``refundStatus``; and
``lineItems[].refunds[]``: the part of a refund on that line):
:func:`ebay_order_refunds` makes one refund payload per completed refund
(``REFUNDED``; ``PENDING`` moved no money yet, ``FAILED`` none) keyed by its
``refundId`` (``issueRefund``'s), else its ``refundReferenceId`` (a refund made
in Seller Hub or by a return has only that one); a refund with neither cannot be
recorded once and is left out. A line's part of the refund names the line by the
whole units it pays back at what the buyer paid for one (its ``total`` less
delivery, over its quantity); less than a unit is money only. The refund's
``amount`` is the money returned. :func:`map_ebay_refund` reads such a payload.
"""

from decimal import ROUND_UP, Decimal

from . import _fields as f
from .draft import Address, Discount, FeeLine, OrderDraft, OrderLine, ShippingLine, TaxLine, Totals
from .errors import MappingError
from .refund import RefundDraft, RefundLine

ZERO = Decimal("0")
_EXACT = Decimal("0.000001")
_PAYMENT_STATUS = {
    "PAID": "paid",
    "PENDING": "pending",
    "FAILED": "voided",
    "FULLY_REFUNDED": "refunded",
    "PARTIALLY_REFUNDED": "partially_refunded",
}
CANCEL_STATES = ("NONE_REQUESTED", "IN_PROGRESS", "CANCELED")
FULFILLMENT_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "FULFILLED")


def map_ebay_order(payload):
    """Map one eBay order (dict or raw JSON, as ``getOrders`` / ``getOrder`` give it)."""
    data = f.load_json(payload)
    pricing = f.obj(data, "pricingSummary", "")
    total, currency = _money(pricing, "total", "pricingSummary", required=True)
    money = _Reader(currency)
    items = _Items(money)
    for index, item in enumerate(
        f.array(data, "lineItems", "", required=True, max_items=f.MAX_LINES)
    ):
        items.add(item, f"lineItems[{index}]")
    if not items.lines:
        raise MappingError("the order has no lines", "lineItems")
    lines, fees, shipping = items.lines, items.fees, items.shipping
    if not shipping["given"]:
        shipping["discount"] = abs(
            money.value(pricing, "deliveryDiscount", "pricingSummary", signed=True)
        )
    if shipping["discount"] > shipping["price"]:
        raise MappingError("the delivery discount exceeds the delivery cost", "pricingSummary")
    step, instruction = _ship_to_step(data)
    service = f.text(step, "shippingServiceCode", "fulfillmentStartInstructions[0].shippingStep")
    shipping_lines = ()
    if shipping["price"] or service:
        shipping_lines = (
            ShippingLine(
                method=service,
                title=service or "Shipping",
                price=shipping["price"],
                discounts=(Discount(amount=shipping["discount"]),) if shipping["discount"] else (),
            ),
        )
    adjustment = money.value(pricing, "adjustment", "pricingSummary", signed=True)
    if adjustment:
        fees["eBay adjustment"] = fees.get("eBay adjustment", ZERO) + adjustment
    order_discounts = ()
    price_discount = abs(money.value(pricing, "priceDiscount", "pricingSummary", signed=True))
    if price_discount and not any(line.discounts for line in lines):
        order_discounts = (Discount(amount=price_discount, code="eBay discount"),)
    states = _states(data, total, money)
    updated_at = f.timestamp(data, "lastModifiedDate", "")
    buyer = f.obj(data, "buyer", "", required=False) or {}
    billing = _address(
        f.obj(buyer, "buyerRegistrationAddress", "buyer", required=False),
        "buyer.buyerRegistrationAddress",
    )
    ship_to = _address(
        f.obj(step, "shipTo", "fulfillmentStartInstructions[0].shippingStep", required=False),
        "fulfillmentStartInstructions[0].shippingStep.shipTo",
    )
    where = "fulfillmentStartInstructions[0]"
    order_id = f.ident(data, "orderId", "")
    return OrderDraft(
        channel_kind="ebay",
        external_id=order_id,
        name=order_id,
        version=f.iso(updated_at),
        updated_at=updated_at,
        created_at=f.timestamp(data, "creationDate", "", required=False),
        currency=currency,
        taxes_included=False,
        lines=tuple(lines),
        shipping_lines=shipping_lines,
        fees=tuple(FeeLine(name=name, amount=amount) for name, amount in fees.items() if amount),
        order_discounts=order_discounts,
        totals=Totals(
            total=total,
            tax=_optional(money, pricing, "tax"),
            shipping=_optional(money, pricing, "deliveryCost"),
            discount=(price_discount + shipping["discount"]) or None,
        ),
        withheld_tax=items.withheld,
        **states,
        billing_address=billing,
        shipping_address=ship_to,
        email=(ship_to.email if ship_to else "") or (billing.email if billing else ""),
        phone=(ship_to.phone if ship_to else "") or (billing.phone if billing else ""),
        customer_name=(billing.name if billing else "")
        or (ship_to.name if ship_to else "")
        or f.text(buyer, "username", "buyer"),
        note=f.text(data, "buyerCheckoutNotes", "", max_len=f.MAX_NOTE, multiline=True),
        latest_ship_date=min(items.ship_by) if items.ship_by else None,
        earliest_delivery_date=f.timestamp(instruction, "minEstimatedDeliveryDate", where, False),
        latest_delivery_date=f.timestamp(instruction, "maxEstimatedDeliveryDate", where, False),
        extra=tuple(
            (key, value)
            for key, value in (
                ("buyer_username", f.text(buyer, "username", "buyer")),
                ("sales_record_reference", f.text(data, "salesRecordReference", "")),
                ("legacy_order_id", f.text(data, "legacyOrderId", "")),
                (
                    "ebay_collect_and_remit_tax",
                    "true" if data.get("ebayCollectAndRemitTax") else "",
                ),
            )
            if value
        ),
    )


class _Items:
    """The lines and what they bring besides goods: fee-like taxes, delivery,
    import charges, the tax eBay remits, ship-by dates."""

    def __init__(self, money):
        self.money = money
        self.lines, self.fees, self.ship_by = [], {}, []
        self.shipping = {"price": ZERO, "discount": ZERO, "given": False}
        self.withheld = ZERO

    def _fee(self, name, amount):
        self.fees[name] = self.fees.get(name, ZERO) + amount

    def add(self, item, path):
        money = self.money
        f.as_object(item, path)
        line, line_fees, charged = _line(item, path, money)
        self.lines.append(line)
        for name, amount in line_fees:
            self._fee(name, amount)
        delivery = f.obj(item, "deliveryCost", path, required=False) or {}
        where = f.join(path, "deliveryCost")
        self.shipping["price"] += money.value(delivery, "shippingCost", where) + money.value(
            delivery, "handlingCost", where
        )
        if delivery.get("discountAmount") is not None:
            self.shipping["given"] = True
            self.shipping["discount"] += abs(
                money.value(delivery, "discountAmount", where, signed=True)
            )
        imports = money.value(delivery, "importCharges", where)
        if imports:
            self._fee("Import charges", imports)
        remitted = ZERO
        for index, tax in enumerate(f.array(item, "ebayCollectAndRemitTaxes", path)):
            where = f"{path}.ebayCollectAndRemitTaxes[{index}]"
            f.as_object(tax, where)
            remitted += money.value(tax, "amount", where)
        # What eBay remits of what the buyer was charged on top of the price.
        self.withheld += min(remitted, charged)
        where = f.join(path, "lineItemFulfillmentInstructions")
        instructions = f.obj(item, "lineItemFulfillmentInstructions", path, required=False) or {}
        moment = f.timestamp(instructions, "shipByDate", where, required=False)
        if moment:
            self.ship_by.append(moment)


def _states(data, total, money):
    """The draft's payment status and its cancelled, requested and fulfilled flags."""
    payment_word = f.text(data, "orderPaymentStatus", "", required=True)
    if payment_word not in _PAYMENT_STATUS:
        raise MappingError(f"unknown payment status {payment_word!r}", "orderPaymentStatus")
    payment = _PAYMENT_STATUS[payment_word]
    refunded = _refunded(data, money)
    if refunded and payment == "paid":
        payment = "refunded" if refunded >= total else "partially_refunded"
    cancel = f.obj(data, "cancelStatus", "", required=False) or {}
    cancel_state = f.text(cancel, "cancelState", "cancelStatus") or "NONE_REQUESTED"
    if cancel_state not in CANCEL_STATES:
        raise MappingError(f"unknown cancel state {cancel_state!r}", "cancelStatus.cancelState")
    reasons = _cancel_reasons(cancel)
    fulfillment = f.text(data, "orderFulfillmentStatus", "", required=True)
    if fulfillment not in FULFILLMENT_STATUSES:
        raise MappingError(f"unknown fulfillment status {fulfillment!r}", "orderFulfillmentStatus")
    cancelled = cancel_state == "CANCELED" or payment in ("refunded", "voided")
    if not cancelled:
        reason = ""
    elif cancel_state == "CANCELED":
        reason = "cancelled in eBay" + (f" ({'; '.join(reasons)})" if reasons else "")
    elif payment_word in ("FULLY_REFUNDED", "FAILED"):
        reason = f"payment {payment_word.lower().replace('_', ' ')} in eBay"
    else:
        reason = "refunded in eBay"
    return {
        "payment_status": payment,
        "channel_status": f"{fulfillment}/{payment_word}/{cancel_state}",
        "cancelled": cancelled,
        "cancel_reason": reason,
        "cancel_requested": cancel_state == "IN_PROGRESS",
        "cancel_request_reason": "; ".join(reasons) if cancel_state == "IN_PROGRESS" else "",
        "fulfilled_by_channel": fulfillment == "FULFILLED" and not cancelled,
    }


class _Reader:
    """Reads eBay ``Amount`` objects in the order's currency."""

    def __init__(self, currency):
        self.currency = currency

    def value(self, data, key, path, signed=False, required=False):
        result = _money(data, key, path, required=required, currency=self.currency, signed=signed)
        return result[0] if result else ZERO


def _money(data, key, path, required=False, currency=None, signed=False):
    """``(Decimal, currency)`` of an eBay ``Amount``, checked against ``currency``."""
    return f.money_object(
        data, key, path, "value", "currency", required, currency, allow_negative=signed
    )


def _optional(money, pricing, key):
    if pricing.get(key) is None:
        return None
    return money.value(pricing, key, "pricingSummary")


def _line(item, path, money):
    """The line, its fee-like taxes ``((name, amount), ...)`` and the taxes charged."""
    quantity = f.quantity(item, "quantity", path)
    cost = money.value(item, "lineItemCost", path, required=True)
    discounts = []
    for index, promotion in enumerate(f.array(item, "appliedPromotions", path)):
        where = f"{path}.appliedPromotions[{index}]"
        f.as_object(promotion, where)
        amount = abs(money.value(promotion, "discountAmount", where, signed=True))
        if amount:
            code = f.text(promotion, "description", where) or f.text(
                promotion, "promotionId", where
            )
            discounts.append(Discount(amount=amount, code=code))
    if sum((d.amount for d in discounts), ZERO) > cost:
        raise MappingError("the promotions exceed the line's cost", path)
    unit = cost / quantity
    if unit * quantity != cost:
        # Rounded up, the difference a discount: the line's total stays exact.
        unit = unit.quantize(_EXACT, rounding=ROUND_UP)
        discounts.append(Discount(amount=unit * quantity - cost))
    taxes, fees, charged = [], [], ZERO
    for index, tax in enumerate(f.array(item, "taxes", path)):
        where = f"{path}.taxes[{index}]"
        f.as_object(tax, where)
        amount = money.value(tax, "amount", where)
        if not amount:
            continue
        charged += amount
        kind = f.text(tax, "taxType", where)
        if kind.endswith("_FEE"):
            fees.append((kind.replace("_", " ").capitalize(), amount))
        else:
            taxes.append(TaxLine(amount=amount, title=_tax_title(kind), code=kind))
    status = f.text(item, "lineItemFulfillmentStatus", path)
    line = OrderLine(
        external_id=f.ident(item, "lineItemId", path),
        sku=f.text(item, "sku", path, max_len=255),
        product_external_id=f.text(item, "legacyItemId", path, max_len=255),
        name=f.text(item, "title", path) or f.text(item, "sku", path, required=True),
        quantity=quantity,
        unit_price=unit,
        discounts=tuple(discounts),
        taxes=tuple(taxes),
        shipped_quantity=quantity if status == "FULFILLED" else 0,
    )
    return line, fees, charged


def _tax_title(kind):
    return {
        "STATE_SALES_TAX": "Sales tax",
        "PROVINCE_SALES_TAX": "Provincial sales tax",
        "GST": "GST",
        "VAT": "VAT",
        "REGION": "Regional tax",
    }.get(kind, kind.replace("_", " ").capitalize() or "eBay tax")


def _refunded(data, money):
    """What ``paymentSummary.refunds`` gave back (refunds not failed)."""
    summary = f.obj(data, "paymentSummary", "", required=False) or {}
    total = ZERO
    for index, refund in enumerate(f.array(summary, "refunds", "paymentSummary")):
        where = f"paymentSummary.refunds[{index}]"
        f.as_object(refund, where)
        if f.text(refund, "refundStatus", where) == "FAILED":
            continue
        total += abs(money.value(refund, "amount", where, signed=True))
    return total


def _cancel_reasons(cancel):
    reasons = []
    for index, request in enumerate(f.array(cancel, "cancelRequests", "cancelStatus")):
        where = f"cancelStatus.cancelRequests[{index}]"
        f.as_object(request, where)
        reason = f.text(request, "cancelReason", where)
        if reason and reason not in reasons:
            reasons.append(reason)
    return reasons


def _ship_to_step(data):
    """(shippingStep, instruction) of the first ``SHIP_TO`` fulfillment instruction."""
    for index, instruction in enumerate(f.array(data, "fulfillmentStartInstructions", "")):
        where = f"fulfillmentStartInstructions[{index}]"
        f.as_object(instruction, where)
        step = f.obj(instruction, "shippingStep", where, required=False)
        if step is not None:
            return step, instruction
    return {}, {}


def _address(data, path):
    if not data:
        return None
    contact = f.obj(data, "contactAddress", path, required=False) or {}
    where = f.join(path, "contactAddress")
    phone = f.obj(data, "primaryPhone", path, required=False) or {}
    result = Address(
        name=f.text(data, "fullName", path),
        company=f.text(data, "companyName", path),
        street=f.text(contact, "addressLine1", where),
        street2=f.text(contact, "addressLine2", where),
        city=f.text(contact, "city", where),
        zip=f.text(contact, "postalCode", where),
        state_code=f.text(contact, "stateOrProvince", where),
        country_code=f.text(contact, "countryCode", where).upper(),
        phone=f.text(phone, "phoneNumber", f.join(path, "primaryPhone")),
        email=f.text(data, "email", path),
    )
    return result if any(vars(result).values()) else None


# eBay's RefundStatusEnum: only a completed refund gave money back.
REFUND_STATUSES = ("PENDING", "REFUNDED", "FAILED")


def is_ebay_refund(payload):
    """A refund payload of :func:`ebay_order_refunds` (as the inbox stores it)."""
    return (
        isinstance(payload, dict)
        and "order_id" in payload
        and "refundStatus" in payload
        and "orderId" not in payload
    )


def ebay_order_refunds(payload):
    """The completed refunds of an eBay order, each a payload of eBay's own fields
    (``refundId``, ``refundReferenceId``, ``refundDate``, ``refundStatus``,
    ``amount``) with ``id`` (the key it is recorded once by), ``order_id`` and
    ``lineItems`` (``lineItemId``, ``quantity`` refunded, ``amount``)."""
    data = f.load_json(payload)
    pricing = f.obj(data, "pricingSummary", "")
    _total, currency = _money(pricing, "total", "pricingSummary", required=True)
    money = _Reader(currency)
    order_id = f.ident(data, "orderId", "")
    summary = f.obj(data, "paymentSummary", "", required=False) or {}
    refunds = []
    for index, refund in enumerate(f.array(summary, "refunds", "paymentSummary")):
        where = f"paymentSummary.refunds[{index}]"
        f.as_object(refund, where)
        status = f.text(refund, "refundStatus", where, required=True)
        if status not in REFUND_STATUSES:
            raise MappingError(f"unknown refund status {status!r}", f"{where}.refundStatus")
        key = f.text(refund, "refundId", where) or f.text(refund, "refundReferenceId", where)
        if status != "REFUNDED" or not key:
            continue
        amount = abs(money.value(refund, "amount", where, signed=True, required=True))
        refunds.append(
            {
                "id": key,
                "order_id": order_id,
                "refundId": f.text(refund, "refundId", where),
                "refundReferenceId": f.text(refund, "refundReferenceId", where),
                "refundDate": f.text(refund, "refundDate", where),
                "refundStatus": status,
                "amount": {"value": str(amount), "currency": currency},
                "lineItems": _refunded_lines(data, refund, money),
            }
        )
    return refunds


def _same_refund(line_refund, refund):
    """Whether a line's refund is part of the order's ``refund``: the same
    ``refundId``, else ``refundReferenceId``, else (eBay gives a line's refund of a
    Seller Hub refund neither) the same ``refundDate``."""
    for key in ("refundId", "refundReferenceId", "refundDate"):
        if line_refund.get(key) and refund.get(key):
            return line_refund[key] == refund[key]
    return False


def _refunded_lines(data, refund, money):
    lines = []
    for index, item in enumerate(f.array(data, "lineItems", "", required=True)):
        path = f"lineItems[{index}]"
        f.as_object(item, path)
        amount = ZERO
        for position, line_refund in enumerate(f.array(item, "refunds", path)):
            where = f"{path}.refunds[{position}]"
            f.as_object(line_refund, where)
            if _same_refund(line_refund, refund):
                amount += abs(money.value(line_refund, "amount", where, signed=True))
        if not amount:
            continue
        quantity = f.quantity(item, "quantity", path)
        delivery = f.obj(item, "deliveryCost", path, required=False) or {}
        where = f.join(path, "deliveryCost")
        goods = money.value(item, "total", path) - sum(
            (money.value(delivery, key, where) for key in DELIVERY_KEYS), ZERO
        )
        units = min(quantity, int(amount * quantity / goods)) if goods > 0 else 0
        lines.append(
            {
                "lineItemId": f.ident(item, "lineItemId", path),
                "quantity": units,
                "amount": {"value": str(amount), "currency": money.currency},
            }
        )
    return lines


DELIVERY_KEYS = ("shippingCost", "handlingCost", "importCharges")


def map_ebay_refund(payload):
    """The refund draft of an eBay refund payload (:func:`ebay_order_refunds`);
    MappingError for a refund not completed."""
    data = f.load_json(payload)
    status = f.text(data, "refundStatus", "", required=True)
    if status != "REFUNDED":
        raise MappingError(f"the refund is {status}, not REFUNDED: no money moved", "refundStatus")
    amount, currency = _money(data, "amount", "", required=True)
    if amount <= 0:
        raise MappingError("the refund gives nothing back", "amount")
    lines = []
    for index, item in enumerate(f.array(data, "lineItems", "")):
        where = f"lineItems[{index}]"
        f.as_object(item, where)
        quantity = item.get("quantity")
        if quantity == 0:
            continue  # less than a unit of the line: money only
        lines.append(
            RefundLine(
                line_id=f.ident(item, "lineItemId", where),
                quantity=f.quantity(item, "quantity", where),
                restock=False,  # eBay's refund says nothing of a return
                subtotal=_money(item, "amount", where, currency=currency, required=True)[0],
            )
        )
    reference = f.text(data, "refundReferenceId", "")
    return RefundDraft(
        channel_kind="ebay",
        external_id=f.ident(data, "id", ""),
        order_external_id=f.ident(data, "order_id", ""),
        created_at=f.timestamp(data, "refundDate", "", required=False),
        currency=currency,
        lines=tuple(lines),
        amount=amount,
        note=f"eBay refund reference {reference}" if reference else "",
    )
