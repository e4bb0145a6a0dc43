from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    oms_vip = fields.Boolean(
        string="VIP Customer", help="Orders of VIP customers get a high OMS priority."
    )
