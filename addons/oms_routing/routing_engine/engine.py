"""Route orders to sources: score every candidate, keep orders whole when one
source can ship them, split greedily (fewest shipments, then best score) when not,
dropship what no stocked source has, and say why for every candidate.

Orders of a batch are routed one after the other, highest priority first, then
earliest promised date, then the nearest deliver-by promise, then id; each
takes stock and capacity from the shared pool, so two orders never get the
same unit.
"""

from datetime import date
from heapq import nsmallest
from math import asin, cos, isfinite, radians, sin, sqrt

from .errors import RoutingError
from .exact import ExactPhase, applies
from .geo import EARTH_RADIUS_KM
from .improve import Improver, Record
from .model import (
    BACKORDER_POLICIES,
    FACTORS,
    Allocation,
    OrderPlan,
    Plan,
    Unallocated,
    band_for,
)

_FAR_FUTURE = date.max
_NO_PROMISE = 1 << 30  # days: after every order with a deliver-by promise
# Candidates a plan explains per order at most; the chosen sources always are.
EXPLAINED = 8


class _SourceState:
    """A source as the batch goes: what it still has and can still take."""

    __slots__ = (
        "capacity",
        "cos_lat",
        "countries",
        "dropship",
        "free",
        "id",
        "initial",
        "lat",
        "lon",
        "products",
        "rates",
        "ship_offset",
        "source",
    )

    def __init__(self, source, respect_safety):
        self.source = source
        self.id = source.id
        safety = source.safety_stock
        default = source.default_safety_stock if respect_safety else 0.0
        self.free = {
            product: quantity - (safety.get(product, default) if respect_safety else 0.0)
            for product, quantity in source.stock.items()
        }
        self.initial = dict(self.free)  # the batch's starting stock
        self.capacity = source.capacity
        # A source is placed only when both coordinates are known.
        placed = source.latitude is not None and source.longitude is not None
        self.lat = radians(source.latitude) if placed else None
        self.lon = radians(source.longitude) if placed else None
        self.cos_lat = cos(self.lat) if self.lat is not None else None
        self.rates = tuple(sorted(source.rates, key=lambda r: r.max_km))
        self.ship_offset = 0 if source.ships_today else max(1, source.days_to_next_ship)
        self.countries = source.countries
        self.products = source.products
        self.dropship = source.is_dropship

    def available(self, product):
        if self.dropship:
            return float("inf") if self.products is None or product in self.products else 0.0
        return self.free.get(product, 0.0)


def _check(snapshot):
    strategy = snapshot.strategy
    if strategy.backorder_policy not in BACKORDER_POLICIES:
        raise RoutingError(f"strategy {strategy.name!r}: unknown backorder policy")
    unknown = set(strategy.weights) - set(FACTORS)
    if unknown:
        raise RoutingError(f"strategy {strategy.name!r}: unknown factor(s) {sorted(unknown)}")
    if strategy.max_parts < 1:
        raise RoutingError(f"strategy {strategy.name!r}: at least one shipment per order")
    ids = [source.id for source in snapshot.sources]
    if len(set(ids)) != len(ids):
        raise RoutingError("two sources have the same id")
    _check_sources(snapshot.sources)
    _check_orders(snapshot.orders)


def _check_sources(sources):
    for source in sources:
        _check_place(f"source {source.id}", source.latitude, source.longitude)
        for product, quantity in (*source.stock.items(), *source.safety_stock.items()):
            if not isfinite(quantity):
                raise RoutingError(f"source {source.id}, product {product}: stock {quantity}")
        for name in ("default_safety_stock", "cost_per_shipment", "cost_per_line"):
            if not _finite(getattr(source, name)):
                raise RoutingError(f"source {source.id}: {name} {getattr(source, name)}")


def _check_orders(orders):
    order_ids, line_ids = set(), set()
    for order in orders:
        if order.id in order_ids:
            raise RoutingError(f"order {order.id}: two orders have this id")
        order_ids.add(order.id)
        _check_place(f"order {order.id}", order.latitude, order.longitude)
        for line in order.lines:
            if line.id in line_ids:
                raise RoutingError(f"order {order.id}, line {line.id}: two lines have this id")
            line_ids.add(line.id)
            for name in ("quantity", "weight", "unit_value"):
                value = getattr(line, name)
                # A negative price is a refund line's business; a negative amount is not.
                if not _finite(value) or (value < 0 and name != "unit_value"):
                    raise RoutingError(
                        f"order {order.id}, line {line.id}: {name} {value} "
                        "(must be a finite number, not negative)"
                    )


