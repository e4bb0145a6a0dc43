"""Invoices of EDI orders: an 810 / INVOIC when posted."""

from dataclasses import replace

from odoo import models

from ..channel_edi.outbound import Invoice
from .sale_order_edi import _number, edi_line


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        for move in posted.filtered(lambda m: m.move_type == "out_invoice"):
            orders = move.invoice_line_ids.sale_line_ids.order_id.filtered(
                lambda o: o.oms_channel_id.channel_type == "edi" and o.oms_external_ref
            )
            for order in orders:
                move._oms_edi_send_invoice(order)
        return posted

    def _oms_edi_send_invoice(self, order):
        lines = []
        for line in self.invoice_line_ids.filtered(
            lambda il: il.display_type == "product" and il.sale_line_ids.order_id == order
        ):
            sale_line = line.sale_line_ids[:1]
            lines.append(
                replace(edi_line(sale_line, line.quantity), unit_price=_number(line.price_unit))
            )
        document = Invoice(
            number=self.name,
            date=self.invoice_date.strftime("%Y%m%d"),
            po_number=order.oms_external_ref,
            currency=self.currency_id.name,
            lines=tuple(lines),
            untaxed=_number(self.amount_untaxed),
            tax=_number(self.amount_tax),
            total=_number(self.amount_total),
        )
        return order.oms_channel_id.sudo()._oms_edi_send("invoice", document, order)
