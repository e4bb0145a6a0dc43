"""The routing engine's speed, memory, and its cost against the optimum.

Issue 5 asked: 10,000 orders of 3 lines over 50 sources in at most 2 s, and on
200-order instances a cost within 2 % of the optimum a MILP solver finds (HiGHS,
through ``highspy``), on the same cost model. Issue 28 asks the same on instances shaped
like a real merchant's, and for memory.

Families (``--families``, all by default):

- ``today-ample``, ``today-tight``: the instances of issue 5 (sources spread over
  Europe, customers at 2,000 random centroids, 15 products in stock at 70 % of the
  sources, 3 lines of 1-2 units), stock 6 or 1.2 times the demand.
- ``clustered``: today's stock, customers in four metro areas (Paris, Randstad,
  Rhine-Ruhr, Milan; 10-60 km around their centres), sources spread as today.
- ``long-tail``: 120 products; 80 % of them in 1-3 sources, 10 % everywhere, the
  rest in 4-8; customers pick the first 10 % (popular) half the time, and those are
  scarce (stock about their demand over the batch); today's customers and lines.
- ``many-lines``: orders of 1-8 lines of 1-5 units, long-tail stock, clustered.
- ``per-shipment``: many-lines, handling 8-15 per shipment plus 0.5-1 per line;
  shipping cheap and flat (a split is expensive).
- ``distance-weight``: many-lines, handling 0.2-0.6; shipping steep by band and by
  kg, items of 0.5-6 kg (the nearest sources that hold each line win).
- ``tight-capacity``: many-lines, the five cheapest sources (by handling) may
  take only 8-15 orders each today.

Quality: per family, 5 seeds of 200 orders over 20 sources; strategy "cost
only", split when the parts cost less than the best whole, up to 3 shipments,
partial allocation (ship what is there). Two MILPs per instance, both encoding
exactly the engine's cost (per shipment: handling per shipment + per line shipped
+ the source's table band by great-circle km, base + per kg of the part's
weight; each source at most its capacity of orders; each order at most 3
shipments; a line may stay unallocated): the first finds the fewest units left
unallocated, the second the least cost allocating at least as many units as the
engine did (the same service level). Both start from the engine's plan (the
solver's first incumbent), so each ends at least as good as the engine and
spends its time limit improving on it; without it, a MILP stopped at its time
limit near the most units often has no plan at all. The second MILP's plan is
costed again by
the engine's own ``estimate_cost``: never more than the MILP's objective
(asserted), the same but when a plan stopped at the time limit pays for an
empty shipment or line, which the engine's costing leaves out (that lower
cost is then the reference).
Reported: cost gap (engine - optimum) / optimum, mean and worst, and the units
left unallocated by the engine against the MILP's minimum. A MILP stopped at
its time limit gives its best plan (the gap is then to the best plan known)
and its dual bound (a floor of the optimum): the gap to the dual bound, printed
beside it, is an upper bound of the true gap.

Speed: 10,000 orders of 3 lines over 50 sources, best of three, on today's
instance and on each family (``--speed-families``), with the current engine and
with a baseline engine (``--baseline``, a git revision; its ``routing_engine`` is
extracted and imported beside the current one) in the same run; the default
strategy (keep whole), or with ``--speed-cost-only`` the quality runs' one
(cost only, split: the one the engine's exact phase applies to).

Memory (``--memory``): 50,000 orders x 3 lines over 200 sources routed in a
child process; its peak resident memory (``ru_maxrss``) and time.

    .venv/bin/python bench/routing_engine.py [--families a,b] [--seeds 5]
        [--orders 10000] [--sources 50] [--baseline REV] [--memory]
"""

import argparse
import dataclasses
import importlib
import math
import random
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "addons"))
if "oms_routing" not in sys.modules:
    # The plain engine without the addon's own __init__ (its Odoo models), as
    # the pure test runs import it (see conftest.py).
    _package = types.ModuleType("oms_routing")
    _package.__path__ = [str(ROOT / "addons" / "oms_routing")]
    _package.__package__ = "oms_routing"
    sys.modules["oms_routing"] = _package

from oms_routing.routing_engine import (  # noqa: E402
    Line,
    Order,
    ShippingRate,
    Snapshot,
    Source,
    Strategy,
    estimate_cost,
    great_circle_km,
    route,
)

