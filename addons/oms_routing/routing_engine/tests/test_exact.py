"""The exact phase after the improvement phase (issue 28, point 3): a small
batch, then groups of orders that need the same stock, are routed again
together by a MILP (HiGHS through highspy, optional); cases the moves of one
order or of an order and those in its way cannot fix, and the engine without
highspy."""

import subprocess
import sys
from pathlib import Path

import pytest

from .. import Line, Order, Snapshot, Source, Strategy, exact, route

BRU = (50.85, 4.35)
ONE_SHIPMENT = Strategy(weights={"cost": 1.0}, keep_whole=False, max_parts=1)

pytest.importorskip("highspy")


def _source(sid, stock):
    return Source(id=sid, latitude=BRU[0], longitude=BRU[1], stock=stock)


def _order(oid, products):
    return Order(
        id=oid,
        latitude=BRU[0],
        longitude=BRU[1],
        country="BE",
        lines=tuple(
            Line(id=oid * 10 + i, product_id=p, quantity=1, unit_value=10.0, weight=1.0)
            for i, p in enumerate(products)
        ),
    )


def _chain():
    """One shipment an order, one unit of each product a source has. Source 1
    has product 3, source 2 products 1 and 2, source 3 products 1, 2 and 3.
    Order 1 wants products 2 and 3, order 2 product 2, order 3 products 1, 2
    and 3. Only one plan ships 5 units: order 3 whole from source 3, order 1
    product 3 from source 1, order 2 from source 2. The first pass ships
    order 1 whole from source 3 and order 3 two units from source 2; order 2
    can get its unit only if order 3 moves to source 3, which only order 1
    moving to source 1 frees: three orders at once. Routed one after the
    other, in any sequence, order 2 takes source 3's unit of product 2 (6
    against 8) and 4 units ship."""
    source_list = (_source(1, {3: 1}), _source(2, {1: 1, 2: 1}), _source(3, {1: 1, 2: 1, 3: 1}))
    order_list = (_order(1, (2, 3)), _order(2, (2,)), _order(3, (1, 2, 3)))
    quotes = {
        (1, 1): 5.0,
        (1, 2): 6.0,
        (1, 3): 6.0,
        (2, 1): 8.0,
        (2, 2): 8.0,
        (2, 3): 6.0,
        (3, 1): 8.0,
        (3, 2): 6.0,
        (3, 3): 20.0,
    }
    return Snapshot(order_list, source_list, ONE_SHIPMENT, quotes=quotes)


def _units(plan):
    return sum(a.quantity for p in plan.orders for a in p.allocations)


def _cost(plan):
    return round(sum(p.estimated_cost for p in plan.orders), 6)


def test_three_orders_move_at_once_to_ship_every_unit_there_is():
    plan = route(_chain())
    assert _units(plan) == 5
    assert plan.for_order(3).source_ids == (3,)
    assert not plan.for_order(3).unallocated
    assert plan.for_order(1).source_ids == (1,)
    assert [(u.line_id, u.quantity) for u in plan.for_order(1).unallocated] == [(10, 1)]
    assert plan.for_order(2).source_ids == (2,)
    assert _cost(plan) == 33.0  # 20 + 5 + 8


def test_the_exact_solve_says_so_in_the_explanation():
    plan = route(_chain())
    chosen = plan.for_order(1).candidate(1)
    assert chosen.chosen
    assert "by an exact solve of the group" in chosen.reason
    assert "together they ship" in chosen.reason
    # The factors of the chosen source and of the others are still there.
    assert chosen.factors["cost"] == 5.0
    assert plan.for_order(1).candidate(3).factors["cost"] == 6.0


def test_without_highspy_the_engine_routes_with_its_own_moves(monkeypatch):
    monkeypatch.setattr(exact, "_solver", lambda: None)
    plan = route(_chain())
    # The improvement phase alone: 4 units, never more than the stock.
    assert _units(plan) == 4
    assert all("exact solve" not in c.reason for p in plan.orders for c in p.candidates)


def test_two_scarce_units_go_where_they_cost_the_least():
    """Four orders of one unit of product 1, one unit at source 1 (20 for
    every order) and one at source 2 (10, 5, 10 and 8). Any two orders ship
    the same units; the cheapest plan gives source 2's unit to order 2 (5) and
    source 1's to another (20): 25. The moves of one order or of two leave
    order 2 at source 1 and order 4 at source 2: 28."""
    source_list = (_source(1, {1: 1}), _source(2, {1: 1}))
    order_list = tuple(_order(oid, (1,)) for oid in (1, 2, 3, 4))
    quotes = {(oid, 1): 20.0 for oid in (1, 2, 3, 4)}
    quotes.update({(1, 2): 10.0, (2, 2): 5.0, (3, 2): 10.0, (4, 2): 8.0})
    plan = route(Snapshot(order_list, source_list, ONE_SHIPMENT, quotes=quotes))
    assert _units(plan) == 2
    assert plan.for_order(2).source_ids == (2,)
    assert _cost(plan) == 25.0
    assert len([p for p in plan.orders if p.source_ids == (1,)]) == 1


