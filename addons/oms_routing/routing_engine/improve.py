"""The improvement phase, after the greedy pass of :func:`engine.route`.

Orders are routed again one at a time (each order's best shipments from what
the others left: most units, then the least score, over every set of up to
``max_parts`` of its best sources), then together with the orders in their way
(those holding the stock or the capacity slot the order would take were it
alone in the batch, or that it still lacks): in pairs, then in small groups,
in a few sequences. A change is kept only when the orders involved ship more
units together, or as many at a lower score: the sum of each order's own score
(the one its candidates show: the weighted factors, each as a share of its
largest value among the order's sources; with "cost only", its handling and
shipping cost over the dearest whole shipment in the running).

Rules kept: stock and capacity are the batch's shared pool; at most
``max_parts`` shipments, no part below the minimum split value; an order the
first pass shipped whole under *keep whole* stays whole; under *wait for the
whole order*, an order ships all or nothing; units never pass between orders of
a different priority or promised date; orders a dropship vendor could serve are
left as they are. Bounded: the phase stops after a work budget (sources scanned
and source sets weighed) of ``MIN_WORK`` plus ``SHARE`` per order and source of
the batch, so its time grows linearly with the batch; deterministic.
"""

from itertools import combinations
from operator import add

from .model import band_for

# Sources weighed per solve: the best by units they can give, and the best by
# cost per unit; every set of up to ``max_parts`` of them is weighed.
BY_UNITS = 6
BY_COST = 6
# Orders in the way of one, tried in pairs with it (then GROUP - 1 at once).
RIVALS = 8
# The work budget: sources scanned and source sets weighed, at most MIN_WORK
# (a quarter to half a second) plus SHARE per order and source of the batch
# (the greedy pass builds one candidate row per order and source).
MIN_WORK = 200_000
SHARE = 0.1
ROUNDS = 10
GROUP = 4
_EPS = 1e-9


class Record:
    """One order as the improvement phase sees it."""

    __slots__ = (
        "before",
        "excluded",
        "fixed",
        "highs",
        "index",
        "klass",
        "kms",
        "lines",
        "must_whole",
        "need",
        "order",
        "products",
        "scale",
        "settled",
        "slot",
        "taken",
        "total",
        "why",
    )

    def __init__(self, order, lines, taken, highs, kms, fixed):
        self.order = order
        self.lines = lines
        self.taken = taken  # source id → {line index: units}
        self.highs = highs
        self.scale = None  # the weights over the order's highs, once needed
        self.kms = kms
        self.settled = False  # whole from its best candidate: not solved again alone
        self.fixed = fixed  # dropship in the running, or nothing to route: left alone
        self.must_whole = False  # shipped whole under "keep whole": stays whole
        self.klass = (-order.priority, order.promised)
        products = []
        slot = []
        need = []
        for line in lines:
            if line.product_id in products:
                j = products.index(line.product_id)
                need[j] += line.quantity
            else:
                j = len(products)
                products.append(line.product_id)
                need.append(line.quantity)
            slot.append(j)
        self.products = products
        self.slot = slot  # line index → product index
        self.need = need
        self.total = sum(need)
        self.before = None  # the greedy pass's taken, once changed
        self.excluded = frozenset()  # sources that cannot make the deliver-by promise
        self.why = ""
        self.index = 0


