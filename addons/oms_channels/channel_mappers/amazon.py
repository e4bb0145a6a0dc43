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
- ``Pending`` orders carry no prices yet: :class:`OrderPending` says so; they are
  read again once Amazon lists them ``Unshipped``.
- ``Shipped`` orders, and every order Amazon fulfils (``FulfillmentChannel``
  ``AFN``, FBA), are ``fulfilled_by_channel``: Odoo never ships them. A ``Canceled`` order may
  have no prices and items with quantity 0: those items are left out and the
  draft, flagged cancelled, only serves to cancel the order.
"""

from decimal import Decimal

from . import _fields as f
from .draft import Address, Discount, OrderDraft, OrderLine, ShippingLine, TaxLine, Totals
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
    for index, item in enumerate(items):
        path = f"OrderItems[{index}]"
        f.as_object(item, path)
        if cancelled and item.get("QuantityOrdered") == 0:
            continue
        line, ship = _line(item, path, currency, taxes_included)
        lines.append(line)
        for key, amount in ship.items():
            shipping[key] += amount
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
        currency=currency or "",
        taxes_included=taxes_included,
        lines=tuple(lines),
        shipping_lines=shipping_lines,
        totals=Totals(total=total[0] if total else ZERO),
        payment_status=_PAYMENT_STATUS[status],
        channel_status=status,
        billing_address=None,
        shipping_address=address,
        email=f.text(buyer, "BuyerEmail", "Order.BuyerInfo"),
        phone=address.phone if address else "",
        customer_name=f.text(buyer, "BuyerName", "Order.BuyerInfo")
        or (address.name if address else ""),
        cancelled=cancelled,
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
    money = f.obj(data, key, path, required=required)
    if money is None:
        return None
    where = f.join(path, key)
    code = f.currency(money.get("CurrencyCode"), f.join(where, "CurrencyCode"))
    if currency and code != currency:
        raise MappingError(
            f"is in {code}, the order is in {currency}", f.join(where, "CurrencyCode")
        )
    return f.money(money, "Amount", where), code


def _value(data, key, path, currency):
    result = _amount(data, key, path, currency=currency)
    return result[0] if result else ZERO


def _tax(amount, base, included):
    if not amount:
        return TaxLine(amount=amount)
    net = base - amount if included else base
    rate = (amount / net).quantize(_RATE) if net > 0 else None
    return TaxLine(amount=amount, rate=rate, title="Amazon tax")


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
    line = OrderLine(
        external_id=f.ident(item, "OrderItemId", path),
        sku=f.text(item, "SellerSKU", path, max_len=255),
        name=f.text(item, "Title", path) or f.text(item, "ASIN", path, required=True),
        quantity=quantity,
        unit_price=unit,
        discounts=(Discount(amount=discount, code=codes),) if discount else (),
        taxes=(_tax(tax, price - discount, included),) if tax else (),
    )
    shipping = {
        "price": _value(item, "ShippingPrice", path, currency),
        "discount": _value(item, "ShippingDiscount", path, currency),
        "tax": _value(item, "ShippingTax", path, currency)
        - _value(item, "ShippingDiscountTax", path, currency),
    }
    return line, shipping


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
