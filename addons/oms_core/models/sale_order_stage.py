from odoo import _, api, fields, models

from .sale_order import OMS_STAGES, RELEASED_STAGES, SHIPPED_STAGES


class SaleOrder(models.Model):
    """The OMS stage, derived from the order's facts, its milestones and its
    timeline of stage changes."""

    _inherit = "sale.order"

    oms_stage = fields.Selection(
        OMS_STAGES,
        string="OMS Stage",
        compute="_compute_oms_stage",
        store=True,
        index=True,
        help="Where the order is in its life, derived from its state, holds, "
        "deliveries and tracking.",
    )
    oms_released_date = fields.Datetime(
        string="Released On", compute="_compute_oms_milestones", store=True, copy=False
    )
    oms_shipped_date = fields.Datetime(
        string="First Shipped On", compute="_compute_oms_milestones", store=True, copy=False
    )
    oms_delivered_date = fields.Datetime(
        string="Delivered On",
        copy=False,
        help="Set when tracking reports the order delivered.",
    )

    @api.depends("oms_event_ids.stage_to", "oms_event_ids.date")
    def _compute_oms_milestones(self):
        for order in self:
            reached = order.oms_event_ids.filtered("stage_to")
            order.oms_released_date = min(
                (e.date for e in reached if e.stage_to in RELEASED_STAGES), default=False
            )
            order.oms_shipped_date = min(
                (e.date for e in reached if e.stage_to in SHIPPED_STAGES), default=False
            )

    @api.depends(
        "state",
        "locked",
        "invoice_status",
        "oms_active_hold_count",
        "oms_delivered_date",
        "picking_ids.state",
        "picking_ids.picking_type_code",
    )
    def _compute_oms_stage(self):
        # The stage is derived, never written: its changes are noticed here, where
        # every recomputation goes, and go into the timeline. The stage before is
        # the field's value as the ORM holds it while recomputing: the cached one
        # (it may be newer than the database's), else the stored one, read for the
        # whole batch in one query of this column alone (empty for a new order).
        stored = self.filtered("id")
        before = {order.id: order.oms_stage for order in stored.with_context(prefetch_fields=False)}
        for order in self:
            order.oms_stage = order._oms_derive_stage()
        changed = stored.filtered(lambda o: o.oms_stage != before[o.id])
        if changed:
            changed._oms_stage_changed(before)

    def _oms_outgoing_pickings(self):
        self.ensure_one()
        return self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )

    def _oms_derive_stage(self):
        """The one place where the OMS stage is decided, from the order's own facts."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if self.oms_active_hold_count:
            return "on_hold"
        if self.state != "sale":
            return "new"
        outgoing = self._oms_outgoing_pickings()
        done = outgoing.filtered(lambda p: p.state == "done")
        if not outgoing:
            return "released"
        if not done:
            return "routed"
        if done != outgoing:
            return "partially_shipped"
        if self.oms_delivered_date and self.invoice_status == "invoiced":
            return "closed"
        if self.oms_delivered_date:
            return "delivered"
        if self.locked and self.invoice_status == "invoiced":
            return "closed"
        return "shipped"

    def _oms_stage_changed(self, before):
        """One timeline event per order; orders that made the same move share one
        insert (a batch of captured orders is many of them)."""
        labels = dict(OMS_STAGES)
        moves = {}
        for order in self:
            key = (before.get(order.id) or False, order.oms_stage)
            moves[key] = moves.get(key, self.browse()) | order
        for (old, new), orders in moves.items():
            if not old:
                orders._oms_log_event(
                    "captured", _("Order captured: %s", labels[new]), stage_to=new
                )
            else:
                orders._oms_log_event(
                    "stage",
                    _("%(old)s → %(new)s", old=labels.get(old, old), new=labels[new]),
                    stage_from=old,
                    stage_to=new,
                )

    def _oms_sync_stage(self):
        """Settle the stage now rather than at the next flush, so that each step
        of a transaction (capture, hold, confirmation, shipment) gets its own
        timeline entry."""
        if not self.env.context.get("oms_defer_stage"):
            self._recompute_recordset(["oms_active_hold_count", "oms_stage"])
            # Mails go out here, once the stage is settled, never from its compute.
            self._oms_send_stage_mails()

    def _action_cancel(self):
        # Cancelling also cancels the deliveries: one step in the timeline.
        result = super(SaleOrder, self.with_context(oms_defer_stage=True))._action_cancel()
        self._oms_sync_stage()
        return result
