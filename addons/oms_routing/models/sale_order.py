from odoo import _, api, fields, models
from odoo.tools import float_round

from ..routing_engine import Line, Order, Snapshot, route
from ..routing_engine.geodata import place
from .oms_routing_source import on_globe


class SaleOrder(models.Model):
    _inherit = "sale.order"

    oms_routing_decision_ids = fields.One2many(
        "oms.routing.decision", "order_id", string="Routing Decisions", readonly=True
    )
    oms_routing_summary = fields.Char(
        string="Routed", compute="_compute_oms_routing_summary", help="Where it ships from."
    )

    oms_has_backorder = fields.Boolean(
        string="Backordered", compute="_compute_oms_backorder", help="A line waits for stock."
    )
    oms_ships_from = fields.Date(
        string="Ships From",
        compute="_compute_oms_backorder",
        help="The date its last backordered line is expected to ship; empty while a "
        "backordered line has no date yet.",
    )

    def _compute_oms_routing_summary(self):
        for order in self:
            order.oms_routing_summary = order.oms_routing_decision_ids[:1].summary

    @api.depends("order_line.oms_backorder_qty", "order_line.oms_backorder_date")
    def _compute_oms_backorder(self):
        for order in self:
            waiting = order.order_line.filtered(lambda ol: ol.oms_backorder_qty > 0)
            order.oms_has_backorder = bool(waiting)
            dates = [line.oms_backorder_date for line in waiting]
            order.oms_ships_from = max(dates) if dates and all(dates) else False

    def _action_confirm(self):
        # Deliveries are made at confirmation: route first, so that each part is
        # procured from the source chosen for it.
        waiting = self._oms_route()
        result = super()._action_confirm()
        if waiting:
            # What no source has now: its date at once (the cron keeps it current).
            self.env["sale.order.line"].browse(
                sorted(waiting)
            ).product_id._oms_update_backorder_dates()
        return result

    def action_oms_route_now(self):
        """Route again what has not started shipping: the deliveries not yet picked
        are cancelled and their quantities routed with today's stock and sources."""
        for order in self.filtered(lambda o: o.state == "sale"):
            pickings = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing"
                and p.state not in ("done", "cancel")
                and not any(p.move_ids.mapped("picked"))
            )
            quantities = {}
            for move in pickings.move_ids.filtered(
                lambda m: m.sale_line_id and m.state not in ("done", "cancel")
            ):
                line = move.sale_line_id
                quantities[line] = quantities.get(line, 0.0) + move.product_uom._compute_quantity(
                    move.product_uom_qty, line.product_uom
                )
            if not quantities:
                continue
            pickings.with_context(oms_no_reroute=True).action_cancel()
            order._oms_reroute(
                quantities,
                self.env["oms.routing.source"],
                _("routed again by %s", self.env.user.name),
            )
        return True

    def action_oms_why_this_source(self):
        self.ensure_one()
        decision = self.oms_routing_decision_ids[:1]
        return {
            "type": "ir.actions.act_window",
            "name": _("Why this source?"),
            "res_model": "oms.routing.decision",
            "res_id": decision.id,
            "view_mode": "form",
            "target": "new",
        }

    # --- routing ------------------------------------------------------------------------
    def _oms_route(self):
        """Route the orders with goods to ship, in one batch per company and strategy,
        and record each decision. Without fulfilment sources nothing changes.
        Returns the ids of the lines that wait for stock (in part or whole)."""
        orders = self.filtered(
            lambda o: o.order_line.filtered(lambda ol: not ol.display_type and ol.is_storable)
        )
        waiting = set()
        Source_ = self.env["oms.routing.source"].sudo()
        for company in orders.company_id:
            sources = Source_.search([("company_id", "=", company.id)])
            if not sources:
                continue
            batch = orders.filtered(lambda o, c=company: o.company_id == c)
            default = (
                self.env["oms.routing.strategy"]
                .sudo()
                .search(
                    [("is_default", "=", True), ("company_id", "in", (company.id, False))], limit=1
                )
            )
            by_strategy = {}
            for order in batch:
                strategy = order.oms_channel_id.routing_strategy_id or default
                by_strategy.setdefault(strategy, self.browse())
                by_strategy[strategy] |= order
            for strategy, group in by_strategy.items():
                snapshot = group._oms_routing_snapshot(sources, strategy)
                waiting |= group._oms_apply_plan(route(snapshot), sources, strategy)
        return waiting

    def _oms_routing_lines(self):
        return self.order_line.filtered(lambda ol: not ol.display_type and ol.is_storable)

    def _oms_routing_snapshot(self, sources, strategy, quantities=None, free=None):
        """The engine's input: these orders, the sources with their free stock read
        in one query (locked, so that two routings never give the same unit).
        ``quantities`` ({line: quantity}) routes only those lines (re-routing);
        ``free`` ({source id: {product id: quantity}}) replaces the stock read (the
        backtest)."""
        lines = self._oms_routing_lines()
        if quantities is not None:
            lines = lines.filtered(lambda ol: ol in quantities)
        products = lines.product_id
        if free is None:
            free = sources._oms_free_stock(products, exclude_orders=self)
        now = fields.Datetime.now()
        today = now.date()
        engine_sources = tuple(
            source._oms_engine_source(free.get(source.id, {}), products, now) for source in sources
        )
        engine_orders = []
        for order in self:
            shipping = order.partner_shipping_id
            latitude, longitude = order._oms_place()
            engine_orders.append(
                Order(
                    id=order.id,
                    latitude=latitude,
                    longitude=longitude,
                    country=shipping.country_id.code or "",
                    priority=int(order.oms_priority or 0),
                    promised=order.oms_promised_date.date() if order.oms_promised_date else None,
                    deliver_within=(order.oms_deliver_by.date() - today).days
                    if order.oms_deliver_by
                    else None,
                    lines=tuple(
                        Line(
                            id=line.id,
                            product_id=line.product_id.id,
                            quantity=line.product_uom._compute_quantity(
                                quantities[line]
                                if quantities is not None
                                else line._oms_quantity_to_route(),
                                line.product_id.uom_id,
                            ),
                            unit_value=line.price_reduce_taxexcl,
                            weight=line.product_id.weight,
                        )
                        for line in order._oms_routing_lines()
                        if (
                            line in quantities
                            if quantities is not None
                            else line._oms_quantity_to_route() > 0
                        )
                    ),
                )
            )
        engine_strategy = strategy._oms_engine_strategy() if strategy else None
        quotes = self._oms_live_quotes(sources) if strategy and strategy.use_live_quotes else {}
        if engine_strategy:
            return Snapshot(tuple(engine_orders), engine_sources, engine_strategy, quotes)
        return Snapshot(tuple(engine_orders), engine_sources, quotes=quotes)

    def _oms_ship_calendar(self, memo=None):
        """The fulfilment source of the order's warehouse ships on its own
        calendar when it has one (read once per ``memo``)."""
        memo = {} if memo is None else memo
        calendars = memo.get("oms_source_calendars")
        if calendars is None:
            calendars = {}
            sources = (
                self.env["oms.routing.source"]
                .sudo()
                .search(
                    [("warehouse_id", "!=", False), ("calendar_id", "!=", False)],
                    order="rank, id",
                )
            )
            for source in sources:
                calendars.setdefault(source.warehouse_id.id, source.calendar_id)
            memo["oms_source_calendars"] = calendars
        return calendars.get(self.warehouse_id.id) or super()._oms_ship_calendar(memo)

    def _oms_place(self):
        """Where the order goes: the address's coordinates, else the offline
        datasets' centroid (never a network call), else ``(None, None)``."""
        self.ensure_one()
        shipping = self.partner_shipping_id
        if on_globe(shipping.partner_latitude, shipping.partner_longitude):
            return shipping.partner_latitude, shipping.partner_longitude
        found = place(shipping.country_id.code, shipping.zip, shipping.city)
        return (found.latitude, found.longitude) if found else (None, None)

    def _oms_live_quotes(self, sources):
        """{(order id, source id): price} from the carriers, through the hook
        ``sale.order._oms_quote_from(warehouse)`` of oms_core that oms_carriers
        answers (the cheapest price in the company's currency, or ``None``).
        Dropship vendors and orders without a quote keep their tables."""
        quotes = {}
        for order in self:
            for source in sources.filtered("warehouse_id"):
                price = order._oms_quote_from(source.warehouse_id)
                if price is not None:
                    quotes[(order.id, source.id)] = price
        return quotes

    def _oms_reroute(self, quantities, excluded, reason):
        """Route ``quantities`` ({line: quantity in its unit}) of this order again
        without the ``excluded`` sources, and procure them from where they go now."""
        self.ensure_one()
        sources = (
            self.env["oms.routing.source"]
            .sudo()
            .search([("company_id", "=", self.company_id.id), ("id", "not in", excluded.ids)])
        )
        strategy = self.oms_channel_id.routing_strategy_id or self.env[
            "oms.routing.strategy"
        ].sudo().search(
            [("is_default", "=", True), ("company_id", "in", (self.company_id.id, False))], limit=1
        )
        snapshot = self._oms_routing_snapshot(sources, strategy, quantities)
        note = (
            _(
                "re-routed without %(sources)s: %(reason)s",
                sources=", ".join(excluded.mapped("name")),
                reason=reason,
            )
            if excluded
            else reason
        )
        self._oms_apply_plan(route(snapshot), sources, strategy, note=note)
        lines = self.env["sale.order.line"].concat(*quantities)
        lines._action_launch_stock_rule()

    def _action_cancel(self):
        # The order's deliveries are cancelled with it: nothing to route again.
        return super(SaleOrder, self.with_context(oms_no_reroute=True))._action_cancel()

    def _oms_apply_plan(self, plan, sources, strategy, note=None):
        """Store each order's decision and allocations; the procurements made at
        confirmation follow them. What no source has now waits at the best one.
        Returns the ids of the lines that wait (in part or whole)."""
        waiting = set()
        by_id = {source.id: source for source in sources}
        Decision = self.env["oms.routing.decision"].sudo()
        for result in plan.orders:
            order = self.browse(result.order_id)
            allocations = [
                {"line_id": a.line_id, "source_id": a.source_id, "quantity": a.quantity}
                for a in result.allocations
            ]
            ranked = sorted(
                (c for c in result.candidates if not c.reason.startswith(("does not", "no cap"))),
                key=lambda c: (not c.chosen, c.total, by_id[c.source_id].rank, c.source_id),
            )
            fallback = next(
                (c.source_id for c in ranked if by_id[c.source_id].kind != "dropship"), None
            )
            for missing in result.unallocated:
                waiting.add(missing.line_id)
                if fallback:
                    allocations.append(
                        {
                            "line_id": missing.line_id,
                            "source_id": fallback,
                            "quantity": missing.quantity,
                            "backorder": True,
                        }
                    )
            if result.unallocated and strategy and strategy.backorder_policy == "wait_whole":
                order.picking_policy = "one"
            chosen = [by_id[sid].name for sid in result.source_ids]
            summary = (
                ", ".join(chosen)
                if chosen
                else _("nothing in stock now: waits at %s", by_id[fallback].name)
                if fallback
                else _("no source can ship it")
            )
            if result.unallocated and chosen:
                summary += _(" (part waits for stock)")
            if note:
                summary = f"{summary} ({note})"
            Decision.create(
                {
                    "order_id": order.id,
                    "strategy_id": strategy.id if strategy else False,
                    "summary": summary,
                    "estimated_cost": result.estimated_cost,
                    "is_split": result.is_split,
                    "candidate_ids": [
                        (0, 0, _candidate_vals(candidate)) for candidate in result.candidates
                    ],
                    "allocation_ids": [(0, 0, values) for values in allocations],
                }
            )
            order._oms_log_event("note", _("Routed: %s", summary))
        return waiting


def _candidate_vals(candidate):
    factors, scores = candidate.factors, candidate.scores
    return {
        "source_id": candidate.source_id,
        "chosen": candidate.chosen,
        "can_ship_all": candidate.can_ship_all,
        "distance_km": factors["distance"],
        "estimated_cost": factors["cost"],
        "days": factors["speed"],
        "score_distance": scores["distance"],
        "score_cost": scores["cost"],
        "score_speed": scores["speed"],
        "score_capacity": scores["capacity"],
        "score_rank": scores["rank"],
        "score_total": float_round(candidate.total, 6),
        "reason": candidate.reason,
    }
