from odoo import fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    # The refund attempt (oms.refund.attempt) this refund transaction answers.
    oms_refund_token = fields.Char(index="btree_not_null", copy=False, readonly=True)
