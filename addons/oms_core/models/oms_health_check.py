from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval


class OmsHealthCheck(models.Model):
    """One line of the integration health dashboard: how many records of a model
    match a domain now (failed jobs, inbox errors, carrier errors of the day...),
    and the list of those records, grouped as the check says, one click away.

    Each addon ships its own checks as data; a manager may add more. The domain is
    evaluated with ``now`` (UTC), ``today`` (midnight UTC), ``timedelta`` and
    ``hours`` (the check's threshold, for "stuck for more than N hours").
    """

    _name = "oms.health.check"
    _description = "Integration Health Check"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    area = fields.Selection(
        [("channels", "Channels"), ("jobs", "Background Jobs"), ("carriers", "Carriers")],
        required=True,
    )
    description = fields.Char(translate=True)
    model_id = fields.Many2one("ir.model", required=True, ondelete="cascade")
    model = fields.Char(related="model_id.model", string="Model Name", store=True)
    domain = fields.Char(required=True, default="[]")
    group_by = fields.Char(
        help="Comma-separated fields the list of matching records is grouped by."
    )
    hours = fields.Integer(default=0, help="Threshold for checks such as 'stuck for N hours'.")
    warn_above = fields.Integer(
        default=0,
        help="The check is shown in red above this count (0: any record is a problem).",
    )
    count = fields.Integer(compute="_compute_count")
    state = fields.Selection([("ok", "OK"), ("problem", "Problem")], compute="_compute_count")

    @api.constrains("domain", "model_id")
    def _check_domain(self):
        for check in self:
            try:
                self.env[check.model].search_count(check._oms_domain(), limit=1)
            except Exception as error:  # any mistake in a hand-written domain
                raise ValidationError(
                    _(
                        "The domain of %(check)s is invalid: %(error)s",
                        check=check.name,
                        error=error,
                    )
                ) from error

    def _oms_domain(self):
        self.ensure_one()
        now = fields.Datetime.now()
        return safe_eval(
            self.domain or "[]",
            {
                "now": now,
                "today": now.replace(hour=0, minute=0, second=0),
                "timedelta": timedelta,
                "hours": self.hours,
            },
        )

    def _compute_count(self):
        for check in self:
            Model = self.env[check.model]
            check.count = Model.search_count(check._oms_domain()) if Model.has_access("read") else 0
            check.state = "problem" if check.count > check.warn_above else "ok"

    def action_open(self):
        """The matching records, grouped as the check says."""
        self.ensure_one()
        context = {"create": False}
        if self.group_by:
            context["group_by"] = [name.strip() for name in self.group_by.split(",")]
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self.model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._oms_domain(),
            "context": context,
            "target": "current",
        }
