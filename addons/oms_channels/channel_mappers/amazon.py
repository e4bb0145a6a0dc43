"""Amazon SP-API Orders v0 order and order items → :class:`OrderDraft`.

The payload is ``{"Order": <getOrders Order>, "OrderItems": [<getOrderItems
OrderItem>...]}`` (what :class:`AmazonSpClient` stores in the inbox). Amounts are
``{"CurrencyCode", "Amount"}`` and must all be in the order's currency. Orders v0
gives no fraud data (Amazon screens its buyers): every draft has no assessment.

- ``ItemPrice`` is the price of the whole quantity; the unit price is
  ``ItemPrice / QuantityOrdered``. ``PromotionDiscount`` is the line's discount;
  ``ItemTax - PromotionDiscountTax`` its tax (rate derived from the amounts).
- The items' ``ShippingPrice`` / ``ShippingDiscount`` / ``ShippingTax`` make one
  shipping line named after ``ShipServiceLevel``.
- Prices include tax in every marketplace but the Americas (US, CA, MX, BR),
  where tax is added; ``taxes_included`` overrides that.
- An item's gift wrapping (``BuyerInfo.GiftWrapPrice`` / ``GiftWrapTax``) is a
  ``gift_wrap`` fee line of its own, named after ``GiftWrapLevel`` and the item;
  the items' ``CODFee`` make one ``cod_fee`` fee line, their ``CODFeeDiscount``
  its discount (Amazon gives no tax on it). ``OrderTotal`` counts both.
- ``IsGift`` (the text ``"true"`` / ``"false"``), ``GiftMessageText`` and
  ``GiftWrapLevel`` make the line's :class:`Gift`, for the delivery's note.
- ``BuyerRequestedCancel.IsBuyerRequestedCancel`` (text as well) on any item:
  the buyer asked to cancel, for the reasons of ``BuyerCancelReason``.
- ``PointsGranted`` (Amazon Points, Japan) is Amazon's money: counted
  (``points_granted``, ``points_value``), never in the total.
- ``Pending`` orders carry no prices yet: :class:`OrderPending` says so; they are
  read again once Amazon lists them ``Unshipped``.
- ``Shipped`` orders, and every order Amazon fulfils (``FulfillmentChannel``
  ``AFN``, FBA), are ``fulfilled_by_channel``: Odoo never ships them. A ``Canceled`` order may
  have no prices and items with quantity 0: those items are left out and the
  draft, flagged cancelled, only serves to cancel the order.
"""

from decimal import Decimal

