from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class OmsHoldRuleDryRun(models.TransientModel):
    """Run hold rules against past orders without touching them.

    Answers "what would this rule hold?" before a rule goes live: per rule, how
    many orders of the period it matches, which ones and their total value.
    Nothing is written: no hold, no timeline entry, no mail.
    """

    _name = "oms.hold.rule.dry.run"
    _description = "Hold Rules Dry Run"

    rule_ids = fields.Many2many(
        "oms.hold.rule",
        string="Rules",
        default=lambda self: self.env["oms.hold.rule"].search([]),
        context={"active_test": False},
    )
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self) - timedelta(days=30)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    channel_ids = fields.Many2many(
        "oms.channel", string="Channels", help="Leave empty for every channel."
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many("oms.hold.rule.dry.run.line", "dry_run_id", readonly=True)
    order_count = fields.Integer(string="Orders Checked", readonly=True)
    held_order_count = fields.Integer(string="Orders Held", readonly=True)
    held_amount = fields.Monetary(string="Value Held", readonly=True)
    done = fields.Boolean(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for run in self:
            if run.date_from > run.date_to:
                raise UserError(_("The period ends before it starts."))

    def _utc_bounds(self):
        """The period as naive UTC datetimes [start, end): whole days in the
        user's time zone."""
        self.ensure_one()
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")

        def midnight(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc)

        start = midnight(self.date_from)
        end = midnight(self.date_to + timedelta(days=1))
        return start.replace(tzinfo=None), end.replace(tzinfo=None)

    def _orders(self):
        """The orders of the period, not cancelled, as they are now. The period is
        on the customer's order date: Odoo moves its own order date to the
        confirmation date."""
        self.ensure_one()
        start, end = self._utc_bounds()
        domain = [
            ("oms_order_date", ">=", start),
            ("oms_order_date", "<", end),
            ("company_id", "=", self.company_id.id),
            ("state", "!=", "cancel"),
        ]
        if self.channel_ids:
            domain.append(("oms_channel_id", "in", self.channel_ids.ids))
        return self.env["sale.order"].search(domain)

    @staticmethod
    def _value(orders, currency, company):
        return sum(
            order.currency_id._convert(
                order.amount_total, currency, company, order.date_order or fields.Date.today()
            )
            for order in orders
        )

    def action_run(self):
        self.ensure_one()
        if not self.rule_ids:
            raise UserError(_("Choose at least one rule."))
        orders = self._orders()
        currency, company = self.currency_id, self.company_id
        lines = [fields.Command.clear()]
        held = self.env["sale.order"]
        for rule in self.rule_ids:
            matching = rule._matching(orders)
            held |= matching
            lines.append(
                fields.Command.create(
                    {
                        "rule_id": rule.id,
                        "order_ids": [fields.Command.set(matching.ids)],
                        "order_count": len(matching),
                        "amount": self._value(matching, currency, company),
                    }
                )
            )
        self.write(
            {
                "line_ids": lines,
                "order_count": len(orders),
                "held_order_count": len(held),
                "held_amount": self._value(held, currency, company),
                "done": True,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Hold Rules Dry Run"),
        }