RATES = (
    ShippingRate(150, 4.5, 0.3, 1),
    ShippingRate(500, 6.9, 0.5, 2),
    ShippingRate(1200, 11.5, 0.8, 3),
    ShippingRate(1e9, 19.0, 1.2, 5),
)
FLAT_RATES = (ShippingRate(500, 1.0, 0.05, 2), ShippingRate(1e9, 1.5, 0.08, 4))
STEEP_RATES = (
    ShippingRate(100, 3.0, 0.4, 1),
    ShippingRate(300, 7.0, 1.0, 2),
    ShippingRate(800, 14.0, 2.0, 3),
    ShippingRate(1e9, 30.0, 3.5, 5),
)
METROS = ((48.86, 2.35), (52.2, 4.6), (51.4, 7.0), (45.46, 9.19))
FAMILIES = (
    "today-ample",
    "today-tight",
    "clustered",
    "long-tail",
    "many-lines",
    "per-shipment",
    "distance-weight",
    "tight-capacity",
)
SHAPES = {  # family → (customers, stock, lines, costs, capacity)
    "today-ample": ("spread", "today", "three", "today", None),
    "today-tight": ("spread", "today", "three", "today", None),
    "clustered": ("metros", "today", "three", "today", None),
    "long-tail": ("spread", "long-tail", "three", "today", None),
    "many-lines": ("metros", "long-tail", "many", "today", None),
    "per-shipment": ("metros", "long-tail", "many", "per-shipment", None),
    "distance-weight": ("metros", "long-tail", "many", "distance-weight", None),
    "tight-capacity": ("metros", "long-tail", "many", "today", "tight"),
}
STRATEGY = Strategy(
    weights={"cost": 1.0}, keep_whole=False, max_parts=3, respect_safety_stock=False
)


def instance(orders, sources, products, seed, stock_scale=1.0, capacity=None):
    """Issue 5's instance (kept as it was: same seeds, same numbers)."""
    rng = random.Random(seed)
    source_list = tuple(
        Source(
            id=sid,
            name=f"Source {sid}",
            latitude=rng.uniform(37, 58),
            longitude=rng.uniform(-8, 24),
            stock={
                p: rng.randint(0, int(orders * 3 / sources * 1.5 * stock_scale) + 2)
                for p in range(1, products + 1)
                if rng.random() < 0.7
            },
            capacity=capacity,
            cost_per_shipment=rng.uniform(1.0, 4.0),
            ships_today=rng.random() < 0.8,
            rank=rng.randint(1, 5),
            rates=RATES,
        )
        for sid in range(1, sources + 1)
    )
    centroids = [(rng.uniform(37, 58), rng.uniform(-8, 24)) for _ in range(2000)]
    order_list = []
    for oid in range(1, orders + 1):
        lat, lon = rng.choice(centroids)
        chosen = rng.sample(range(1, products + 1), 3)
        order_list.append(
            Order(
                id=oid,
                latitude=lat,
                longitude=lon,
                country="EU",
                priority=1 if rng.random() < 0.1 else 0,
                lines=tuple(
                    Line(
                        id=oid * 10 + i,
                        product_id=p,
                        quantity=rng.randint(1, 2),
                        unit_value=rng.uniform(5, 80),
                        weight=rng.uniform(0.1, 2.0),
                    )
                    for i, p in enumerate(chosen)
                ),
            )
        )
    return tuple(order_list), source_list


