import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class OmsReturn(models.Model):
    """Settlement by refund: credit notes of the original invoices, and the money
    sent back where it came from (the open invoice, the channel, the payment
    provider, or finance by hand)."""

    _inherit = "oms.return"

    credit_note_ids = fields.One2many("account.move", "oms_return_id", string="Credit Notes")
    can_be_refunded = fields.Boolean(compute="_compute_can_be_refunded")
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

    @api.depends("state", "resolution")
    def _compute_can_be_refunded(self):
        for request in self:
            request.can_be_refunded = (
                request.state == "inspected"
                and request.resolution == "refund"
                and all(request.line_ids.policy_id.mapped("allow_refund"))
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