def _finite(value):
    return isinstance(value, (int, float)) and isfinite(value)


def _check_place(record, latitude, longitude):
    """Coordinates are both unknown, or both finite and on the globe."""
    for name, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value is None:
            continue
        if not isinstance(value, (int, float)) or not isfinite(value) or abs(value) > bound:
            raise RoutingError(f"{record}: {name} {value} is not on the globe")


def route(snapshot, improve=True):
    """Route every order of the snapshot; returns a :class:`Plan` in batch order.
    ``improve=False`` leaves out the improvement phase (the greedy pass alone)."""
    _check(snapshot)
    strategy = snapshot.strategy
    states = [_SourceState(source, strategy.respect_safety_stock) for source in snapshot.sources]
    states.sort(key=lambda state: (state.source.rank, state.id))
    weights = tuple(float(strategy.weights.get(factor, 0.0)) for factor in FACTORS)
    distances = {}
    regret = _regrets(snapshot.orders, states, distances) if len(snapshot.orders) > 1 else {}
    orders = sorted(
        snapshot.orders,
        key=lambda o: (
            -o.priority,
            o.promised or _FAR_FUTURE,
            _NO_PROMISE if o.deliver_within is None else o.deliver_within,
            -regret.get(o.id, 0.0),
            o.id,
        ),
    )
    plans, records = [], []
    for order in orders:
        plan, record = _route_order(order, states, strategy, weights, snapshot.quotes, distances)
        plans.append(plan)
        records.append(record)
    if improve and (len(records) > 1 or any(p.is_split or p.unallocated for p in plans)):
        improver = Improver(records, states, strategy, weights, snapshot.quotes)
        improver.run()
        if applies(strategy):
            ExactPhase(improver).run()
        for index, record in enumerate(records):
            if record.before is not None and record.taken != record.before:
                plans[index] = _replan(plans[index], record, states, strategy, weights, snapshot)
    return Plan(tuple(plans))


def _regrets(orders, states, cache):
    """What each order loses if its cheapest whole source is taken by another: the
    second cheapest whole shipment's cost less the cheapest's, by today's stock
    (an order only one source can ship whole loses the most). Orders of the same
    priority and date are routed the most constrained first, so that scarce stock
    goes where it saves the most."""
    stocked = [
        (index, state.free, state.source.cost_per_shipment, state.source.cost_per_line, state.rates)
        for index, state in enumerate(states)
        if not state.dropship
    ]
    regrets = {}
    for order in orders:
        needed = {}  # product → units over all the order's lines
        count = 0
        for line in order.lines:
            if line.quantity > 0:
                needed[line.product_id] = needed.get(line.product_id, 0.0) + line.quantity
                count += 1
        if not needed:
            continue
        wanted = tuple(needed.items())
        kms = _distances(order, states, cache)
        weight = sum(line.weight * line.quantity for line in order.lines if line.quantity > 0)
        best = second = None
        for index, free, per_shipment, per_line, rates in stocked:
            for product, quantity in wanted:
                if free.get(product, 0.0) < quantity:
                    break
            else:
                cost = per_shipment + per_line * count
                if rates:
                    km = kms[index]
                    band = band_for(rates, km)
                    cost += band.base + band.per_kg * weight
                if best is None or cost < best:
                    best, second = cost, best
                elif second is None or cost < second:
                    second = cost
        if best is not None:
            regrets[order.id] = (second - best) if second is not None else 1e9
    return regrets


def _distances(order, states, cache):
    """Kilometres from each source to the order's address (None when unknown)."""
    if order.latitude is None or order.longitude is None:
        return [None] * len(states)
    key = (order.latitude, order.longitude)
    found = cache.get(key)
    if found is None:
        lat, lon = radians(order.latitude), radians(order.longitude)
        cos_lat = cos(lat)
        found = []
        for state in states:
            if state.lat is None:
                found.append(None)
                continue
            a = (
                sin((lat - state.lat) / 2) ** 2
                + cos_lat * state.cos_lat * sin((lon - state.lon) / 2) ** 2
            )
            found.append(2 * EARTH_RADIUS_KM * asin(sqrt(a) if a < 1.0 else 1.0))
        cache[key] = found
    return found


