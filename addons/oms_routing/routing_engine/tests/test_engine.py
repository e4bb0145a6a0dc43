"""Each factor and rule of the routing engine on its own, on small snapshots."""

from datetime import date

import pytest

from .. import (
    Line,
    Order,
    RoutingError,
    ShippingRate,
    Snapshot,
    Source,
    Strategy,
    estimate_cost,
    route,
)

# Brussels, Paris, Amsterdam, Lyon
BRU, PAR, AMS, LYS = (50.85, 4.35), (48.86, 2.35), (52.37, 4.90), (45.76, 4.84)
RATES = (
    ShippingRate(300, 5.0, 0.5, 1),
    ShippingRate(800, 9.0, 0.8, 2),
    ShippingRate(1e9, 20, 1, 4),
)


def source(sid, where, stock, **values):
    lat, lon = where
    return Source(
        id=sid,
        name=f"S{sid}",
        latitude=lat,
        longitude=lon,
        stock=stock,
        rates=values.pop("rates", RATES),
        **values,
    )


def order(oid=1, where=BRU, lines=((1, 1),), **values):
    lat, lon = where
    return Order(
        id=oid,
        latitude=lat,
        longitude=lon,
        country=values.pop("country", "BE"),
        lines=tuple(
            Line(id=oid * 10 + i, product_id=p, quantity=q, unit_value=10.0, weight=1.0)
            for i, (p, q) in enumerate(lines)
        ),
        **values,
    )


def only(factor, **values):
    return Strategy(weights={factor: 1.0}, **values)


def test_nearest_wins_when_only_distance_counts():
    plan = route(
        Snapshot(
            (order(where=BRU),),
            (source(1, PAR, {1: 5}), source(2, AMS, {1: 5}), source(3, LYS, {1: 5})),
            only("distance"),
        )
    )
    result = plan.orders[0]
    assert result.source_ids == (2,)  # Amsterdam is 173 km from Brussels, Paris 264 km
    candidate = result.candidate(2)
    assert candidate.chosen and candidate.reason.startswith("chosen")
    assert round(result.candidate(1).factors["distance"]) == 264
    assert "behind source 2" in result.candidate(1).reason


def test_cheapest_wins_when_only_cost_counts():
    plan = route(
        Snapshot(
            (order(),),
            (source(1, AMS, {1: 5}, cost_per_shipment=9.0), source(2, LYS, {1: 5})),
            only("cost"),
        )
    )
    # Amsterdam: 9 handling + 5.5 shipping; Lyon (~560 km): 0 + 9.8 shipping.
    assert plan.orders[0].source_ids == (2,)
    assert plan.orders[0].estimated_cost == pytest.approx(9.8)


def test_live_quote_replaces_the_table():
    snapshot = Snapshot(
        (order(),),
        (source(1, AMS, {1: 5}), source(2, LYS, {1: 5})),
        only("cost"),
        quotes={(1, 2): 1.0},
    )
    assert route(snapshot).orders[0].source_ids == (2,)


def test_fastest_counts_the_cut_off():
    sources = (
        source(1, AMS, {1: 5}, ships_today=False, days_to_next_ship=1),
        source(2, LYS, {1: 5}),
    )
    result = route(Snapshot((order(),), sources, only("speed"))).orders[0]
    # Amsterdam after its cut-off: 1 + 1 day; Lyon today: 0 + 2 days. A tie: rank, id.
    assert result.candidate(1).factors["speed"] == 2
    assert result.candidate(2).factors["speed"] == 2
    faster = (
        source(1, AMS, {1: 5}, ships_today=False, days_to_next_ship=2),
        source(2, LYS, {1: 5}),
    )
    assert route(Snapshot((order(),), faster, only("speed"))).orders[0].source_ids == (2,)


def test_capacity_left_is_preferred_and_exhausted_capacity_rejects():
    sources = (source(1, AMS, {1: 9}, capacity=1), source(2, PAR, {1: 9}, capacity=5))
    plan = route(Snapshot((order(1), order(2)), sources, only("distance")))
    assert plan.for_order(1).source_ids == (1,)
    assert plan.for_order(2).source_ids == (2,)
    assert plan.for_order(2).candidate(1).reason == "no capacity left today"
    by_capacity = route(Snapshot((order(1),), sources, only("capacity")))
    assert by_capacity.orders[0].source_ids == (2,)


