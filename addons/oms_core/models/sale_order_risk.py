from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# What the channel says of an order's payment and fraud risk, with the values a
# new order has (see _oms_check_channel_facts).
CHANNEL_FACTS = {"oms_payment_state": "none", "oms_fraud_score": 0.0, "oms_fraud_assessed": False}


class SaleOrder(models.Model):
    """What hold rules weigh: the channel's payment and fraud assessment, the
    shipping address, the customer's credit and the total in company currency."""

    _inherit = "sale.order"

    oms_fraud_score = fields.Float(
        string="Fraud Score",
        copy=False,
        help="Risk score given by the sales channel (0-100); meaningful only when the "
        "channel assessed the order (Fraud Assessed).",
    )
    oms_fraud_assessed = fields.Boolean(
        string="Fraud Assessed",
        copy=False,
        help="The channel gave a fraud assessment of this order. Without one the score is "
        "0 but means nothing: the order is neither risky nor safe. Set whenever a score "
        "is given.",
    )
    oms_fraud_summary = fields.Char(string="Fraud Assessment", compute="_compute_oms_fraud_summary")
    oms_payment_state = fields.Selection(
        [
            ("none", "Not paid upfront"),
            ("pending", "Pending"),
            ("authorized", "Authorized"),
            ("paid", "Captured"),
            ("refunded", "Refunded"),
        ],
        string="Channel Payment",
        default="none",
        copy=False,
        help="Payment as the sales channel reports it.",
    )
    oms_address_incomplete = fields.Boolean(
        compute="_compute_oms_address_incomplete",
        store=True,
        help="The shipping address lacks a street, a city, a country, or a zip code "
        "where the country needs one.",
    )
    oms_over_credit_limit = fields.Boolean(
        compute="_compute_oms_over_credit_limit",
        help="The customer is over its credit limit (Odoo's own credit limit figures).",
    )
    oms_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    oms_amount_total_company = fields.Monetary(
        string="Total in Company Currency",
        compute="_compute_oms_amount_total_company",
        currency_field="oms_company_currency_id",
        help="The order's total in its company's currency, at the order's rate: what "
        "hold rules and reports compare amounts with, whatever the order's currency.",
    )

    @api.depends(
        "partner_shipping_id.street",
        "partner_shipping_id.city",
        "partner_shipping_id.zip",
        "partner_shipping_id.country_id",
        "partner_shipping_id.country_id.zip_required",
    )
    def _compute_oms_address_incomplete(self):
        for order in self:
            address = order.partner_shipping_id
            order.oms_address_incomplete = bool(address) and not (
                address.street
                and address.city
                and address.country_id
                and (address.zip or not address.country_id.zip_required)
            )

    @api.depends("amount_total", "currency_rate")
    def _compute_oms_amount_total_company(self):
        for order in self:
            rate = order.currency_rate or 1.0  # company currency -> order currency
            order.oms_amount_total_company = order.amount_total / rate

    @api.depends("partner_credit_warning")
    def _compute_oms_over_credit_limit(self):
        for order in self:
            order.oms_over_credit_limit = bool(order.partner_credit_warning)

    @api.depends("oms_fraud_assessed", "oms_fraud_score")
    def _compute_oms_fraud_summary(self):
        for order in self:
            order.oms_fraud_summary = (
                _("%s / 100", round(order.oms_fraud_score))
                if order.oms_fraud_assessed
                else _("No fraud assessment from the channel")
            )

    def _oms_check_channel_facts(self, vals):
        """What the channel says of an order's payment and fraud risk lifts or puts
        holds and decides whether credit may be given: only the channel's import
        (which writes as superuser) and OMS managers change it, whatever the view
        shows. A value left as it is (a form saving it unchanged, a new order with
        the defaults) is not a change."""
        names = CHANNEL_FACTS.keys() & vals.keys()
        if not names or self.env.su or self.env.user.has_group("oms_core.group_oms_manager"):
            return
        changed = {
            name
            for name in names
            if any((order[name] or False) != (vals[name] or False) for order in self)
            or (not self and (vals[name] or False) != (CHANNEL_FACTS[name] or False))
        }
        if changed:
            raise AccessError(
                _(
                    "Only an OMS Manager may change what the channel says of an order "
                    "(%(fields)s).",
                    fields=", ".join(sorted(self._fields[name].string for name in changed)),
                )
            )

    @api.model
    def _oms_fraud_assessed_vals(self, vals):
        """A score given is an assessment, unless said otherwise."""
        if "oms_fraud_score" in vals and "oms_fraud_assessed" not in vals:
            vals["oms_fraud_assessed"] = True
