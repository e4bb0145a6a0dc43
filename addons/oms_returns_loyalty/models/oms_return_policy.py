from odoo import api, fields, models


class OmsReturnPolicy(models.Model):
    _inherit = "oms.return.policy"

    allow_credit = fields.Boolean(string="Store Credit", default=True)

    @api.constrains("allow_refund", "allow_exchange", "allow_credit")
    def _check_resolution(self):
        return super()._check_resolution()

    def _oms_resolutions_allowed(self):
        allowed = super()._oms_resolutions_allowed()
        return [*allowed, "credit"] if self.allow_credit else allowed