def _shipping(state, km, weight):
    """(price, transit days) of one shipment from the source's table."""
    rates = state.rates
    if not rates:
        return 0.0, 1
    rate = band_for(rates, km)
    return rate.base + rate.per_kg * weight, rate.transit_days


def estimate_cost(source, lines, km=None, quote=None):
    """Handling plus shipping of one shipment of ``lines`` ((line, quantity) pairs)."""
    state = _SourceState(source, False)
    weight = sum(line.weight * quantity for line, quantity in lines)
    shipping = quote if quote is not None else _shipping(state, km, weight)[0]
    return source.cost_per_shipment + source.cost_per_line * len(lines) + shipping


def _route_order(order, states, strategy, weights, quotes, cache):
    lines = [line for line in order.lines if line.quantity > 0]
    rows, live = _candidate_rows(order, lines, states, quotes, cache)
    scores_of, total_of, highs = _scores(rows, live, weights)
    km_of = {row[0].id: row[6] for row in rows}
    context = (order, lines, strategy, weights, highs, quotes, km_of, total_of)
    stocked, _dropship, taken, remaining, reasons = _choose(live, context)
    if _dropship and not strategy.dropship_fallback:
        _dropship = []
    taken, reasons, unallocated = _leftovers(
        order, lines, strategy, (rows, live), taken, remaining, reasons
    )
    allocations, estimated = _take(order, lines, rows, taken, quotes)
    candidate_rows = _explain(
        rows, strategy, taken, reasons, scores_of, total_of, stocked, remaining
    )
    plan = OrderPlan(
        order_id=order.id,
        allocations=tuple(allocations),
        unallocated=tuple(unallocated),
        estimated_cost=round(estimated, 6),
        candidate_rows=tuple(candidate_rows),
    )
    # Left alone by the improvement phase: orders a dropship vendor could serve.
    fixed = not lines or bool(_dropship)
    if not live:
        # No source in the running now: the scale of those that could ship to it,
        # should the improvement phase find stock there.
        served = [row[1] for row in rows if not row[0].dropship and not row[5].startswith("does")]
        highs = [max(0.0, *column) for column in zip(*served, strict=True)] if served else highs
    record = Record(order, lines, taken, highs, _distances(order, states, cache), fixed)
    if order.deliver_within is not None and len(live) < len(rows):
        # Sources out of the running for the promise stay out in the improvement phase.
        late = frozenset(
            row[0].id for row in rows if row[5] and row[5].startswith("cannot deliver")
        )
        record.excluded = late
    # Whole from a source no better one could beat with the batch's starting
    # stock (one in the running, or one an order routed before emptied or
    # filled): nothing to gain alone.
    if len(taken) == 1 and not unallocated:
        record.must_whole = strategy.keep_whole
        best = total_of[next(iter(taken))] - 1e-12
        record.settled = not any(
            _total(row, total_of, weights, highs) < best and _was_full(row[0], record)
            for row in rows
            if row[5] is None or row[5] in _TAKEN_BY_OTHERS
        )
    return plan, record


# Why a source is out of the running when orders routed before took what it had.
_TAKEN_BY_OTHERS = ("has none of the products", "no capacity left today")


def _total(row, total_of, weights, highs):
    """The row's score on the order's scale, also for a source out of the running."""
    if row[5] is None:
        return total_of[row[0].id]
    factors = row[1]
    return sum(
        weights[i] * factors[i] / highs[i] if weights[i] and highs[i] > 0 else 0.0
        for i in range(len(FACTORS))
    )


def _was_full(state, record):
    """Whether the source could ship the whole order with the batch's starting stock."""
    if state.dropship or (state.source.capacity is not None and state.source.capacity <= 0):
        return False
    initial = state.initial
    return all(
        initial.get(product, 0.0) >= units - 1e-9
        for product, units in zip(record.products, record.need, strict=True)
    )


