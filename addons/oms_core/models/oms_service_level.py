from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class OmsServiceLevel(models.Model):
    """What the customer paid for: how fast the order must ship and arrive.

    Each order has one (the channel's shipping method mapped by
    ``oms.service.level.map``, else the default level). Its handling days set
    the ship-by date when the channel gives none, its transit days the
    deliver-by date when the channel promises none, and its delivery priority
    the priority of the order's deliveries."""

    _name = "oms.service.level"
    _description = "Service Level"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical name; a channel's shipping method code equal to it (case "
        "ignored) maps to this level without a mapping row.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: a level of every company (the shipped ones)."
    )
    is_default = fields.Boolean(
        string="Default",
        help="The level of orders typed in Odoo and of channel orders whose shipping "
        "method is not mapped.",
    )
    is_prime = fields.Boolean(
        string="Marketplace Prime",
        help="The level of orders the channel flags as Prime (Amazon IsPrime).",
    )
    handling_days = fields.Integer(
        default=1,
        help="Working days, after the day an order counts from (the channel's cut-off), "
        "by which it must ship, when the channel gives no latest ship date.",
    )
    transit_days = fields.Integer(
        default=5,
        help="Days from shipment to delivery, when the channel promises no delivery date.",
    )
    strict_transit = fields.Boolean(
        string="Never Slower",
        help="Rate shopping never chooses a service slower than the transit days, even "
        "when none arrives by the deliver-by date (Prime).",
    )
    delivery_priority = fields.Selection(
        [("0", "Normal"), ("1", "Urgent")],
        default="0",
        required=True,
        help="Priority of the order's deliveries: urgent ones are reserved and listed "
        "first in the pickings.",
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A service level with this code already exists."),
        (
            "days_positive",
            "CHECK(handling_days >= 0 AND transit_days >= 0)",
            "Days cannot be negative.",
        ),
    ]

    @api.constrains("is_default", "active")
    def _check_one_default(self):
        for level in self.filtered(lambda lv: lv.is_default and lv.active):
            if self.search_count([("id", "!=", level.id), ("is_default", "=", True)]):
                raise ValidationError(_("Only one service level can be the default."))

    @api.model
    def _oms_of_company(self, company=None):
        """Domain of the levels ``company`` (the current one by default) may use."""
        return [("company_id", "in", (False, (company or self.env.company).id))]

    @api.model
    def _oms_default(self, company=None):
        domain = self._oms_of_company(company)
        return self.search([*domain, ("is_default", "=", True)], limit=1) or self.search(
            domain, limit=1
        )
