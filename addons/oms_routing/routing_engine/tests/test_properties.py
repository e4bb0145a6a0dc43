"""Invariants of the routing engine on random snapshots (hypothesis)."""

import random
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from .. import Line, Order, ShippingRate, Snapshot, Source, Strategy, route

PRODUCTS = (1, 2, 3, 4)
RATES = (ShippingRate(300, 5.0, 0.5, 1), ShippingRate(1e9, 12.0, 1.0, 3))

coordinates = st.tuples(st.floats(35, 60), st.floats(-10, 25))


@st.composite
def sources(draw):
    count = draw(st.integers(1, 6))
    result = []
    for sid in range(1, count + 1):
        lat, lon = draw(coordinates)
        result.append(
            Source(
                id=sid,
                latitude=lat,
                longitude=lon,
                stock={p: draw(st.integers(0, 6)) for p in PRODUCTS},
                safety_stock={p: draw(st.integers(0, 2)) for p in PRODUCTS},
                capacity=draw(st.one_of(st.none(), st.integers(0, 4))),
                cost_per_shipment=draw(st.floats(0, 5)),
                cost_per_line=draw(st.floats(0, 1)),
                ships_today=draw(st.booleans()),
                rank=draw(st.integers(1, 5)),
                rates=RATES,
                countries=draw(st.one_of(st.none(), st.just(frozenset({"BE", "FR"})))),
            )
        )
    return tuple(result)


@st.composite
def orders(draw):
    count = draw(st.integers(1, 8))
    result = []
    for oid in range(1, count + 1):
        lat, lon = draw(coordinates)
        # The same product may sit on several lines of an order.
        products = draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=4))
        result.append(
            Order(
                id=oid,
                latitude=lat,
                longitude=lon,
                country=draw(st.sampled_from(("BE", "FR", "NL"))),
                priority=draw(st.integers(0, 1)),
                lines=tuple(
                    Line(
                        id=oid * 10 + i,
                        product_id=p,
                        quantity=draw(st.integers(1, 4)),
                        unit_value=draw(st.floats(1, 50)),
                        weight=draw(st.floats(0, 3)),
                    )
                    for i, p in enumerate(products)
                ),
            )
        )
    return tuple(result)


strategies = st.builds(
    Strategy,
    weights=st.dictionaries(
        st.sampled_from(("distance", "cost", "speed", "capacity", "rank")),
        st.floats(0, 3),
        min_size=1,
    ),
    keep_whole=st.booleans(),
    min_split_value=st.sampled_from((0.0, 0.0, 20.0)),
    max_parts=st.integers(1, 3),
    respect_safety_stock=st.booleans(),
    backorder_policy=st.sampled_from(("ship_available", "wait_whole")),
)


@settings(max_examples=150, deadline=None)
@given(orders(), sources(), strategies)
def test_never_more_than_stock_or_capacity_and_everything_accounted_for(
    order_list, source_list, strategy
):
    plan = route(Snapshot(order_list, source_list, strategy))
    by_id = {s.id: s for s in source_list}
    taken = defaultdict(float)
    shipments = defaultdict(int)
    for result in plan.orders:
        for source_id in result.source_ids:
            shipments[source_id] += 1
        assert len(result.source_ids) <= strategy.max_parts
        for allocation in result.allocations:
            assert allocation.quantity > 0
            line_product = next(
                line.product_id
                for o in order_list
                for line in o.lines
                if line.id == allocation.line_id
            )
            taken[allocation.source_id, line_product] += allocation.quantity
    for (source_id, product), quantity in taken.items():
        source = by_id[source_id]
        kept = source.safety_stock.get(product, 0) if strategy.respect_safety_stock else 0
        assert quantity <= source.stock.get(product, 0) - kept + 1e-9
    for source_id, count in shipments.items():
        if by_id[source_id].capacity is not None:
            assert count <= by_id[source_id].capacity
    for o in order_list:
        result = plan.for_order(o.id)
        for line in o.lines:
            allocated = sum(a.quantity for a in result.allocations if a.line_id == line.id)
            missing = sum(u.quantity for u in result.unallocated if u.line_id == line.id)
            assert abs(allocated + missing - line.quantity) < 1e-9
        assert {c.source_id for c in result.candidates} == set(by_id)


@settings(max_examples=200, deadline=None)
@given(orders(), sources(), strategies)
def test_no_source_product_allocated_beyond_its_stock_across_the_batch(
    order_list, source_list, strategy
):
    plan = route(Snapshot(order_list, source_list, strategy))
    product_of = {line.id: line.product_id for o in order_list for line in o.lines}
    taken = defaultdict(float)
    for result in plan.orders:
        for allocation in result.allocations:
            taken[allocation.source_id, product_of[allocation.line_id]] += allocation.quantity
    for source in source_list:
        for product in PRODUCTS:
            kept = (
                source.safety_stock.get(product, source.default_safety_stock)
                if strategy.respect_safety_stock
                else 0
            )
            free = max(0.0, source.stock.get(product, 0) - kept)
            assert taken[source.id, product] <= free + 1e-9, (source.id, product)


@settings(max_examples=100, deadline=None)
@given(orders(), sources(), strategies)
def test_whole_order_when_one_source_can_ship_it(order_list, source_list, strategy):
    strategy = Strategy(**{**strategy.__dict__, "keep_whole": True})
    first = sorted(order_list, key=lambda o: (-o.priority, o.id))[0]
    plan = route(Snapshot(order_list, source_list, strategy))
    result = plan.for_order(first.id)
    can_all = [c for c in result.candidates if c.can_ship_all]
    if can_all:
        assert len(result.source_ids) == 1
        assert not result.unallocated


@settings(max_examples=60, deadline=None)
@given(orders(), sources(), strategies, st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(order_list, source_list, strategy, rng):
    plan = route(Snapshot(order_list, source_list, strategy))
    shuffled_orders, shuffled_sources = list(order_list), list(source_list)
    rng.shuffle(shuffled_orders)
    rng.shuffle(shuffled_sources)
    again = route(Snapshot(tuple(shuffled_orders), tuple(shuffled_sources), strategy))
    assert plan == again, "same plan, same explanations, same batch order"


def test_random_instance_smoke():
    rng = random.Random(4)
    source_list = tuple(
        Source(
            id=i,
            latitude=rng.uniform(40, 55),
            longitude=rng.uniform(-5, 20),
            stock={p: rng.randint(0, 30) for p in PRODUCTS},
            rates=RATES,
        )
        for i in range(1, 11)
    )
    order_list = tuple(
        Order(
            id=i,
            latitude=rng.uniform(40, 55),
            longitude=rng.uniform(-5, 20),
            country="BE",
            lines=(Line(id=i * 10, product_id=rng.choice(PRODUCTS), quantity=1),),
        )
        for i in range(1, 101)
    )
    plan = route(Snapshot(order_list, source_list))
    assert len(plan.orders) == 100
