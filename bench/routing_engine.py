"""The routing engine's speed, and its cost against the optimum.

Issue 5 asks: the engine routes 10,000 orders of 3 lines over 50 sources in at most
2 s, and on 200-order instances its cost is within 2 % of the optimum a MILP solver
finds (SciPy's ``milp``, HiGHS), on the same cost model.

- Speed: 50 sources spread over Europe, 10,000 orders of 3 lines (40 products),
  customers placed at 2,000 postcode centroids (as the Odoo side places them
  without coordinates), shared stock and capacity, the default strategy (distance,
  cost and speed weighed). Best of three runs.
- Cost: strategy "cost only", split when the parts cost less than the best whole,
  up to 5 shipments. The MILP chooses, for all 200 orders at once, which sources ship how
  much of each line, under the same stock and capacity, minimising handling per
  shipment plus shipping (table price by distance band plus per kg). Both must
  allocate everything (the instances have enough stock); the gap is
  (engine - optimum) / optimum over several seeds, with ample stock (every order
  could be served by its cheapest source) and with tight stock (orders compete for
  it: the engine serves them one after the other, the MILP all at once).

    .venv/bin/python bench/routing_engine.py [--orders 10000] [--sources 50] [--seeds 5]
"""

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "addons"))

from oms_routing.routing_engine import (  # noqa: E402
    Line,
    Order,
    ShippingRate,
    Snapshot,
    Source,
    Strategy,
    great_circle_km,
    route,
)

RATES = (
    ShippingRate(150, 4.5, 0.3, 1),
    ShippingRate(500, 6.9, 0.5, 2),
    ShippingRate(1200, 11.5, 0.8, 3),
    ShippingRate(1e9, 19.0, 1.2, 5),
)


def instance(orders, sources, products, seed, stock_scale=1.0, capacity=None):
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


def speed(args):
    orders, sources = instance(args.orders, args.sources, 40, seed=1)
    snapshot = Snapshot(orders, sources)
    best = None
    for _run in range(3):
        start = time.perf_counter()
        plan = route(snapshot)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    allocated = sum(1 for p in plan.orders if not p.unallocated)
    split = sum(1 for p in plan.orders if p.is_split)
    print(
        f"speed: {args.orders} orders x 3 lines over {args.sources} sources in {best:.2f} s "
        f"(goal <= 2 s); {allocated} complete, {split} split, "
        f"{sum(len(p.candidate_rows) for p in plan.orders)} candidates explained"
    )


def shipping(source, km, weight):
    rate = next((r for r in RATES if km <= r.max_km), RATES[-1])
    return rate.base, rate.per_kg * weight


def _columns(orders, sources):
    """Column of each ship-from decision (binary) and each line quantity per source."""
    y_index = {(o.id, s.id): i for i, (o, s) in enumerate((o, s) for o in orders for s in sources)}
    x_index, lines_of = {}, {}
    for o in orders:
        for line in o.lines:
            lines_of[line.id] = (o, line)
            for s in sources:
                if s.stock.get(line.product_id, 0) > 0:
                    x_index[line.id, s.id] = len(y_index) + len(x_index)
    return y_index, x_index, lines_of


def _costs(orders, sources, y_index, x_index, size):
    import numpy as np  # noqa: PLC0415 - benchmark only

    cost = np.zeros(size)
    for o in orders:
        for s in sources:
            km = great_circle_km(o.latitude, o.longitude, s.latitude, s.longitude)
            cost[y_index[o.id, s.id]] = s.cost_per_shipment + shipping(s, km, 0)[0]
            for line in o.lines:
                if (line.id, s.id) in x_index:
                    cost[x_index[line.id, s.id]] = shipping(s, km, line.weight)[1]
    return cost


def optimum(orders, sources):
    """Minimum handling + shipping over all allocations (MILP, HiGHS)."""
    import numpy as np  # noqa: PLC0415 - benchmark only
    from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: PLC0415
    from scipy.sparse import lil_matrix  # noqa: PLC0415

    y_index, x_index, lines_of = _columns(orders, sources)
    size = len(y_index) + len(x_index)
    cost = _costs(orders, sources, y_index, x_index, size)
    by_product = {}
    for (line_id, sid), column in x_index.items():
        by_product.setdefault((sid, lines_of[line_id][1].product_id), []).append(column)
    matrix = lil_matrix((len(lines_of) + len(x_index) + len(by_product), size))
    lower, upper = [], []
    row = 0
    for line_id, (_o, line) in lines_of.items():  # every line fully allocated
        for s in sources:
            if (line_id, s.id) in x_index:
                matrix[row, x_index[line_id, s.id]] = 1
        lower.append(line.quantity)
        upper.append(line.quantity)
        row += 1
    for (line_id, sid), column in x_index.items():  # a line ships only with its parcel
        o, line = lines_of[line_id]
        matrix[row, column] = 1
        matrix[row, y_index[o.id, sid]] = -line.quantity
        lower.append(-np.inf)
        upper.append(0)
        row += 1
    stock = {s.id: s.stock for s in sources}
    for (sid, product), columns in by_product.items():  # never more than the stock
        for column in columns:
            matrix[row, column] = 1
        lower.append(0)
        upper.append(stock[sid][product])
        row += 1
    integrality = np.zeros(size)
    integrality[: len(y_index)] = 1
    upper_bounds = np.full(size, np.inf)
    upper_bounds[: len(y_index)] = 1
    result = milp(
        cost,
        constraints=[LinearConstraint(matrix.tocsr(), lower, upper)],
        integrality=integrality,
        bounds=Bounds(np.zeros(size), upper_bounds),
        options={"time_limit": 120, "mip_rel_gap": 1e-4},
    )
    if result.x is None:
        raise RuntimeError(f"MILP: {result.message}")
    return result.fun


def quality(args):
    strategy = Strategy(
        weights={"cost": 1.0}, keep_whole=False, max_parts=5, respect_safety_stock=False
    )
    gaps = []
    for seed in range(1, args.seeds + 1):
        orders, sources = instance(
            200, args.milp_sources, 15, seed=100 + seed, stock_scale=args.stock_scale
        )
        plan = route(Snapshot(orders, sources, strategy))
        if any(p.unallocated for p in plan.orders):
            print(f"  seed {seed}: the engine left lines unallocated; instance skipped")
            continue
        engine_cost = sum(p.estimated_cost for p in plan.orders)
        start = time.perf_counter()
        best = optimum(orders, sources)
        solve = time.perf_counter() - start
        gap = (engine_cost - best) / best * 100
        gaps.append(gap)
        print(
            f"  seed {seed}: engine {engine_cost:.2f}, optimum {best:.2f}, gap {gap:.2f} % "
            f"(MILP {solve:.1f} s)"
        )
    if gaps:
        print(
            f"cost: 200 orders x 3 lines over {args.milp_sources} sources, gap to the optimum "
            f"mean {sum(gaps) / len(gaps):.2f} %, worst {max(gaps):.2f} % (goal <= 2 %)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--milp-sources", type=int, default=20)
    parser.add_argument(
        "--stock-scales",
        default="6,1.2",
        help="stock per source relative to demand: ample (6), tight (1.2)",
    )
    args = parser.parse_args()
    speed(args)
    for scale in args.stock_scales.split(","):
        args.stock_scale = float(scale)
        print(f"stock x{scale}:")
        quality(args)


if __name__ == "__main__":
    main()
