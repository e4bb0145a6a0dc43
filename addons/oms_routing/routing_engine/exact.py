"""The exact phase, after the improvement phase (issue 28, point 3): orders
that compete for the same stock or capacity are routed again together by a
mixed-integer program (HiGHS, through ``highspy``), the others' plans held
fixed: most units, then the least score, exactly, within the program. Each
program starts from the orders' plans now, so what it returns is never worse.

Optional: only when ``highspy`` is importable (the engine and oms_routing do
not require it), and only for strategies whose rules the program encodes: no
*keep whole*, no minimum split value (the rules the improvement phase keeps by
its own moves). Everything else is kept: the shared stock and capacity, most
shipments per order, *wait for the whole order* (all or nothing), sources left
out for the deliver-by promise, countries served; orders a dropship vendor
could serve are left alone, and units never pass between orders of a
different priority or promised date (a program has one class).

First, a class of the batch small enough (at most ``WHOLE`` pairs of an order
line and a source that had its product) is one program: all its orders at
once, the scarce units going where they ship the most, the batch's unit of
cost the same for all. It stops after its root node (the solver's cuts and
heuristics, ``WHOLE_NODES``): about 5 to 15 s for 200 orders of 1 to 8 lines
over 20 sources, where the moves of a few orders at a time leave 1 to 2 % of
the units unshipped and 4 to 5 % of the cost above the optimum.

Then groups: an order with units short or shipments to spare (the most to
gain first) and the orders that hold what it needs: the stock of its products
at the sources serving it, or a slot at a source with a capacity. A change is
kept only when the group ships more units, or as many at a lower score, than
its orders' plans now. Bounded by work: at most ``SOLVES`` programs of at most
``GROUP`` orders, and ``ENTRIES`` entries of their constraint matrices
together (a program's time grows with its size: orders of many lines over
many sources, or a handling cost per line, make bigger ones), each stopped
after ``NODES`` branch-and-bound nodes (and ``SECONDS``, a guard that these
sizes do not reach), so the same input gives the same plan and the phase's
time does not grow with the batch: a large batch is polished where the most
is to gain.
"""

WHOLE = 8_000  # (order line, source) pairs: a class this small is one program
WHOLE_NODES = 1  # the whole class's program: its root node (cuts and heuristics)
GROUP = 12  # orders per program
SOLVES = 400  # programs per batch at most
ENTRIES = 200_000  # constraint matrix entries over the batch's programs at most
NODES = 30  # branch-and-bound nodes per program
SECONDS = 30.0  # per program: a guard (wall clock), not a budget
PASSES = 6
_EPS = 1e-9


def _solver():
    """HiGHS (``highspy``) and NumPy, or None when they are not installed."""
    try:
        import highspy  # noqa: PLC0415 - optional, and slow to import
        import numpy  # noqa: PLC0415
    except ImportError:
        return None
    return highspy, numpy


def applies(strategy):
    return not strategy.keep_whole and not strategy.min_split_value