def _candidate_rows(order, lines, states, quotes, cache):  # noqa: PLR0912, PLR0915 - hot loop
    """One row per source: [state, raw factors, available per line, can ship all,
    has any, rejection, km or None]; and the rows still in the running. A line's
    availability is capped by its own quantity only; lines of one product share
    the source's stock of it (see :func:`_left`), and "can ship all" compares the
    order's units of each product with that stock."""
    products = [line.product_id for line in lines]
    wanted = [line.quantity for line in lines]
    needed = {}  # product → units over all the order's lines
    for product, quantity in zip(products, wanted, strict=True):
        needed[product] = needed.get(product, 0.0) + quantity
    count = len(lines)
    kms = _distances(order, states, cache)
    weight = sum(line.weight * line.quantity for line in lines)
    country = order.country
    order_id = order.id
    rows = []  # [state, factors, available per line, full, any, rejection]
    live = []
    for state, km in zip(states, kms, strict=True):
        source = state.source
        rejection = None
        if state.countries is not None and country not in state.countries:
            rejection = f"does not ship to {country or 'an unknown country'}"
        elif state.capacity is not None and state.capacity <= 0:
            rejection = "no capacity left today"
        available = []
        full = rejection is None
        has_any = False
        if state.dropship:
            supplied = state.products
            for index in range(count):
                quantity = wanted[index] if supplied is None or products[index] in supplied else 0.0
                available.append(quantity)
                if quantity > 0:
                    has_any = True
                elif full:
                    full = False
        else:
            free = state.free
            for index in range(count):
                product = products[index]
                quantity = free.get(product, 0.0)
                if full and quantity < needed[product]:
                    full = False
                if quantity > 0:
                    has_any = True
                    if quantity > wanted[index]:  # noqa: PLR1730 - no call in the hot loop
                        quantity = wanted[index]
                else:
                    quantity = 0.0
                available.append(quantity)
        if rejection is None and not has_any:
            rejection = (
                "does not supply these products" if state.dropship else "has none of the products"
            )
        # The source's table: the first band reaching km.
        rates = state.rates
        if rates:
            rate = band_for(rates, km)
            price, transit = rate.base + rate.per_kg * weight, rate.transit_days
        else:
            price, transit = 0.0, 1
        if quotes:
            quote = quotes.get((order_id, state.id))
            if quote is not None:
                price = quote
        # Capacity left counts as its inverse: more left is better (lower).
        factors = (
            km if km is not None else 0.0,
            source.cost_per_shipment + source.cost_per_line * count + price,
            float(state.ship_offset + transit),
            1.0 / (1.0 + state.capacity) if state.capacity is not None else 0.0,
            float(source.rank),
        )
        row = [state, factors, available, full, has_any, rejection, km]
        rows.append(row)
        if rejection is None:
            live.append(row)
    if order.deliver_within is not None and live:
        live = _on_time(order.deliver_within, live, needed, products)
    return rows, live


def _on_time(within, live, needed, products):
    """The rows that still count once the deliver-by promise is weighed: those
    that deliver in time, when together they have every unit of the order (one
    that can ship it all, or their stock summed); else all of them (the order is
    late whatever it ships from, and the faster sources score better anyway).
    The late ones get their rejection in place."""
    late = [row for row in live if row[1][2] > within]
    if not late:
        return live
    in_time = [row for row in live if row[1][2] <= within]
    if not in_time:
        return live
    if not any(row[3] for row in in_time):
        for product, units in needed.items():
            index = products.index(product)
            have = 0.0
            for row in in_time:
                if row[0].dropship:
                    have += row[2][index]
                else:
                    have += max(0.0, row[0].free.get(product, 0.0))
            if have < units - 1e-9:
                return live
    for row in late:
        row[5] = (
            f"cannot deliver by the promised date ({row[1][2]:g} days, "
            f"{within} left) while other sources can"
        )
    return in_time


def _scores(rows, live, weights):
    """Weighted scores per factor of each row (lower is better) and their totals."""
    no_scores = (0.0,) * len(FACTORS)
    # Each weighted factor as a share of its largest value among the sources still
    # in the running: ratios stay true (twice the cost scores twice as much).
    if live:
        highs = [max(0.0, *column) for column in zip(*(row[1] for row in live), strict=True)]
    else:
        highs = [0.0] * len(FACTORS)
    scale = [
        weights[i] / highs[i] if weights[i] and highs[i] > 0 else 0.0 for i in range(len(FACTORS))
    ]
    scores_of, total_of = {}, {}
    for row in rows:
        sid = row[0].id
        if row[5] is None:
            f = row[1]
            scores = (
                f[0] * scale[0],
                f[1] * scale[1],
                f[2] * scale[2],
                f[3] * scale[3],
                f[4] * scale[4],
            )
            scores_of[sid] = scores
            total_of[sid] = scores[0] + scores[1] + scores[2] + scores[3] + scores[4]
        else:
            scores_of[sid] = no_scores
            total_of[sid] = 0.0
    return scores_of, total_of, highs


