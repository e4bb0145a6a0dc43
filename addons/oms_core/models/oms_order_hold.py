from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .oms_hold_rule import HOLD_TYPES


class OmsOrderHold(models.Model):
    """Something that keeps one order from being fulfilled, and what became of it.

    ``active`` holds block the order: it is not confirmed for fulfilment and its
    deliveries cannot be validated. A hold ends ``released`` (its condition is
    gone, noticed automatically or by a person) or ``overridden`` (a person let
    the order through although the condition still holds); either way the hold
    records who ended it, when and why.
    """

    _name = "oms.order.hold"
    _description = "Order Hold"
    _order = "state, deadline, id"

    order_id = fields.Many2one(
        "sale.order", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    channel_id = fields.Many2one(related="order_id.oms_channel_id", store=True)
    partner_id = fields.Many2one(related="order_id.partner_id")
    amount_total = fields.Monetary(related="order_id.amount_total")
    currency_id = fields.Many2one(related="order_id.currency_id")
    rule_id = fields.Many2one("oms.hold.rule", index=True, readonly=True, ondelete="restrict")
    hold_type = fields.Selection(HOLD_TYPES, required=True, readonly=True)
    reason = fields.Text(required=True, readonly=True)
    team_id = fields.Many2one("crm.team", string="Owner Team", index=True)
    user_id = fields.Many2one("res.users", string="Owner")
    deadline = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("active", "Active"), ("released", "Released"), ("overridden", "Overridden")],
        default="active",
        required=True,
        readonly=True,
        index=True,
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    released_by_id = fields.Many2one("res.users", readonly=True)
    released_date = fields.Datetime(readonly=True)
    release_note = fields.Text(readonly=True)
    hours_on_hold = fields.Float(
        compute="_compute_hours_on_hold",
        store=True,
        aggregator="avg",
        help="Hours from the hold to its release (only once it is released).",
    )
    can_be_released = fields.Boolean(compute="_compute_can_be_released")

    def _compute_display_name(self):
        for hold in self:
            hold.display_name = f"{hold.order_id.name}: {hold.rule_id.name or hold.reason}"

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for hold in self:
            hold.is_overdue = hold.state == "active" and bool(hold.deadline) and hold.deadline < now

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on overdue holds."))
        overdue = [("state", "=", "active"), ("deadline", "<", fields.Datetime.now())]
        return overdue if (operator == "=") == value else ["!", "&", *overdue]

    @api.depends("released_date", "create_date")
    def _compute_hours_on_hold(self):
        for hold in self:
            if hold.released_date and hold.create_date:
                delta = hold.released_date - hold.create_date
                hold.hours_on_hold = delta.total_seconds() / 3600
            else:
                hold.hours_on_hold = 0.0

    @api.depends_context("uid")
    @api.depends("state", "team_id", "user_id")
    def _compute_can_be_released(self):
        for hold in self:
            hold.can_be_released = hold.state == "active" and hold._oms_user_may_release()

    # --- creation -----------------------------------------------------------------
    @api.model
    def _prepare_hold_vals(self, order, rule):
        return {
            "order_id": order.id,
            "rule_id": rule.id,
            "hold_type": rule.hold_type,
            "reason": rule.reason or rule.name,
            "team_id": rule.team_id.id,
            "user_id": rule.user_id.id,
            "deadline": fields.Datetime.now() + timedelta(hours=rule.sla_hours),
        }

    @api.model_create_multi
    def create(self, vals_list):
        holds = super().create(vals_list)
        holds.order_id._oms_sync_stage()
        for hold in holds:
            hold.order_id._oms_log_event(
                "hold",
                _("On hold: %(what)s", what=hold.rule_id.name or hold.reason),
                reason=hold.reason,
                hold_id=hold.id,
            )
        return holds

    # --- release ------------------------------------------------------------------
    def _oms_user_may_release(self):
        """OMS Managers release any hold; OMS Users those their team or they own."""
        self.ensure_one()
        user = self.env.user
        if user.has_group("oms_core.group_oms_manager"):
            return True
        if not user.has_group("oms_core.group_oms_user"):
            return False
        if self.user_id == user:
            return True
        return bool(self.team_id) and user in (self.team_id.member_ids | self.team_id.user_id)

    def _ensure_can_be_released(self):
        for hold in self:
            if hold.state != "active":
                raise UserError(
                    _(
                        "The hold “%(hold)s” is already %(state)s.",
                        hold=hold.display_name,
                        state=hold.state,
                    )
                )
            if not hold._oms_user_may_release():
                raise AccessError(
                    _(
                        "Only an OMS Manager or a member of the team %(team)s may release "
                        "the hold “%(hold)s”.",
                        team=hold.team_id.name or _("(none)"),
                        hold=hold.display_name,
                    )
                )

    def action_release(self, note):
        """Release the holds by hand, with a note. A hold whose condition still
        holds is recorded as overridden: its rule will not hold the order again."""
        note = (note or "").strip()
        if not note:
            raise UserError(_("Say why the hold may be released: the note is required."))
        self._ensure_can_be_released()
        still_matching = self.browse()
        for hold in self.filtered("rule_id"):
            if hold.rule_id._matching(hold.order_id):
                still_matching |= hold
        (self - still_matching)._oms_end("released", note)
        still_matching._oms_end("overridden", note)
        return True

    def _oms_end(self, state, note, user=None):
        if not self:
            return
        user = user or self.env.user
        self.sudo().write(
            {
                "state": state,
                "released_by_id": user.id,
                "released_date": fields.Datetime.now(),
                "release_note": note,
            }
        )
        labels = dict(self._fields["state"].selection)
        for hold in self:
            hold.order_id._oms_log_event(
                "hold_released" if state == "released" else "hold_overridden",
                _(
                    "Hold %(state)s: %(what)s",
                    state=labels[state],
                    what=hold.rule_id.name or hold.reason,
                ),
                reason=note,
                hold_id=hold.id,
            )
        # Then confirm the orders that waited for these holds (what confirming
        # does comes after the release in the timeline); their stage is settled
        # once, so that they go from on hold straight to released.
        self.order_id.with_context(oms_defer_stage=True)._oms_after_holds_ended()
        self.order_id._oms_sync_stage()
