from odoo import _, api, fields, models


class SaleOrder(models.Model):
    """Holds: the rules that put and release them, and confirmation that waits
    for the last one to end."""

    _inherit = "sale.order"

    oms_hold_ids = fields.One2many("oms.order.hold", "order_id", string="Holds")
    oms_active_hold_count = fields.Integer(
        string="Active Holds", compute="_compute_oms_active_hold_count", store=True
    )
    oms_confirm_requested = fields.Boolean(
        copy=False,
        help="Confirmation was asked for while the order was on hold: it is confirmed "
        "as soon as its last hold ends.",
    )

    @api.depends("oms_hold_ids.state")
    def _compute_oms_active_hold_count(self):
        for order in self:
            order.oms_active_hold_count = len(
                order.oms_hold_ids.filtered(lambda hold: hold.state == "active")
            )

    def _oms_open_for_holds(self):
        """Orders whose holds still matter: not cancelled, nothing shipped yet."""
        return self.filtered(
            lambda o: o.state != "cancel"
            and not o._oms_outgoing_pickings().filtered(lambda p: p.state == "done")
        )

    def _oms_evaluate_holds(self, rules=None):
        """Put the holds the active rules call for and release those whose condition
        is gone. One search per rule for the whole batch, whatever it matches
        elsewhere; writes touch only these orders' holds."""
        orders = self._oms_open_for_holds()
        if not orders:
            return self.env["oms.order.hold"]
        Hold = self.env["oms.order.hold"].sudo()
        rules = rules if rules is not None else self.env["oms.hold.rule"].sudo().search([])
        existing = Hold.search([("order_id", "in", orders.ids), ("rule_id", "in", rules.ids)])
        by_key = {}
        for hold in existing:
            by_key.setdefault((hold.order_id.id, hold.rule_id.id), Hold)
            by_key[hold.order_id.id, hold.rule_id.id] |= hold
        to_create = []
        for rule in rules:
            matching = rule._matching(orders)
            for order in matching:
                holds = by_key.get((order.id, rule.id), Hold)
                # A rule holds an order once at a time; a person's override is final.
                if holds.filtered(lambda h: h.state in ("active", "overridden")):
                    continue
                to_create.append(Hold._prepare_hold_vals(order, rule))
            active = existing.filtered(lambda h, r=rule: h.rule_id == r and h.state == "active")
            if active:
                released_orders = rule._released(active.order_id)
                active.filtered(lambda h, o=released_orders: h.order_id in o)._oms_end(
                    "released",
                    _("Released automatically: the condition of “%s” is gone.", rule.name),
                    user=self.env.ref("base.user_root"),
                )
        return Hold.create(to_create)

    def _oms_after_holds_ended(self):
        """Confirm the orders that waited for their last hold to end."""
        waiting = self.filtered(
            lambda o: o.oms_confirm_requested
            and o.state in ("draft", "sent")
            and not o.oms_hold_ids.filtered(lambda h: h.state == "active")
        )
        if waiting:
            waiting.action_confirm()
            waiting.write({"oms_confirm_requested": False})

    def _oms_submit(self):
        """Capture entry point: evaluate the holds, confirm what is not held."""
        self._oms_evaluate_holds()
        held = self.filtered(lambda o: o.oms_hold_ids.filtered(lambda h: h.state == "active"))
        held.write({"oms_confirm_requested": True})
        free = (self - held).filtered(lambda o: o.state in ("draft", "sent"))
        if free:
            # The holds were just evaluated: confirm without evaluating them again.
            super(
                SaleOrder, free.with_context(oms_skip_holds=True, oms_defer_stage=True)
            ).action_confirm()
            free._oms_sync_stage()
        return held

    def action_confirm(self):
        if self.env.context.get("oms_skip_holds"):
            return super().action_confirm()
        self._oms_evaluate_holds()
        held = self.filtered(lambda o: o.oms_hold_ids.filtered(lambda h: h.state == "active"))
        if held:
            held.write({"oms_confirm_requested": True})
        free = self - held
        result = True
        if free:
            # Confirmation writes the order and creates its deliveries: one step.
            result = super(
                SaleOrder, free.with_context(oms_skip_holds=True, oms_defer_stage=True)
            ).action_confirm()
            free._oms_sync_stage()
        if held and len(self) == 1:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "title": _("Order on hold"),
                    "message": _(
                        "%(order)s is on hold (%(reasons)s). It is confirmed as soon as "
                        "its holds are released.",
                        order=self.name,
                        reasons=", ".join(
                            held.oms_hold_ids.filtered(lambda h: h.state == "active").mapped(
                                "rule_id.name"
                            )
                        ),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return result

    def _oms_fields_changed(self, names):
        """Re-evaluate the holds when a field some rule reads has changed."""
        if self and not self.env.context.get("oms_skip_holds") and self._oms_rule_fields() & names:
            self._oms_evaluate_holds()

    @api.model
    def _oms_rule_fields(self):
        fields_ = self.env["oms.hold.rule"].sudo().search([])._dependent_fields()
        # Fields computed from others: a change of their sources matters too.
        if "oms_address_incomplete" in fields_:
            fields_.add("partner_shipping_id")
        if "oms_over_credit_limit" in fields_:
            fields_ |= {"partner_id", "order_line"}
        if "amount_total" in fields_:
            fields_.add("order_line")
        return fields_

    @api.model
    def _cron_oms_evaluate_holds(self, batch_size=1000):
        """Re-check the orders not shipped yet, for conditions that change outside
        the order (a customer's address or credit), a batch at a time."""
        orders = self.search([("oms_stage", "in", ["new", "on_hold", "released", "routed"])])
        for start in range(0, len(orders), batch_size):
            orders[start : start + batch_size]._oms_evaluate_holds()

    def action_oms_evaluate_holds(self):
        self._oms_evaluate_holds()
        return True

    def action_oms_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("oms_core.oms_order_hold_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"search_default_active": 1}
        return action