class Improver:
    def __init__(self, records, states, strategy, weights, quotes):
        self.records = records
        self.strategy = strategy
        self.quotes = quotes
        self.stocked = [(position, state) for position, state in enumerate(states)]
        self.stocked = [(p, s) for p, s in self.stocked if not s.dropship]
        self.by_id = {state.id: (position, state) for position, state in self.stocked}
        self.weights = weights
        self.wait_whole = strategy.backorder_policy == "wait_whole"
        self.holders = {}  # source id → {record index}
        for index, record in enumerate(records):
            record.index = index
            for sid in record.taken:
                self.holders.setdefault(sid, set()).add(index)
        for record in records:
            record.scale = [
                weights[i] / record.highs[i] if weights[i] and record.highs[i] > 0 else 0.0
                for i in range(len(weights))
            ]
        # One scale for the whole batch (each factor as a share of its largest
        # value over the orders): what orders moved together compare by, so
        # that a unit of cost weighs the same in every order of the group.
        tops = [max((r.highs[i] for r in records), default=0.0) for i in range(len(weights))]
        self.shared = [
            weights[i] / tops[i] if weights[i] and tops[i] > 0 else 0.0 for i in range(len(weights))
        ]
        self.work = 0
        self.budget = MIN_WORK + SHARE * len(records) * len(states)

    # -- costs -------------------------------------------------------------

    def terms(self, record, position, state, scale=None):
        """(per shipment, per line, per kg) of shipping from ``state``, scored on
        the order's own scale, or on ``scale`` (the batch's)."""
        source = state.source
        km = record.kms[position]
        quote = self.quotes.get((record.order.id, state.id)) if self.quotes else None
        rates = state.rates
        per_kg = 0.0
        if rates:
            rate = band_for(rates, km)
            base, per_kg, transit = rate.base, rate.per_kg, rate.transit_days
        else:
            base, transit = 0.0, 1
        if quote is not None:
            base, per_kg = quote, 0.0
        scale = scale or record.scale
        capacity = source.capacity
        fixed = (
            (km or 0.0) * scale[0]
            + (source.cost_per_shipment + base) * scale[1]
            + float(state.ship_offset + transit) * scale[2]
            + (1.0 / (1.0 + capacity) if capacity is not None else 0.0) * scale[3]
            + float(source.rank) * scale[4]
        )
        return fixed, source.cost_per_line * scale[1], per_kg * scale[1]

    def score(self, record, taken, scale=None):
        total = 0.0
        lines = record.lines
        for sid, parts in taken.items():
            position, state = self.by_id[sid]
            fixed, per_line, per_kg = self.terms(record, position, state, scale)
            total += fixed
            for i, quantity in parts.items():
                total += per_line + per_kg * lines[i].weight * quantity
        return total

    @staticmethod
    def units(taken):
        return sum(sum(parts.values()) for parts in taken.values())

    # -- the shared pool -------------------------------------------------------

    def release(self, record):
        lines = record.lines
        for sid, parts in record.taken.items():
            state = self.by_id[sid][1]
            for i, quantity in parts.items():
                product = lines[i].product_id
                state.free[product] = state.free.get(product, 0.0) + quantity
            if state.capacity is not None:
                state.capacity += 1
            self.holders[sid].discard(record.index)

    def apply(self, record, taken):
        lines = record.lines
        record.taken = taken
        for sid, parts in taken.items():
            state = self.by_id[sid][1]
            for i, quantity in parts.items():
                product = lines[i].product_id
                state.free[product] = state.free.get(product, 0.0) - quantity
            if state.capacity is not None:
                state.capacity -= 1
            self.holders.setdefault(sid, set()).add(record.index)

    # -- one order ---------------------------------------------------------------

    def solve(self, record):  # noqa: PLR0912, PLR0915 - kept flat: hot loop
        """The order's best shipments from what the pool has now: most units,
        then the least score; {} when nothing (or, waiting whole, not all);
        None when the order must stay whole and no source can ship it all."""
        self.work += len(self.stocked)
        need = record.need
        products = record.products
        country = record.order.country
        candidates = []
        excluded = record.excluded
        for position, state in self.stocked:
            if state.countries is not None and country not in state.countries:
                continue
            if excluded and state.id in excluded:
                continue
            if state.capacity is not None and state.capacity <= 0:
                continue
            free = state.free
            avail = []
            cover = 0.0
            for j, product in enumerate(products):
                units = free.get(product, 0.0)
                units = need[j] if units > need[j] else (units if units > 0 else 0.0)
                avail.append(units)
                cover += units
            if cover <= 0:
                continue
            fixed, per_line, per_kg = self.terms(record, position, state)
            candidates.append((cover, fixed, state, avail, per_line, per_kg))
        strategy = self.strategy
        whole = [c for c in candidates if c[0] >= record.total - _EPS]
        if record.must_whole and not whole:
            return None
        if not candidates:
            return {}
        if strategy.keep_whole and whole:
            pool = whole
            sizes = (1,)
        else:
            pool = _shortlist(candidates, record)
            sizes = range(1, min(strategy.max_parts, len(pool)) + 1)
        best_units, best_sets = -1.0, []
        pool.sort(key=lambda c: -c[0])
        combos = 0
        for size in sizes:
            for chosen in combinations(pool, size):
                combos += 1
                if size == 1:
                    units = chosen[0][0]
                else:
                    bound = 0.0
                    for candidate in chosen:
                        bound += candidate[0]
                    if bound < best_units - _EPS:
                        continue
                    got = chosen[0][3]
                    for candidate in chosen[1:]:
                        got = map(add, got, candidate[3])
                    units = sum(map(min, need, got))
                if units > best_units + _EPS:
                    best_units, best_sets = units, [chosen]
                elif units > best_units - _EPS:
                    best_sets.append(chosen)
        if self.wait_whole and best_units < record.total - _EPS:
            return {}
        self.work += combos + len(best_sets) * len(record.lines)
        best, best_score = {}, None
        for chosen in best_sets:
            found = self.assign(record, chosen)
            if found is not None and (best_score is None or found[0] < best_score - _EPS):
                best_score, best = found
        return best

    def assign(self, record, chosen):
        """Each line to the cheapest source of ``chosen`` that has all of it, else
        spread by cost per kg; None when a source gets nothing or a part is
        worth less than the strategy's minimum."""
        lines = record.lines
        left = [list(candidate[3]) for candidate in chosen]
        taken = [{} for _ in chosen]
        score = sum(candidate[1] for candidate in chosen)
        for i, line in enumerate(lines):
            j = record.slot[i]
            quantity = line.quantity
            weight = line.weight
            best, best_cost = None, None
            for k, candidate in enumerate(chosen):
                if left[k][j] >= quantity - _EPS:
                    cost = candidate[4] + candidate[5] * weight * quantity
                    if best is None or cost < best_cost - _EPS:
                        best, best_cost = k, cost
            if best is not None:
                left[best][j] -= quantity
                taken[best][i] = quantity
                score += best_cost
                continue
            remaining = quantity
            for k in sorted(range(len(chosen)), key=lambda k: chosen[k][5]):
                units = min(remaining, left[k][j])
                if units > 0:
                    left[k][j] -= units
                    taken[k][i] = units
                    remaining -= units
                    score += chosen[k][4] + chosen[k][5] * weight * units
        if not all(taken):
            return None
        minimum = self.strategy.min_split_value
        if minimum and (len(chosen) > 1 or sum(taken[0].values()) < record.total - _EPS):
            for parts in taken:
                if sum(lines[i].unit_value * q for i, q in parts.items()) < minimum:
                    return None
        return score, {chosen[k][2].id: taken[k] for k in range(len(chosen))}

    # -- moves -----------------------------------------------------------------

    def better(self, new, old):
        """(units, score) ``new`` strictly better than ``old``."""
        return new[0] > old[0] + _EPS or (new[0] > old[0] - _EPS and new[1] < old[1] - 1e-7)

    def value(self, record, taken):
        return self.units(taken), self.score(record, taken)

    def shared_value(self, record, taken):
        """(units, score on the batch's scale): what orders moved together sum."""
        return self.units(taken), self.score(record, taken, self.shared)

    def move_one(self, record):
        current = record.taken
        old = self.value(record, current)
        self.release(record)
        taken = self.solve(record)
        if taken is not None and self.better(new := self.value(record, taken), old):
            self.apply(record, taken)
            self.note(record, current, old, new)
            return True
        self.apply(record, current)
        return False

    def move_group(self, record, group):  # noqa: PLR0912
        """Route ``record`` and the orders in its way again together, it first;
        keep the result if it beats the orders' shipments now."""
        members = [record, *group]
        current = [member.taken for member in members]
        olds = [self.value(member, member.taken) for member in members]
        shared = [self.shared_value(member, member.taken) for member in members]
        old_sum = (sum(v[0] for v in shared), sum(v[1] for v in shared))
        for member in members:
            self.release(member)
        # The order first (the others after it, then in the other order): the
        # others first would take back what they hold, as the single moves do.
        sequences = [members]
        if len(group) > 1:
            sequences.append([record, *reversed(group)])
        found = None
        for sequence in sequences:
            plans = {}
            for member in sequence:
                taken = self.solve(member)
                if taken is None:
                    break
                self.apply(member, taken)
                plans[member.index] = taken
            total = [0.0, 0.0]
            for member in sequence:
                if member.index in plans:
                    value = self.shared_value(member, plans[member.index])
                    total[0] += value[0]
                    total[1] += value[1]
                    self.release(member)
            if len(plans) == len(sequence) and (found is None or self.better(total, found[0])):
                found = (tuple(total), plans)
        for member, taken in zip(members, current, strict=True):
            member.taken = taken
        if found and self.better(found[0], old_sum):
            plans = found[1]
            for member, before, old in zip(members, current, olds, strict=True):
                taken = plans[member.index]
                self.apply(member, taken)
                if taken != before:
                    partners = [m for m in members if m is not member]
                    value = self.value(member, taken)
                    self.note(member, before, old, value, partners, (found[0], old_sum))
            return True
        for member, taken in zip(members, current, strict=True):
            self.apply(member, taken)
        return False

    def note(self, record, before, old, new, partners=None, together=None):
        """Remember the first pass's shipments and why the order changed."""
        if record.before is None:
            record.before = before
        if partners:
            names = ", ".join(str(other.order.id) for other in partners)
            (units, score), (old_units, old_score) = together
            record.why = (
                f"routed again with order(s) {names}, which need the same stock or capacity: "
                + (
                    f"together they ship {units - old_units:g} more units"
                    if units > old_units + _EPS
                    else f"together they score {score:.3f} instead of {old_score:.3f}, same units"
                )
            )
        elif new[0] > old[0] + _EPS:
            record.why = f"ships {new[0] - old[0]:g} more units than the first pass's choice"
        else:
            record.why = f"scores {new[1]:.3f} instead of {old[1]:.3f} (the first pass's choice)"

    def ideal(self, record):
        """The order's best shipments were it alone in the batch (the batch's
        starting stock and capacity), and what of it others hold: {source id:
        products held by other orders there, or None when the source is full}."""
        saved = []
        for _position, state in self.stocked:
            saved.append((state, state.free, state.capacity))
            state.free = state.initial
            state.capacity = state.source.capacity
        try:
            taken = self.solve(record) or {}
        finally:
            for state, free, capacity in saved:
                state.free, state.capacity = free, capacity
        blocked = {}
        lines = record.lines
        for sid, parts in taken.items():
            state = self.by_id[sid][1]
            mine = record.taken.get(sid, {})
            if state.capacity is not None and state.capacity <= 0 and not mine:
                blocked[sid] = None
                continue
            products = set()
            for i, quantity in parts.items():
                product = lines[i].product_id
                have = state.free.get(product, 0.0) + sum(
                    q for k, q in mine.items() if lines[k].product_id == product
                )
                if have < quantity - _EPS:
                    products.add(product)
            if products:
                blocked[sid] = products
        return self.value(record, taken), blocked

    def short(self, record, blocked):
        """``blocked`` and, for each product the order still lacks, every source
        that had it at the start of the batch (the ones its best plan uses first)."""
        got = [0.0] * len(record.products)
        for parts in record.taken.values():
            for i, quantity in parts.items():
                got[record.slot[i]] += quantity
        lacking = {
            product for j, product in enumerate(record.products) if got[j] < record.need[j] - _EPS
        }
        found = dict(blocked)
        country = record.order.country
        for _position, state in self.stocked:
            if state.countries is not None and country not in state.countries:
                continue
            if state.id in found or state.id in record.excluded:
                continue
            if any(state.initial.get(p, 0.0) > 0 for p in lacking):
                # Those holding any of its products there: the order may take
                # them in the same shipment as what it lacks.
                found[state.id] = {p for p in record.products if state.initial.get(p, 0.0) > 0}
        return found

    def rivals(self, record, blocked):
        """Orders holding what the order would take (stock, or a slot at a
        full source): first come, first served may have given it to them. Those
        that can get it elsewhere first, then the latest routed (they had the
        least to lose); a bounded number of holders is looked at per source."""
        found = []
        seen = {record.index}
        for sid in blocked:
            products = blocked[sid]
            looked = 0
            for index in sorted(self.holders.get(sid, ()), reverse=True):
                if index in seen:
                    continue
                other = self.records[index]
                if other.fixed or other.klass != record.klass:
                    continue
                parts = other.taken.get(sid, {})
                if products is None or any(other.lines[i].product_id in products for i in parts):
                    seen.add(index)
                    found.append((self.stuck(other, sid, parts), -index, other))
                    looked += 1
                    if looked >= 3 * RIVALS:
                        break
        found.sort(key=lambda item: item[:2])
        return [other for _stuck, _index, other in found[:RIVALS]]

    def stuck(self, record, sid, parts):
        """Units of ``parts`` (the order's shipment from ``sid``) that no other
        source serving the order has left now."""
        country = record.order.country
        units = 0.0
        for i, quantity in parts.items():
            product = record.lines[i].product_id
            if not any(
                state.id != sid
                and state.id not in record.excluded
                and (state.countries is None or country in state.countries)
                and (state.capacity is None or state.capacity > 0 or state.id in record.taken)
                and state.free.get(product, 0.0) > 0
                for _position, state in self.stocked
            ):
                units += quantity
        return units

    def run(self):
        """Rounds of single moves, then moves with the orders in the way, until
        a round changes nothing or the budget is spent."""
        unsettled = [r for r in self.records if not r.fixed and not r.settled]
        ideals = {}
        for _round in range(ROUNDS):
            changed = False
            for record in unsettled:
                if self.work >= self.budget:
                    return
                changed = self.move_one(record) or changed
            for record in unsettled:
                if record.index not in ideals:
                    if self.work >= self.budget:
                        return
                    ideals[record.index] = self.ideal(record)
            # The most to gain first: units short, then score above its best alone.
            gains = {}
            for record in unsettled:
                units, score = self.value(record, record.taken)
                best = ideals[record.index][0]
                gains[record.index] = (units - best[0], best[1] - score, record.index)
            for record in sorted(unsettled, key=lambda r: gains[r.index]):
                if self.work >= self.budget:
                    return
                changed = self.move_with_rivals(record, *ideals[record.index]) or changed
            if not changed:
                return

    def move_with_rivals(self, record, best, blocked):
        """The order with each order in its way in turn, then with a few at once."""
        now = self.value(record, record.taken)
        if now[0] < record.total - _EPS:
            blocked = self.short(record, blocked)
        elif not blocked or not self.better(best, now):
            return False  # as good as alone in the batch, or nobody in the way
        group = self.rivals(record, blocked)
        for other in group:
            if self.work >= self.budget:
                return False
            if self.move_group(record, [other]):
                return True
        return len(group) > 1 and self.move_group(record, group[: GROUP - 1])


def _shortlist(candidates, record):
    """The sources worth weighing for an order: the best by units they can
    give (then score), and the best by score per unit."""
    by_units = sorted(candidates, key=lambda c: (-c[0], c[1], c[2].source.rank, c[2].id))
    by_cost = sorted(candidates, key=lambda c: ((c[1] + c[4]) / c[0], c[2].source.rank, c[2].id))
    pool = by_units[:BY_UNITS]
    for candidate in by_cost[:BY_COST]:
        if candidate not in pool:
            pool.append(candidate)
    del record
    return pool
