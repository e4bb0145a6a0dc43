"""A refund the channel made: the credit note, the money back and the restock
on its order, once; and the money of refunds sent from Odoo."""

from odoo import Command, _, fields, models
from odoo.exceptions import UserError

from ..channel_mappers.refund import refund_ref
from .account_move import refund_marker
from .sale_order import _credited, _reconcile_receivables


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _oms_apply_channel_refund(self, refund):
        """Apply a refund the channel made (a :class:`RefundDraft`), once per refund
        id: a posted credit note on the order's invoice for the refunded lines (at
        their invoiced price, taxes and discount), shipping, and what the channel
        refunded beyond or short of them, so that it equals the money returned; the
        refund's payment in the channel's journal, reconciled with it; a return
        receipt for the items the channel restocked. Raises UserError (nothing
        written) for a refund that does not fit the order. Returns the credit
        note (none when the refund moved no money)."""
        self.ensure_one()
        self._oms_lock()
        order = self.sudo().with_company(self.company_id)
        channel = order.oms_channel_id
        ref = refund_ref(refund.external_id)
        Move = self.env["account.move"].sudo().with_company(order.company_id)
        done = Move.search(
            [("oms_channel_id", "=", channel.id), ("oms_channel_refund_ref", "=", ref)], limit=1
        )
        if done or order._oms_refund_receipts(ref):
            return done  # applied already (a redelivery, a reprocess)
        sent = order._oms_sent_refund(refund)
        if sent:
            return sent  # made in Odoo and sent to the channel: credited already
        currency = order.currency_id
        if refund.currency and refund.currency != currency.name:
            raise UserError(
                _(
                    "Refund %(refund)s is in %(currency)s, order %(order)s in %(ours)s.",
                    refund=refund.external_id,
                    currency=refund.currency,
                    order=order.name,
                    ours=currency.name,
                )
            )
        if order.state == "cancel" and not order._oms_posted_invoices():
            return order._oms_refund_of_cancelled_order(refund, ref)
        line_vals = order._oms_refund_line_vals(refund)
        credit_note = Move
        if currency.compare_amounts(float(refund.amount), 0.0) > 0:
            credit_note = order._oms_refund_credit_note(refund, ref, line_vals)
            order._oms_refund_payment(refund, ref, credit_note)
        receipts = order._oms_refund_restock(refund, ref)
        order._oms_log_refund(
            _("Refunded in the channel (%s)", refund.external_id),
            refund,
            credit_note.name,
            receipts.mapped("name"),
        )
        return credit_note

    def _oms_log_refund(self, title, refund, money_name, receipt_names=()):
        """The timeline note of a refund made in the channel: the name of what
        moved the money back in Odoo (credit note, payment), the amount, the
        return receipts and the channel's note."""
        amount = self.currency_id.format(float(refund.amount))
        parts = [money_name, amount, *receipt_names, refund.note]
        self._oms_log_event("note", title, reason=", ".join(filter(None, parts)))

    def _oms_posted_invoices(self):
        return self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )

    def _oms_refund_of_cancelled_order(self, refund, ref):
        """The refund of an order cancelled before it was invoiced: there is no
        invoice to credit, and nothing to restock. The money the channel had
        collected and Odoo recorded (the order's channel payment) goes back: an
        outbound payment in the channel's journal, reconciled with it, once per
        refund. Without a recorded payment (never paid, or cancelled at import)
        the refund only goes into the order's timeline. Returns no credit note."""
        self.ensure_one()
        currency = self.currency_id
        paid = self.oms_channel_payment_id
        Payment = self.env["account.payment"].sudo()
        back = Payment.search(
            [
                ("oms_channel_id", "=", self.oms_channel_id.id),
                ("oms_channel_payment_ref", "=", ref),
            ],
            limit=1,
        )
        if not back and paid and paid.state != "canceled":
            # Never more than Odoo recorded as collected: the rest was never in.
            amount = min(float(refund.amount), paid.amount)
            back = Payment
            if currency.compare_amounts(amount, 0.0) > 0:
                back = self._oms_channel_refund_payment(
                    amount, ref, self._oms_refund_label(refund), paid.move_id
                )
        self._oms_log_refund(
            _("Refunded in the channel (%s), cancelled before it was invoiced", refund.external_id),
            refund,
            back.name if back else "",
        )
        return self.env["account.move"]

    def _oms_sent_refund(self, refund):
        """The order's credit note made in Odoo that this channel refund is the
        channel's side of (its note carries the credit note's marker)."""
        if not refund.note:
            return self.env["account.move"]
        return self.invoice_ids.filtered(
            lambda m: m.move_type == "out_refund"
            and m.state == "posted"
            and refund.note.strip() == refund_marker(m)
        )[:1]

    def _oms_refund_line_vals(self, refund):
        """Credit note line values of the refunded lines and shipping; UserError
        for a line the order does not have, or more than is left to refund."""
        by_id = {
            line.oms_external_line_id: line
            for line in self.order_line
            if line.oms_external_line_id and line.product_id
        }
        vals = []
        for item in refund.lines:
            line = by_id.get(item.line_id)
            if not line:
                raise UserError(
                    _(
                        "Refund %(refund)s names line %(line)s, which order %(order)s does "
                        "not have (or whose product is unknown).",
                        refund=refund.external_id,
                        line=item.line_id,
                        order=self.name,
                    )
                )
            left = line.product_uom_qty - _credited(line)
            if item.quantity > left:
                raise UserError(
                    _(
                        "Refund %(refund)s gives back %(qty)s of %(product)s; order %(order)s "
                        "has %(left)s left to refund.",
                        refund=refund.external_id,
                        qty=item.quantity,
                        product=line.product_id.display_name,
                        order=self.name,
                        left=left,
                    )
                )
            vals.append(line._prepare_invoice_line(quantity=item.quantity))
        if refund.shipping:
            delivery = self.order_line.filtered("is_delivery")[:1]
            if not delivery:
                raise UserError(
                    _(
                        "Refund %(refund)s gives shipping back; order %(order)s has none.",
                        refund=refund.external_id,
                        order=self.name,
                    )
                )
            included = all(tax.price_include for tax in delivery.tax_id) and delivery.tax_id
            price = refund.shipping + (refund.shipping_tax if included else 0)
            vals.append(
                delivery._prepare_invoice_line(quantity=1, price_unit=float(price), discount=0.0)
            )
        return vals

    def _oms_refund_credit_note(self, refund, ref, line_vals):
        """The posted credit note of a refund that moved money, equal to it."""
        currency = self.currency_id
        invoice = self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        ).sorted("id")[-1:]
        if not invoice:
            raise UserError(
                _(
                    "Refund %(refund)s of order %(order)s has no invoice to credit: invoice "
                    "the order (or set the channel's invoice policy), then reprocess it.",
                    refund=refund.external_id,
                    order=self.name,
                )
            )
        invoiced = sum(
            self.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            ).mapped("amount_total")
        )
        refunded = sum(self._oms_credit_notes().mapped("amount_total"))
        paid = max(invoiced, self.oms_channel_paid_amount)
        if currency.compare_amounts(float(refund.amount), paid - refunded) > 0:
            raise UserError(
                _(
                    "Refund %(refund)s gives back %(amount)s, more than the %(left)s left of "
                    "order %(order)s.",
                    refund=refund.external_id,
                    amount=currency.format(float(refund.amount)),
                    left=currency.format(paid - refunded),
                    order=self.name,
                )
            )
        values = self._prepare_invoice()
        values.update(
            move_type="out_refund",
            reversed_entry_id=invoice.id,
            journal_id=invoice.journal_id.id,
            ref=_(
                "%(channel)s refund %(refund)s",
                channel=self.oms_channel_id.name,
                refund=refund.external_id,
            ),
            oms_channel_id=self.oms_channel_id.id,
            oms_channel_refund_ref=ref,
            invoice_line_ids=[Command.create(vals) for vals in line_vals],
        )
        credit_note = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .with_context(default_move_type="out_refund")
            .create(values)
        )
        difference = float(refund.amount) - credit_note.amount_total
        if not currency.is_zero(difference):
            # What the channel refunded beyond (or short of) the items and shipping:
            # a restocking fee kept, an amount refunded by hand.
            charge = self.env.ref("oms_channels.product_channel_charge").product_variant_id
            credit_note.write(
                {
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": charge.id,
                                "name": _("Refunded in the channel beyond the items"),
                                "quantity": 1,
                                "price_unit": difference,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ]
                }
            )
        credit_note.action_post()
        return credit_note

    def _oms_credit_notes(self):
        """The order's posted credit notes, those that credit no order line too (a
        channel refund of money alone is a charge line only, which Odoo does not
        count among the order's invoices): every credit note of its invoices."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        return (
            self.invoice_ids
            | self.env["account.move"].sudo().search([("reversed_entry_id", "in", invoices.ids)])
        ).filtered(lambda m: m.state == "posted" and m.move_type == "out_refund")

    def _oms_refund_label(self, refund):
        return _(
            "%(channel)s refund %(refund)s",
            channel=self.oms_channel_id.name,
            refund=refund.external_id,
        )

    def _oms_refund_payment(self, refund, ref, credit_note):
        return self._oms_channel_refund_payment(
            refund.amount, ref, self._oms_refund_label(refund), credit_note
        )

    def _oms_channel_refund_payment(self, amount, ref, label, credit_note):
        """The money the channel returned: an outbound customer payment in the
        channel's journal, reconciled with the credit note."""
        journal = self.oms_channel_id.payment_journal_id
        if not journal or self.currency_id.compare_amounts(float(amount), 0.0) <= 0:
            return None
        payment = (
            self.env["account.payment"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "partner_id": credit_note.commercial_partner_id.id,
                    "journal_id": journal.id,
                    "amount": float(amount),
                    "currency_id": self.currency_id.id,
                    "date": fields.Date.context_today(self),
                    "memo": label,
                    "oms_channel_id": self.oms_channel_id.id,
                    "oms_channel_payment_ref": ref,
                    "oms_sale_order_id": self.id,
                }
            )
        )
        payment.action_post()
        _reconcile_receivables(payment.move_id | credit_note)
        return payment

    def _oms_refund_receipts(self, ref):
        return self.picking_ids.filtered(lambda p: p.oms_channel_refund_ref == ref)

    def _oms_refund_restock(self, refund, ref):
        """A return receipt of the restocked items from the order's done
        deliveries (none for items the channel did not restock, or never
        shipped)."""
        wanted = {}
        by_id = {line.oms_external_line_id: line for line in self.order_line}
        for item in refund.restock_lines:
            product = by_id[item.line_id].product_id
            wanted[product] = wanted.get(product, 0) + item.quantity
        receipts = self.env["stock.picking"]
        deliveries = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        ).sorted("id")
        for picking in deliveries:
            if not any(wanted.values()):
                break
            wizard = (
                self.env["stock.return.picking"]
                .sudo()
                .with_context(active_id=picking.id, active_model="stock.picking")
                .create({"picking_id": picking.id})
            )
            taken = False
            for line in wizard.product_return_moves:
                quantity = min(wanted.get(line.product_id, 0), line.move_quantity)
                line.quantity = quantity
                if quantity:
                    wanted[line.product_id] -= quantity
                    taken = True
            if taken:
                receipt = wizard._create_return()
                receipt.oms_channel_refund_ref = ref
                receipts |= receipt
        return receipts
