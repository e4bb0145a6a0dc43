from odoo import fields, models


class OmsReturnReason(models.Model):
    _name = "oms.return.reason"
    _description = "Return Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_defect = fields.Boolean(
        string="Our Fault",
        help="Damaged, defective or wrong item: no restocking fee, and the shipping "
        "is refunded when the policy says so.",
    )
