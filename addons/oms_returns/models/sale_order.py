from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _oms_is_paid(self):
        """Whether the customer paid this order: captured by its sales channel, paid
        online (transactions done for its total), or invoiced and every invoice
        paid. Store credit and exchange credit are only for orders paid."""
        self.ensure_one()
        if self.oms_payment_state == "paid":
            return True
        currency = self.currency_id
        done = self.sudo().transaction_ids.filtered(
            lambda tx: tx.state == "done" and tx.operation != "refund"
        )
        if done and currency.compare_amounts(sum(done.mapped("amount")), self.amount_total) >= 0:
            return True
        invoices = self.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )
        return bool(invoices) and all(
            invoice.payment_state in ("paid", "in_payment") for invoice in invoices
        )
