"""The routing engine, in plain Python (no ``odoo`` import).

Input: a :class:`Snapshot` (orders with their lines, candidate sources with stock,
capacity left today, costs, coordinates and shipping days, and a
:class:`Strategy`). Output: a :class:`Plan` — per order, which source ships how
much of each line, what stays unallocated and why, and for every candidate source
its score per factor and the reason it was taken or rejected. Deterministic.
"""

from .errors import RoutingError
from .geo import great_circle_km
from .model import (
    Allocation,
    Candidate,
    Line,
    Order,
    OrderPlan,
    Plan,
    ShippingRate,
    Snapshot,
    Source,
    Strategy,
    Unallocated,
)
from . import exact
from .engine import estimate_cost, route