def _choose(live, context):
    """Which sources ship what: (stocked rows, dropship rows, taken, remaining,
    reasons), ``taken`` being {source id: {line index: quantity}}."""
    order, lines, strategy, weights, highs, quotes, km_of, total_of = context

    def key(row):
        return (total_of[row[0].id], row[0].source.rank, row[0].id)

    stocked = sorted((row for row in live if not row[0].dropship), key=key)
    dropship = sorted((row for row in live if row[0].dropship), key=key)
    remaining = [line.quantity for line in lines]
    taken = {}  # source id → {line index: quantity}
    reasons = {}
    full_stocked = [row for row in stocked if row[3]]
    whole = None
    if full_stocked:
        whole = full_stocked[0]
    if whole and not strategy.keep_whole:
        # Split only when the parts together score better than the best whole.
        split_taken, split_remaining, split_reasons = {}, list(remaining), {}
        _split(lines, stocked, split_remaining, split_taken, split_reasons, strategy, total_of)
        if len(split_taken) > 1 and not any(split_remaining):
            by_id = {row[0].id: row for row in stocked}
            split_score = sum(
                _part_score(by_id[sid], lines, parts, weights, highs, quotes, order, km_of)
                for sid, parts in split_taken.items()
            )
            if split_score < total_of[whole[0].id] - 1e-9:
                whole = None
                taken, remaining, reasons = split_taken, split_remaining, split_reasons
    if whole and not taken:
        taken[whole[0].id] = {i: line.quantity for i, line in enumerate(lines)}
        remaining = [0.0] * len(lines)
        reasons[whole[0].id] = "chosen: ships the whole order at the best score"
    elif not taken:
        _split(lines, stocked, remaining, taken, reasons, strategy, total_of)
    if any(remaining) and dropship and strategy.dropship_fallback:
        _split(lines, dropship, remaining, taken, reasons, strategy, total_of, dropship=True)
    return stocked, dropship, taken, remaining, reasons


def _leftovers(order, lines, strategy, candidates, taken, remaining, reasons):
    """What cannot ship now, and why; the whole order waits under "wait_whole"."""
    unallocated = []
    rows, live = candidates
    if any(remaining) and strategy.backorder_policy == "wait_whole":
        taken = {}
        reasons = {}
        unallocated = [
            Unallocated(
                line.id, line.quantity, "waiting_whole", "waits until the whole order can ship"
            )
            for line in lines
        ]
    else:
        for i, line in enumerate(lines):
            if remaining[i] > 0:
                reason, message = _why_short(order, lines, i, strategy, rows, live, taken)
                unallocated.append(
                    Unallocated(
                        line.id,
                        remaining[i],
                        reason,
                        f"{remaining[i]:g} more of product {line.product_id}: {message}",
                    )
                )
    return taken, reasons, unallocated


def _why_short(order, lines, index, strategy, rows, live, taken):
    """(reason, message) of what line ``index`` could not get: a source in the
    running still had some (so the order's limits held it back), a source with
    stock had no capacity left today, or no source had it."""
    if any(_left(row, index, taken, lines) > 0 for row in live):
        if len(taken) >= strategy.max_parts:
            return "max_parts", f"the order already ships in {len(taken)} parts, the most allowed"
        if strategy.min_split_value:
            return (
                "min_split_value",
                f"a part would be worth less than {strategy.min_split_value:g}",
            )
        # A source that can still give only stock no rule allowed here.
        return "no_stock", "no source in the running could ship it in this plan"
    product = lines[index].product_id
    full = [
        row[0].id
        for row in rows
        if row[0].capacity is not None
        and row[0].capacity <= 0
        and (row[0].countries is None or order.country in row[0].countries)
        and row[2][index] > 0
    ]
    if full:
        return (
            "no_capacity",
            f"source(s) {', '.join(map(str, full))} have it but no capacity left today",
        )
    return "no_stock", f"no source has product {product} to ship now"


