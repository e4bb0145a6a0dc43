from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class OmsShippingPolicy(models.Model):
    """How a delivery's carrier and service are chosen among the quotes."""

    _name = "oms.shipping.policy"
    _description = "Shipping Policy"
    _order = "is_default desc, name"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(string="Default")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    carrier_ids = fields.Many2many(
        "delivery.carrier",
        "oms_shipping_policy_carrier_rel",
        string="Carriers Quoted",
        help="The carriers asked for quotes; every carrier with an API when empty.",
    )
    preferred_carrier_ids = fields.Many2many(
        "delivery.carrier", "oms_shipping_policy_preferred_rel", string="Preferred Carriers"
    )
    excluded_carrier_ids = fields.Many2many(
        "delivery.carrier", "oms_shipping_policy_excluded_rel", string="Excluded Carriers"
    )
    max_price = fields.Float(string="Maximum Price", help="0 for no maximum.")
    preferred_margin = fields.Float(
        string="Preferred Margin (%)",
        default=10.0,
        help="A preferred carrier wins when it costs at most this much more than the "
        "cheapest quote.",
    )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for policy in self.filtered(lambda p: p.is_default and p.active):
            if self.search_count(
                [
                    ("id", "!=", policy.id),
                    ("is_default", "=", True),
                    ("company_id", "in", (policy.company_id.id, False)),
                ]
            ):
                raise ValidationError(_("Only one default shipping policy per company."))

    def _oms_carriers(self, company):
        Carrier = self.env["delivery.carrier"]
        carriers = self.carrier_ids or Carrier.search(
            [
                ("delivery_type", "in", Carrier._oms_carrier_types("quotes_for_picking")),
                ("company_id", "in", (company.id, False)),
            ]
        )
        return carriers

    def _oms_filter(self, quotes):
        """(reasons of the quotes the policy rules out, the others)."""
        reasons = {}
        candidates = quotes.browse()
        for quote in quotes:
            if quote.carrier_id in self.excluded_carrier_ids:
                reasons[quote] = _("excluded by the policy")
            elif self.max_price and quote.price_company > self.max_price:
                reasons[quote] = _("over the maximum price")
            else:
                candidates |= quote
        return reasons, candidates

    def _oms_within_service_level(self, order, candidates, reasons):
        """The ``candidates`` the order's service level allows: all, unless it is
        *never slower* (Prime, next day): then only those that give a transit time
        within its days; the others get their reason in ``reasons``."""
        level = order.oms_service_level_id
        if not level.strict_transit:
            return candidates
        for quote in candidates:
            if not quote.transit_days or quote.transit_days > level.transit_days:
                reasons[quote] = _(
                    "slower than the %(level)s service level allows (%(days)s days)",
                    level=level.name,
                    days=level.transit_days,
                )
        return candidates.filtered(lambda q: q not in reasons)

    def _oms_choose(self, quotes, deadline):
        """Mark each quote won or lost with its reason; returns the winner (or an
        empty recordset). ``deadline``: the date the parcel must arrive by; when
        None, the order's (``sale.order._oms_arrive_by_date``: its delivery date,
        else its deliver-by date), so an order with a service level always has
        one. A service level that is *never slower* (Prime, next day) rules out
        the services slower than its transit days, even when none is left."""
        self.ensure_one()
        order = quotes.picking_id.sale_id[:1]
        if not deadline and order:
            deadline = order._oms_arrive_by_date()
        today = fields.Date.context_today(self)
        usable = quotes.filtered(lambda q: q.state != "failed")
        for quote in usable:
            quote.on_time = not deadline or (
                quote.transit_days is not False
                and today + timedelta(days=quote.transit_days or 0) <= deadline
            )
        reasons, candidates = self._oms_filter(usable)
        candidates = self._oms_within_service_level(order, candidates, reasons)
        in_time = candidates.filtered("on_time")
        pool = in_time or candidates
        winner = quotes.browse()
        if pool:
            cheapest = min(pool, key=lambda q: (q.price_company, q.transit_days or 0, q.id))
            winner = cheapest
            preferred = pool.filtered(lambda q: q.carrier_id in self.preferred_carrier_ids)
            if preferred and cheapest not in preferred:
                best = min(preferred, key=lambda q: (q.price_company, q.id))
                if best.price_company <= cheapest.price_company * (1 + self.preferred_margin / 100):
                    winner = best
            for quote in candidates - winner:
                if quote not in in_time and in_time:
                    reasons[quote] = _("arrives after the promised date")
                else:
                    reasons[quote] = _(
                        "%(amount).2f more than the chosen quote",
                        amount=quote.price_company - winner.price_company,
                    )
            win_reason = (
                _("cheapest that arrives in time")
                if in_time
                else _("cheapest (none arrives by the promised date)")
                if deadline
                else _("cheapest")
            )
            if winner != cheapest:
                win_reason = _(
                    "preferred carrier, within %s%% of the cheapest", self.preferred_margin
                )
            winner.write({"state": "won", "reason": win_reason})
        for quote, reason in reasons.items():
            quote.write({"state": "lost", "reason": reason})
        return winner
