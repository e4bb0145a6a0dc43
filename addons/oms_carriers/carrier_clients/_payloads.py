"""What the JSON carrier clients (UPS, FedEx) write and read alike: a parcel's
weight and sides in the unit the carrier wants, bodies without their empty
parts, lists answered as a bare object, error lists and the answer about a
parcel the carrier has not heard of yet."""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from .models import CM_TO_IN, KG_TO_LB, UNKNOWN, Tracking

IMPERIAL_COUNTRIES = frozenset({"US", "PR"})  # shippers whose carriers want LB/IN
SIDES = ("length", "width", "height")


def imperial(shipper):
    """Whether a shipper's parcels are weighed in pounds and measured in inches."""
    return shipper.country in IMPERIAL_COUNTRIES


def weight(parcel, imperial):
    """A parcel's weight in kilograms (or pounds), to a tenth, half up."""
    value = Decimal(parcel.weight_kg) * (KG_TO_LB if imperial else 1)
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


def sides(parcel, imperial):
    """A parcel's length, width and height in whole centimetres (or inches),
    rounded up, as ``(name, value)`` pairs; call only when it has dimensions."""
    factor = CM_TO_IN if imperial else 1
    return tuple(
        (name, (Decimal(getattr(parcel, f"{name}_cm")) * factor).to_integral_value(ROUND_CEILING))
        for name in SIDES
    )


def as_list(value):
    """A JSON value that may be a list, one bare object or missing, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parsed(parse, items):
    """What ``parse`` makes of each item, the items it refuses (None) left out."""
    found = (parse(item) for item in items)
    return tuple(value for value in found if value is not None)


def pruned(value, empty=("", {}, [])):
    """``value`` without its ``empty`` strings, objects and lists, at every depth."""
    if isinstance(value, dict):
        found = {key: pruned(item, empty) for key, item in value.items()}
        return {key: item for key, item in found.items() if item not in empty}
    if isinstance(value, list):
        return [item for item in (pruned(i, empty) for i in value) if item not in empty]
    return value


def read_errors(errors):
    """An error list ``[{"code", "message"}]`` as the core's (message, code,
    details); ``("", None, ())`` when there is none."""
    errors = [e for e in as_list(errors) if isinstance(e, dict)]
    if not errors:
        return "", None, ()
    details = tuple(f"{e.get('code')}: {e.get('message')}" for e in errors)
    return "; ".join(str(e.get("message")) for e in errors), errors[0].get("code"), details


def coded(notices):
    """Notices ``[{"code", "message"}]`` as texts ``code message``."""
    return [f"{n.get('code')} {n.get('message') or ''}".strip() for n in notices]


def not_found(tracking_number, carrier, public_url, notices):
    """The tracking of a parcel the carrier has not heard of (yet): no news,
    not an error; its notices kept as the carrier's status."""
    return Tracking(
        tracking_number=tracking_number,
        status=UNKNOWN,
        carrier_status=" ".join(coded(notices)),
        carrier=carrier,
        public_url=public_url,
        found=False,
    )
