from datetime import timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

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
    ("credited", "Credited"),
    ("closed", "Closed"),
]
SETTLED = ("refunded", "exchanged", "credited")
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
        [("refund", "Refund"), ("exchange", "Exchange"), ("credit", "Store credit")],
        default="refund",
        required=True,
    )
    line_ids = fields.One2many("oms.return.line", "return_id", string="Lines")
    order_ids = fields.Many2many("sale.order", compute="_compute_order_ids", string="Orders")
    picking_ids = fields.One2many("stock.picking", "oms_return_id", string="Receipts")
    credit_note_ids = fields.One2many("account.move", "oms_return_id", string="Credit Notes")
    value = fields.Monetary(compute="_compute_amounts", store=True)
    fee_total = fields.Monetary(string="Restocking Fees", compute="_compute_amounts", store=True)
    refund_estimate = fields.Monetary(compute="_compute_amounts", store=True)
    rejection_reason = fields.Char(readonly=True)
    rejected_date = fields.Datetime(
        string="Rejected On", readonly=True, copy=False, help="Takes nothing back since then."
    )
    label_attachment_ids = fields.Many2many(
        "ir.attachment", "oms_return_label_rel", string="Return Labels", readonly=True, copy=False
    )
    note = fields.Text()
    can_be_approved = fields.Boolean(compute="_compute_can_be")
    can_be_rejected = fields.Boolean(compute="_compute_can_be")
    can_be_label_sent = fields.Boolean(compute="_compute_can_be")
    can_be_received = fields.Boolean(compute="_compute_can_be")
    can_be_inspected = fields.Boolean(compute="_compute_can_be")
    can_be_refunded = fields.Boolean(compute="_compute_can_be")
    can_be_credited = fields.Boolean(compute="_compute_can_be")
    can_be_exchanged = fields.Boolean(compute="_compute_can_be")
    can_be_exchanged_early = fields.Boolean(compute="_compute_can_be")
    exchange_order_id = fields.Many2one("sale.order", string="Exchange Order", readonly=True)
    loyalty_card_id = fields.Many2one("loyalty.card", string="Store Credit Card", readonly=True)
    can_be_closed = fields.Boolean(compute="_compute_can_be")
    channel_id = fields.Many2one(
        "oms.channel", compute="_compute_channel_id", store=True, index="btree_not_null"
    )
    settled_date = fields.Datetime(
        string="Settled On", readonly=True, copy=False, help="Refunded, exchanged or credited."
    )
    refund_amount = fields.Monetary(
        string="Refunded",
        compute="_compute_refund_amount",
        help="The total of the request's posted credit notes.",
    )
    refund_destination = fields.Text(
        string="Where the Refund Went",
        readonly=True,
        copy=False,
        help="For the customer: where each part of the refund went (the card or method "
        "they paid with, the sales channel, their open invoice, or a payment by hand).",
    )

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
        """Store credit and exchange credit are for orders paid, never for what is
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

    @api.depends("credit_note_ids.state", "credit_note_ids.amount_total")
    def _compute_refund_amount(self):
        for request in self:
            request.refund_amount = sum(
                request.credit_note_ids.filtered(
                    lambda m: m.state == "posted" and m.move_type == "out_refund"
                ).mapped("amount_total")
            )

    def _oms_refund_went(self, where):
        """Keep, for the customer, where a part of the refund went."""
        self.ensure_one()
        self.refund_destination = "\n".join(filter(None, (self.refund_destination, where)))

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
            self.with_context(mail_notify_force_send=False).message_post_with_source(
                template,
                message_type="comment",
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
            )

    @api.depends("line_ids.order_id")
    def _compute_order_ids(self):
        for request in self:
            request.order_ids = request.line_ids.order_id

    @api.depends("line_ids.order_id.oms_channel_id")
    def _compute_channel_id(self):
        for request in self:
            request.channel_id = request.line_ids.order_id.oms_channel_id[:1]

    def write(self, vals):
        if vals.get("state") in SETTLED and "settled_date" not in vals:
            vals = dict(vals, settled_date=fields.Datetime.now())
        return super().write(vals)

    @api.depends("line_ids.value", "line_ids.fee", "line_ids.refund_estimate")
    def _compute_amounts(self):
        for request in self:
            request.value = sum(request.line_ids.mapped("value"))
            request.fee_total = sum(request.line_ids.mapped("fee"))
            request.refund_estimate = sum(request.line_ids.mapped("refund_estimate"))

    @api.depends(
        "state",
        "resolution",
        "picking_ids.state",
        "line_ids.disposition",
        "line_ids.exchange_product_id",
        "line_ids.quantity_received",
        "exchange_order_id",
        "line_ids.policy_id.allow_exchange",
        "line_ids.policy_id.exchange_before_return",
    )
    def _compute_can_be(self):
        for request in self:
            state = request.state
            receipts = request.picking_ids.filtered(lambda p: p.state != "cancel")
            request.can_be_approved = state == "requested"
            request.can_be_rejected = state == "requested"
            request.can_be_label_sent = (
                state == "approved"
                and bool(receipts)
                and bool(request.line_ids.policy_id.return_carrier_id[:1])
            )
            request.can_be_received = state in ("approved", "label_sent", "in_transit")
            request.can_be_inspected = state == "received" and all(
                line.disposition or line.keep_item for line in request.line_ids
            )
            policies = request.line_ids.policy_id
            request.can_be_refunded = (
                state == "inspected"
                and request.resolution == "refund"
                and all(policies.mapped("allow_refund"))
            )
            request.can_be_exchanged = (
                state == "inspected"
                and request.resolution == "exchange"
                and all(policies.mapped("allow_exchange"))
                and (
                    bool(request.exchange_order_id)
                    or all(
                        line.exchange_product_id
                        for line in request.line_ids
                        if line.quantity_received or line.keep_item
                    )
                )
            )
            request.can_be_exchanged_early = (
                state in ("approved", "label_sent", "in_transit")
                and request.resolution == "exchange"
                and not request.exchange_order_id
                and bool(policies)
                and all(policies.mapped("allow_exchange"))
                and all(policies.mapped("exchange_before_return"))
                and all(request.line_ids.mapped("exchange_product_id"))
            )
            request.can_be_credited = (
                state == "inspected"
                and request.resolution == "credit"
                and all(policies.mapped("allow_credit"))
            )
            request.can_be_closed = state in (*SETTLED, "rejected")

    def _compute_access_url(self):
        super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/returns/{request.id}"

    def _ensure_can_be(self, transition):
        for request in self:
            if not request[f"can_be_{transition}"]:
                raise UserError(
                    _(
                        "%(request)s cannot be %(transition)s now (it is %(state)s).",
                        request=request.name,
                        transition=transition,
                        state=dict(STATES)[request.state].lower(),
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

    def _oms_queue_label(self):
        """Queue the job "Buy return label" of each request that needs one. No
        carrier call here: the job is stored with this transaction and runs once it
        has committed, so a request rolled back and run again (a serialization
        failure) leaves no job and no label behind; its identity key queues nothing
        new while the request's job waits (a second click, a replay)."""
        for request in self.filtered("can_be_label_sent"):
            request.with_delay(
                description=_("Buy return label of %s", request.name),
                identity_key=identity_exact,
            )._oms_buy_labels()

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

    def action_send_label(self):
        """Send Return Label (after a carrier error, once its job gave up): queue
        the same job as the approval, not a purchase in the user's request. One path
        for every label: one job per request, the carrier's purchase attempts against
        a second label, and nobody waiting on a slow carrier."""
        self._ensure_can_be("label_sent")
        self._oms_queue_label()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _(
                    "The return label is being bought: the customer gets it by mail "
                    "as soon as the carrier sends it."
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _oms_buy_labels(self):
        """The job "Buy return label": the label of each receipt, bought once (a
        retry after a lost answer reuses what the carrier sold, through oms_carriers'
        purchase attempts, keyed on the receipt committed with the approval),
        attached and mailed. A carrier error leaves the request approved with a note
        saying why, and the job is tried again by its retry pattern (data:
        ``queue_job_function_buy_return_labels``); when the last try fails, the
        returns team gets an activity (``queue.job``)."""
        self.ensure_one()
        # One job at a time per request: another one waits here, then finds the
        # labels bought (or runs again once this one has committed).
        self.env.cr.execute(
            SQL("SELECT id FROM oms_return WHERE id = %s FOR NO KEY UPDATE", self.id)
        )
        self.invalidate_recordset()
        if not self.can_be_label_sent:
            return _("Nothing to buy: %(name)s is %(state)s.", name=self.name, state=self.state)
        try:
            self._oms_purchase_labels()
        except UserError as error:
            self._oms_note_apart(
                _(
                    "The return label could not be bought yet (tried again later): %s",
                    error.args[0],
                )
            )
            raise RetryableJobError(error.args[0]) from error
        return _("Labels bought: %s", ", ".join(self.label_attachment_ids.mapped("name")))

    def _oms_note_apart(self, body):
        """A note kept whatever becomes of this transaction (a job that fails is
        rolled back before it is tried again): committed on a cursor of its own.
        It writes messages only, never the request's row the job holds."""
        with self.env.registry.cursor() as cr:
            self.with_env(self.env(cr=cr)).message_post(body=body, subtype_xmlid="mail.mt_note")

    def _oms_label_given_up(self, reason):
        """The label job's last try failed: an activity for the returns team (the
        order's sales team leader, else its salesperson, else an OMS manager)."""
        for request in self:
            order = request.line_ids.order_id[:1]
            user = order.team_id.user_id or order.user_id
            if not user:
                user = self.env["res.users"].search(
                    [
                        ("groups_id", "in", self.env.ref(MANAGER).id),
                        ("company_ids", "in", request.company_id.id),
                        ("share", "=", False),
                    ],
                    limit=1,
                    order="id",
                )
            request.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Return label not bought"),
                note=_(
                    "The carrier did not sell the return label of %(request)s, tried "
                    "several times (%(reason)s). Check the carrier, then click Send "
                    "Return Label.",
                    request=request.name,
                    reason=reason or "-",
                ),
                user_id=user.id or self.env.ref("base.user_root").id,
            )

    def _oms_purchase_labels(self):
        """Buy the return label of each receipt with the policy's carrier (the parcel
        goes from the customer to the warehouse) and mail it to the customer."""
        self.ensure_one()
        request = self
        carrier = request.line_ids.policy_id.return_carrier_id[:1]
        attachments = self.env["ir.attachment"]
        for receipt in request.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            before = self.env["ir.attachment"].search(
                [("res_model", "=", "stock.picking"), ("res_id", "=", receipt.id)]
            )
            receipt.carrier_id = carrier
            result = carrier.send_shipping(receipt)[0]
            receipt.carrier_tracking_ref = result["tracking_number"]
            labels = (
                self.env["ir.attachment"].search(
                    [("res_model", "=", "stock.picking"), ("res_id", "=", receipt.id)]
                )
                - before
            )
            attachments |= labels.copy({"res_model": "oms.return", "res_id": request.id})
        request.write(
            {"state": "label_sent", "label_attachment_ids": [(4, a) for a in attachments.ids]}
        )
        for order in request.line_ids.order_id:
            order._oms_log_event("note", _("Return label sent"), reason=request.name)
        request.message_post(
            body=_("Here is your return label: print it and stick it on the parcel."),
            partner_ids=request.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids,
        )

    def _oms_parcel_news(self, status):
        """Tracking of the return parcel: on its way, or arrived at the warehouse."""
        self.ensure_one()
        if status in ("in_transit", "out_for_delivery") and self.state == "label_sent":
            self.state = "in_transit"
            self._oms_log(_("Return %s is on its way to us", self.name))
        elif status == "delivered" and self.state in ("label_sent", "in_transit"):
            # Into the returns location, not sellable stock: inspection decides.
            self._oms_log(_("Return %s arrived at the warehouse", self.name), mail=False)
            try:
                with self.env.cr.savepoint():
                    self.action_receive()
            except UserError as error:
                # The tracking event stands; the warehouse sorts the receipt out.
                self.message_post(body=error.args[0], subtype_xmlid="mail.mt_note")

    def action_receive(self):
        """The parcel is here. Receipts the warehouse has not validated yet are
        validated with the quantities requested (no backorder); to receive less,
        validate the receipt itself first."""
        self._ensure_can_be("received")
        for request in self:
            for receipt in request.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            ):
                for move in receipt.move_ids:
                    move.quantity = move.product_uom_qty
                receipt.move_ids.picked = True
                receipt.with_context(cancel_backorder=True)._action_done()
            done_moves = request.picking_ids.filtered(lambda p: p.state == "done").move_ids
            for line in request.line_ids:
                if line.keep_item:
                    line.quantity_received = line.quantity
                    continue
                received = sum(
                    move.product_uom._compute_quantity(move.quantity, line.sale_line_id.product_uom)
                    for move in done_moves.filtered(
                        lambda m, sl=line.sale_line_id: m.sale_line_id == sl
                    )
                )
                if (
                    float_compare(
                        received,
                        line.quantity,
                        precision_rounding=line.sale_line_id.product_uom.rounding,
                    )
                    > 0
                ):
                    raise UserError(
                        _(
                            "%(request)s: %(received)s of %(product)s received, but only "
                            "%(requested)s requested. Receive no more than requested: send "
                            "the surplus back or make a new request for it.",
                            request=request.name,
                            received=received,
                            product=line.product_id.display_name,
                            requested=line.quantity,
                        )
                    )
                line.quantity_received = received
            request.state = "received"
            request._oms_mail_step(_("Return %s received", request.name), "received")
        return True

    def action_inspect(self):
        """Apply each line's disposition: back to stock, scrap, or quarantine."""
        self._ensure_can_be("inspected")
        for request in self:
            used = {}
            for line in request.line_ids.filtered(
                lambda ln: not ln.keep_item and ln.quantity_received
            ):
                request._oms_dispose(line, used)
            request.state = "inspected"
            request._oms_log(_("Return %s inspected", request.name))
        return True

    def action_refund(self):
        """A credit note per original invoice, for the quantities back, at the prices
        and discounts invoiced, less the restocking fees (plus shipping when due)."""
        self._oms_ensure_manager(_("refund a return"))
        self._ensure_can_be("refunded")
        for request in self:
            notes = request._oms_create_credit_notes()
            request.state = "refunded"
            request._oms_mail_step(
                _(
                    "Return %(name)s refunded: %(amount)s",
                    name=request.name,
                    amount=", ".join(
                        f"{note.amount_total:.2f} {note.currency_id.name}" for note in notes
                    ),
                ),
                "refunded",
            )
        return True

    def action_credit(self):
        """Store credit on the customer's eWallet (Odoo's loyalty), for what came back
        less the restocking fees; spent on a next order like any eWallet."""
        self._oms_ensure_manager(_("give store credit"))
        self._ensure_can_be("credited")
        self._oms_ensure_paid(_("store credit"))
        for request in self:
            amount = request._oms_settled_amount()
            request._oms_add_store_credit(amount)
            request.state = "credited"
            request._oms_log(
                _(
                    "Return %(name)s credited: %(amount).2f %(currency)s of store credit",
                    name=request.name,
                    amount=amount,
                    currency=request.currency_id.name,
                )
            )
        return True

    def action_exchange(self):
        """A new order ships the replacements; what came back pays for them (an
        "exchange credit" line); the difference is invoiced with the order, or, when
        the replacements cost less, goes to the customer's store credit.

        When the replacements left before the return arrived, the order exists
        already: what did not come back is added to it, to be invoiced."""
        self._ensure_can_be("exchanged")
        self._oms_ensure_paid(_("exchange credit"))
        for request in self:
            settled = request._oms_settled_amount()
            order = request.exchange_order_id
            if order:
                missing = request.currency_id.round(request._oms_exchange_credit_used() - settled)
                if missing > 0:
                    request._oms_exchange_credit_line(
                        order, -missing, _("Items of %s not returned", request.name)
                    )
            else:
                order = request._oms_exchange_order(
                    {
                        line: line.quantity if line.keep_item else line.quantity_received
                        for line in request.line_ids
                    },
                    settled,
                )
                request.exchange_order_id = order
            request.state = "exchanged"
            request._oms_log(
                _("Return %(name)s exchanged: order %(order)s", name=request.name, order=order.name)
            )
            left = request.currency_id.round(settled - request._oms_exchange_credit_used())
            if left > 0:
                request._oms_add_store_credit(left)
        return True

    def action_exchange_early(self):
        """Ship the replacements now, before the return arrives, paid by what the
        customer sends back; the request then goes on as usual."""
        self._ensure_can_be("exchanged_early")
        self._oms_ensure_paid(_("exchange credit"))
        for request in self:
            expected = sum(request.line_ids.mapped("value")) - sum(request.line_ids.mapped("fee"))
            order = request._oms_exchange_order(
                {line: line.quantity for line in request.line_ids},
                request.currency_id.round(expected),
            )
            request.exchange_order_id = order
            request._oms_log(
                _(
                    "Replacements of %(name)s shipped before the return: order %(order)s",
                    name=request.name,
                    order=order.name,
                )
            )
        return True

    def _oms_exchange_credit_product(self):
        return self.env.ref("oms_returns.product_exchange_credit").product_variant_id

    def _oms_exchange_credit_used(self):
        """What the exchange order takes from the return's value."""
        self.ensure_one()
        credit = self._oms_exchange_credit_product()
        return -sum(
            self.exchange_order_id.order_line.filtered(lambda ln: ln.product_id == credit).mapped(
                "price_total"
            )
        )

    def _oms_exchange_credit_line(self, order, amount, label):
        """A line of the exchange order worth ``-amount`` (a credit when positive)."""
        order.write(
            {
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self._oms_exchange_credit_product().id,
                            "name": label,
                            "product_uom_qty": 1,
                            "price_unit": -amount,
                            "tax_id": [(5,)],
                        },
                    )
                ]
            }
        )

    def _oms_exchange_order(self, quantities, credit):
        """The confirmed order of the replacements (``{return line: quantity}``), less
        an exchange credit of at most ``credit``."""
        self.ensure_one()
        original = self.line_ids.order_id[:1]
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_id.id,
                "partner_shipping_id": original.partner_shipping_id.id,
                "pricelist_id": original.pricelist_id.id,
                "company_id": self.company_id.id,
                "oms_channel_id": original.oms_channel_id.id,
                "origin": self.name,
                "order_line": [
                    (0, 0, {"product_id": line.exchange_product_id.id, "product_uom_qty": qty})
                    for line, qty in quantities.items()
                    if qty
                ],
            }
        )
        used = min(credit, order.amount_total)
        if used > 0:
            self._oms_exchange_credit_line(order, used, _("Exchange credit from %s", self.name))
        order.action_confirm()
        return order

    def _oms_add_store_credit(self, amount):
        self.ensure_one()
        program = self._oms_store_credit_program()
        Card = self.env["loyalty.card"].sudo()
        card = Card.search(
            [("program_id", "=", program.id), ("partner_id", "=", self.partner_id.id)], limit=1
        ) or Card.create({"program_id": program.id, "partner_id": self.partner_id.id})
        # The eWallet counts in its program's currency; the request in its orders'.
        points = self.currency_id._convert(
            amount, program.currency_id, self.company_id, fields.Date.context_today(self)
        )
        card.points += points
        # The card's history says where the credit came from, as Odoo's own do.
        self.env["loyalty.history"].sudo().create(
            {
                "card_id": card.id,
                "description": _("Return %s", self.name),
                "issued": points,
                "order_model": self._name,
                "order_id": self.id,
            }
        )
        self.loyalty_card_id = card
        return card

    def _oms_settled_amount(self):
        """What the customer gets back for the lines received (or kept): the value
        paid less the restocking fees."""
        self.ensure_one()
        total = 0.0
        for line in self.line_ids:
            quantity = line.quantity if line.keep_item else line.quantity_received
            quantity = min(quantity, line.quantity)
            if line.quantity:
                total += (line.value - line.fee) * quantity / line.quantity
        return self.currency_id.round(total)

    def _oms_store_credit_program(self):
        Program = self.env["loyalty.program"].sudo()
        program = Program.search(
            [
                ("program_type", "=", "ewallet"),
                ("company_id", "in", (self.company_id.id, False)),
                ("active", "=", True),
            ],
            limit=1,
        )
        return program or Program.with_context(default_program_type="ewallet").create(
            {
                "name": _("Store credit"),
                "program_type": "ewallet",
                "company_id": self.company_id.id,
                "currency_id": self.company_id.currency_id.id,
            }
        )

    def action_close(self):
        self._ensure_can_be("closed")
        for request in self:
            request.state = "closed"
            request._oms_log(_("Return %s closed", request.name), mail=False)
        return True

    # --- receipt, inspection, refund ---------------------------------------------------
    def _oms_create_receipts(self):
        """Odoo's return of the original deliveries, into the warehouse's returns
        location, for what comes back."""
        self.ensure_one()
        coming_back = self.line_ids.filtered(lambda ln: not ln.keep_item)
        # What is still to ask for, over all the deliveries: each delivery is asked
        # only for what came from it and is not asked of an earlier one.
        wanted = {}
        for line in coming_back:
            wanted[line.sale_line_id] = wanted.get(line.sale_line_id, 0.0) + line.quantity
        for delivery in coming_back.sale_line_id.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
        ).picking_id.sorted("id"):
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=delivery.id, active_model="stock.picking")
                .create({"picking_id": delivery.id})
            )
            for return_line in wizard.product_return_moves:
                sale_line = return_line.move_id.sale_line_id
                quantity = min(wanted.get(sale_line, 0.0), return_line.move_id.quantity)
                return_line.quantity = quantity
                if sale_line in wanted:
                    wanted[sale_line] -= quantity
            if not any(wizard.product_return_moves.mapped("quantity")):
                continue
            receipt = wizard._create_return()
            returns_location = self._oms_location(receipt.picking_type_id.warehouse_id, "Returns")
            receipt.write({"location_dest_id": returns_location.id, "oms_return_id": self.id})
            receipt.move_ids.write({"location_dest_id": returns_location.id})
            receipt.move_line_ids.write({"location_dest_id": returns_location.id})

    def _oms_location(self, warehouse, name):
        """The warehouse's internal location ``name`` (Returns, Quarantine), made once."""
        Location = self.env["stock.location"].sudo()
        parent = warehouse.view_location_id
        return Location.search(
            [("location_id", "=", parent.id), ("name", "=", name), ("usage", "=", "internal")],
            limit=1,
        ) or Location.create({"name": name, "location_id": parent.id, "usage": "internal"})

    def _oms_dispose(self, line, used=None):
        """Restock, scrap or quarantine what came back of ``line``, from where each
        receipt put it (a line returned through the receipts of two warehouses goes
        back to each warehouse's stock from its own Returns location). ``used``: the
        quantity of each receipt move already disposed of by the request's earlier
        lines of the same order line, updated."""
        used = {} if used is None else used
        receipt_moves = (
            self.picking_ids.filtered(lambda p: p.state == "done")
            .move_ids.filtered(lambda m: m.sale_line_id == line.sale_line_id and m.state == "done")
            .sorted("id")
        )
        product_uom = line.product_id.uom_id
        left = line.sale_line_id.product_uom._compute_quantity(line.quantity_received, product_uom)
        for move in receipt_moves:
            if float_compare(left, 0.0, precision_rounding=product_uom.rounding) <= 0:
                break
            available = move.product_uom._compute_quantity(move.quantity, product_uom)
            part = min(left, available - used.get(move, 0.0))
            if float_compare(part, 0.0, precision_rounding=product_uom.rounding) <= 0:
                continue
            used[move] = used.get(move, 0.0) + part
            left -= part
            source = move.location_dest_id
            warehouse = source.warehouse_id or move.picking_type_id.warehouse_id
            self._oms_dispose_from(line, source, warehouse, part)

    def _oms_dispose_from(self, line, source, warehouse, quantity):
        """``quantity`` (in the product's unit) of ``line`` from ``source`` (a
        warehouse's Returns location) to the line's fate in that ``warehouse``."""
        if line.disposition == "scrap":
            scrap = self.env["stock.scrap"].create(
                {
                    "product_id": line.product_id.id,
                    "scrap_qty": quantity,
                    "location_id": source.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                }
            )
            scrap.action_validate()
            return
        destination = (
            warehouse.lot_stock_id
            if line.disposition == "restock"
            else self._oms_location(warehouse, "Quarantine")
        )
        move = self.env["stock.move"].create(
            {
                "name": _(
                    "%(name)s: %(disposition)s", name=self.name, disposition=line.disposition
                ),
                "product_id": line.product_id.id,
                "product_uom_qty": quantity,
                "product_uom": line.product_id.uom_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "origin": self.name,
                "company_id": self.company_id.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.quantity = quantity
        move.picked = True
        move._action_done()

    def _oms_create_credit_notes(self):
        self.ensure_one()
        notes = self.env["account.move"]
        by_invoice = {}
        for line in self.line_ids:
            quantity = line.quantity_received if not line.keep_item else line.quantity
            quantity = min(quantity, line.quantity)
            if not quantity:
                continue
            parts = line._oms_invoice_parts(quantity)
            if not parts:
                raise UserError(
                    _("%s was not invoiced: nothing to refund.", line.product_id.display_name)
                )
            for invoice_line, part in parts:
                by_invoice.setdefault(invoice_line.move_id, []).append((line, invoice_line, part))
        fee_product = self.env.ref("oms_returns.product_restocking_fee").product_variant_id
        for invoice, parts in by_invoice.items():
            lines = []
            for line, invoice_line, quantity in parts:
                lines.append(
                    (
                        0,
                        0,
                        {
                            "product_id": invoice_line.product_id.id,
                            "name": invoice_line.name,
                            "quantity": quantity,
                            "price_unit": invoice_line.price_unit,
                            "discount": invoice_line.discount,
                            "tax_ids": [(6, 0, invoice_line.tax_ids.ids)],
                            "sale_line_ids": [(6, 0, line.sale_line_id.ids)],
                        },
                    )
                )
                # The fee is on the price paid (taxes included); the credit note line
                # carries the same taxes as the invoice line: its price excludes them,
                # unless those taxes are included in prices.
                share = quantity / line.quantity if line.quantity else 0
                untaxed = (
                    invoice_line.price_subtotal / invoice_line.price_total
                    if invoice_line.price_total
                    and not all(invoice_line.tax_ids.mapped("price_include"))
                    else 1.0
                )
                fee = line.fee * share * untaxed
                if fee:
                    lines.append(
                        (
                            0,
                            0,
                            {
                                "product_id": fee_product.id,
                                "name": _("Restocking fee: %s", line.product_id.display_name),
                                "quantity": 1,
                                "price_unit": -fee,
                                "tax_ids": [(6, 0, invoice_line.tax_ids.ids)],
                            },
                        )
                    )
            lines += self._oms_shipping_refund_lines(invoice, [p[0] for p in parts])
            note = self.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "currency_id": invoice.currency_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.invoice_origin,
                    "ref": _(
                        "%(name)s, return of %(invoice)s", name=self.name, invoice=invoice.name
                    ),
                    "oms_return_id": self.id,
                    "invoice_line_ids": lines,
                }
            )
            self._oms_check_refundable(note, invoice)
            note.action_post()
            self._oms_return_money(note, invoice)
            notes |= note
        return notes

    def _oms_check_refundable(self, note, invoice):
        """A credit note never refunds more than its invoice less the credit notes
        already issued against it (by returns or by hand). The invoice is locked
        first (``_oms_lock_for_refund``): two refunds of it at once run one after
        the other, and the second counts the first."""
        invoice._oms_lock_for_refund()
        earlier = invoice.reversal_move_ids.filtered(
            lambda move: move != note and move.move_type == "out_refund" and move.state == "posted"
        )
        left = invoice.amount_total - sum(earlier.mapped("amount_total"))
        currency = invoice.currency_id
        if currency.compare_amounts(note.amount_total, left) > 0:
            raise UserError(
                _(
                    "%(request)s would refund %(amount).2f %(currency)s on %(invoice)s, but "
                    "only %(left).2f %(currency)s of it is left after its earlier credit notes.",
                    request=self.name,
                    amount=note.amount_total,
                    currency=currency.name,
                    invoice=invoice.name,
                    left=max(left, 0.0),
                )
            )

    def _oms_return_money(self, note, invoice):
        """Where the money of a credit note goes: an invoice still open is simply
        reduced by it; a paid one is refunded through the payment provider that took
        the payment, when that provider can refund. What is left is for finance to
        pay, and the request says so.

        Each provider refund is recorded, and committed, before it is sent
        (``oms.refund.attempt``): an answer lost leaves an attempt that a person
        resolves, and nothing of this return is sent again meanwhile; no payment is
        ever refunded beyond what is left of it, refunds without an answer counted."""
        receivable = (invoice.line_ids | note.line_ids).filtered(
            lambda ln: ln.account_id.account_type == "asset_receivable" and not ln.reconciled
        )
        if invoice.amount_residual and note.amount_residual:
            receivable.reconcile()
        currency = note.currency_id
        deducted = note.amount_total - note.amount_residual
        if currency.compare_amounts(deducted, 0) > 0:
            self._oms_refund_went(
                _(
                    "%(amount).2f %(currency)s deducted from invoice %(invoice)s",
                    amount=deducted,
                    currency=currency.name,
                    invoice=invoice.name,
                )
            )
        left = note.amount_residual
        if not currency.is_zero(left) and note._oms_money_back_through_channel():
            self._oms_log(
                _(
                    "%(amount).2f %(currency)s of %(note)s goes back to the customer "
                    "through %(channel)s, where they paid",
                    amount=left,
                    currency=currency.name,
                    note=note.name,
                    channel=note.invoice_line_ids.sale_line_ids.order_id[:1].oms_channel_id.name
                    or _("the sales channel"),
                ),
                mail=False,
            )
            self._oms_refund_went(
                _(
                    "%(amount).2f %(currency)s through %(channel)s, where you paid",
                    amount=left,
                    currency=currency.name,
                    channel=note.invoice_line_ids.sale_line_ids.order_id[:1].oms_channel_id.name
                    or _("the sales channel"),
                )
            )
            return
        Attempt = self.env["oms.refund.attempt"].sudo()
        for payment in invoice.sudo()._get_reconciled_payments():
            amount = min(left, payment.amount_available_for_refund)
            transaction = payment.payment_transaction_id
            if (
                currency.compare_amounts(amount, 0) <= 0
                or payment.currency_id != currency
                or (
                    transaction.provider_id.support_refund == "full_only"
                    and currency.compare_amounts(amount, payment.amount_available_for_refund)
                )
            ):
                continue
            token = Attempt._oms_record(self, transaction, invoice, amount)
            try:
                with self.env.cr.savepoint():
                    transaction.action_refund(amount_to_refund=amount)
            except (UserError, ValidationError, requests.RequestException, OSError) as error:
                # Sent or not? The provider may have refunded before the error: the
                # attempt waits for a person, and the amount counts as refunded.
                Attempt._oms_record_failure(token, error)
                left -= amount
                self.message_post(
                    body=_(
                        "%(provider)s gave no clear answer to the refund of %(amount).2f "
                        "%(currency)s (%(error)s). Check on its dashboard whether the money "
                        "left and say so in Returns > Refunds to Check; nothing is sent "
                        "again meanwhile.",
                        provider=transaction.provider_id.name,
                        amount=amount,
                        currency=currency.name,
                        error=error.args[0] if error.args else error,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            refund = transaction.child_transaction_ids.filtered(
                lambda tx: tx.operation == "refund"
            ).sorted("id")[-1:]
            # Once the provider confirms, the refund's payment settles this credit note.
            refund.write({"invoice_ids": [(4, note.id)], "oms_refund_token": token})
            left -= amount
            self._oms_log(
                _(
                    "%(amount).2f %(currency)s refunded to %(method)s "
                    "(%(provider)s, %(reference)s)",
                    amount=amount,
                    currency=currency.name,
                    method=transaction.payment_method_id.name,
                    provider=transaction.provider_id.name,
                    reference=refund.reference,
                ),
                mail=False,
            )
            self._oms_refund_went(
                _(
                    "%(amount).2f %(currency)s to %(method)s, the way you paid",
                    amount=amount,
                    currency=currency.name,
                    method=transaction.payment_method_id.name or transaction.provider_id.name,
                )
            )
        if not currency.is_zero(left):
            self.message_post(
                body=_(
                    "Credit note %(note)s: %(amount).2f %(currency)s to pay back to the "
                    "customer by hand (the original payment cannot be refunded from Odoo).",
                    note=note.name,
                    amount=left,
                    currency=currency.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            self._oms_refund_went(
                _(
                    "%(amount).2f %(currency)s paid back to you by bank transfer (we will "
                    "contact you)",
                    amount=left,
                    currency=currency.name,
                )
            )

    def _oms_shipping_refund_lines(self, invoice, lines):
        """The invoiced shipping, refunded when the policy says so for these lines."""
        due = any(
            line.policy_id.refund_shipping == "always"
            or (line.policy_id.refund_shipping == "defect" and line.reason_id.is_defect)
            for line in lines
        )
        if not due:
            return []
        return [
            (
                0,
                0,
                {
                    "product_id": shipping.product_id.id,
                    "name": shipping.name,
                    "quantity": shipping.quantity,
                    "price_unit": shipping.price_unit,
                    "tax_ids": [(6, 0, shipping.tax_ids.ids)],
                    "sale_line_ids": [(6, 0, shipping.sale_line_ids.ids)],
                },
            )
            for shipping in invoice.invoice_line_ids.filtered(
                lambda il: any(il.sale_line_ids.mapped("is_delivery"))
                and not self._oms_shipping_refunded(il.sale_line_ids)
            )
        ]

    def _oms_shipping_refunded(self, sale_lines):
        """Whether a credit note (of a return or by hand) already refunds the
        shipping of these order lines: shipping is refunded once per order."""
        return bool(
            self.env["account.move.line"]
            .sudo()
            .search_count(
                [
                    ("sale_line_ids", "in", sale_lines.ids),
                    ("move_id.move_type", "=", "out_refund"),
                    ("move_id.state", "!=", "cancel"),
                ],
                limit=1,
            )
        )


class OmsCarrierShipment(models.Model):
    _inherit = "oms.carrier.shipment"

    def _oms_tracking_changed(self, previous):
        result = super()._oms_tracking_changed(previous)
        request = self.picking_id.oms_return_id
        if request:
            request._oms_parcel_news(self.tracking_status)
        return result


class StockPicking(models.Model):
    _inherit = "stock.picking"

    oms_return_id = fields.Many2one("oms.return", string="Return Request", index="btree_not_null")


class AccountMove(models.Model):
    _inherit = "account.move"

    oms_return_id = fields.Many2one("oms.return", string="Return Request", index="btree_not_null")

    def _oms_lock_for_refund(self):
        """Serialize what credits these invoices: a new row version of each, so that
        a second transaction doing the same fails to serialize once the first has
        committed; Odoo runs it again, and it sees the first one's credit note."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET write_date = write_date WHERE id IN %s",
                    tuple(self.ids),
                )
            )

    def _post(self, soft=True):
        # A credit note posted by hand races a return's refund of the same invoice
        # like two refunds do: both lock the invoice they reverse.
        self.filtered(lambda move: move.move_type == "out_refund").reversed_entry_id.filtered(
            "id"
        )._oms_lock_for_refund()
        return super()._post(soft=soft)
