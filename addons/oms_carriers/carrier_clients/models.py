"""The plain data the carrier clients take and return (frozen dataclasses).

Quantities are metric on the way in (kilograms, centimetres), as Odoo keeps them;
each client converts to what its carrier wants (EasyPost ounces and inches, UPS
KGS/CM or LBS/IN, Swiss Post grams). Money is :class:`~decimal.Decimal`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

# Normalised tracking statuses, the same for every carrier.
PRE_TRANSIT = "pre_transit"
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"
EXCEPTION = "exception"
RETURNED = "returned"
UNKNOWN = "unknown"
TRACKING_STATUSES = (
    PRE_TRANSIT,
    IN_TRANSIT,
    OUT_FOR_DELIVERY,
    DELIVERED,
    EXCEPTION,
    RETURNED,
    UNKNOWN,
)

KG_TO_OZ = Decimal("35.27396195")
KG_TO_LB = Decimal("2.20462262")
CM_TO_IN = Decimal("0.39370079")


@dataclass(frozen=True)
class Address:
    name: str
    street1: str
    city: str
    zip: str
    country: str  # ISO 3166-1 alpha-2
    street2: str = ""
    state: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""
    house_no: str = ""  # for carriers that want it apart (Swiss Post); else part of street1

    @property
    def street(self):
        """The first street line with the house number, for carriers that take it there."""
        return " ".join(part for part in (self.street1, self.house_no) if part)

    @property
    def street_lines(self):
        """:attr:`street`, then the second line; empty lines left out."""
        return tuple(line for line in (self.street, self.street2) if line)


@dataclass(frozen=True)
class Parcel:
    weight_kg: Decimal
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None

    @property
    def has_dimensions(self):
        return all(v is not None for v in (self.length_cm, self.width_cm, self.height_cm))


@dataclass(frozen=True)
class CustomsItem:
    description: str
    quantity: int
    value: Decimal  # total value of the line
    weight_kg: Decimal  # total weight of the line
    hs_tariff_number: str
    origin_country: str
    currency: str = "USD"
    code: str = ""  # SKU


@dataclass(frozen=True)
class CustomsInfo:
    items: tuple[CustomsItem, ...]
    contents_type: str = "merchandise"  # documents, gift, returned_goods, sample, other
    contents_explanation: str = ""
    signer: str = ""
    incoterm: str = ""
    eel_pfc: str = "NOEEI 30.37(a)"
    non_delivery_option: str = "return"  # or abandon
    restriction_type: str = "none"
    restriction_comments: str = ""


@dataclass(frozen=True)
class Rate:
    carrier: str
    service: str
    amount: Decimal
    currency: str
    delivery_days: int | None = None
    delivery_date: str | None = None  # ISO date when the carrier gives one
    id: str | None = None  # EasyPost rate id, needed to buy
    service_name: str = ""
    guaranteed: bool = False


@dataclass(frozen=True)
class CarrierMessage:
    carrier: str
    type: str
    message: str


@dataclass(frozen=True)
class Label:
    format: str  # PDF, ZPL, PNG, GIF
    content: bytes = b""
    url: str = ""


@dataclass(frozen=True)
class PackageLabel:
    tracking_number: str
    label: Label


@dataclass(frozen=True)
class Fee:
    """One of EasyPost's charges for a shipment (``PostageFee``, ``LabelFee``,
    ``InsuranceFee``, ``CarbonOffsetFee``...), in US dollars."""

    type: str
    amount: Decimal
    charged: bool = False
    refunded: bool = False


@dataclass(frozen=True)
class Shipment:
    """An EasyPost shipment: its quotes before buying, its label after."""

    id: str
    status: str
    rates: tuple[Rate, ...] = ()
    messages: tuple[CarrierMessage, ...] = ()
    tracking_code: str | None = None
    selected_rate: Rate | None = None
    label_urls: tuple[tuple[str, str], ...] = ()  # (format, url) pairs the carrier gave
    refund_status: str | None = None
    tracker_id: str | None = None
    fees: tuple[Fee, ...] = ()
    tracker_url: str = ""  # the tracker's public page, for the customer

    @property
    def is_purchased(self):
        return self.selected_rate is not None and bool(self.label_urls)

    def label_url(self, file_format):
        return dict(self.label_urls).get(file_format.upper())


@dataclass(frozen=True)
class Purchase:
    """What a label purchase gave: the shipment, its packages' tracking numbers and labels."""

    shipment_id: str
    tracking_number: str
    packages: tuple[PackageLabel, ...]
    amount: Decimal | None = None  # what the carrier bills for the label, fees included
    currency: str = ""
    carrier: str = ""
    service: str = ""
    fees: tuple[Fee, ...] = ()  # the parts of ``amount`` where the carrier itemises them
    tracking_url: str = ""  # the carrier's public tracking page of the parcel, when it gives one


@dataclass(frozen=True)
class TrackingEvent:
    status: str  # one of TRACKING_STATUSES
    carrier_status: str
    description: str
    # ISO 8601 in UTC (``+00:00``) whenever the carrier says which zone its time is
    # in; without a zone only when it does not (stored as if UTC, see ups.py)
    occurred_at: str
    city: str = ""
    country: str = ""


@dataclass(frozen=True)
class Tracking:
    tracking_number: str
    status: str  # one of TRACKING_STATUSES
    carrier_status: str
    events: tuple[TrackingEvent, ...] = ()
    estimated_delivery: str | None = None
    carrier: str = ""
    id: str | None = None  # EasyPost tracker id
    public_url: str = ""
    # False when the carrier does not know the parcel yet (UPS's TW0001 warning):
    # no news, which is no error while the label is young
    found: bool = True
    shipment_id: str | None = None  # EasyPost: the shipment the tracker is of


@dataclass(frozen=True)
class AddressCheck:
    deliverable: bool
    address: Address  # as the carrier corrected it (a suggestion)
    messages: tuple[str, ...] = ()
    id: str | None = None


@dataclass(frozen=True)
class ScanForm:
    id: str
    status: str
    tracking_codes: tuple[str, ...]
    form_url: str = ""
    batch_id: str | None = None
    message: str = ""


@dataclass(frozen=True)
class VoidResult:
    shipment_id: str
    status: str  # submitted, refunded, voided, rejected
    message: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    description: str  # tracker.updated, batch.created...
    result_type: str
    tracking: Tracking | None = None
    payload: dict = field(default_factory=dict, compare=False, hash=False)


def same_parcel(number, other):
    """Whether two tracking numbers name the same parcel (spaces and case aside)."""
    return "".join(str(number or "").split()).upper() == "".join(str(other or "").split()).upper()
