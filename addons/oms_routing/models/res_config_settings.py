from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    oms_stock_alert_user_id = fields.Many2one(
        related="company_id.oms_stock_alert_user_id", readonly=False
    )
    oms_stock_alert_group_id = fields.Many2one(
        related="company_id.oms_stock_alert_group_id", readonly=False
    )