def test_the_phase_stops_once_its_programs_reach_their_size_budget(monkeypatch):
    """Two chains of three orders, on products and sources of their own: each
    needs a program of its three orders, the first chain's first (same gains,
    lower index). A budget of the matrix entries of the programs up to the
    first chain's stops the phase there: that chain ships its 5 units, the
    other the improvement phase's 4. With the engine's budget, both ship 5."""
    chain = _chain()
    shift = 10
    second_sources = tuple(
        _source(s.id + shift, {p + shift: q for p, q in s.stock.items()}) for s in chain.sources
    )
    second_orders = tuple(
        _order(o.id + shift, tuple(line.product_id + shift for line in o.lines))
        for o in chain.orders
    )
    quotes = dict(chain.quotes)
    quotes.update({(oid + shift, sid + shift): q for (oid, sid), q in chain.quotes.items()})
    snapshot = Snapshot(
        chain.orders + second_orders, chain.sources + second_sources, ONE_SHIPMENT, quotes=quotes
    )
    # Groups only: a batch this small is otherwise one program.
    monkeypatch.setattr(exact, "WHOLE", 0)
    # The size of each program, in the order they are solved.
    sizes = []
    solve = exact.ExactPhase.solve

    def measured(phase, members, nodes=exact.NODES):
        before = phase.entries
        found = solve(phase, members, nodes)
        sizes.append((before, phase.entries, sorted(m.order.id for m in members)))
        return found

    monkeypatch.setattr(exact.ExactPhase, "solve", measured)
    assert _units(route(snapshot)) == 10
    # The first program of the three orders of the first chain, then the
    # second chain's.
    first = next(i for i, (_b, _e, ids) in enumerate(sizes) if ids == [1, 2, 3])
    assert sizes[first + 1][2] == [11, 12, 13]
    monkeypatch.setattr(exact, "ENTRIES", sizes[first][1])
    plan = route(snapshot)
    shipped = [
        sum(a.quantity for oid in ids for a in plan.for_order(oid).allocations)
        for ids in ((1, 2, 3), (11, 12, 13))
    ]
    assert shipped == [5, 4]


def _chains(count):
    """``count`` copies of :func:`_chain`, each on products and sources of its own."""
    chain = _chain()
    sources, orders, quotes = (), (), {}
    for k in range(count):
        shift = 10 * k
        sources += tuple(
            _source(s.id + shift, {p + shift: q for p, q in s.stock.items()}) for s in chain.sources
        )
        orders += tuple(
            _order(o.id + shift, tuple(line.product_id + shift for line in o.lines))
            for o in chain.orders
        )
        quotes.update({(oid + shift, sid + shift): q for (oid, sid), q in chain.quotes.items()})
    return Snapshot(orders, sources, ONE_SHIPMENT, quotes=quotes)


def _counted(monkeypatch):
    """The number of orders of each program the phase solves, in order."""
    programs = []
    solve = exact.ExactPhase.solve

    def counted(phase, members, nodes=exact.NODES):
        programs.append(len(members))
        return solve(phase, members, nodes)

    monkeypatch.setattr(exact.ExactPhase, "solve", counted)
    return programs


def test_a_small_batch_is_routed_again_as_one_program(monkeypatch):
    """Five chains, 15 orders of one class: one program of them all, started
    from the moves' plan, ships every unit there is (25); the groups after it
    find nothing left to gain. Each changed order says it was solved with the
    batch's other orders."""
    programs = _counted(monkeypatch)
    plan = route(_chains(5))
    assert _units(plan) == 25
    assert programs[0] == 15
    assert _cost(plan) == 5 * 33.0
    reason = plan.for_order(1).candidate(1).reason
    assert "routed again with the batch's 14 other orders of its priority and date" in reason
    assert "together they ship 5 more units" in reason


def test_a_batch_too_large_for_one_program_is_routed_again_by_groups(monkeypatch):
    monkeypatch.setattr(exact, "WHOLE", 5)
    programs = _counted(monkeypatch)
    plan = route(_chains(5))
    assert _units(plan) == 25
    assert max(programs) <= exact.GROUP
    assert "by an exact solve of the group" in plan.for_order(1).candidate(1).reason


def test_the_whole_program_never_gives_a_unit_to_an_order_of_another_class():
    """One unit, at source 1: order 1 (priority) pays 20 for it, order 2 only 5.
    The priority order keeps it: each class is its own program, and units
    never pass between classes."""
    source_list = (_source(1, {1: 1}),)
    first = Order(
        id=1,
        latitude=BRU[0],
        longitude=BRU[1],
        country="BE",
        priority=1,
        lines=(Line(id=10, product_id=1, quantity=1, unit_value=10.0, weight=1.0),),
    )
    quotes = {(1, 1): 20.0, (2, 1): 5.0}
    plan = route(Snapshot((first, _order(2, (1,))), source_list, ONE_SHIPMENT, quotes=quotes))
    assert plan.for_order(1).source_ids == (1,)
    assert not plan.for_order(2).allocations


def test_the_phase_still_solves_when_highs_runs_with_other_threads_in_the_process():
    """HiGHS starts its threads once a process; another user of it that
    started them with another count (two here) makes the phase's one-thread
    setting an error. The chain is still solved: 5 units, not the moves' 4.
    In a process of its own, as that choice lasts for the process."""
    root = Path(__file__).resolve().parents[4]
    script = (
        "import highspy, numpy\n"
        "h = highspy.Highs()\n"
        "h.setOptionValue('output_flag', False)\n"
        "h.setOptionValue('threads', 2)\n"
        "h.addVars(1, numpy.zeros(1), numpy.ones(1))\n"
        "h.run()\n"
        # The engine as a bare package, as the pure test runs load it.
        "import sys, types\n"
        "package = types.ModuleType('oms_routing')\n"
        "package.__path__ = ['addons/oms_routing']\n"
        "sys.modules['oms_routing'] = package\n"
        "from oms_routing.routing_engine.tests.test_exact import _chain, _units\n"
        "from oms_routing.routing_engine import route\n"
        "print('units', _units(route(_chain())))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "units 5" in done.stdout
