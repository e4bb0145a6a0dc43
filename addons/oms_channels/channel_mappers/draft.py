"""The order draft: one channel-neutral description of an order.

Every mapper turns its channel's payload into an :class:`OrderDraft`. A draft is
complete or it does not exist: mappers raise :class:`MappingError` instead of
returning half an order. Money is :class:`~decimal.Decimal`, in the order's
currency, exactly as the channel states it (no rounding of our own).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class Address:
    name: str = ""
    company: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    zip: str = ""
    state_code: str = ""
    country_code: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Discount:
    """An amount taken off a line or a shipping line (positive)."""

    amount: Decimal
    code: str = ""  # coupon / promotion code, or the discount's title


@dataclass(frozen=True)
class TaxLine:
    amount: Decimal
    rate: Decimal | None = None  # a fraction: 0.2 for 20 %; None when the channel omits it
    title: str = ""
    # The channel's code of the rate (WooCommerce rate_code), if any; matched by the
    # channel's tax mapping, not compared.
    code: str = field(default="", compare=False)


class _Charged:
    """What a line with ``discounts`` and ``taxes`` (goods, shipping, fee) totals."""

    @property
    def discount_total(self):
        return sum((d.amount for d in self.discounts), ZERO)

    @property
    def tax_total(self):
        return sum((t.amount for t in self.taxes), ZERO)


@dataclass(frozen=True)
class Gift:
    """The buyer sends the item as a gift (Amazon ``IsGift``, ``BuyerInfo``): what
    the delivery's packer must know. Its wrapping price is a fee line, not here."""

    message: str = ""
    wrap_level: str = ""  # the channel's name of the wrapping ("Classic")


@dataclass(frozen=True)
class OrderLine(_Charged):
    sku: str
    name: str
    quantity: int
    unit_price: Decimal  # before discounts; tax included when the draft says so
    external_id: str = ""
    discounts: tuple[Discount, ...] = ()
    taxes: tuple[TaxLine, ...] = ()
    gift: Gift | None = None  # None: not a gift
    # The channel's own ids of what was sold (Shopify product_id / variant_id,
    # WooCommerce product_id / variation_id, Amazon ASIN): matched through the
    # channel's listings before the SKU. "" when the channel gives none (a custom
    # line, a deleted product, a simple WooCommerce product has no variation).
    product_external_id: str = ""
    variant_external_id: str = ""
    # Units the channel says it shipped already (a Shopify line fulfilled or partly
    # fulfilled in Shopify, an Amazon item's QuantityShipped): Odoo ships the rest.
    shipped_quantity: int = 0

    def __post_init__(self):
        if not 0 <= self.shipped_quantity <= self.quantity:
            raise ValueError(f"shipped quantity {self.shipped_quantity} outside 0..{self.quantity}")

    @property
    def subtotal(self):
        """Price of the line after its discounts (tax as the draft states prices)."""
        return self.unit_price * self.quantity - self.discount_total


@dataclass(frozen=True)
class ShippingLine(_Charged):
    method: str  # the channel's code of the method
    title: str
    price: Decimal  # before discounts
    discounts: tuple[Discount, ...] = ()
    taxes: tuple[TaxLine, ...] = ()

    @property
    def subtotal(self):
        return self.price - self.discount_total


# What a fee is for: each kind becomes the channel's own service product in Odoo
# ("" a fee of no particular kind: the generic channel charge).
FEE_KINDS = ("", "gift_wrap", "cod_fee")


@dataclass(frozen=True)
class FeeLine(_Charged):
    """A surcharge that is neither goods nor shipping: WooCommerce fee lines,
    Amazon's gift wrapping (``gift_wrap``) and cash-on-delivery fee (``cod_fee``)."""

    name: str
    amount: Decimal  # before discounts; tax included when the draft says so
    taxes: tuple[TaxLine, ...] = ()
    kind: str = ""  # one of FEE_KINDS
    discounts: tuple[Discount, ...] = ()  # Amazon's CODFeeDiscount

    def __post_init__(self):
        if self.kind not in FEE_KINDS:
            raise ValueError(f"unknown fee kind {self.kind!r}")

    @property
    def subtotal(self):
        return self.amount - self.discount_total


@dataclass(frozen=True)
class Totals:
    """The figures as the channel states them, to compare with what Odoo computes."""

    total: Decimal
    tax: Decimal | None = None
    shipping: Decimal | None = None
    discount: Decimal | None = None


