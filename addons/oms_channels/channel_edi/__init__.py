"""EDI interchanges in plain Python (no ``odoo`` import): ANSI X12 and
UN/EDIFACT read into purchase orders, acknowledgements and notices written.

``read_orders(standard, text)`` is the one entry point of the inbound side;
each standard's module writes its own outbound documents.
"""

from .documents import Party, PoLine, PurchaseOrder, content_version, map_purchase_order
from .errors import EdiError, UnknownPartner, UnknownProduct
from . import edifact, x12
from .x12 import read_850, read_interchange

STANDARDS = (("x12", "ANSI X12"), ("edifact", "UN/EDIFACT"))


def read_orders(standard, text):
    """(interchange, purchase orders) of an interchange; EdiError naming the
    first fault's segment and position."""
    if standard == "x12":
        interchange = read_interchange(text)
        orders = []
        for transaction in interchange.sets:
            if transaction.code != "850":
                raise EdiError(
                    f"transaction set {transaction.code} is not a purchase order (850)",
                    tag="ST",
                    position=transaction.position,
                    element=1,
                    code="1",
                    set_control=transaction.control,
                    set_position=1,
                    value=transaction.code,
                )
            orders.append(read_850(interchange, transaction))
        return interchange, orders
    if standard == "edifact":
        interchange = edifact.read_interchange(text)
        orders = []
        for message in interchange.messages:
            if message.type != "ORDERS":
                raise EdiError(
                    f"message {message.type} is not a purchase order (ORDERS)",
                    tag="UNH",
                    position=message.position,
                    element=2,
                    code="2",
                    set_control=message.reference,
                    set_position=1,
                    value=message.type,
                )
            orders.append(edifact.read_orders_message(interchange, message))
        return interchange, orders
    raise EdiError(f"the {standard} standard is not known", level="interchange")


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
