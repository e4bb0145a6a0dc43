"""What the engine reads and what it answers: frozen dataclasses only."""

from dataclasses import dataclass, field
from datetime import date

# Factors a strategy weighs; each is "lower is better" once normalised.
FACTORS = ("distance", "cost", "speed", "capacity", "rank")
BACKORDER_POLICIES = ("ship_available", "wait_whole")


@dataclass(frozen=True)
class Line:
    id: int
    product_id: int
    quantity: float
    unit_value: float = 0.0  # the line's value per unit (for minimum split values)
    weight: float = 0.0  # kg per unit


@dataclass(frozen=True)
class Order:
    id: int
    lines: tuple[Line, ...]
    latitude: float | None = None
    longitude: float | None = None
    country: str = ""  # ISO code of the shipping address
    priority: int = 0  # higher first in a batch
    promised: date | None = None  # ship-by date; earlier first in a batch
    # Days from today to the deliver-by date (None: no promise). A source whose
    # days to ship + transit exceed it is not chosen when sources that make it
    # can ship the whole order.
    deliver_within: int | None = None


@dataclass(frozen=True)
class ShippingRate:
    """One band of a shipping table: up to ``max_km`` away, ``base`` per shipment
    plus ``per_kg``, delivered ``transit_days`` after it leaves."""

    max_km: float
    base: float
    per_kg: float = 0.0
    transit_days: int = 1


def band_for(rates, km):
    """The band of ``rates`` (a table sorted by ``max_km``, not empty) for ``km``:
    the first reaching it, else the last (also when ``km`` is unknown)."""
    if km is not None:
        for band in rates:
            if km <= band.max_km:
                return band
    return rates[-1]


@dataclass(frozen=True)
class Source:
    id: int
    name: str = ""
    kind: str = "warehouse"  # warehouse, store, 3pl, dropship
    latitude: float | None = None
    longitude: float | None = None
    countries: frozenset[str] | None = None  # None: ships everywhere
    stock: dict[int, float] = field(default_factory=dict)  # product → on hand, free
    safety_stock: dict[int, float] = field(default_factory=dict)  # product → kept back
    default_safety_stock: float = 0.0
    capacity: int | None = None  # orders it may still take today; None: no limit
    cost_per_shipment: float = 0.0  # handling
    cost_per_line: float = 0.0
    ships_today: bool = True  # before today's cut-off, on a working day
    days_to_next_ship: int = 1  # when not today: working days until it ships
    rank: int = 10  # lower is preferred
    rates: tuple[ShippingRate, ...] = ()  # by distance; empty: shipping costs nothing
    products: frozenset[int] | None = None  # dropship: what the vendor supplies

    @property
    def is_dropship(self):
        return self.kind == "dropship"


@dataclass(frozen=True)
class Strategy:
    name: str = "Default"
    weights: dict[str, float] = field(
        default_factory=lambda: {"distance": 1.0, "cost": 1.0, "speed": 1.0}
    )
    keep_whole: bool = True  # one source for the order when one can ship it all
    min_split_value: float = 0.0  # a split part must be worth at least this
    max_parts: int = 3  # shipments per order at most
    respect_safety_stock: bool = True
    dropship_fallback: bool = True  # dropship only what no stocked source can ship
    backorder_policy: str = "ship_available"  # or "wait_whole"


@dataclass(frozen=True)
class Snapshot:
    orders: tuple[Order, ...]
    sources: tuple[Source, ...]
    strategy: Strategy = field(default_factory=Strategy)
    # Live carrier quotes: (order id, source id) → shipping price, replacing the table.
    quotes: dict[tuple[int, int], float] = field(default_factory=dict)


@dataclass(frozen=True)
class Allocation:
    line_id: int
    source_id: int
    quantity: float


@dataclass(frozen=True)
class Unallocated:
    line_id: int
    quantity: float
    reason: str  # no_stock, no_capacity, waiting_whole, min_split_value, max_parts
    message: str


@dataclass(frozen=True)
class Candidate:
    """One source as the engine saw it for one order."""

    source_id: int
    factors: dict[str, float]  # raw: km, cost, days, capacity left, rank
    scores: dict[str, float]  # normalised and weighted, lower is better
    total: float
    can_ship_all: bool
    chosen: bool
    reason: str


@dataclass(frozen=True)
class OrderPlan:
    order_id: int
    allocations: tuple[Allocation, ...]
    unallocated: tuple[Unallocated, ...]
    estimated_cost: float  # handling + shipping of the chosen shipments
    # One row per candidate source, kept compact (a batch has orders x sources of
    # them): (source id, factors, scores, total, can ship all, chosen, reason).
    candidate_rows: tuple[tuple, ...] = ()

    @property
    def candidates(self):
        return tuple(
            Candidate(
                source_id,
                dict(zip(FACTORS, factors, strict=True)),
                dict(zip(FACTORS, scores, strict=True)),
                total,
                full,
                chosen,
                reason,
            )
            for source_id, factors, scores, total, full, chosen, reason in self.candidate_rows
        )

    def candidate(self, source_id):
        return next(c for c in self.candidates if c.source_id == source_id)

    @property
    def source_ids(self):
        return tuple(sorted({a.source_id for a in self.allocations}))

    @property
    def is_split(self):
        return len(self.source_ids) > 1


@dataclass(frozen=True)
class Plan:
    orders: tuple[OrderPlan, ...]

    def for_order(self, order_id):
        return next(plan for plan in self.orders if plan.order_id == order_id)
