from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.oms_core.models.sale_order_mail import post_customer_mail

STATES = [
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("label_sent", "Label sent"),
    ("in_transit", "In transit"),
    ("received", "Received"),
    ("inspected", "Inspected"),
    ("refunded", "Refunded"),
    ("exchanged", "Exchanged"),
    ("closed", "Closed"),
]
# oms_returns_loyalty adds "credited" (store credit) through _oms_settled_states().
SETTLED = ("refunded", "exchanged")
# Customer mails of a return: kind -> (channel switch, template)
RETURN_MAILS = {
    "received": ("mail_return_received", "oms_returns.mail_template_return_received"),
    "refunded": ("mail_refund_made", "oms_returns.mail_template_refund_made"),
}
MANAGER = "oms_core.group_oms_manager"


class OmsReturn(models.Model):
    """A customer's return request: lines of delivered orders, the policy's verdict,
    and each step from request to settlement, each logged and mailed."""

    _name = "oms.return"
    _description = "Return Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: _("New"))
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        help="The currency of the request's orders (one currency per request).",
    )
    state = fields.Selection(STATES, default="requested", required=True, tracking=True, index=True)
    resolution = fields.Selection(
        [("refund", "Refund"), ("exchange", "Exchange")],
        default="refund",
        required=True,
    )
    line_ids = fields.One2many("oms.return.line", "return_id", string="Lines")
    order_ids = fields.Many2many("sale.order", compute="_compute_order_ids", string="Orders")
    value = fields.Monetary(compute="_compute_amounts", store=True)
    fee_total = fields.Monetary(string="Restocking Fees", compute="_compute_amounts", store=True)
    refund_estimate = fields.Monetary(compute="_compute_amounts", store=True)
    rejection_reason = fields.Char(readonly=True)
    rejected_date = fields.Datetime(
        string="Rejected On", readonly=True, copy=False, help="Takes nothing back since then."
    )
    note = fields.Text()
    can_be_approved = fields.Boolean(compute="_compute_can_be")
    can_be_rejected = fields.Boolean(compute="_compute_can_be")
    can_be_closed = fields.Boolean(compute="_compute_can_be")
    channel_id = fields.Many2one(
        "oms.channel", compute="_compute_channel_id", store=True, index="btree_not_null"
    )
    settled_date = fields.Datetime(
        string="Settled On", readonly=True, copy=False, help="Refunded, exchanged or credited."
    )

    @api.model
    def _oms_settled_states(self):
        """The states of a request settled (its money or goods went back)."""
        return SETTLED

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("oms.return") or _("New")
        returns = super().create(vals_list)
        for request in returns:
            request._oms_log(_("Return %s requested", request.name))
        return returns

    @api.depends("company_id", "line_ids.sale_line_id")
    def _compute_currency_id(self):
        for request in self:
            request.currency_id = (
                request.line_ids.sale_line_id.order_id.currency_id[:1]
                or request.company_id.currency_id
            )

    @api.constrains("line_ids")
    def _check_one_currency(self):
        for request in self:
            if len(request.line_ids.sale_line_id.order_id.currency_id) > 1:
                raise ValidationError(
                    _(
                        "%s holds orders in several currencies: return them in separate requests.",
                        request.name,
                    )
                )

    def _oms_ensure_manager(self, what):
        """Settling money is for OMS managers, whatever the view shows."""
        if not (self.env.su or self.env.user.has_group(MANAGER)):
            raise AccessError(_("Only OMS managers may %s.", what))

    def _oms_ensure_paid(self, what):
        """Exchange credit (and store credit) are for orders paid, never for what is
        still owed."""
        for request in self:
            unpaid = request.line_ids.order_id.filtered(lambda order: not order._oms_is_paid())
            if unpaid:
                raise UserError(
                    _(
                        "%(orders)s is not paid yet: no %(what)s for it. Refund it instead "
                        "(the credit note reduces what is due).",
                        orders=", ".join(unpaid.mapped("name")),
                        what=what,
                    )
                )

    def _oms_mail_step(self, what, kind):
        """A step the customer hears of (``kind``: received, refunded): logged, and
        mailed with its template when the request's channel mails its customers and
        this kind of mail (else logged only)."""
        self.ensure_one()
        switch, template_xmlid = RETURN_MAILS[kind]
        channel = self.channel_id
        self._oms_log(what, mail=False)
        if self.env.context.get("oms_no_mail") or not self.partner_id.email:
            return
        if channel and not (channel.mail_customers and channel[switch]):
            return
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if template:
            post_customer_mail(self, template)

    @api.depends("line_ids.order_id")
    def _compute_order_ids(self):
        for request in self:
            request.order_ids = request.line_ids.order_id

    @api.depends("line_ids.order_id.oms_channel_id")
    def _compute_channel_id(self):
        for request in self:
            request.channel_id = request.line_ids.order_id.oms_channel_id[:1]

    def write(self, vals):
        if vals.get("state") in self._oms_settled_states() and "settled_date" not in vals:
            vals = dict(vals, settled_date=fields.Datetime.now())
        return super().write(vals)

    @api.depends("line_ids.value", "line_ids.fee", "line_ids.refund_estimate")
    def _compute_amounts(self):
        for request in self:
            request.value = sum(request.line_ids.mapped("value"))
            request.fee_total = sum(request.line_ids.mapped("fee"))
            request.refund_estimate = sum(request.line_ids.mapped("refund_estimate"))

    @api.depends("state")
    def _compute_can_be(self):
        for request in self:
            state = request.state
            request.can_be_approved = state == "requested"
            request.can_be_rejected = state == "requested"
            request.can_be_closed = state in (*self._oms_settled_states(), "rejected")

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/returns/{request.id}"
        return result

    def _ensure_can_be(self, transition):
        for request in self:
            if not request[f"can_be_{transition}"]:
                raise UserError(
                    _(
                        "%(request)s cannot be %(transition)s now (it is %(state)s).",
                        request=request.name,
                        transition=transition,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            request.state
                        ].lower(),
                    )
                )

    # --- timeline and customer ------------------------------------------------------
    def _oms_log(self, what, mail=True):
        """One step: in each order's timeline, in the chatter, and to the customer."""
        self.ensure_one()
        for order in self.line_ids.order_id:
            order._oms_log_event("note", what, reason=self.name)
        if mail and not self.env.context.get("oms_no_mail"):
            self.message_post(
                body=what,
                partner_ids=self.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        else:
            self.message_post(body=what, subtype_xmlid="mail.mt_note")

    # --- transitions ----------------------------------------------------------------------
    def _oms_submit(self):
        """After the customer's request: approve at once when the policies allow it."""
        for request in self:
            if request._oms_auto_approvable():
                request.action_approve()

    def _oms_auto_approvable(self):
        self.ensure_one()
        policies = self.line_ids.policy_id
        if not policies or not all(policies.mapped("auto_approve")):
            return False
        year_ago = fields.Datetime.now() - timedelta(days=365)
        earlier = self.search_count(
            [
                ("partner_id", "=", self.partner_id.id),
                ("id", "!=", self.id),
                ("create_date", ">=", year_ago),
            ]
        )
        for policy in policies:
            if policy.auto_approve_max_value and self.value > policy._oms_amount_in(
                policy.auto_approve_max_value, self.currency_id
            ):
                return False
            if policy.auto_approve_max_returns and earlier >= policy.auto_approve_max_returns:
                return False
        return True

    def action_approve(self):
        self._ensure_can_be("approved")
        for request in self:
            request.state = "approved"
            request._oms_log(_("Return %s approved", request.name))
            request._oms_create_receipts()
        self._oms_queue_label()
        return True

    def action_reject(self, reason=None):
        self._ensure_can_be("rejected")
        for request in self:
            request.write(
                {
                    "state": "rejected",
                    "rejection_reason": reason or False,
                    "rejected_date": fields.Datetime.now(),
                }
            )
            request._oms_log(
                _("Return %(name)s rejected: %(reason)s", name=request.name, reason=reason or "-")
            )
        return True

    def action_close(self):
        self._ensure_can_be("closed")
        for request in self:
            request.state = "closed"
            request._oms_log(_("Return %s closed", request.name), mail=False)
        return True
