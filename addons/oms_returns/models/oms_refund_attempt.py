"""A refund sent to a payment provider, recorded before it is sent.

Money that leaves through a provider must leave once. The attempt is written and
committed in a transaction of its own *before* the provider is called, so it
outlives whatever happens next: the provider's answer lost (a timeout, a reset),
the request's own transaction rolled back, the worker killed. Until a person says
what the provider did, an attempt without a clear answer

- blocks any new refund of the same return (a second click sends nothing), and
- counts as refunded on its payment, so that no two refunds of one payment ever
  add up to more than was paid, pending ones included.

States: ``pending`` (recorded, the call under way, or the process died during
it), ``sent`` (the provider took it: a refund transaction follows it),
``unknown`` (the call failed: the provider may or may not have refunded),
``refunded`` and ``not_refunded`` (what a person found at the provider).

The request's own transaction cannot see the attempt (its snapshot is older than
the attempt's commit), so it never writes to it: the refund transaction it
creates carries the attempt's ``token``, and an attempt is ``sent`` once a
committed refund transaction carries its token (``_oms_settle``, run before
every check and when the list is opened). A failed call is written on the attempt
by a cursor of its own too (``_oms_record_failure``).
"""

import logging
import uuid

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

MANAGER = "oms_core.group_oms_manager"
UNANSWERED = ("pending", "unknown")
RECORD_TRIES = 5
LOCK_TIMEOUT = "10s"


