from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError


class OmsReturnPolicy(models.Model):
    """What may be returned, until when, at what cost, and how it is settled."""

    _name = "oms.return.policy"
    _description = "Return Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="The first policy matching the channel and category applies."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    channel_ids = fields.Many2many(
        "oms.channel", string="Channels", help="Every channel when empty."
    )
    categ_ids = fields.Many2many(
        "product.category", string="Product Categories", help="Every category when empty."
    )
    window_days = fields.Integer(string="Return Window (days)", default=30)
    reason_ids = fields.Many2many("oms.return.reason", string="Reasons Allowed", required=True)
    fee_type = fields.Selection(
        [("none", "No fee"), ("percent", "Percent of the value"), ("fixed", "Fixed per line")],
        string="Restocking Fee",
        default="none",
        required=True,
    )
    fee_amount = fields.Float(string="Fee")
    keep_item_below = fields.Float(
        string="Keep the Item Below",
        help="Lines worth less than this are refunded without shipping them back.",
    )
    auto_approve = fields.Boolean(string="Approve Automatically", default=True)
    auto_approve_max_value = fields.Float(
        string="Up to a Value of", help="Requests worth more wait for a person; 0: any value."
    )
    auto_approve_max_returns = fields.Integer(
        string="Up to Returns a Year",
        help="Customers with more requests in the last 365 days wait for a person; 0: any.",
    )
    return_carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Return Label Carrier",
        help="The carrier of the labels customers print to send items back.",
    )
    allow_refund = fields.Boolean(string="Refund", default=True)
    allow_exchange = fields.Boolean(string="Exchange", default=True)
    exchange_before_return = fields.Boolean(
        string="Ship Exchanges Before the Return Arrives",
        help="Once a request is approved, the replacement may ship at once; what does "
        "not come back is invoiced with the exchange order.",
    )
    refund_shipping = fields.Selection(
        [("never", "Never"), ("defect", "When it is our fault"), ("always", "Always")],
        default="defect",
        required=True,
    )

    @api.constrains("allow_refund", "allow_exchange")
    def _check_resolution(self):
        for policy in self:
            if not policy._oms_resolutions_allowed():
                raise ValidationError(_("A return policy allows at least one resolution."))

    def _oms_resolutions_allowed(self):
        """The resolutions (values of ``oms.return.resolution``) the policy allows."""
        self.ensure_one()
        allowed = {"refund": self.allow_refund, "exchange": self.allow_exchange}
        return [resolution for resolution, allow in allowed.items() if allow]

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache("company_id")
    def _oms_policy_rules(self, company_id):
        """The active policies of a company, in order, each with the channels and
        product categories it is limited to: ``((id, channel ids, category ids),
        ...)``. Read on every portal page, kept until a policy changes."""
        policies = self.sudo().search([("company_id", "in", (company_id, False))])
        return tuple(
            (policy.id, frozenset(policy.channel_ids.ids), frozenset(policy.categ_ids.ids))
            for policy in policies
        )

    @api.model
    def _oms_for(self, order, product):
        """The policy that applies to a product of an order (or an empty recordset):
        the first whose channels and categories (or their subcategories) match."""
        categories = None
        for policy_id, channel_ids, categ_ids in self._oms_policy_rules(order.company_id.id):
            if channel_ids and order.oms_channel_id.id not in channel_ids:
                continue
            if categ_ids:
                if categories is None:  # the product's category and its parents
                    path = product.categ_id.parent_path or ""
                    categories = {int(categ_id) for categ_id in path.split("/") if categ_id}
                if not categories & categ_ids:
                    continue
            return self.browse(policy_id)
        return self.browse()

    def _oms_fee(self, value, reason, currency):
        """The restocking fee of a line worth ``value`` (in ``currency``, its order's)
        returned for ``reason``, rounded in that currency."""
        self.ensure_one()
        if reason.is_defect or self.fee_type == "none":
            return 0.0
        if self.fee_type == "percent":
            return currency.round(value * self.fee_amount / 100.0)
        return currency.round(min(value, self._oms_amount_in(self.fee_amount, currency)))

    def _oms_amount_in(self, amount, currency):
        """An amount of the policy (a fixed fee, a threshold), set in its company's
        currency, in ``currency`` (an order's), at today's rate."""
        self.ensure_one()
        company = self.company_id or self.env.company
        if not amount or currency == company.currency_id:
            return amount
        return company.currency_id._convert(
            amount, currency, company, fields.Date.context_today(self), round=False
        )