def test_safety_stock_is_kept_back_unless_the_strategy_says_not():
    sources = (source(1, AMS, {1: 3}, safety_stock={1: 2}), source(2, LYS, {1: 3}))
    plan = route(Snapshot((order(lines=((1, 2),)),), sources, only("distance")))
    assert plan.orders[0].source_ids == (2,)
    assert "whole" in plan.orders[0].candidate(1).reason
    ignoring = only("distance", respect_safety_stock=False)
    assert route(Snapshot((order(lines=((1, 2),)),), sources, ignoring)).orders[0].source_ids == (
        1,
    )


def test_country_not_served_is_rejected_with_its_reason():
    sources = (source(1, AMS, {1: 5}, countries=frozenset({"NL"})), source(2, LYS, {1: 5}))
    result = route(Snapshot((order(),), sources, only("distance"))).orders[0]
    assert result.source_ids == (2,)
    assert result.candidate(1).reason == "does not ship to BE"


def test_whole_order_from_one_source_when_one_can():
    sources = (source(1, AMS, {1: 5}), source(2, PAR, {2: 5}), source(3, LYS, {1: 5, 2: 5}))
    result = route(Snapshot((order(lines=((1, 1), (2, 1))),), sources)).orders[0]
    assert result.source_ids == (3,)
    assert not result.is_split


def test_split_when_no_source_has_it_all_fewest_shipments_first():
    sources = (
        source(1, AMS, {1: 5}),
        source(2, PAR, {2: 5, 3: 5}),
        source(3, LYS, {3: 5}),
    )
    result = route(Snapshot((order(lines=((1, 1), (2, 1), (3, 1))),), sources)).orders[0]
    assert result.source_ids == (1, 2)
    assert not result.unallocated


def test_min_split_value_refuses_small_parts():
    sources = (source(1, AMS, {1: 5}), source(2, PAR, {2: 5}))
    strategy = Strategy(min_split_value=15.0)
    result = route(Snapshot((order(lines=((1, 2), (2, 1))),), sources, strategy)).orders[0]
    # Product 1 is worth 20 from Amsterdam; product 2 alone (10) is too small a part.
    assert result.source_ids == (1,)
    assert [(u.line_id, u.reason) for u in result.unallocated] == [(11, "min_split_value")]


def test_dropship_only_for_what_no_stocked_source_has():
    vendor = Source(id=9, kind="dropship", products=frozenset({2}), rank=1)
    sources = (source(1, AMS, {1: 5}), vendor)
    result = route(Snapshot((order(lines=((1, 1), (2, 3))),), sources)).orders[0]
    assert {(a.line_id, a.source_id, a.quantity) for a in result.allocations} == {
        (10, 1, 1),
        (11, 9, 3),
    }
    no_fallback = Strategy(dropship_fallback=False)
    result = route(Snapshot((order(lines=((1, 1), (2, 3))),), sources, no_fallback)).orders[0]
    assert result.source_ids == (1,)
    assert result.unallocated[0].line_id == 11


def test_backorder_policies():
    sources = (source(1, AMS, {1: 1}),)
    shipping = route(Snapshot((order(lines=((1, 3),)),), sources)).orders[0]
    assert shipping.allocations[0].quantity == 1
    assert shipping.unallocated[0].quantity == 2
    waiting = route(
        Snapshot((order(lines=((1, 3),)),), sources, Strategy(backorder_policy="wait_whole"))
    ).orders[0]
    assert not waiting.allocations
    assert waiting.unallocated[0].reason == "waiting_whole"


def test_batch_serves_priority_then_promised_date_first():
    sources = (source(1, AMS, {1: 1}),)
    orders = (
        order(1, promised=date(2026, 1, 5)),
        order(2, promised=date(2026, 1, 3)),
        order(3, priority=1, promised=date(2026, 1, 9)),
    )
    plan = route(Snapshot(orders, sources))
    assert [p.order_id for p in plan.orders] == [3, 2, 1]
    assert plan.for_order(3).allocations and not plan.for_order(2).allocations


def test_split_only_when_cheaper_than_whole_if_the_strategy_allows():
    lisbon = (38.72, -9.14)
    sources = (source(1, AMS, {1: 5}), source(2, PAR, {2: 5}), source(3, lisbon, {1: 5, 2: 5}))
    lines = ((1, 1), (2, 1))
    kept = route(Snapshot((order(lines=lines),), sources, only("cost"))).orders[0]
    assert kept.source_ids == (3,), "kept whole, even if dearer"
    free = only("cost", keep_whole=False)
    split = route(Snapshot((order(lines=lines),), sources, free)).orders[0]
    assert split.source_ids == (1, 2), "two short trips cost less than one long one"
    assert split.estimated_cost < kept.estimated_cost
    nearby = (source(1, AMS, {1: 5}), source(2, PAR, {2: 5}), source(3, AMS, {1: 5, 2: 5}))
    whole = route(Snapshot((order(lines=lines),), nearby, free)).orders[0]
    assert whole.source_ids == (3,), "not split when the whole is cheaper"