def _take(order, lines, rows, taken, quotes):
    """Take the chosen quantities from the shared pool; cost the shipments."""
    allocations = []
    estimated = 0.0
    by_id = {row[0].id: row for row in rows}
    for source_id in sorted(taken, key=lambda sid: (by_id[sid][0].source.rank, sid)):
        row = by_id[source_id]
        state = row[0]
        parts = taken[source_id]
        shipped = []
        for i, quantity in sorted(parts.items()):
            line = lines[i]
            allocations.append(Allocation(line.id, source_id, quantity))
            shipped.append((line, quantity))
            if not state.dropship:
                state.free[line.product_id] = state.free.get(line.product_id, 0.0) - quantity
        if state.capacity is not None:
            state.capacity -= 1
        part_weight = sum(line.weight * quantity for line, quantity in shipped)
        quote = quotes.get((order.id, source_id))
        km = row[6]  # None when either end has no coordinates: as the score costs it
        price = quote if quote is not None else _shipping(state, km, part_weight)[0]
        estimated += (
            state.source.cost_per_shipment + state.source.cost_per_line * len(shipped) + price
        )
    return allocations, estimated


def _explain(rows, strategy, taken, reasons, scores_of, total_of, stocked, remaining):
    """Each candidate's row for the plan, with why it was taken or not. Beyond
    ``EXPLAINED`` sources, only the chosen ones and the best of the others (those
    in the running first, by score) are kept: a batch of orders x sources rows
    would not fit in memory, and the rest adds nothing to "why this source"."""
    chosen_ids = set(taken)
    best_id = min(chosen_ids, key=lambda sid: total_of[sid]) if chosen_ids else None
    candidate_rows = []
    if len(rows) > EXPLAINED:
        others = nsmallest(
            max(0, EXPLAINED - len(chosen_ids)),
            (row for row in rows if row[0].id not in chosen_ids),
            key=lambda row: (
                row[5] is not None,
                total_of[row[0].id],
                row[0].source.rank,
                row[0].id,
            ),
        )
        kept = chosen_ids | {row[0].id for row in others}
        rows = [row for row in rows if row[0].id in kept]
    for row in rows:
        state, factors, _available, full, _has_any, rejection, _km = row
        sid = state.id
        if sid in chosen_ids:
            reason = reasons.get(sid, "chosen")
        elif rejection:
            reason = rejection
        elif state.dropship and stocked and not any(remaining):
            reason = "dropship: used only for what no stocked source can ship"
        elif strategy.backorder_policy == "wait_whole" and not chosen_ids:
            reason = "not used: the order waits until it can ship whole"
        elif best_id is not None and strategy.keep_whole and not full and len(chosen_ids) == 1:
            reason = "cannot ship the whole order"
        elif best_id is not None:
            reason = (
                f"scored {total_of[sid]:.3f}, behind source {best_id} "
                f"({total_of[best_id]:.3f})" + ("" if full else "; cannot ship the whole order")
            )
        else:
            reason = "not needed"
        candidate_rows.append(
            (sid, factors, scores_of[sid], total_of[sid], full, sid in chosen_ids, reason)
        )
    return candidate_rows