class OmsRefundAttempt(models.Model):
    _name = "oms.refund.attempt"
    _description = "Refund Sent to a Payment Provider"
    _order = "id desc"

    return_id = fields.Many2one("oms.return", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    transaction_id = fields.Many2one(
        "payment.transaction",
        string="Payment Refunded",
        required=True,
        index=True,
        ondelete="restrict",
        help="The customer's payment transaction the money goes back to.",
    )
    provider_id = fields.Many2one(related="transaction_id.provider_id")
    invoice_id = fields.Many2one("account.move", required=True, readonly=True, ondelete="restrict")
    credit_note_id = fields.Many2one("account.move", compute="_compute_credit_note_id")
    token = fields.Char(required=True, readonly=True, index=True, copy=False)
    refund_transaction_id = fields.Many2one(
        "payment.transaction", readonly=True, ondelete="set null"
    )
    amount = fields.Monetary(required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    state = fields.Selection(
        [
            ("pending", "No Answer Yet"),
            ("sent", "Sent"),
            ("unknown", "Answer Lost"),
            ("refunded", "Refunded (Checked)"),
            ("not_refunded", "Not Refunded (Checked)"),
        ],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    error = fields.Text(readonly=True)
    resolved_by_id = fields.Many2one("res.users", readonly=True)
    resolved_date = fields.Datetime(readonly=True)
    resolution_note = fields.Char(
        help="What the provider's dashboard says (its refund id, or that nothing left)."
    )

    @api.depends("return_id", "amount", "currency_id")
    def _compute_display_name(self):
        for attempt in self:
            attempt.display_name = _(
                "%(request)s: %(amount).2f %(currency)s",
                request=attempt.return_id.name,
                amount=attempt.amount,
                currency=attempt.currency_id.name,
            )

    _sql_constraints = [("token_unique", "UNIQUE(token)", "An attempt's token is unique.")]

    def _compute_credit_note_id(self):
        for attempt in self:
            attempt.credit_note_id = attempt.return_id.credit_note_ids.filtered(
                lambda note, invoice=attempt.invoice_id: note.reversed_entry_id == invoice
                and note.state == "posted"
            ).sorted("id")[-1:]

    # --- recording, in a transaction of its own -------------------------------------------
    @api.model
    def _oms_record(self, request, transaction, invoice, amount):
        """Record (and commit) an attempt to refund ``amount`` of ``transaction`` for
        ``request`` and return its token, or raise a ``UserError`` when it may not
        be sent: an earlier attempt of the same request has no answer, or the
        payment has less left than ``amount`` once the refunds without an answer
        are counted.

        Runs on a cursor of its own: the payment's row is given a new version first,
        so two attempts on one payment run one after the other, and the second sees
        the first (or fails to serialize and is tried again on a fresh snapshot)."""
        token = uuid.uuid4().hex
        # What this transaction wrote reaches the database first (a cursor of the
        # registry's test mode shares the connection; a real one never sees it).
        self.env.flush_all()
        for attempt_number in range(1, RECORD_TRIES + 1):
            try:
                with self.env.registry.cursor() as cr:
                    cr.execute(SQL("SET LOCAL lock_timeout = %s", LOCK_TIMEOUT))
                    cr.execute(
                        SQL(
                            "UPDATE payment_transaction SET write_date = write_date WHERE id = %s",
                            transaction.id,
                        )
                    )
                    env = self.env(cr=cr, su=True)
                    env[self._name]._oms_check_and_create(
                        request.id, transaction.id, invoice.id, amount, token
                    )
                    return token
            except SerializationFailure:
                _logger.info(
                    "Refund of %s: another refund of the same payment committed first (try %s)",
                    request.name,
                    attempt_number,
                )
            except LockNotAvailable as error:
                raise UserError(
                    _(
                        "Another refund of the payment %s is under way; try again in a moment.",
                        transaction.reference,
                    )
                ) from error
        raise UserError(
            _("The payment %s is being refunded by others; try again.", transaction.reference)
        )

    @api.model
    def _oms_record_failure(self, token, error):
        """The provider call failed: the attempt's answer is lost (own cursor)."""
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            env[self._name].search([("token", "=", token)]).write(
                {"state": "unknown", "error": str(error)[:2000]}
            )

    @api.model
    def _oms_settle(self, domain):
        """Attempts of ``domain`` without an answer whose refund transaction exists
        (the request that sent them committed) are ``sent``."""
        waiting = self.search([*domain, ("state", "in", UNANSWERED)])
        if not waiting:
            return
        refunds = self.env["payment.transaction"].search(
            [("oms_refund_token", "in", waiting.mapped("token"))]
        )
        by_token = {refund.oms_refund_token: refund for refund in refunds}
        for attempt in waiting:
            refund = by_token.get(attempt.token)
            if refund:
                attempt.write({"state": "sent", "refund_transaction_id": refund.id})

    @api.model
    def _oms_check_and_create(self, request_id, transaction_id, invoice_id, amount, token):
        request = self.env["oms.return"].browse(request_id)
        transaction = self.env["payment.transaction"].browse(transaction_id)
        self._oms_settle(
            ["|", ("return_id", "=", request_id), ("transaction_id", "=", transaction_id)]
        )
        unanswered = self.search([("return_id", "=", request_id), ("state", "in", UNANSWERED)])
        if unanswered:
            raise UserError(
                _(
                    "A refund of %(request)s sent to %(provider)s on %(date)s has no answer "
                    "(%(what)s). Check at the provider whether the money left, record it on "
                    "the refund (Returns > Refunds to Check), then refund again: nothing is "
                    "sent twice.",
                    request=request.name,
                    provider=unanswered[0].provider_id.name,
                    date=unanswered[0].create_date,
                    what=unanswered[0].display_name,
                )
            )
        left = self._oms_refundable(transaction)
        currency = transaction.currency_id
        if currency.compare_amounts(amount, left) > 0:
            raise UserError(
                _(
                    "%(request)s would refund %(amount).2f %(currency)s of the payment "
                    "%(payment)s, but only %(left).2f %(currency)s of it is left once the "
                    "refunds already sent or without an answer are counted.",
                    request=request.name,
                    amount=amount,
                    currency=currency.name,
                    payment=transaction.reference,
                    left=max(left, 0.0),
                )
            )
        return self.create(
            {
                "return_id": request_id,
                "transaction_id": transaction_id,
                "invoice_id": invoice_id,
                "amount": amount,
                "currency_id": currency.id,
                "token": token,
            }
        )

    @api.model
    def _oms_refundable(self, transaction):
        """What is left to refund of ``transaction``'s payment: Odoo's own figure
        (the refunds confirmed) less the refunds sent and not confirmed yet, and the
        ones without an answer."""
        payment = transaction.payment_id
        left = payment.amount_available_for_refund if payment else transaction.amount
        for attempt in self.search([("transaction_id", "=", transaction.id)]):
            refund = attempt.refund_transaction_id
            if attempt.state in UNANSWERED or (
                # Sent and not confirmed yet: not in Odoo's figure, on its way all the same.
                attempt.state in ("sent", "refunded")
                and refund.state not in ("done", "cancel", "error")
            ):
                left -= attempt.amount
        return left

    @api.model
    def _oms_action_to_check(self):
        """The refunds without an answer, settled first (menu Refunds to Check)."""
        self._oms_settle([])
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "oms_returns.oms_refund_attempt_action"
        )
        action["domain"] = [("state", "in", UNANSWERED)]
        return action

    # --- what the provider did, said by a person ------------------------------------------
    def _oms_ensure_can_be_resolved(self):
        if not (self.env.su or self.env.user.has_group(MANAGER)):
            raise AccessError(_("Only OMS managers may say what a provider refunded."))
        self._oms_settle([("id", "in", self.ids)])
        for attempt in self:
            if attempt.state not in UNANSWERED:
                raise UserError(_("%s has an answer already.", attempt.display_name))

    def action_resolve_refunded(self):
        """The provider did refund: the refund is recorded as a confirmed refund
        transaction, whose payment settles the credit note."""
        self._oms_ensure_can_be_resolved()
        for attempt in self:
            source = attempt.transaction_id.sudo()
            refund = source._create_child_transaction(attempt.amount, is_refund=True)
            refund.write(
                {
                    "invoice_ids": [(6, 0, attempt.credit_note_id.ids)],
                    "provider_reference": attempt.resolution_note or False,
                    "oms_refund_token": attempt.token,
                }
            )
            refund._set_done()
            refund._post_process()
            attempt._oms_resolved("refunded", refund)
        return True

    def action_resolve_not_refunded(self):
        """Nothing left through the provider: the amount is free again (finance pays
        it back by hand, or refunds the return's credit note again)."""
        self._oms_ensure_can_be_resolved()
        for attempt in self:
            attempt._oms_resolved("not_refunded")
        return True

    def _oms_resolved(self, state, refund=None):
        values = {
            "state": state,
            "resolved_by_id": self.env.user.id,
            "resolved_date": fields.Datetime.now(),
        }
        if refund:
            values["refund_transaction_id"] = refund.id
        self.sudo().write(values)
        self.return_id._oms_log(
            _(
                "%(what)s: %(state)s, checked by %(user)s",
                what=self.display_name,
                state=dict(self._fields["state"].selection)[state],
                user=self.env.user.name,
            ),
            mail=False,
        )