def test_bad_strategy_is_refused():
    with pytest.raises(RoutingError, match="backorder"):
        route(Snapshot((order(),), (), Strategy(backorder_policy="later")))
    with pytest.raises(RoutingError, match="unknown factor"):
        route(Snapshot((order(),), (), Strategy(weights={"luck": 1})))


def test_scarce_stock_goes_to_the_order_that_loses_most_without_it():
    """Same priority, same date: the order with no cheap alternative is routed
    first, so the last unit of the shared cheap source goes to it."""
    cheap = source(1, BRU, {1: 1}, cost_per_shipment=1.0)
    other = source(2, AMS, {1: 5}, cost_per_shipment=1.2)
    antwerp = order(1, where=(51.22, 4.40))  # Brussels 6.50 or Amsterdam 6.70
    paris = order(2, where=PAR)  # Brussels 6.50, else Amsterdam 11.00
    plan = route(Snapshot((antwerp, paris), (cheap, other), only("cost")))
    assert plan.for_order(2).source_ids == (1,), "the order with most to lose gets it"
    assert plan.for_order(1).source_ids == (2,)
    total = sum(p.estimated_cost for p in plan.orders)
    assert round(total, 2) == 13.2  # first come, first served would cost 17.50
    # Priority still comes first: a higher-priority order keeps the cheap unit.
    urgent = order(1, where=(51.22, 4.40), priority=1)
    plan = route(Snapshot((urgent, paris), (cheap, other), only("cost")))
    assert plan.for_order(1).source_ids == (1,)


def test_same_product_on_two_lines_and_two_orders_never_oversold():
    # 4 units of product 1 in Brussels, 2 in Paris: the first order asks 3 + 3 of
    # it on two lines, the second 3 more. Together they may get 6, never more.
    sources = (source(1, BRU, {1: 4}), source(2, PAR, {1: 2}))
    orders = (
        order(1, lines=((1, 3), (1, 3)), priority=1),
        order(2, lines=((1, 3),)),
    )
    plan = route(Snapshot(orders, sources, only("distance", keep_whole=False)))
    taken = {1: 0.0, 2: 0.0}
    for result in plan.orders:
        for allocation in result.allocations:
            taken[allocation.source_id] += allocation.quantity
    assert taken == {1: 4.0, 2: 2.0}
    first = plan.for_order(1)
    assert sum(a.quantity for a in first.allocations) == 6
    assert not any(c.can_ship_all for c in first.candidates)
    second = plan.for_order(2)
    assert not second.allocations
    assert [(u.line_id, u.quantity, u.reason) for u in second.unallocated] == [(20, 3, "no_stock")]


def test_whole_order_needs_the_units_of_all_its_lines_of_a_product():
    # Brussels has 4, Paris 6: 3 + 3 of the same product can only ship whole from Paris.
    sources = (source(1, BRU, {1: 4}), source(2, PAR, {1: 6}))
    result = route(Snapshot((order(lines=((1, 3), (1, 3))),), sources, only("distance")))
    assert [(a.line_id, a.source_id, a.quantity) for a in result.orders[0].allocations] == [
        (10, 2, 3),
        (11, 2, 3),
    ]
    assert not result.orders[0].candidate(1).can_ship_all


@pytest.mark.parametrize(
    ("orders", "sources", "message"),
    [
        ((order(lines=((1, float("nan")),)),), (), "order 1, line 10: quantity nan"),
        ((order(lines=((1, float("inf")),)),), (), "order 1, line 10: quantity inf"),
        ((order(lines=((1, -1),)),), (), "order 1, line 10: quantity -1"),
        (
            (Order(1, (Line(10, 1, 1, weight=float("nan")),)),),
            (),
            "order 1, line 10: weight nan",
        ),
        ((Order(1, (Line(10, 1, 1, weight=-2.0),)),), (), "order 1, line 10: weight -2.0"),
        ((order(where=(91.0, 4.0)),), (), "order 1: latitude 91.0 is not on the globe"),
        ((order(where=(50.0, -181.0)),), (), "order 1: longitude -181.0 is not on the globe"),
        ((order(where=(float("nan"), 4.0)),), (), "order 1: latitude nan is not on the globe"),
        ((), (source(7, (50.0, 200.0), {}),), "source 7: longitude 200.0 is not on the globe"),
        ((), (source(7, BRU, {1: float("nan")}),), "source 7, product 1: stock nan"),
        ((order(1), order(1)), (), "order 1: two orders have this id"),
        (
            (order(1), Order(2, (Line(10, 1, 1),))),
            (),
            "order 2, line 10: two lines have this id",
        ),
        (
            (Order(3, (Line(30, 1, 1), Line(30, 2, 1))),),
            (),
            "order 3, line 30: two lines have this id",
        ),
    ],
)
def test_refuses_what_cannot_be_routed_and_names_the_record(orders, sources, message):
    with pytest.raises(RoutingError) as error:
        route(Snapshot(orders, sources))
    assert message in str(error.value)


