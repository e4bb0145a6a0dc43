"""The money of a channel order in Odoo's accounting: its invoice, made by
Odoo's own invoicing when the channel's policy says, and the payment the
channel collected, posted once in the channel's payment journal and reconciled
with the invoice."""

from odoo import Command, _, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    oms_channel_amount_total = fields.Monetary(
        string="Total in Channel",
        copy=False,
        readonly=True,
        help="The order's total as the channel's latest version applied says it, in "
        "its currency: a later version that changes it is compared with Odoo's again.",
    )
    oms_channel_paid_amount = fields.Monetary(
        string="Paid in Channel",
        copy=False,
        readonly=True,
        help="What the channel says the customer paid for the order, in its currency, "
        "from the first version that said it was paid.",
    )
    oms_channel_withheld_tax = fields.Monetary(
        string="Tax Remitted by the Channel",
        copy=False,
        readonly=True,
        help="Tax the marketplace collects from the buyer and remits itself (Amazon's "
        "marketplace facilitator tax): in the order's total, not paid out to the seller "
        "and not owed by them. Booked against the invoice's tax once it is invoiced.",
    )
    oms_channel_withheld_move_id = fields.Many2one(
        "account.move",
        string="Remitted Tax Entry",
        copy=False,
        readonly=True,
        help="The entry that settles the invoice's tax the marketplace remits: the "
        "customer's receivable is credited, the tax account debited.",
    )
    oms_channel_payment_id = fields.Many2one(
        "account.payment",
        string="Channel Payment",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The payment posted in the channel's payment journal for what the channel collected.",
    )

    # --- invoices ----------------------------------------------------------------
    def _action_confirm(self):
        result = super()._action_confirm()
        self.filtered(
            lambda o: o.oms_channel_id.invoice_policy == "confirm"
        )._oms_queue_channel_invoice()
        return result

    def _oms_queue_channel_invoice(self):
        """Invoice the orders in a background job each (one waits at a time per
        order): a failure of the invoicing never stops a confirmation or a
        delivery."""
        for order in self:
            order.with_delay(
                identity_key=f"oms_channel_invoice({order.id})",
                description=_("Invoice %s", order.name),
            )._oms_invoice_channel_order()

    def _oms_invoice_channel_order(self):
        """Invoice what is to invoice of the order (Odoo's own invoicing: ordered or
        delivered quantities, as each product says), post it and reconcile the
        channel's payment with it. Returns the invoices made."""
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        self._oms_lock()
        if order.state != "sale" or order.invoice_status != "to invoice":
            return self.env["account.move"]
        invoices = order._create_invoices(grouped=True)
        invoices.action_post()
        order._oms_log_event(
            "note",
            _("Invoiced (%s in the channel's policy)", order.oms_channel_id.invoice_policy),
            reason=", ".join(invoices.mapped("name")),
        )
        order._oms_reconcile_channel_payment()
        return invoices

    def _oms_lock(self):
        """Lock the order's row for this transaction: the money of one order is
        made by one transaction at a time (another waits, and fails to serialize
        when this one changed the order: its job is tried again and finds it
        done)."""
        self.env.cr.execute(
            "SELECT id FROM sale_order WHERE id IN %s FOR UPDATE", [tuple(self.ids)]
        )
        self.invalidate_recordset()

    # --- payments -----------------------------------------------------------------
    def _oms_queue_channel_payments(self):
        """Queue one job posting the payments of the orders (new orders of an
        import) the channel says are paid, when the channel has a journal."""
        todo = self.filtered(
            lambda o: o.state != "cancel"
            and o.oms_channel_paid_amount > 0
            and not o.oms_channel_payment_id
            and o.sudo().oms_channel_id.payment_journal_id
        )
        if todo:
            todo.with_delay(
                description=_("Record the channel's payments of %s orders", len(todo))
            )._oms_record_channel_payments()

    def _oms_record_channel_payments(self):
        """The payment of each order (see :meth:`_oms_record_channel_payment`)."""
        return [order._oms_record_channel_payment() for order in self]

    def _oms_channel_paid(self, amount):
        """The channel says the order is paid, ``amount`` (a Decimal, in the order's
        currency): remember the amount of the first such version and queue the
        posting of its payment when the channel has a payment journal."""
        todo = self.browse()
        for order in self.sudo():
            if order.oms_channel_paid_amount or order.oms_channel_payment_id:
                continue
            order.oms_channel_paid_amount = float(amount)
            if order.oms_channel_id.payment_journal_id and amount > 0:
                todo |= order
        for order in todo:
            order.with_delay(
                identity_key=f"oms_channel_payment({order.id})",
                description=_("Record the channel's payment of %s", order.name),
            )._oms_record_channel_payment()

    def _oms_record_channel_payment(self):
        """Post, once, the payment the channel collected for the order: an inbound
        customer payment in the channel's payment journal, for the channel's amount
        in the order's currency, reconciled with the order's invoice when it has
        one. Returns the payment (None when there is nothing to record)."""
        self.ensure_one()
        self._oms_lock()
        order = self.sudo().with_company(self.company_id)
        if order.oms_channel_payment_id:
            order._oms_reconcile_channel_payment()
            return order.oms_channel_payment_id
        channel = order.oms_channel_id
        journal = channel.payment_journal_id
        currency = order.currency_id
        if (
            not journal
            or order.state == "cancel"
            or currency.compare_amounts(order.oms_channel_paid_amount, 0.0) <= 0
        ):
            return None
        if journal.company_id != order.company_id:
            raise UserError(
                _(
                    "The payment journal %(journal)s of %(channel)s is not of the order's company.",
                    journal=journal.display_name,
                    channel=channel.name,
                )
            )
        payment = (
            self.env["account.payment"]
            .sudo()
            .with_company(order.company_id)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": order.partner_invoice_id.commercial_partner_id.id,
                    "journal_id": journal.id,
                    "amount": order.oms_channel_paid_amount,
                    "currency_id": currency.id,
                    "date": fields.Date.context_today(order),
                    "memo": f"{channel.name} {order.client_order_ref or order.oms_external_ref}",
                    "oms_channel_id": channel.id,
                    "oms_channel_payment_ref": f"order:{order.oms_external_ref}",
                    "oms_sale_order_id": order.id,
                }
            )
        )
        payment.action_post()
        order.oms_channel_payment_id = payment
        order._oms_log_event(
            "note",
            _("Payment of the channel recorded"),
            reason=f"{payment.name}: {currency.format(payment.amount)}",
        )
        order._oms_reconcile_channel_payment()
        return payment

    def _oms_reconcile_channel_payment(self):
        """Reconcile the channel's payment of each order with the order's posted
        invoices (receivable lines of one account together)."""
        self._oms_record_withheld_tax()
        for order in self.sudo():
            payment = order.oms_channel_payment_id
            invoices = order.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            if payment.move_id and invoices:
                _reconcile_receivables(payment.move_id | invoices)

    def _oms_record_withheld_tax(self):
        """Once an order whose marketplace remits its tax is invoiced, settle that
        tax: an entry crediting the customer's receivable and debiting the
        invoice's tax account by the tax remitted, reconciled with the invoice, so
        that what is left receivable is what the marketplace pays out and the
        company owes no tax it never collected."""
        for order in self.sudo():
            currency = order.currency_id
            if order.oms_channel_withheld_move_id or currency.is_zero(
                order.oms_channel_withheld_tax
            ):
                continue
            invoice = order.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            ).sorted("id")[:1]
            tax_line = invoice.line_ids.filtered(lambda line: line.display_type == "tax")[:1]
            receivable = invoice.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )[:1]
            if not tax_line or not receivable:
                continue
            amount = order.oms_channel_withheld_tax
            balance = currency._convert(
                amount, order.company_id.currency_id, order.company_id, invoice.date
            )
            journal = self.env["account.journal"].search(
                [("company_id", "=", order.company_id.id), ("type", "=", "general")], limit=1
            )
            label = _(
                "%(channel)s remits the tax of %(order)s",
                channel=order.oms_channel_id.name,
                order=order.name,
            )
            partner = receivable.partner_id
            entry = (
                self.env["account.move"]
                .sudo()
                .with_company(order.company_id)
                .create(
                    {
                        "move_type": "entry",
                        "journal_id": journal.id,
                        "date": invoice.date,
                        "ref": label,
                        "line_ids": [
                            Command.create(
                                {
                                    "name": label,
                                    "account_id": tax_line.account_id.id,
                                    "partner_id": partner.id,
                                    "currency_id": currency.id,
                                    "amount_currency": amount,
                                    "balance": balance,
                                }
                            ),
                            Command.create(
                                {
                                    "name": label,
                                    "account_id": receivable.account_id.id,
                                    "partner_id": partner.id,
                                    "currency_id": currency.id,
                                    "amount_currency": -amount,
                                    "balance": -balance,
                                }
                            ),
                        ],
                    }
                )
            )
            entry.action_post()
            order.oms_channel_withheld_move_id = entry
            _reconcile_receivables(entry | invoice)

    # --- refunds --------------------------------------------------------------------


def _credited(line):
    """The quantity of an order line posted credit notes gave back."""
    return sum(
        aml.quantity
        for aml in line.invoice_lines
        if aml.move_id.state == "posted" and aml.move_id.move_type == "out_refund"
    )


def _reconcile_receivables(moves):
    """Reconcile the unreconciled receivable lines of ``moves``, account by
    account, where debits and credits meet."""
    lines = moves.line_ids.filtered(
        lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
    )
    for account in lines.account_id:
        same = lines.filtered(lambda line, a=account: line.account_id == a)
        if same.filtered(lambda line: line.balance > 0) and same.filtered(
            lambda line: line.balance < 0
        ):
            same.reconcile()
