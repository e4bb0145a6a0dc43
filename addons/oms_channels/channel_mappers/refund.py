"""Channel refunds → refund drafts, in plain Python (no ``odoo`` import).

A refund draft says what a channel gave back on one of its orders: which lines
(by the channel's line id) and how many, whether they go back to stock, how much
shipping, any other difference, and the money returned to the customer. Like an
order draft, it is complete or it does not exist (:class:`MappingError`).

Shopify sends its Refund resource as the ``refunds/create`` webhook's body
(REST Admin API, Refund): ``refund_line_items[]`` (``line_item_id``,
``quantity``, ``restock_type``: ``return`` and the older ``legacy_restock`` put
the items back in stock, ``cancel`` refunds items never shipped, ``no_restock``
keeps them out; ``subtotal`` and ``total_tax``), ``order_adjustments[]``
(``kind`` ``shipping_refund``: shipping given back, its ``amount`` and
``tax_amount``, negative as Shopify records them; ``refund_discrepancy``: the
difference between what the items were worth and what was refunded, not read:
the money refunded says it) and ``transactions[]`` (the money: ``kind``
``refund`` with ``status`` ``success``).
WooCommerce's order lists only its refunds' ids and totals (``refunds[]``); each
refund is read from ``GET orders/<id>/refunds`` (the Order Refund resource:
``amount``, ``line_items[]`` with negative ``quantity`` and the order item in
the ``_refunded_item_id`` meta, ``shipping_lines[]`` where the store lists
them); the import adds the order's id as ``order_id``. WooCommerce's refund
says nothing of restocking (a request option only): no return receipt.
Amazon's Orders API v0 has no refunds (they are financial events of the Finances
API): no Amazon mapper.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from . import _fields as f
from .errors import MappingError

ZERO = Decimal("0")
# Shopify restock types that put the refunded items back in stock (a return).
RESTOCK_TYPES = {"return": True, "legacy_restock": True, "cancel": False, "no_restock": False}
REFUND_ADJUSTMENTS = ("shipping_refund", "refund_discrepancy")


@dataclass(frozen=True)
class RefundLine:
    line_id: str  # the channel's id of the order line
    quantity: int
    restock: bool  # the items come back to stock (a return receipt)
    subtotal: Decimal | None = None  # as the channel states them, for reference
    tax: Decimal | None = None


@dataclass(frozen=True)
class RefundDraft:
    channel_kind: str
    external_id: str  # the channel's id of the refund
    order_external_id: str  # the channel's id of the order refunded
    created_at: datetime | None
    currency: str
    lines: tuple[RefundLine, ...]
    shipping: Decimal = ZERO  # shipping given back, tax excluded (positive)
    shipping_tax: Decimal = ZERO
    amount: Decimal = ZERO  # the money returned to the customer (successful refunds)
    note: str = ""

    @property
    def restock_lines(self):
        return tuple(line for line in self.lines if line.restock)


def refund_ref(refund_id):
    """The key of a channel's refund: its inbox record's external id and the
    reference of the credit note, payment and return receipt it makes (kept apart
    from the ids of orders)."""
    return f"refund:{refund_id}"


def is_shopify_refund(payload):
    """A Shopify body that is a Refund (``refunds/create``), not an Order."""
    return (
        isinstance(payload, dict)
        and "order_id" in payload
        and "refund_line_items" in payload
        and "line_items" not in payload
    )


def map_shopify_refund(payload):
    """The refund draft of a Shopify Refund (the ``refunds/create`` body)."""
    data = f.load_json(payload)
    refund_id = f.ident(data, "id", "")
    order_id = f.ident(data, "order_id", "")
    lines = []
    for index, item in enumerate(f.array(data, "refund_line_items", "")):
        where = f"refund_line_items[{index}]"
        f.as_object(item, where)
        restock_type = item.get("restock_type")
        if restock_type is None:  # before restock_type, a refund-wide flag
            restock = f.flag(data, "restock", "")
        elif restock_type in RESTOCK_TYPES:
            restock = RESTOCK_TYPES[restock_type]
        else:
            raise MappingError(f"unknown restock type {restock_type!r}", f"{where}.restock_type")
        lines.append(
            RefundLine(
                line_id=f.ident(item, "line_item_id", where),
                quantity=f.quantity(item, "quantity", where),
                restock=restock,
                subtotal=f.money(item, "subtotal", where, required=False, default=None),
                tax=f.money(item, "total_tax", where, required=False, default=None),
            )
        )
    shipping = shipping_tax = ZERO
    for index, adjustment in enumerate(f.array(data, "order_adjustments", "")):
        where = f"order_adjustments[{index}]"
        f.as_object(adjustment, where)
        kind = adjustment.get("kind")
        if kind not in REFUND_ADJUSTMENTS:
            raise MappingError(f"unknown order adjustment {kind!r}", f"{where}.kind")
        amount = f.money(adjustment, "amount", where, allow_negative=True)
        tax = f.money(adjustment, "tax_amount", where, required=False, allow_negative=True)
        if kind == "shipping_refund":
            # Recorded against the order's balance: negative for shipping given back.
            shipping += -amount
            shipping_tax += -tax
    if shipping < 0 or shipping_tax < 0:
        raise MappingError("a shipping refund must give shipping back", "order_adjustments")
    amount, currencies = ZERO, set()
    for index, transaction in enumerate(f.array(data, "transactions", "")):
        where = f"transactions[{index}]"
        f.as_object(transaction, where)
        if transaction.get("kind") != "refund" or transaction.get("status") != "success":
            continue  # a failed or pending attempt moved no money
        amount += f.money(transaction, "amount", where)
        currencies.add(f.currency(transaction.get("currency"), f"{where}.currency"))
    if len(currencies) > 1:
        raise MappingError(
            "the refund's transactions are in several currencies "
            f"({', '.join(sorted(currencies))})",
            "transactions",
        )
    if not lines and not shipping and not amount:
        raise MappingError("the refund gives nothing back (no line, shipping or money)")
    currency = currencies.pop() if currencies else ""
    return RefundDraft(
        channel_kind="shopify",
        external_id=refund_id,
        order_external_id=order_id,
        created_at=f.timestamp(data, "created_at", "", required=False),
        currency=currency,
        lines=tuple(lines),
        shipping=shipping,
        shipping_tax=shipping_tax,
        amount=amount,
        note=f.text(data, "note", "", multiline=True) or "",
    )


def is_woocommerce_refund(payload):
    """A WooCommerce Order Refund (as the import stores it, with ``order_id``)."""
    return (
        isinstance(payload, dict)
        and "order_id" in payload
        and "refunded_payment" in payload
        and "status" not in payload
    )


def map_woocommerce_refund(payload):
    """The refund draft of a WooCommerce Order Refund (with its ``order_id``)."""
    data = f.load_json(payload)
    lines = []
    for index, item in enumerate(f.array(data, "line_items", "")):
        where = f"line_items[{index}]"
        f.as_object(item, where)
        refunded = next(
            (
                meta.get("value")
                for meta in f.array(item, "meta_data", where)
                if isinstance(meta, dict) and meta.get("key") == "_refunded_item_id"
            ),
            None,
        )
        if refunded in (None, ""):
            raise MappingError("names no order item (_refunded_item_id)", f"{where}.meta_data")
        quantity = item.get("quantity")
        if isinstance(quantity, int) and not isinstance(quantity, bool):
            quantity = abs(quantity)
        lines.append(
            RefundLine(
                line_id=str(refunded),
                quantity=f.to_quantity(quantity, f"{where}.quantity"),
                restock=False,
                subtotal=abs(f.money(item, "total", where, required=False, allow_negative=True)),
                tax=abs(f.money(item, "total_tax", where, required=False, allow_negative=True)),
            )
        )
    shipping = shipping_tax = ZERO
    for index, line in enumerate(f.array(data, "shipping_lines", "")):
        where = f"shipping_lines[{index}]"
        f.as_object(line, where)
        shipping += abs(f.money(line, "total", where, required=False, allow_negative=True))
        shipping_tax += abs(f.money(line, "total_tax", where, required=False, allow_negative=True))
    amount = f.money(data, "amount", "")
    if not amount:
        raise MappingError("the refund gives nothing back", "amount")
    return RefundDraft(
        channel_kind="woocommerce",
        external_id=f.ident(data, "id", ""),
        order_external_id=f.ident(data, "order_id", ""),
        created_at=f.timestamp(data, "date_created_gmt", "", required=False),
        currency="",
        lines=tuple(lines),
        shipping=shipping,
        shipping_tax=shipping_tax,
        amount=amount,
        note=f.text(data, "reason", "", multiline=True) or "",
    )
