from collections import Counter
from dataclasses import replace

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..routing_engine import Line, estimate_cost, route
from ..routing_engine.geo import great_circle_km


class OmsRoutingBacktest(models.TransientModel):
    """What one or two strategies would have done with the orders of a period,
    next to what happened, without changing anything.

    The stock each source had for those orders is rebuilt as today's free stock
    plus what those orders took from it; daily capacity and cut-offs are left out
    (every source ships the day of the order). Cost is handling plus the sources'
    shipping tables (no live quotes), the same estimate for the plans and for what
    happened. On time: a plan's days to deliver fit before the ship-by date (plus a
    day); what happened: shipped by the ship-by date.
    """

    _name = "oms.routing.backtest"
    _description = "Routing Backtest"

    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    strategy_id = fields.Many2one("oms.routing.strategy", required=True)
    compare_strategy_id = fields.Many2one("oms.routing.strategy", string="Compare With")
    line_ids = fields.One2many("oms.routing.backtest.line", "backtest_id", readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        if any(backtest.date_from > backtest.date_to for backtest in self):
            raise ValidationError(_("The period ends before it starts."))

    def _oms_orders(self):
        self.ensure_one()
        start = fields.Datetime.to_datetime(self.date_from)
        end = fields.Datetime.to_datetime(self.date_to).replace(hour=23, minute=59, second=59)
        orders = self.env["sale.order"].search(
            [
                ("state", "=", "sale"),
                ("company_id", "=", self.company_id.id),
                ("date_order", ">=", start),
                ("date_order", "<=", end),
            ],
            order="date_order, id",
        )
        return orders.filtered(lambda o: o._oms_routing_lines())

    def action_run(self):
        self.ensure_one()
        orders = self._oms_orders()
        if not orders:
            raise UserError(_("No confirmed order with goods to ship in this period."))
        sources = (
            self.env["oms.routing.source"].sudo().search([("company_id", "=", self.company_id.id)])
        )
        if not sources:
            raise UserError(_("There is no fulfilment source to route from."))
        free = self._oms_stock_then(orders, sources)
        rows = [self._oms_actual(orders, sources)]
        for strategy in self.strategy_id | self.compare_strategy_id:
            rows.append(self._oms_simulate(orders, sources, strategy, free))
        self.line_ids = [(5,)] + [(0, 0, row) for row in rows]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Routing Backtest"),
        }

    def _oms_stock_then(self, orders, sources):
        """Free stock per source and product for these orders: today's, plus what
        their outgoing moves took from each source's warehouse."""
        free = sources._oms_free_stock(orders.order_line.product_id, lock=False)
        source_of = {s.warehouse_id.id: s.id for s in sources if s.warehouse_id}
        for move in orders.order_line.move_ids.filtered(
            lambda m: m.picking_code == "outgoing" and m.state != "cancel"
        ):
            source_id = source_of.get(move.picking_type_id.warehouse_id.id)
            if source_id:
                stock = free.setdefault(source_id, {})
                stock[move.product_id.id] = stock.get(move.product_id.id, 0.0) + move.quantity
        return free

    def _oms_simulate(self, orders, sources, strategy, free):
        snapshot = orders._oms_routing_snapshot(sources, strategy, free=free)
        snapshot = replace(
            snapshot,
            sources=tuple(
                replace(source, capacity=None, ships_today=True) for source in snapshot.sources
            ),
            quotes={},
        )
        names = {source.id: source.name for source in sources}
        by_id = {order.id: order for order in orders}
        tally = _Tally(strategy.name, len(orders))
        for plan in route(snapshot).orders:
            chosen = [c for c in plan.candidates if c.chosen]
            tally.split += plan.is_split
            tally.cost += plan.estimated_cost
            for candidate in chosen:
                tally.load[names.get(candidate.source_id, "?")] += 1
                tally.add_km(candidate.factors.get("distance"))
            order = by_id[plan.order_id]
            if order.oms_promised_date and chosen:
                allowed = (order.oms_promised_date.date() - order.date_order.date()).days + 1
                days = max(c.factors.get("speed") or 0 for c in chosen)
                tally.add_promise(days <= allowed)
        return tally.values()

    def _oms_actual(self, orders, sources):
        """What happened: the warehouses the deliveries left (or will leave) from."""
        by_warehouse = {s.warehouse_id: s for s in sources if s.warehouse_id}
        now = fields.Datetime.now()
        engine = {}
        tally = _Tally(_("What happened"), len(orders))
        for order in orders:
            deliveries = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
            )
            warehouses = deliveries.picking_type_id.warehouse_id
            tally.split += len(warehouses) > 1
            latitude, longitude = order._oms_place()
            for warehouse in warehouses:
                source = by_warehouse.get(warehouse)
                tally.load[source.name if source else warehouse.name] += 1
                if not source:
                    continue
                if source.id not in engine:
                    engine[source.id] = source._oms_engine_source(
                        {}, self.env["product.product"], now
                    )
                here = engine[source.id]
                km = None
                if None not in (latitude, here.latitude):
                    km = great_circle_km(here.latitude, here.longitude, latitude, longitude)
                tally.add_km(km)
                moves = deliveries.filtered(
                    lambda p, w=warehouse: p.picking_type_id.warehouse_id == w
                ).move_ids
                lines = [
                    (
                        Line(
                            move.id,
                            move.product_id.id,
                            move.product_uom_qty,
                            0.0,
                            move.product_id.weight,
                        ),
                        move.product_uom_qty,
                    )
                    for move in moves
                ]
                tally.cost += estimate_cost(here, lines, km=km)
            if order.oms_promised_date and order.oms_shipped_date:
                tally.add_promise(order.oms_shipped_date <= order.oms_promised_date)
        return tally.values()


class _Tally:
    """The figures of one row of the backtest."""

    def __init__(self, name, orders):
        self.name, self.orders = name, orders
        self.split = self.km = self.km_count = self.cost = 0
        self.on_time = self.promised = 0
        self.load = Counter()

    def add_km(self, km):
        if km is not None:
            self.km += km
            self.km_count += 1

    def add_promise(self, kept):
        self.promised += 1
        self.on_time += bool(kept)

    def values(self):
        return {
            "name": self.name,
            "order_count": self.orders,
            "split_rate": 100.0 * self.split / self.orders if self.orders else 0.0,
            "average_km": self.km / self.km_count if self.km_count else 0.0,
            "cost": self.cost,
            "on_time_rate": 100.0 * self.on_time / self.promised if self.promised else 0.0,
            "load": ", ".join(
                f"{name}: {count}"
                for name, count in sorted(self.load.items(), key=lambda item: (-item[1], item[0]))
            ),
        }
