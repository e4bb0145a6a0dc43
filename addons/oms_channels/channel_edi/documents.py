"""Purchase orders read from either standard, in one shape, and their drafts.

X12 850 and EDIFACT ORDERS are read into the same :class:`PurchaseOrder`; the
inbox keeps it as JSON (``as_payload``) and the import maps it to the suite's
:class:`~..channel_mappers.draft.OrderDraft` (``map_purchase_order``).
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from ..channel_mappers.draft import Address, OrderDraft, OrderLine, Totals
from ..channel_mappers.errors import MappingError

# The product id qualifiers a line may carry, matched to Odoo's products:
# the vendor's (seller's) article number → internal reference; the item codes → barcode.
VENDOR_QUALIFIERS = ("VN", "SA", "VP")
BARCODE_QUALIFIERS = ("UP", "UK", "EN", "UA", "SRV")
BUYER_QUALIFIERS = ("BP", "IN")
# The purposes by which the partner calls the purchase order off: X12 BEG01
# "01" (cancellation); EDIFACT BGM 1225 message function "1" (cancellation) and
# "3" (deletion). Such an order is never work to do: a new one is recorded as
# cancelled, a known one is cancelled (if it has not shipped).
CANCELLING_PURPOSES = {"x12": ("01",), "edifact": ("1", "3")}


@dataclass(frozen=True)
class Party:
    """A party of the order (N1 / NAD): its role (ST ship-to, BT/IV bill-to, BY
    buyer, DP delivery party), the id the partner gives it and its address."""

    role: str
    name: str = ""
    id_qualifier: str = ""
    id_code: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""


@dataclass(frozen=True)
class PoLine:
    """A line: ``ids`` ``{qualifier: value}`` as the partner sent them, and the
    segment that brought it (for errors)."""

    line_no: str
    quantity: str
    unit: str
    unit_price: str
    ids: dict
    description: str = ""
    tag: str = ""
    position: int = 0
    set_position: int = 0


@dataclass(frozen=True)
class PurchaseOrder:
    """One purchase order (a transaction set / message) and its envelope."""

    standard: str  # "x12" or "edifact"
    number: str
    purpose: str
    date: str  # YYYYMMDD
    currency: str
    lines: tuple
    parties: tuple = ()
    control: str = ""  # ST02 / UNH01
    interchange_control: str = ""  # ISA13 / UNB05
    group_control: str = ""
    sender_id: str = ""
    receiver_id: str = ""
    prepared_at: str = ""  # the interchange's date and time, ISO 8601 UTC
    notes: tuple = ()
    position: int = 0  # the ST / UNH segment's index in the interchange
    raw: str = ""  # the message's segments as received

    def party(self, *roles):
        for role in roles:
            for party in self.parties:
                if party.role == role:
                    return party
        return None

    def as_payload(self):
        """The JSON text the inbox keeps."""
        return json.dumps(asdict(self), sort_keys=True)


def from_payload(payload):
    """The :class:`PurchaseOrder` of an inbox payload (a dict)."""
    known = PurchaseOrder.__dataclass_fields__
    values = {key: value for key, value in payload.items() if key in known}
    values["lines"] = tuple(PoLine(**line) for line in values.get("lines", ()))
    values["parties"] = tuple(Party(**party) for party in values.get("parties", ()))
    values["notes"] = tuple(values.get("notes", ()))
    return PurchaseOrder(**values)


def content_version(payload):
    """A version that is the order's content, not its envelope: the same order
    sent again in another interchange is the same version."""
    kept = {
        key: value
        for key, value in payload.items()
        if key
        not in (
            "control",
            "interchange_control",
            "group_control",
            "raw",
            "position",
            "prepared_at",
            "version",
        )
    }
    kept["lines"] = [
        {k: v for k, v in line.items() if k not in ("position", "set_position")}
        for line in payload.get("lines", ())
    ]
    text = json.dumps(kept, sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def line_sku(line):
    """The id a line is matched to a product by: the vendor's article number,
    else its barcode (UPC/GTIN/EAN), else the buyer's part number."""
    for qualifiers in (VENDOR_QUALIFIERS, BARCODE_QUALIFIERS, BUYER_QUALIFIERS):
        for qualifier in qualifiers:
            if line.ids.get(qualifier):
                return line.ids[qualifier]
    return ""


def _decimal(text, what):
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        raise MappingError(f"{what} is not a number: {text!r}") from None


def _address(party):
    if party is None:
        return None
    return Address(
        name=party.name,
        company=party.name,
        street=party.street,
        street2=party.street2,
        city=party.city,
        zip=party.zip,
        state_code=party.state,
        country_code=party.country,
    )


def _parse_moment(text):
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def map_purchase_order(payload, skus=None):
    """The :class:`OrderDraft` of a purchase order payload (a dict). ``skus``
    ``{line_no: id}`` says which of a line's ids matched a product (the Odoo
    side decides it at pick-up); else the vendor's number, barcode, buyer's."""
    if isinstance(payload, (str, bytes)):
        try:
            payload = json.loads(payload)
        except ValueError:
            raise MappingError("the purchase order is not JSON") from None
    order = from_payload(payload)
    if not order.number:
        raise MappingError("the purchase order has no number")
    if not order.lines:
        raise MappingError(f"purchase order {order.number} has no lines")
    chosen = skus or payload.get("skus") or {}
    lines = []
    for line in order.lines:
        quantity = _decimal(line.quantity, f"line {line.line_no} quantity")
        if quantity != quantity.to_integral_value() or quantity <= 0:
            raise MappingError(f"line {line.line_no}: quantity {line.quantity} is not whole")
        sku = chosen.get(line.line_no) or line_sku(line)
        lines.append(
            OrderLine(
                sku=sku,
                name=line.description or sku,
                quantity=int(quantity),
                unit_price=_decimal(line.unit_price, f"line {line.line_no} price"),
                external_id=line.line_no,
                product_external_id=next(
                    (line.ids[q] for q in BUYER_QUALIFIERS if line.ids.get(q)), ""
                ),
            )
        )
    total = sum((line.subtotal for line in lines), Decimal(0))
    ship_to = order.party("ST", "DP")
    bill_to = order.party("BT", "IV", "BY") or ship_to
    moment = _parse_moment(order.prepared_at)
    created = (
        datetime.strptime(order.date, "%Y%m%d").replace(tzinfo=timezone.utc)
        if len(order.date) == 8 and order.date.isdigit()
        else moment
    )
    extra = [("edi_standard", order.standard), ("edi_interchange", order.interchange_control)]
    if ship_to and ship_to.id_code:
        extra.append(("edi_ship_to", f"{ship_to.id_qualifier}:{ship_to.id_code}"))
    if bill_to and bill_to.id_code:
        extra.append(("edi_bill_to", f"{bill_to.id_qualifier}:{bill_to.id_code}"))
    cancelled = order.purpose in CANCELLING_PURPOSES.get(order.standard, ())
    return OrderDraft(
        channel_kind="edi",
        external_id=order.number,
        name=order.number,
        version=payload.get("version") or content_version(payload),
        updated_at=moment,
        created_at=created,
        currency=order.currency,
        taxes_included=False,
        lines=tuple(lines),
        totals=Totals(total=total),
        payment_status="on_terms",
        channel_status=order.purpose,
        cancelled=cancelled,
        cancel_reason="the partner cancelled the purchase order" if cancelled else "",
        billing_address=_address(bill_to),
        shipping_address=_address(ship_to),
        customer_name=bill_to.name if bill_to else "",
        note="\n".join(order.notes),
        extra=tuple(extra),
    )