class ExactPhase:
    def __init__(self, improver):
        self.improver = improver
        self.records = improver.records
        self.strategy = improver.strategy
        self.solver = _solver()
        self.wanting = {}  # product → record indices of orders that want it
        for record in self.records:
            if record.fixed:
                continue
            for product in record.products:
                self.wanting.setdefault(product, []).append(record.index)
        self.solves = 0
        self.entries = 0  # constraint matrix entries of the programs solved

    # -- groups ------------------------------------------------------------------

    def gain(self, record):
        """(units short, shipments) of the order now: the most to gain first."""
        got = self.improver.units(record.taken)
        return (record.total - got, len(record.taken))

    def group(self, seed):  # noqa: PLR0912 - one scan, kept flat
        """The seed and the orders that hold what it needs: those with the
        most of its products at the sources serving it first, then the
        orders holding a slot at a source with a capacity it could use."""
        improver = self.improver
        records = self.records
        products = set(seed.products)
        country = seed.order.country
        serving = set()
        for _position, state in improver.stocked:
            if state.countries is not None and country not in state.countries:
                continue
            if state.id in seed.excluded:
                continue
            if any(state.initial.get(p, 0.0) > 0 for p in products):
                serving.add(state.id)
        overlap = {}
        for product in sorted(products):
            for index in self.wanting.get(product, ()):
                other = records[index]
                if index == seed.index or other.klass != seed.klass:
                    continue
                held = 0.0
                for sid, parts in other.taken.items():
                    if sid not in serving:
                        continue
                    for i, quantity in parts.items():
                        if other.lines[i].product_id == product:
                            held += quantity
                overlap[index] = overlap.get(index, 0.0) + held
        for sid in sorted(serving):
            state = improver.by_id[sid][1]
            if state.source.capacity is None:
                continue
            for index in sorted(improver.holders.get(sid, ())):
                other = records[index]
                if index != seed.index and not other.fixed and other.klass == seed.klass:
                    overlap[index] = overlap.get(index, 0.0) + 0.5
        ranked = sorted(
            (index for index, held in overlap.items() if held > 0),
            key=lambda index: (-overlap[index], index),
        )
        return [seed] + [records[index] for index in ranked[: GROUP - 1]]

    # -- one program ----------------------------------------------------------------

    def solve(self, members, nodes=NODES):  # noqa: PLR0912, PLR0915 - one program, built flat
        """The members' best plans together from what the pool has without
        them, their plans now as the program's start (so the plan found is
        never worse): {record index: taken}, or None when the solver found none."""
        highspy, numpy = self.solver
        improver = self.improver
        max_parts = self.strategy.max_parts
        wait_whole = improver.wait_whole
        columns = []  # (kind, member, source id, line index)
        cost, start = [], []
        cols, vals, starts, lower, upper = [], [], [], [], []
        stock_rows = {}  # (source id, product) → columns
        capacity_rows = {}  # source id → y columns
        integral = True

        def row(entries, low, high):
            starts.append(len(cols))
            for column, value in entries:
                cols.append(column)
                vals.append(value)
            lower.append(low)
            upper.append(high)

        def column(kind, member, sid, i, price, now):
            columns.append((kind, member, sid, i))
            cost.append(price)
            start.append(now)
            return len(columns) - 1

        per_unit = 1.0
        for member in members:
            country = member.order.country
            ys = []
            line_xs = [[] for _ in member.lines]
            for position, state in improver.stocked:
                if state.countries is not None and country not in state.countries:
                    continue
                if member.excluded and state.id in member.excluded:
                    continue
                if state.capacity is not None and state.capacity <= 0:
                    continue
                wanted = [
                    i
                    for i, line in enumerate(member.lines)
                    if state.free.get(line.product_id, 0.0) > _EPS
                ]
                if not wanted:
                    continue
                fixed, per_line, per_kg = improver.terms(member, position, state, improver.shared)
                parts = member.taken.get(state.id, {})
                y = column("y", member, state.id, None, fixed, 1.0 if parts else 0.0)
                ys.append(y)
                capacity_rows.setdefault(state.id, []).append(y)
                dearest = fixed
                for i in wanted:
                    line = member.lines[i]
                    units = parts.get(i, 0.0)
                    x = column("x", member, state.id, i, per_kg * line.weight, units)
                    dearest += per_line + per_kg * line.weight * line.quantity
                    if per_line:
                        # z: the line is on the shipment (its handling per line).
                        z = column("z", member, state.id, i, per_line, 1.0 if units else 0.0)
                        row([(x, 1.0), (z, -line.quantity)], -numpy.inf, 0.0)
                        row([(z, 1.0), (y, -1.0)], -numpy.inf, 0.0)
                    else:
                        row([(x, 1.0), (y, -line.quantity)], -numpy.inf, 0.0)
                    stock_rows.setdefault((state.id, line.product_id), []).append(x)
                    line_xs[i].append(x)
                    if line.quantity != int(line.quantity):
                        integral = False
                per_unit += max_parts * dearest
            if len(ys) > max_parts:
                row([(y, 1.0) for y in ys], 0.0, float(max_parts))
            if wait_whole:
                w = column("w", member, None, None, 0.0, 1.0 if member.taken else 0.0)
                for i, xs in enumerate(line_xs):
                    row([*((x, 1.0) for x in xs), (w, -member.lines[i].quantity)], 0.0, 0.0)
            else:
                for i, xs in enumerate(line_xs):
                    if len(xs) > 1:
                        row([(x, 1.0) for x in xs], 0.0, member.lines[i].quantity)
        if not columns:
            return {member.index: {} for member in members}
        for (sid, product), xs in stock_rows.items():
            free = improver.by_id[sid][1].free.get(product, 0.0)
            if free != int(free):
                integral = False
            row([(x, 1.0) for x in xs], 0.0, free)
        for sid, ys in capacity_rows.items():
            capacity = improver.by_id[sid][1].capacity
            if capacity is not None and len(ys) > capacity:
                row([(y, 1.0) for y in ys], 0.0, float(capacity))
        starts.append(len(cols))
        self.entries += len(vals)
        size = len(columns)
        objective = numpy.array(cost)
        high = numpy.ones(size)
        kinds = [highspy.HighsVarType.kInteger] * size
        for index, (kind, member, _sid, i) in enumerate(columns):
            if kind == "x":
                objective[index] -= per_unit  # units first
                high[index] = member.lines[i].quantity
                if not integral:
                    kinds[index] = highspy.HighsVarType.kContinuous
        program = highspy.HighsLp()
        program.num_col_ = size
        program.num_row_ = len(lower)
        program.col_cost_ = objective
        program.col_lower_ = numpy.zeros(size)
        program.col_upper_ = high
        program.row_lower_ = numpy.array(lower)
        program.row_upper_ = numpy.array(upper)
        program.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        program.a_matrix_.start_ = numpy.array(starts, dtype=numpy.int32)
        program.a_matrix_.index_ = numpy.array(cols, dtype=numpy.int32)
        program.a_matrix_.value_ = numpy.array(vals)
        program.integrality_ = kinds
        solver = highspy.Highs()
        # One thread (a worker process's own), quiet; deterministic within
        # its node limit. The whole class's program stops after its root
        # node, not restarted on the model its cuts reduced (that would
        # double its time for a unit or two). No presolve: on these programs
        # it costs a third of a group's time, and the root's heuristics
        # found better plans without it (bench/routing_engine.py).
        for option, value in (
            ("output_flag", False),
            ("threads", 1),
            ("presolve", "off"),
            ("mip_allow_restart", nodes > WHOLE_NODES),
            ("mip_max_nodes", nodes),
            ("time_limit", SECONDS),
            ("mip_rel_gap", 1e-9),
        ):
            solver.setOptionValue(option, value)
        solver.passModel(program)
        begin = highspy.HighsSolution()
        begin.col_value = start
        begin.value_valid = True
        solver.setSolution(begin)
        status = solver.run()
        if status == highspy.HighsStatus.kError:
            # HiGHS starts its threads once a process: when another user of it
            # here started them with another count, one thread is refused.
            # Take the process's count rather than skip the program.
            solver.setOptionValue("threads", 0)
            status = solver.run()
        found = solver.getSolution()
        if status == highspy.HighsStatus.kError or not found.value_valid:
            return None
        values = found.col_value
        plans = {member.index: {} for member in members}
        for index, (kind, member, sid, i) in enumerate(columns):
            if kind != "x":
                continue
            units = values[index]
            units = round(units) if integral else units
            if units > 1e-7:
                parts = plans[member.index].setdefault(sid, {})
                parts[i] = float(min(units, member.lines[i].quantity))
        return plans

    # -- moves ------------------------------------------------------------------

    def move(self, members, nodes=NODES):
        improver = self.improver
        current = [member.taken for member in members]
        olds = [improver.shared_value(member, member.taken) for member in members]
        old = (sum(v[0] for v in olds), sum(v[1] for v in olds))
        for member in members:
            improver.release(member)
        self.solves += 1
        plans = self.solve(members, nodes)
        found = None
        if plans is not None and self._fits(members, plans):
            values = [improver.shared_value(m, plans[m.index]) for m in members]
            found = (sum(v[0] for v in values), sum(v[1] for v in values))
        if found is None or not improver.better(found, old):
            for member, taken in zip(members, current, strict=True):
                improver.apply(member, taken)
            return False
        for member, before in zip(members, current, strict=True):
            taken = plans[member.index]
            improver.apply(member, taken)
            if taken != before:
                self.note(member, before, members, found, old)
        return True

    def _fits(self, members, plans):
        """The program's plan within the pool (rounding never takes a unit
        or a slot that is not there)."""
        improver = self.improver
        used, slots = {}, {}
        for member in members:
            taken = plans[member.index]
            if len(taken) > self.strategy.max_parts:
                return False
            for sid, parts in taken.items():
                slots[sid] = slots.get(sid, 0) + 1
                for i, quantity in parts.items():
                    key = (sid, member.lines[i].product_id)
                    used[key] = used.get(key, 0.0) + quantity
        for (sid, product), quantity in used.items():
            if quantity > improver.by_id[sid][1].free.get(product, 0.0) + 1e-7:
                return False
        for sid, taken_slots in slots.items():
            capacity = improver.by_id[sid][1].capacity
            if capacity is not None and taken_slots > capacity:
                return False
        return True

    def note(self, record, before, members, found, old):
        if record.before is None:
            record.before = before
        units, score = found
        old_units, old_score = old
        if len(members) > GROUP:
            together = (
                f"routed again with the batch's {len(members) - 1} other orders of its "
                "priority and date, by an exact solve of them all: "
            )
        else:
            names = ", ".join(str(m.order.id) for m in members if m is not record)
            together = (
                f"routed again with order(s) {names}, which need the same stock or capacity, "
                "by an exact solve of the group: "
            )
        record.why = together + (
            f"together they ship {units - old_units:g} more units"
            if units > old_units + _EPS
            else f"together they score {score:.3f} instead of {old_score:.3f}, same units"
        )

    def whole(self, candidates):
        """Each class of the batch small enough, as one program."""
        classes = {}
        for record in candidates:
            classes.setdefault(record.klass, []).append(record)
        held = {}  # product → sources that had it at the start of the batch
        for _position, state in self.improver.stocked:
            for product, units in state.initial.items():
                if units > 0:
                    held[product] = held.get(product, 0) + 1
        for members in classes.values():
            pairs = sum(held.get(line.product_id, 0) for m in members for line in m.lines)
            if len(members) > 1 and pairs <= WHOLE:
                self.move(members, WHOLE_NODES)

    def run(self):
        if self.solver is None:
            return
        candidates = [r for r in self.records if not r.fixed and r.lines]
        self.whole(candidates)
        for _pass in range(PASSES):
            changed = False
            done = set()
            for seed in sorted(candidates, key=lambda r: (*(-g for g in self.gain(r)), r.index)):
                if self.solves >= SOLVES or self.entries >= ENTRIES:
                    return
                if seed.index in done:
                    continue
                short, shipments = self.gain(seed)
                if short <= _EPS and shipments <= 1:
                    continue  # whole in one shipment: nothing to gain as a seed
                members = self.group(seed)
                done.update(m.index for m in members)
                changed = self.move(members) or changed
            if not changed:
                return
