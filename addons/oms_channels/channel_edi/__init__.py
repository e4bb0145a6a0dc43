"""EDI interchanges in plain Python (no ``odoo`` import): ANSI X12 and
UN/EDIFACT read into purchase orders, acknowledgements and notices written.

``read_orders(standard, text)`` is the one entry point of the inbound side;
each standard's module writes its own outbound documents.
"""

from .documents import Party, PoLine, PurchaseOrder, content_version, map_purchase_order
from .errors import EdiError, UnknownPartner, UnknownProduct
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
    raise EdiError(f"the {standard} standard is not read yet", level="interchange")


__all__ = [
    "STANDARDS",
    "EdiError",
    "Party",
    "PoLine",
    "PurchaseOrder",
    "UnknownPartner",
    "UnknownProduct",
    "content_version",
    "map_purchase_order",
    "read_orders",
]