def _split(lines, rows, remaining, taken, reasons, strategy, total_of, dropship=False):
    """Cover what remains, as a weighted set cover: each round takes the source
    with the least score per share of what is left it ships."""
    parts = len(taken)
    pool = list(rows)
    # Lines of one product share a source's units; without such lines a line's
    # own availability is already within the source's stock.
    shared = len({line.product_id for line in lines}) < len(lines)
    while any(remaining) and pool and parts < strategy.max_parts:
        best, best_key, best_take = None, None, None
        for position, row in enumerate(pool):
            take = {}
            pending = {}  # product → units this round already takes from the row
            share = 0.0
            worth = 0.0
            for i, line in enumerate(lines):
                if remaining[i] <= 0:
                    continue
                product = line.product_id
                if shared:
                    quantity = min(remaining[i], _left(row, i, taken, lines, pending))
                else:
                    quantity = min(remaining[i], row[2][i] - taken.get(row[0].id, {}).get(i, 0.0))
                if quantity > 0:
                    take[i] = quantity
                    pending[product] = pending.get(product, 0.0) + quantity
                    share += quantity / line.quantity
                    worth += quantity * line.unit_value
            if not take:
                continue
            completes = all(
                take.get(i, 0) >= remaining[i] for i in range(len(lines)) if remaining[i] > 0
            )
            if (
                strategy.min_split_value
                and worth < strategy.min_split_value
                and not (completes and not taken)
            ):
                continue
            # Weighted set cover: the least score per share of what is left.
            candidate_key = ((total_of[row[0].id] + 1e-9) / share, position)
            if best_key is None or candidate_key < best_key:
                best, best_key, best_take = row, candidate_key, take
        if best is None:
            break
        pool.remove(best)
        parts += 1
        sid = best[0].id
        for i, quantity in best_take.items():
            taken.setdefault(sid, {})
            taken[sid][i] = taken[sid].get(i, 0.0) + quantity
            remaining[i] -= quantity
        reasons[sid] = (
            "chosen: dropships what no stocked source has"
            if dropship
            else "chosen: best score for the share of the order it ships"
        )


def _part_score(row, lines, parts, weights, highs, quotes, order, km_of):
    """Score of one shipment of ``parts`` ({line index: quantity}) from a source:
    the source's factors with the cost of that part instead of the whole order's."""
    state = row[0]
    weight = sum(lines[i].weight * quantity for i, quantity in parts.items())
    quote = quotes.get((order.id, state.id))
    km = km_of[state.id]
    price = quote if quote is not None else _shipping(state, km, weight)[0]
    cost = state.source.cost_per_shipment + state.source.cost_per_line * len(parts) + price
    factors = list(row[1])
    factors[1] = cost
    return sum(
        weights[i] * factors[i] / highs[i] if weights[i] and highs[i] > 0 else 0.0
        for i in range(len(FACTORS))
    )


def _left(row, index, taken, lines, pending=None):
    """What a candidate row can still give for line ``index`` in this order: the
    line's own share, and no more than the source's stock of the product less
    what the order's other lines of that product already take from it (and
    ``pending``, {product: units}, what the round being weighed takes)."""
    state = row[0]
    mine = taken.get(state.id, {})
    left = row[2][index] - mine.get(index, 0.0)
    if state.dropship:
        return left
    product = lines[index].product_id
    used = sum(quantity for i, quantity in mine.items() if lines[i].product_id == product)
    if pending:
        used += pending.get(product, 0.0)
    return min(left, state.free.get(product, 0.0) - used)


