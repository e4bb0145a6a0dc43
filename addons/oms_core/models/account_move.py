from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _oms_money_back_through_channel(self):
        """True when this credit note's money goes back to the customer through the
        sales channel the order came from (the channel refunds where they paid), so
        that nothing else (a payment provider, finance by hand) sends it too.
        Channel connectors say so for their kinds; here, never."""
        self.ensure_one()
        return False