from . import _fields as f
from .draft import (
    Address,
    Discount,
    FeeLine,
    Gift,
    OrderDraft,
    OrderLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from .errors import MappingError, OrderPending

TAX_EXCLUSIVE_MARKETPLACES = frozenset(
    {
        "ATVPDKIKX0DER",  # United States
        "A2EUQ1WTGCTBG2",  # Canada
        "A1AM78C64UM0Y8",  # Mexico
        "A2Q3Y263D00KWC",  # Brazil
    }
)
_PAYMENT_STATUS = {
    "Pending": "pending",
    "PendingAvailability": "pending",
    "Unshipped": "paid",
    "PartiallyShipped": "paid",
    "Shipped": "paid",
    "InvoiceUnconfirmed": "paid",
    "Unfulfillable": "paid",
    "Canceled": "voided",
}
ZERO = Decimal("0")
_RATE = Decimal("0.0001")


def map_amazon_order(payload, taxes_included=None):
    data = f.load_json(payload)
    order = f.obj(data, "Order", "")
    status = f.text(order, "OrderStatus", "Order", required=True)
    if status not in _PAYMENT_STATUS:
        raise MappingError(f"unknown order status {status!r}", "Order.OrderStatus")
    if status in ("Pending", "PendingAvailability"):
        raise OrderPending(
            "Amazon gives no prices for a pending order yet; it is read again once Unshipped",
            "Order.OrderStatus",
        )
    cancelled = status == "Canceled"
    total = _amount(order, "OrderTotal", "Order", required=not cancelled)
    currency = total[1] if total else None
    items = f.array(data, "OrderItems", "", required=True, max_items=f.MAX_LINES)
    if currency is None:  # a cancelled order without a total: take the items' currency
        currency = next(
            (
                f.currency(item["ItemPrice"].get("CurrencyCode"), f"OrderItems[{i}].ItemPrice")
                for i, item in enumerate(items)
                if isinstance(item, dict) and isinstance(item.get("ItemPrice"), dict)
            ),
            None,
        )
    marketplace = f.text(order, "MarketplaceId", "Order")
    if taxes_included is None:
        taxes_included = marketplace not in TAX_EXCLUSIVE_MARKETPLACES
    lines, shipping = [], {"price": ZERO, "discount": ZERO, "tax": ZERO}
    extras = _Extras()
    withheld = ZERO
    for index, item in enumerate(items):
        path = f"OrderItems[{index}]"
        f.as_object(item, path)
        if cancelled and item.get("QuantityOrdered") == 0:
            continue
        line, ship = _line(item, path, currency, taxes_included)
        lines.append(line)
        for key, amount in ship.items():
            shipping[key] += amount
        extras.add(item, path, currency, taxes_included, line)
        withheld += _withheld_tax(item, path, currency, line, ship)
    if not lines and not cancelled:
        raise MappingError("the order has no lines", "OrderItems")
    updated_at = f.timestamp(order, "LastUpdateDate", "Order")
    buyer = f.obj(order, "BuyerInfo", "Order", required=False) or {}
    address = _address(order)
    service = f.text(order, "ShipServiceLevel", "Order") or f.text(
        order, "ShipmentServiceLevelCategory", "Order"
    )
    shipping_lines = ()
    if shipping["price"] or lines:
        shipping_lines = (
            ShippingLine(
                method=service,
                title=service,
                price=shipping["price"],
                discounts=(Discount(amount=shipping["discount"]),) if shipping["discount"] else (),
                taxes=(
                    _tax(shipping["tax"], shipping["price"] - shipping["discount"], taxes_included),
                )
                if shipping["tax"]
                else (),
            ),
        )
    return OrderDraft(
        channel_kind="amazon",
        external_id=f.ident(order, "AmazonOrderId", "Order"),
        name=f.ident(order, "AmazonOrderId", "Order"),
        version=f.iso(updated_at),
        updated_at=updated_at,
        created_at=f.timestamp(order, "PurchaseDate", "Order", required=False),
        is_prime=order.get("IsPrime") is True,
        latest_ship_date=f.timestamp(order, "LatestShipDate", "Order", required=False),
        earliest_delivery_date=f.timestamp(order, "EarliestDeliveryDate", "Order", required=False),
        latest_delivery_date=f.timestamp(order, "LatestDeliveryDate", "Order", required=False),
        currency=currency or "",
        taxes_included=taxes_included,
        lines=tuple(lines),
        shipping_lines=shipping_lines,
        fees=extras.fees(),
        totals=Totals(total=total[0] if total else ZERO),
        withheld_tax=withheld,
        payment_status=_PAYMENT_STATUS[status],
        channel_status=status,
        billing_address=None,
        shipping_address=address,
        email=f.text(buyer, "BuyerEmail", "Order.BuyerInfo"),
        phone=address.phone if address else "",
        customer_name=f.text(buyer, "BuyerName", "Order.BuyerInfo")
        or (address.name if address else ""),
        cancelled=cancelled,
        cancel_requested=extras.cancel_requested,
        cancel_request_reason="; ".join(extras.cancel_reasons),
        points_granted=extras.points,
        points_value=extras.points_value,
        fulfilled_by_channel=status == "Shipped"
        or f.text(order, "FulfillmentChannel", "Order") == "AFN",
        extra=tuple(
            (key, value)
            for key, value in (
                ("marketplace_id", marketplace),
                ("fulfillment_channel", f.text(order, "FulfillmentChannel", "Order")),
                ("is_prime", "true" if order.get("IsPrime") is True else ""),
                ("is_business_order", "true" if order.get("IsBusinessOrder") is True else ""),
                ("latest_ship_date", f.text(order, "LatestShipDate", "Order")),
            )
            if value
        ),
    )


def _amount(data, key, path, required=False, currency=None):
    """``(Decimal, currency)`` of a Money object, checked against ``currency``."""
    return f.money_object(data, key, path, "Amount", "CurrencyCode", required, currency)


def _value(data, key, path, currency):
    result = _amount(data, key, path, currency=currency)
    return result[0] if result else ZERO


def _tax(amount, base, included):
    if not amount:
        return TaxLine(amount=amount)
    net = base - amount if included else base
    rate = (amount / net).quantize(_RATE) if net > 0 else None
    return TaxLine(amount=amount, rate=rate, title="Amazon tax")


def _withheld_tax(item, path, currency, line, shipping):
    """The tax of an item Amazon collects and remits itself (``TaxCollection.Model``
    ``MarketplaceFacilitator``): the item's, its shipping's and its gift wrap's,
    net of their promotions' tax. Charged to the buyer all the same (in the
    order's total), never paid out to the seller."""
    collection = f.obj(item, "TaxCollection", path, required=False) or {}
    model = f.text(collection, "Model", f.join(path, "TaxCollection"))
    if model != "MarketplaceFacilitator":
        return ZERO
    buyer = f.obj(item, "BuyerInfo", path, required=False) or {}
    wrap = _value(buyer, "GiftWrapTax", f.join(path, "BuyerInfo"), currency)
    return line.tax_total + shipping["tax"] + wrap


def _line(item, path, currency, included):
    quantity = f.quantity(item, "QuantityOrdered", path)
    price = _amount(item, "ItemPrice", path, required=True, currency=currency)[0]
    discount = _value(item, "PromotionDiscount", path, currency)
    if discount > price:
        raise MappingError("the promotion discount exceeds the item price", path)
    tax = _value(item, "ItemTax", path, currency) - _value(
        item, "PromotionDiscountTax", path, currency
    )
    if tax < 0:
        raise MappingError("the promotion's tax exceeds the item tax", path)
    unit = price / quantity
    if unit * quantity != price:
        unit = unit.quantize(Decimal("0.000001"))
        discount += unit * quantity - price  # keep the line's total exact
    codes = ", ".join(
        f.clean_text(code) for code in f.array(item, "PromotionIds", path) if isinstance(code, str)
    )
    buyer = f.obj(item, "BuyerInfo", path, required=False) or {}
    where = f.join(path, "BuyerInfo")
    message = f.text(buyer, "GiftMessageText", where, max_len=f.MAX_NOTE, multiline=True)
    level = f.text(buyer, "GiftWrapLevel", where)
    gift = None
    if _text_flag(item, "IsGift", path) or message:
        gift = Gift(message=message, wrap_level=level)
    line = OrderLine(
        gift=gift,
        external_id=f.ident(item, "OrderItemId", path),
        sku=f.text(item, "SellerSKU", path, max_len=255),
        product_external_id=f.text(item, "ASIN", path, max_len=255),
        name=f.text(item, "Title", path) or f.text(item, "ASIN", path, required=True),
        quantity=quantity,
        unit_price=unit,
        discounts=(Discount(amount=discount, code=codes),) if discount else (),
        taxes=(_tax(tax, price - discount, included),) if tax else (),
        shipped_quantity=_shipped(item, path, quantity),
    )
    shipping = {
        "price": _value(item, "ShippingPrice", path, currency),
        "discount": _value(item, "ShippingDiscount", path, currency),
        "tax": _value(item, "ShippingTax", path, currency)
        - _value(item, "ShippingDiscountTax", path, currency),
    }
    return line, shipping


def _shipped(item, path, quantity):
    """The item's ``QuantityShipped`` (units Amazon says were shipped: an order
    ``PartiallyShipped``), at most what was ordered; 0 when it is not given."""
    value = item.get("QuantityShipped")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MappingError(
            f"must be a whole number of 0 or more, got {value!r}",
            f.join(path, "QuantityShipped"),
        )
    return min(value, quantity)


class _Extras:
    """What the items bring besides goods and shipping: gift wrapping, the COD
    fee and its discount, the buyer's cancel request, Amazon Points."""

    def __init__(self):
        self.gift_wraps, self.cod_fee, self.cod_discount = [], ZERO, ZERO
        self.cancel_requested, self.cancel_reasons = False, []
        self.points, self.points_value = 0, ZERO

    def add(self, item, path, currency, included, line):
        wrap = _gift_wrap(item, path, currency, included, line)
        if wrap:
            self.gift_wraps.append(wrap)
        self.cod_fee += _value(item, "CODFee", path, currency)
        self.cod_discount += _value(item, "CODFeeDiscount", path, currency)
        request = f.obj(item, "BuyerRequestedCancel", path, required=False) or {}
        where = f.join(path, "BuyerRequestedCancel")
        if _text_flag(request, "IsBuyerRequestedCancel", where):
            self.cancel_requested = True
            reason = f.text(request, "BuyerCancelReason", where)
            if reason and reason not in self.cancel_reasons:
                self.cancel_reasons.append(reason)
        granted = f.obj(item, "PointsGranted", path, required=False)
        if granted:
            where = f.join(path, "PointsGranted")
            number = granted.get("PointsNumber")
            if number is not None:
                if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                    raise MappingError(
                        "expected a whole number of points", f.join(where, "PointsNumber")
                    )
                self.points += number
            self.points_value += _value(granted, "PointsMonetaryValue", where, currency)

    def fees(self):
        if self.cod_discount > self.cod_fee:
            raise MappingError("the COD fee discount exceeds the COD fee", "OrderItems")
        fees = tuple(self.gift_wraps)
        if self.cod_fee:
            fees += (
                FeeLine(
                    kind="cod_fee",
                    name="Cash on delivery fee",
                    amount=self.cod_fee,
                    discounts=(Discount(amount=self.cod_discount, code="COD fee discount"),)
                    if self.cod_discount
                    else (),
                ),
            )
        return fees


def _gift_wrap(item, path, currency, included, line):
    """The item's gift wrapping as a fee line (None without a price or tax)."""
    buyer = f.obj(item, "BuyerInfo", path, required=False) or {}
    where = f.join(path, "BuyerInfo")
    price = _value(buyer, "GiftWrapPrice", where, currency)
    tax = _value(buyer, "GiftWrapTax", where, currency)
    if not price and not tax:
        return None
    if included and tax > price:
        raise MappingError("the gift wrap tax exceeds its price", f.join(where, "GiftWrapTax"))
    level = f.text(buyer, "GiftWrapLevel", where)
    return FeeLine(
        kind="gift_wrap",
        name=f"Gift wrap{f' ({level})' if level else ''}: {line.name}",
        amount=price,
        taxes=(_tax(tax, price, included),) if tax else (),
    )


def _text_flag(data, key, path):
    """Amazon's flags given as text (``"true"`` / ``"false"``); a JSON boolean is
    taken as well. Absent or empty: false."""
    value = data.get(key)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise MappingError(f'expected "true" or "false", got {value!r}', f.join(path, key))


def _address(order):
    address = f.obj(order, "ShippingAddress", "Order", required=False)
    if not address:
        return None
    path = "Order.ShippingAddress"
    return Address(
        name=f.text(address, "Name", path),
        company=f.text(address, "CompanyName", path),
        street=f.text(address, "AddressLine1", path),
        street2=" ".join(
            filter(
                None, (f.text(address, "AddressLine2", path), f.text(address, "AddressLine3", path))
            )
        ),
        city=f.text(address, "City", path),
        zip=f.text(address, "PostalCode", path),
        state_code=f.text(address, "StateOrRegion", path),
        country_code=f.text(address, "CountryCode", path).upper(),
        phone=f.text(address, "Phone", path),
    )