def family_instance(family, orders, sources, seed, lines=None):  # noqa: PLR0912, PLR0915
    """An instance of ``family`` (see the module's docstring); ``lines`` forces
    that many lines of 1-2 units an order (the speed runs)."""
    if family in ("today-ample", "today-tight"):
        scale = 6.0 if family == "today-ample" else 1.2
        return instance(orders, sources, 15, seed, stock_scale=scale)
    customers, stock_shape, line_shape, costs, capacity = SHAPES[family]
    rng = random.Random(f"{family}-{seed}")
    products = 15 if stock_shape == "today" else 120
    popular = max(1, products // 10)
    mean_lines = 3 if line_shape == "three" or lines else 4.5
    mean_units = 1.5 if line_shape == "three" or lines else 3
    demand = orders * mean_lines * mean_units  # units over the batch
    # Where each product is stocked, and how much.
    holders = {}
    for p in range(1, products + 1):
        if stock_shape == "today":
            holders[p] = [s for s in range(1, sources + 1) if rng.random() < 0.7]
        elif p > products - products // 10:  # a few everywhere
            holders[p] = list(range(1, sources + 1))
        elif rng.random() < 0.8:  # most in one to three sources
            holders[p] = rng.sample(range(1, sources + 1), rng.randint(1, 3))
        else:
            holders[p] = rng.sample(range(1, sources + 1), rng.randint(4, min(8, sources)))
    per_product = demand / products
    stock = {sid: {} for sid in range(1, sources + 1)}
    for p, where in holders.items():
        if stock_shape == "today":
            top = int(orders * 3 / sources * 1.5 * 1.2) + 2
            for sid in where:
                stock[sid][p] = rng.randint(0, top)
            continue
        # Popular products get half the picks and are stocked about at demand.
        expected = demand * 0.5 / (popular if p <= popular else products - popular)
        total = expected * (1.0 if p <= popular else 2.0) + per_product * 0.2
        for sid in where:
            stock[sid][p] = rng.randint(0, int(2 * total / len(where)) + 1)
    source_list = []
    for sid in range(1, sources + 1):
        if costs == "per-shipment":
            handling, per_line, rates = rng.uniform(8, 15), rng.uniform(0.5, 1.0), FLAT_RATES
        elif costs == "distance-weight":
            handling, per_line, rates = rng.uniform(0.2, 0.6), 0.0, STEEP_RATES
        else:
            handling, per_line, rates = rng.uniform(1.0, 4.0), 0.0, RATES
        source_list.append(
            Source(
                id=sid,
                name=f"Source {sid}",
                latitude=rng.uniform(40, 55),
                longitude=rng.uniform(-5, 16),
                stock=stock[sid],
                cost_per_shipment=handling,
                cost_per_line=per_line,
                ships_today=rng.random() < 0.8,
                rank=rng.randint(1, 5),
                rates=rates,
            )
        )
    if capacity == "tight":
        cheapest = sorted(source_list, key=lambda s: s.cost_per_shipment)[:5]
        tight = {s.id: rng.randint(8, 15) * orders // 200 for s in cheapest}
        source_list = [
            Source(**{**s.__dict__, "capacity": tight[s.id]}) if s.id in tight else s
            for s in source_list
        ]
    centroids = [(rng.uniform(40, 55), rng.uniform(-5, 16)) for _ in range(2000)]
    order_list = []
    for oid in range(1, orders + 1):
        if customers == "metros":
            lat0, lon0 = rng.choice(METROS)
            km, angle = rng.uniform(10, 60), rng.uniform(0, 6.2832)
            lat = lat0 + km / 111 * math.sin(angle)
            lon = lon0 + km / 75 * math.cos(angle)
        else:
            lat, lon = rng.choice(centroids)
        count = lines or (3 if line_shape == "three" else rng.randint(1, 8))
        chosen = set()
        while len(chosen) < min(count, products):
            if stock_shape != "today" and rng.random() < 0.5:
                chosen.add(rng.randint(1, popular))
            else:
                chosen.add(rng.randint(1, products))
        heavy = costs == "distance-weight"
        order_list.append(
            Order(
                id=oid,
                latitude=lat,
                longitude=lon,
                country="EU",
                lines=tuple(
                    Line(
                        id=oid * 10 + i,
                        product_id=p,
                        quantity=rng.randint(1, 2)
                        if line_shape == "three" or lines
                        else rng.randint(1, 5),
                        unit_value=rng.uniform(5, 80),
                        weight=rng.uniform(0.5, 6.0) if heavy else rng.uniform(0.1, 2.0),
                    )
                    for i, p in enumerate(sorted(chosen))
                ),
            )
        )
    return tuple(order_list), tuple(source_list)


# -- the MILP ------------------------------------------------------------------


def _band(source, km):
    rates = sorted(source.rates, key=lambda r: r.max_km)
    if not rates:
        return ShippingRate(1e9, 0.0, 0.0, 1)
    return next((r for r in rates if km <= r.max_km), rates[-1])


def optimum(orders, sources, max_parts, min_allocated=None, time_limit=60, start=None):  # noqa: PLR0912, PLR0915
    """The engine's cost model as a MILP (HiGHS). Columns: y[o,s] binary (s ships
    part of o), z[l,s] binary (line l is on that shipment), x[l,s] integer units.
    Cost: y * (handling + band base) + z * handling per line + x * band per kg *
    line weight. Rows: x <= q * z, z <= y, per line sum x <= q, per source and
    product sum x <= stock, per source sum y <= capacity, per order sum y <= max
    parts. Without ``min_allocated``: the most units that can be allocated; with
    it: the least cost allocating at least that many units. ``start``, a plan
    (the engine's), is given to the solver as its first incumbent: the MILP
    then never ends worse than it, and spends its time improving on it.
    Returns (allocated units, cost, {(order id, source id): [(line, units)]},
    status, dual bound of the objective)."""
    import highspy  # noqa: PLC0415 - benchmark only
    import numpy as np  # noqa: PLC0415

    columns = []  # (kind, order, source, line)
    cost = []
    y_of, xz_of = {}, {}
    by_product = {}
    for o in orders:
        for s in sources:
            wanted = [ln for ln in o.lines if s.stock.get(ln.product_id, 0) > 0]
            if not wanted or (s.capacity is not None and s.capacity <= 0):
                continue
            band = _band(s, great_circle_km(o.latitude, o.longitude, s.latitude, s.longitude))
            y_of[o.id, s.id] = len(columns)
            columns.append(("y", o, s, None))
            cost.append(s.cost_per_shipment + band.base)
            for ln in wanted:
                xz_of[ln.id, s.id] = (len(columns), len(columns) + 1)
                by_product.setdefault((s.id, ln.product_id), []).append(len(columns))
                columns.append(("x", o, s, ln))
                cost.append(band.per_kg * ln.weight)
                columns.append(("z", o, s, ln))
                cost.append(s.cost_per_line)
    size = len(columns)
    cost = np.array(cost)
    total_units = sum(ln.quantity for o in orders for ln in o.lines)
    x_columns = [i for i, c in enumerate(columns) if c[0] == "x"]
    rows, cols, vals, lower, upper = [], [], [], [], []

    def row(entries, low, high):
        index = len(lower)
        for column, value in entries:
            rows.append(index)
            cols.append(column)
            vals.append(value)
        lower.append(low)
        upper.append(high)

    for (_line_id, sid), (x, z) in xz_of.items():
        o = columns[x][1]
        row([(x, 1), (z, -columns[x][3].quantity)], -np.inf, 0)
        row([(z, 1), (y_of[o.id, sid], -1)], -np.inf, 0)
    lines_x = {}
    for (line_id, _sid), (x, _z) in xz_of.items():
        lines_x.setdefault(line_id, []).append(x)
    quantity_of = {ln.id: ln.quantity for o in orders for ln in o.lines}
    for line_id, xs in lines_x.items():
        row([(x, 1) for x in xs], 0, quantity_of[line_id])
    stock_of = {s.id: s.stock for s in sources}
    for (sid, product), xs in by_product.items():
        row([(x, 1) for x in xs], 0, stock_of[sid][product])
    for s in sources:
        if s.capacity is not None:
            ys = [column for (_oid, sid), column in y_of.items() if sid == s.id]
            if ys:
                row([(y, 1) for y in ys], 0, s.capacity)
    for o in orders:
        ys = [y_of[o.id, s.id] for s in sources if (o.id, s.id) in y_of]
        if len(ys) > max_parts:
            row([(y, 1) for y in ys], 0, max_parts)
    upper_bounds = np.array(
        [1.0 if kind != "x" else float(ln.quantity) for kind, _o, _s, ln in columns]
    )
    if min_allocated is None:
        # Units first; cost breaks ties, scaled so that all of it is worth less
        # than one unit (and no shipment is opened for nothing).
        objective = cost * (0.5 / max(1.0, float(cost @ upper_bounds)))
        objective[x_columns] -= 1.0
    else:
        objective = cost
        row([(x, 1) for x in x_columns], min_allocated - 1e-6, np.inf)
    solver = highspy.Highs()
    for option, value in (
        ("output_flag", False),
        ("threads", 1),  # as the engine's (HiGHS takes one value a process)
        ("time_limit", float(time_limit)),
        ("mip_rel_gap", 1e-6),
    ):
        solver.setOptionValue(option, value)
    program = highspy.HighsLp()
    program.num_col_, program.num_row_ = size, len(lower)
    program.col_cost_ = objective
    program.col_lower_, program.col_upper_ = np.zeros(size), upper_bounds
    program.row_lower_, program.row_upper_ = np.array(lower, float), np.array(upper, float)
    # Each row's entries are added together, rows in order: row-wise already.
    program.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    program.a_matrix_.start_ = np.searchsorted(np.array(rows), np.arange(len(lower) + 1))
    program.a_matrix_.index_ = np.array(cols, dtype=np.int32)
    program.a_matrix_.value_ = np.array(vals, dtype=float)
    program.integrality_ = [highspy.HighsVarType.kInteger] * size
    solver.passModel(program)
    if start is not None:
        solver.setSolution(_start_values(start, orders, columns, y_of, xz_of))
    solver.run()
    info = solver.getInfo()
    bound = info.mip_dual_bound if info.mip_node_count >= 0 else None
    found = solver.getSolution()
    if not found.value_valid:
        # Stopped at the time limit before any plan at that service level: only
        # the dual bound (a floor of the optimum) is known.
        return None, None, {}, "no plan in time", bound
    values = np.round(np.array(found.col_value))
    shipments = {}
    for i, (kind, o, s, ln) in enumerate(columns):
        if kind == "x" and values[i] > 0:
            shipments.setdefault((o.id, s.id), []).append((ln, float(values[i])))
    allocated = float(sum(values[x_columns]))
    assert allocated <= total_units + 1e-9
    optimal = solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return allocated, float(cost @ values), shipments, "optimal" if optimal else "time limit", bound


def _start_values(plan, orders, columns, y_of, xz_of):
    """The engine's plan as the MILP's columns (x units, z and y opened)."""
    import highspy  # noqa: PLC0415

    values = [0.0] * len(columns)
    order_of = {ln.id: o.id for o in orders for ln in o.lines}
    for order_plan in plan.orders:
        for allocation in order_plan.allocations:
            x, z = xz_of[allocation.line_id, allocation.source_id]
            values[x] += allocation.quantity
            values[z] = 1.0
            values[y_of[order_of[allocation.line_id], allocation.source_id]] = 1.0
    solution = highspy.HighsSolution()
    solution.col_value = values
    solution.value_valid = True
    return solution


def engine_cost_of(shipments, orders, sources):
    """The engine's own ``estimate_cost`` of a plan given as shipments."""
    order_of = {o.id: o for o in orders}
    source_of = {s.id: s for s in sources}
    total = 0.0
    for (oid, sid), parts in shipments.items():
        o, s = order_of[oid], source_of[sid]
        km = great_circle_km(o.latitude, o.longitude, s.latitude, s.longitude)
        total += estimate_cost(s, parts, km=km)
    return total


def quality(family, seeds, sources_count, time_limit):
    cost_gaps, bound_gaps, unit_rows = [], [], []
    for seed in range(1, seeds + 1):
        orders, sources = family_instance(family, 200, sources_count, 100 + seed)
        plan = route(Snapshot(orders, sources, STRATEGY))
        engine_cost = sum(p.estimated_cost for p in plan.orders)
        engine_units = sum(a.quantity for p in plan.orders for a in p.allocations)
        demand = sum(ln.quantity for o in orders for ln in o.lines)
        start = time.perf_counter()
        # Units first: its plan may open a shipment for nothing within the
        # solver's tolerance, so only the cost MILP's plan is costed again.
        best_units, _cost, _plan, status1, bound1 = optimum(
            orders, sources, STRATEGY.max_parts, time_limit=time_limit, start=plan
        )
        same_units, best_cost, shipments, status2, bound2 = optimum(
            orders, sources, STRATEGY.max_parts, engine_units, time_limit=time_limit, start=plan
        )
        if best_cost is None and bound2 is None:
            # No plan at the engine's service level yet (the closer the engine
            # is to the most units, the harder): once more, four times as long.
            same_units, best_cost, shipments, status2, bound2 = optimum(
                orders, sources, STRATEGY.max_parts, engine_units, time_limit=4 * time_limit
            )
        # The engine's plan is one the MILP could find: the best known is the
        # better of the two. Stopped at the time limit, the MILP's dual bound
        # caps what can be allocated (its cost term is worth less than half a unit).
        best_units = max(best_units, engine_units)
        engine_missing, best_missing = demand - engine_units, demand - best_units
        most = (
            math.floor(-bound1 + 0.5) if status1 != "optimal" and bound1 is not None else best_units
        )
        unit_rows.append((engine_missing, best_missing, demand, demand - most))
        if best_cost is None and bound2 is None:
            print(
                f"  {family} seed {seed}: no MILP plan nor bound at the engine's "
                f"{engine_units:g} units in time (cost left out); unallocated "
                f"{engine_missing:g} vs MILP {best_missing:g} ({status1}) of {demand:g}",
                flush=True,
            )
            continue
        if best_cost is None:
            # No plan at the engine's service level within the time limit: the
            # gap to the dual bound (a floor of the optimum) overstates it.
            best_cost, status2, same_units = bound2, "dual bound only", engine_units
        else:
            best_cost = _check_costing(best_cost, shipments, orders, sources)
        solve = time.perf_counter() - start
        gap = (engine_cost - best_cost) / best_cost * 100
        cost_gaps.append(gap)
        bound_gaps.append(
            (engine_cost - bound2) / bound2 * 100 if status2 == "time limit" and bound2 else gap
        )
        bound_gap = f" (to the MILP's dual bound {bound_gaps[-1]:.2f} %)"
        print(
            f"  {family} seed {seed}: engine {engine_cost:.2f} for {engine_units:g} units, "
            f"MILP {best_cost:.2f} ({status2}) for {same_units:g}; gap {gap:.2f} %{bound_gap}; "
            f"unallocated {engine_missing:g} vs MILP {best_missing:g} ({status1}, bound "
            f"{demand - most:g}) of {demand:g}; MILP {solve:.1f} s",
            flush=True,
        )
    if not cost_gaps:
        cost_gaps.append(float("nan"))
    engine_missing = sum(r[0] for r in unit_rows)
    best_missing = sum(r[1] for r in unit_rows)
    floor = sum(r[3] for r in unit_rows)
    demand = sum(r[2] for r in unit_rows)
    bound_mean = sum(bound_gaps) / max(1, len(bound_gaps))
    over = (engine_missing - best_missing) / max(1, best_missing) * 100
    print(
        f"{family}: cost gap ({len(cost_gaps)} seeds) mean "
        f"{sum(cost_gaps) / len(cost_gaps):.2f} %, worst "
        f"{max(cost_gaps):.2f} % (to the dual bounds: mean {bound_mean:.2f} %, worst "
        f"{max(bound_gaps, default=0):.2f} %); unallocated {engine_missing:g} units vs the "
        f"MILP's {best_missing:g} (+{over:.2f} % of it; bound {floor:g}) (of {demand:g}; "
        f"{(engine_missing - best_missing) / demand * 100:.2f} % of demand), worst seed "
        f"{max(r[0] - r[1] for r in unit_rows):g} units",
        flush=True,
    )


def _check_costing(milp_cost, shipments, orders, sources):
    """The MILP's plan costed by the engine's ``estimate_cost``: the same, or
    less when a plan stopped at the time limit pays for a shipment or a line
    that carries no unit (the engine's cost of its plan is then the figure)."""
    again = engine_cost_of(shipments, orders, sources)
    assert again <= milp_cost + 1e-6 * max(1.0, abs(milp_cost)), (again, milp_cost)
    return again


# -- speed and memory ------------------------------------------------------------


def baseline_engine(revision):
    """The ``route`` of the engine at ``revision``, imported beside the current one."""
    folder = Path(tempfile.mkdtemp(prefix="routing-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "addons/oms_routing/routing_engine"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    target = folder / "baseline_routing_engine"
    (folder / "addons/oms_routing/routing_engine").rename(target)
    sys.path.insert(0, str(folder))
    return importlib.import_module("baseline_routing_engine")


def _best_of_three(engine, snapshot):
    """Best wall-clock time of three runs, and the best CPU time (the process's
    own, steadier than wall clock on a shared machine)."""
    best = cpu = None
    for _run in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        engine.route(snapshot)
        elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
        best = elapsed if best is None else min(best, elapsed)
        cpu = used if cpu is None else min(cpu, used)
    return best, cpu


def speed(args):
    current = sys.modules["oms_routing.routing_engine"]
    base = baseline_engine(args.baseline) if args.baseline else None
    for family in ["today", *args.speed_families.split(",")]:
        if not family:
            continue
        if family == "today":
            orders, sources = instance(args.orders, args.sources, 40, seed=1)
        else:
            orders, sources = family_instance(family, args.orders, args.sources, 1, lines=3)
        strategy = STRATEGY if args.speed_cost_only else Strategy()
        timings = [("current", _best_of_three(current, Snapshot(orders, sources, strategy)))]
        if base:
            snapshot = _as(base, orders, sources, strategy)
            timings.append((f"baseline {args.baseline}", _best_of_three(base, snapshot)))
        print(
            f"speed {family}{' (cost only, split)' if args.speed_cost_only else ''}: "
            f"{args.orders} orders x 3 lines over {args.sources} sources: "
            + ", ".join(
                f"{name} {seconds:.2f} s (CPU {cpu:.2f} s)" for name, (seconds, cpu) in timings
            )
            + (
                f"; CPU ratio {timings[0][1][1] / timings[1][1][1]:.2f}" if len(timings) > 1 else ""
            ),
            flush=True,
        )


def _as(module, orders, sources, strategy=None):
    """The snapshot in another engine's own dataclasses (same fields)."""

    def known(obj, cls):
        # Fields the other engine knows: an older one lacks the newer fields
        # (left at their defaults here, so the plans are comparable).
        names = {f.name for f in dataclasses.fields(cls)}
        return {name: value for name, value in obj.__dict__.items() if name in names}

    def convert(obj, cls):
        return cls(**known(obj, cls))

    return module.Snapshot(
        tuple(
            module.Order(
                **{
                    **known(o, module.Order),
                    "lines": tuple(convert(ln, module.Line) for ln in o.lines),
                }
            )
            for o in orders
        ),
        tuple(
            module.Source(
                **{**s.__dict__, "rates": tuple(convert(r, module.ShippingRate) for r in s.rates)}
            )
            for s in sources
        ),
        module.Strategy(**strategy.__dict__) if strategy else module.Strategy(),
    )


def memory(args, revision=""):
    """Route 50,000 orders over 200 sources in a child (with the engine at
    ``revision`` when given); its peak RSS and time."""
    here = str(Path(__file__).resolve().parent)
    code = (
        f"import sys, time, resource; sys.path.insert(0, {here!r}); "
        "import routing_engine as b; "
        f"orders, sources = b.family_instance({args.memory_family!r}, 50000, 200, 1, lines=3); "
        f"e = b.baseline_engine({revision!r}) if {revision!r} else b; "
        "snapshot = b._as(e, orders, sources) if e is not b else b.Snapshot(orders, sources); "
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        "t = time.perf_counter(); plan = e.route(snapshot); "
        "t = time.perf_counter() - t; "
        "rows = sum(len(p.candidate_rows) for p in plan.orders); "
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        "print(f'{t:.1f} s, peak RSS {peak / 1024:.0f} MB '"
        " f'(instance alone {before / 1024:.0f} MB), {rows} candidate rows')"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    print(
        f"memory {args.memory_family}, engine {revision or 'current'}: 50,000 orders x 3 lines "
        f"over 200 sources: {found.stdout}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--milp-sources", type=int, default=20)
    parser.add_argument("--milp-time-limit", type=float, default=30)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--speed-families", default="many-lines,tight-capacity")
    parser.add_argument("--baseline", default="", help="git revision of a baseline engine")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--memory-family", default="tight-capacity")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument(
        "--speed-cost-only",
        action="store_true",
        help="time the quality runs' strategy (cost only, split) instead of the default one",
    )
    args = parser.parse_args()
    if not args.no_speed:
        speed(args)
    if args.memory:
        memory(args)
        if args.baseline:
            memory(args, args.baseline)
    for family in args.families.split(","):
        if family:
            quality(family, args.seeds, args.milp_sources, args.milp_time_limit)


if __name__ == "__main__":
    main()
