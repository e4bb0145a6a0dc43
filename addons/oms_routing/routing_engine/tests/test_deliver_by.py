"""The deliver-by promise: a source that cannot make it is not chosen when
sources that can have the whole order."""

from .. import Snapshot, Strategy, route
from .test_engine import AMS, BRU, LYS, order, source

CHEAP_SLOW = {"cost": 1.0}


def _plan(orders, sources, strategy=None):
    return route(Snapshot(tuple(orders), tuple(sources), strategy or Strategy(weights=CHEAP_SLOW)))


def test_cheaper_late_source_loses_to_one_in_time():
    # S1 is near (5.50, 1 day in transit) but ships only in 3 days: 4 days.
    # S2 is farther (9.80, 2 days in transit) and ships today: 2 days.
    late = source(1, BRU, {1: 5}, ships_today=False, days_to_next_ship=3)
    in_time = source(2, LYS, {1: 5})
    plan = _plan([order(deliver_within=3)], [late, in_time])
    result = plan.for_order(1)
    assert result.source_ids == (2,)
    assert result.candidate(1).reason.startswith("cannot deliver by the promised date")
    assert not result.candidate(1).chosen
    # Without a promise, or with one both make, the cheaper wins.
    assert _plan([order()], [late, in_time]).for_order(1).source_ids == (1,)
    assert _plan([order(deliver_within=4)], [late, in_time]).for_order(1).source_ids == (1,)


def test_late_sources_kept_when_none_in_time_can_ship_it():
    late = source(1, BRU, {1: 5}, ships_today=False, days_to_next_ship=3)
    short = source(2, AMS, {1: 1})
    plan = _plan([order(deliver_within=2, lines=((1, 3),))], [late, short])
    result = plan.for_order(1)
    assert sum(a.quantity for a in result.allocations) == 3
    assert 1 in result.source_ids


def test_in_time_sources_together_cover_the_order():
    late = source(1, BRU, {1: 5, 2: 5}, ships_today=False, days_to_next_ship=3)
    first = source(2, AMS, {1: 5})
    second = source(3, LYS, {2: 5})
    strategy = Strategy(weights=CHEAP_SLOW, keep_whole=True)
    plan = _plan([order(deliver_within=3, lines=((1, 1), (2, 1)))], [late, first, second], strategy)
    assert plan.for_order(1).source_ids == (2, 3)


def test_promised_order_routed_first_and_kept_from_late_sources():
    # Order 2 (promise: 2 days) at Brussels, order 1 (no promise) at Amsterdam;
    # one unit at Brussels (ships in 5 days) and one at Amsterdam (today). Order
    # 2 goes first and takes Amsterdam; the improvement phase would swap them
    # (each nearer its source) but order 2 cannot get the late unit.
    late = source(1, BRU, {1: 1}, ships_today=False, days_to_next_ship=5)
    in_time = source(2, AMS, {1: 1})
    orders = [order(1, where=AMS), order(2, where=BRU, deliver_within=2)]
    plan = _plan(orders, [late, in_time], Strategy(weights={"distance": 1.0}))
    assert plan.for_order(2).source_ids == (2,)
    assert plan.for_order(1).source_ids == (1,)
    # Without the promise both ship from their nearest source.
    orders = [order(1, where=AMS), order(2, where=BRU)]
    plan = _plan(orders, [late, in_time], Strategy(weights={"distance": 1.0}))
    assert plan.for_order(2).source_ids == (1,)