@dataclass(frozen=True)
class FraudHint:
    source: str  # who says it: "shopify", "woocommerce", ...
    level: str  # "low", "medium", "high"
    message: str = ""


# Payment status, the same words for every channel.
PAYMENT_STATUSES = (
    "pending",
    "authorized",
    "paid",
    "partially_paid",
    "partially_refunded",
    "refunded",
    "voided",
    "unpaid",
)


@dataclass(frozen=True)
class OrderDraft:
    channel_kind: str  # "shopify", "woocommerce", "amazon", "csv"
    external_id: str  # the channel's id of the order, unique per channel
    name: str  # the reference the customer sees (#1001, 112-...)
    version: str  # the channel's updated-at (ISO 8601, UTC) or a content hash
    updated_at: datetime | None  # aware, UTC; None only when the channel gives none
    currency: str  # ISO 4217
    taxes_included: bool
    lines: tuple[OrderLine, ...]
    totals: Totals
    payment_status: str
    created_at: datetime | None = None
    channel_status: str = ""  # the channel's own word for the order's state
    shipping_lines: tuple[ShippingLine, ...] = ()
    fees: tuple[FeeLine, ...] = ()
    order_discounts: tuple[Discount, ...] = ()  # discounts not spread over lines
    billing_address: Address | None = None
    shipping_address: Address | None = None
    email: str = ""
    phone: str = ""
    customer_name: str = ""
    fraud_hints: tuple[FraudHint, ...] = ()
    # The channel assessed the order's fraud risk (Shopify's order risks). False:
    # the channel gave no assessment at all, which is not a low risk.
    fraud_assessed: bool = False
    note: str = ""
    cancelled: bool = False  # cancelled (or refunded / failed) in the channel
    cancel_reason: str = ""
    # The channel has shipped it already (fulfilled outside Odoo) or ships it itself
    # (Amazon FBA): Odoo records the delivery, never ships it again.
    fulfilled_by_channel: bool = False
    # The buyer asked the channel to cancel (Amazon BuyerRequestedCancel): the
    # order waits for a person, who cancels it or ships it.
    cancel_requested: bool = False
    cancel_request_reason: str = ""
    # Loyalty points the channel grants the buyer (Amazon Points): the channel's
    # money, not the order's; recorded, never added to the total.
    points_granted: int = 0
    points_value: Decimal = ZERO
    # Tax the marketplace collects and remits itself (Amazon's marketplace
    # facilitator tax): part of the total the buyer paid, never paid out to the
    # seller, nor owed by them.
    withheld_tax: Decimal = ZERO
    extra: tuple[tuple[str, str], ...] = field(default=())  # channel facts worth keeping
    # What the customer paid for, beside the shipping lines' method codes: the
    # marketplace's Prime flag and its dates (aware, UTC): ship by, and the
    # delivery window promised to the buyer (Amazon LatestShipDate,
    # EarliestDeliveryDate, LatestDeliveryDate).
    is_prime: bool = False
    latest_ship_date: datetime | None = None
    earliest_delivery_date: datetime | None = None
    latest_delivery_date: datetime | None = None

    @property
    def shipping_methods(self):
        """The channel's codes of the shipping methods the customer chose, in order."""
        return tuple(dict.fromkeys(s.method for s in self.shipping_lines if s.method))

    @property
    def tax_total(self):
        return (
            sum((line.tax_total for line in self.lines), ZERO)
            + sum((s.tax_total for s in self.shipping_lines), ZERO)
            + sum((f.tax_total for f in self.fees), ZERO)
        )

    def computed_total(self):
        """The total the lines add up to, to compare with ``totals.total``."""
        total = (
            sum((line.subtotal for line in self.lines), ZERO)
            + sum((s.subtotal for s in self.shipping_lines), ZERO)
            + sum((f.subtotal for f in self.fees), ZERO)
            - sum((d.amount for d in self.order_discounts), ZERO)
        )
        if not self.taxes_included:
            total += self.tax_total
        return total

    @property
    def gifts(self):
        """The lines sent as gifts, with their gift: ``((line, gift), ...)``."""
        return tuple((line, line.gift) for line in self.lines if line.gift is not None)

    @property
    def skus(self):
        return tuple(line.sku for line in self.lines)