@pytest.mark.parametrize("unplaced", ["order", "source"])
def test_without_coordinates_scored_and_costed_alike(unplaced):
    # Without coordinates on either end, a shipment costs the farthest band (20 +
    # 1 per kg) both in the candidate's cost factor and in the plan's cost.
    placed_order = order(lines=((1, 2),))
    the_order = Order(1, placed_order.lines, country="BE") if unplaced == "order" else placed_order
    the_source = (
        Source(id=1, stock={1: 5}, rates=RATES, cost_per_shipment=1.5)
        if unplaced == "source"
        else source(1, BRU, {1: 5}, cost_per_shipment=1.5)
    )
    result = route(Snapshot((the_order,), (the_source,), only("cost"))).orders[0]
    candidate = result.candidate(1)
    assert candidate.factors["cost"] == pytest.approx(1.5 + 20 + 1 * 2)
    assert result.estimated_cost == pytest.approx(candidate.factors["cost"])
    assert result.estimated_cost == pytest.approx(
        estimate_cost(the_source, [(line, line.quantity) for line in the_order.lines])
    )


def test_source_with_half_its_coordinates_counts_as_unplaced():
    half = Source(id=1, latitude=50.0, stock={1: 5}, rates=RATES)
    result = route(Snapshot((order(lines=((1, 1),)),), (half,), only("cost"))).orders[0]
    assert result.candidate(1).factors["distance"] == 0.0
    assert result.estimated_cost == pytest.approx(20 + 1)


def test_capacity_shortfall_is_not_reported_as_no_stock():
    sources = (source(1, BRU, {1: 5}, capacity=1), source(2, PAR, {2: 5}))
    orders = (order(1, lines=((1, 1),), priority=1), order(2, lines=((1, 1),)))
    plan = route(Snapshot(orders, sources, only("distance")))
    assert plan.for_order(1).source_ids == (1,)
    second = plan.for_order(2)
    assert [u.reason for u in second.unallocated] == ["no_capacity"]
    assert "no capacity left today" in second.unallocated[0].message
    assert "source(s) 1" in second.unallocated[0].message


def test_max_parts_shortfall_is_reported_as_such():
    sources = (source(1, BRU, {1: 5}), source(2, PAR, {2: 5}))
    result = route(
        Snapshot((order(lines=((1, 1), (2, 1))),), sources, only("distance", max_parts=1))
    ).orders[0]
    assert [(u.line_id, u.reason) for u in result.unallocated] == [(11, "max_parts")]


def test_many_sources_explain_the_chosen_against_the_best_alternatives():
    # 12 sources on a line eastwards of Brussels, 0.5 degree apart, and one nearer
    # that does not ship to Belgium: the plan keeps the chosen source and the 7
    # nearest others in the running, each with its factors and scores.
    sources = (
        *(
            source(sid, (50.85, 4.35 + 0.5 * sid), {1: 5}, cost_per_shipment=float(sid))
            for sid in range(1, 13)
        ),
        source(13, BRU, {1: 5}, countries=frozenset({"FR"})),
    )
    result = route(Snapshot((order(),), sources, only("distance"))).orders[0]
    assert result.source_ids == (1,)
    explained = {c.source_id: c for c in result.candidates}
    assert sorted(explained) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert explained[1].chosen
    for sid in range(2, 9):
        candidate = explained[sid]
        assert not candidate.chosen
        assert candidate.reason.startswith(f"scored {candidate.total:.3f}, behind source 1")
        assert candidate.factors["cost"] == pytest.approx(sid + 5 + 0.5)  # first band, 1 kg
        assert candidate.scores["distance"] > explained[1].scores["distance"]
