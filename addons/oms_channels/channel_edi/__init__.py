"""EDI interchanges in plain Python (no ``odoo`` import): ANSI X12 and
UN/EDIFACT read into purchase orders, acknowledgements and notices written.

``read_orders(standard, text)`` is the one entry point of the inbound side;
each standard's module writes its own outbound documents.
"""

from collections.abc import Callable
from typing import NamedTuple

from .documents import Party, PoLine, PurchaseOrder, content_version, map_purchase_order
from .errors import EdiError, UnknownPartner, UnknownProduct
from . import edifact, x12

STANDARDS = (("x12", "ANSI X12"), ("edifact", "UN/EDIFACT"))


class _Orders(NamedTuple):
    """How a standard's interchange is read into purchase orders."""

    read_interchange: Callable  # text → the checked interchange
    kind: str  # what the standard calls a document
    code: str  # a purchase order's document code
    read: Callable  # (interchange, document) → PurchaseOrder
    tag: str  # where a document's code stands: segment, element, and
    element: int  # the acknowledgement's error code when it is another
    error_code: str


_ORDERS = {
    "x12": _Orders(x12.read_interchange, "transaction set", "850", x12.read_850, "ST", 1, "1"),
    "edifact": _Orders(
        edifact.read_interchange, "message", "ORDERS", edifact.read_orders_message, "UNH", 2, "2"
    ),
}


def read_orders(standard, text):
    """(interchange, purchase orders) of an interchange; EdiError naming the
    first fault's segment and position."""
    syntax = _ORDERS.get(standard)
    if syntax is None:
        raise EdiError(f"the {standard} standard is not known", level="interchange")
    interchange = syntax.read_interchange(text)
    orders = []
    for document in interchange.sets:
        if document.code != syntax.code:
            raise EdiError(
                f"{syntax.kind} {document.code} is not a purchase order ({syntax.code})",
                tag=syntax.tag,
                position=document.position,
                element=syntax.element,
                code=syntax.error_code,
                set_control=document.control,
                set_position=1,
                value=document.code,
            )
        orders.append(syntax.read(interchange, document))
    return interchange, orders


def skeleton(standard, text):
    """What can be read of a faulty interchange's envelope, or None."""
    return (x12 if standard == "x12" else edifact).skeleton(text)


def acknowledgement(standard, interchange, control, error=None, moment=None):
    """(document name, text) of the functional acknowledgement of
    ``interchange``: a 997 (X12) or a CONTRL (EDIFACT), addressed back."""
    if standard == "x12":
        return "997", x12.write_997(interchange, None, control, error=error, moment=moment)
    return "CONTRL", edifact.write_contrl(interchange, None, control, error=error, moment=moment)


__all__ = [
    "STANDARDS",
    "EdiError",
    "Party",
    "PoLine",
    "PurchaseOrder",
    "UnknownPartner",
    "UnknownProduct",
    "acknowledgement",
    "content_version",
    "map_purchase_order",
    "read_orders",
    "skeleton",
]
