from odoo import fields, models
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = "account.move"

    oms_return_id = fields.Many2one("oms.return", string="Return Request", index="btree_not_null")

    def _oms_lock_for_refund(self):
        """Serialize what credits these invoices: a new row version of each, so that
        a second transaction doing the same fails to serialize once the first has
        committed; Odoo runs it again, and it sees the first one's credit note."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET write_date = write_date WHERE id IN %s",
                    tuple(self.ids),
                )
            )

    def _post(self, soft=True):
        # A credit note posted by hand races a return's refund of the same invoice
        # like two refunds do: both lock the invoice they reverse.
        self.filtered(lambda move: move.move_type == "out_refund").reversed_entry_id.filtered(
            "id"
        )._oms_lock_for_refund()
        return super()._post(soft=soft)