def _replan(plan, record, states, strategy, weights, snapshot):
    """The order's plan once the improvement phase changed its shipments: the
    same candidates (and any newly chosen source), each chosen one saying it was
    chosen by the improvement phase and why, and the first pass's sources that
    it moved away from saying so."""
    order, lines, taken = record.order, record.lines, record.taken
    by_id = {state.id: (position, state) for position, state in enumerate(states)}
    allocations, estimated = [], 0.0
    for sid in sorted(taken, key=lambda sid: (by_id[sid][1].source.rank, sid)):
        position, state = by_id[sid]
        parts = taken[sid]
        shipped = [(lines[i], quantity) for i, quantity in sorted(parts.items())]
        allocations.extend(Allocation(line.id, sid, quantity) for line, quantity in shipped)
        weight = sum(line.weight * quantity for line, quantity in shipped)
        quote = snapshot.quotes.get((order.id, sid))
        price = quote if quote is not None else _shipping(state, record.kms[position], weight)[0]
        estimated += state.source.cost_per_shipment + state.source.cost_per_line * len(shipped)
        estimated += price
    unallocated = []
    for i, line in enumerate(lines):
        missing = line.quantity - sum(parts.get(i, 0.0) for parts in taken.values())
        if missing > 1e-9:
            unallocated.append(_shortfall(record, i, missing, states, strategy))
    rows = {row[0]: row for row in plan.candidate_rows}
    for sid in taken:
        # A source out of the running in the first pass (no stock left then) has
        # no scores yet: as it stands now, on the order's scale.
        if sid not in rows or not any(rows[sid][2]):
            rows[sid] = _new_row(record, by_id[sid], weights, snapshot.quotes)
    moved = sorted(set(record.before) - set(taken))
    first = ", ".join(map(str, sorted(record.before))) or "none"
    best_id = min(taken, key=lambda sid: (rows[sid][3], sid)) if taken else None
    candidate_rows = []
    for sid, row in rows.items():
        _sid, factors, scores, total, full, _chosen, reason = row
        if sid in taken and sid in record.before:
            reason = (
                "chosen by the first pass and kept by the improvement phase, which changed "
                f"the order's other shipments: {record.why}"
            )
        elif sid in taken:
            reason = f"chosen by the improvement phase (the first pass chose {first}): {record.why}"
        elif sid in moved:
            reason = f"chosen by the first pass, then moved by the improvement phase: {record.why}"
        elif best_id is not None and reason.startswith("scored "):
            reason = f"scored {total:.3f}, behind source {best_id} ({rows[best_id][3]:.3f})" + (
                "" if full else "; cannot ship the whole order"
            )
        candidate_rows.append((sid, factors, scores, total, full, sid in taken, reason))
    if len(candidate_rows) > EXPLAINED:
        chosen = [row for row in candidate_rows if row[5]]
        others = [row for row in candidate_rows if not row[5]]
        # The sources moved away from first, then the best of the others.
        others.sort(key=lambda row: (row[0] not in moved, row[3], row[0]))
        keep = {row[0] for row in chosen + others[: max(0, EXPLAINED - len(chosen))]}
        candidate_rows = [row for row in candidate_rows if row[0] in keep]
    order_of = {sid: (by_id[sid][1].source.rank, sid) for sid in rows}
    candidate_rows.sort(key=lambda row: order_of[row[0]])
    return OrderPlan(
        order_id=order.id,
        allocations=tuple(allocations),
        unallocated=tuple(unallocated),
        estimated_cost=round(estimated, 6),
        candidate_rows=tuple(candidate_rows),
    )


def _new_row(record, found, weights, quotes):
    """A candidate row for a source the first pass did not keep in the plan."""
    position, state = found
    source, lines = state.source, record.lines
    km = record.kms[position]
    weight = sum(line.weight * line.quantity for line in lines)
    price, transit = _shipping(state, km, weight)
    quote = quotes.get((record.order.id, state.id))
    if quote is not None:
        price = quote
    factors = (
        km if km is not None else 0.0,
        source.cost_per_shipment + source.cost_per_line * len(lines) + price,
        float(state.ship_offset + transit),
        1.0 / (1.0 + max(0, state.capacity)) if state.capacity is not None else 0.0,
        float(source.rank),
    )
    highs = record.highs
    scores = tuple(
        weights[i] * factors[i] / highs[i] if weights[i] and highs[i] > 0 else 0.0
        for i in range(len(FACTORS))
    )
    full = all(
        state.available(p) >= n - 1e-9 for p, n in zip(record.products, record.need, strict=True)
    )
    return (state.id, factors, scores, sum(scores), full, True, "")


def _shortfall(record, index, missing, states, strategy):
    """Why line ``index`` of an order the improvement phase changed still
    lacks ``missing`` units (as :func:`_why_short` says it for the first pass)."""
    order, line, taken = record.order, record.lines[index], record.taken
    product = line.product_id
    serving = [
        state
        for state in states
        if not state.dropship and (state.countries is None or order.country in state.countries)
    ]
    if any(
        state.available(product) > 0
        and (state.capacity is None or state.capacity > 0 or state.id in taken)
        for state in serving
    ):
        if len(taken) >= strategy.max_parts:
            reason = "max_parts"
            message = f"the order already ships in {len(taken)} parts, the most allowed"
        elif strategy.min_split_value:
            reason = "min_split_value"
            message = f"a part would be worth less than {strategy.min_split_value:g}"
        else:
            reason, message = "no_stock", "no source in the running could ship it in this plan"
    else:
        full = [
            state.id
            for state in serving
            if state.capacity is not None and state.capacity <= 0 and state.available(product) > 0
        ]
        if full:
            reason = "no_capacity"
            message = f"source(s) {', '.join(map(str, full))} have it but no capacity left today"
        else:
            reason, message = "no_stock", f"no source has product {product} to ship now"
    return Unallocated(
        line.id, missing, reason, f"{missing:g} more of product {product}: {message}"
    )
