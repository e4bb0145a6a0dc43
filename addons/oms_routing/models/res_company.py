from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    oms_stock_alert_user_id = fields.Many2one(
        "res.users",
        string="Stock Alerts To",
        help="Gets the To-Do of each product whose free stock falls below its threshold.",
    )
    oms_stock_alert_group_id = fields.Many2one(
        "res.groups",
        string="Stock Alerts To Group",
        help="When no user is set: the first user of this group (e.g. Purchase / User) "
        "in the company gets the To-Do.",
    )

    def _oms_stock_alert_user(self):
        """Who purchasing is for this company's stock alerts (or no user)."""
        self.ensure_one()
        if self.oms_stock_alert_user_id:
            return self.oms_stock_alert_user_id
        return self.oms_stock_alert_group_id.users.filtered(
            lambda u, company=self: u.active and not u.share and company in u.company_ids
        ).sorted("id")[:1]
