from odoo import _, api, fields, models


class OmsReturn(models.Model):
    """Settlement by store credit: the customer's eWallet (Odoo's loyalty)."""

    _inherit = "oms.return"

    # Without this addon, a credited request is closed and its resolution a refund.
    state = fields.Selection(
        selection_add=[("credited", "Credited"), ("closed",)],
        ondelete={"credited": "set closed"},
    )
    resolution = fields.Selection(
        selection_add=[("credit", "Store credit")], ondelete={"credit": "set default"}
    )
    loyalty_card_id = fields.Many2one("loyalty.card", string="Store Credit Card", readonly=True)
    can_be_credited = fields.Boolean(compute="_compute_can_be_credited")

    @api.model
    def _oms_settled_states(self):
        return (*super()._oms_settled_states(), "credited")

    @api.depends("state", "resolution")
    def _compute_can_be_credited(self):
        for request in self:
            request.can_be_credited = (
                request.state == "inspected"
                and request.resolution == "credit"
                and all(request.line_ids.policy_id.mapped("allow_credit"))
            )

    def action_credit(self):
        """Store credit on the customer's eWallet (Odoo's loyalty), for what came back
        less the restocking fees; spent on a next order like any eWallet."""
        self._oms_ensure_manager(_("give store credit"))
        self._ensure_can_be("credited")
        self._oms_ensure_paid(_("store credit"))
        for request in self:
            amount = request._oms_settled_amount()
            request._oms_add_store_credit(amount)
            request.state = "credited"
            request._oms_log(
                _(
                    "Return %(name)s credited: %(amount).2f %(currency)s of store credit",
                    name=request.name,
                    amount=amount,
                    currency=request.currency_id.name,
                )
            )
        return True

    def _oms_exchange_leftover(self, amount):
        """What an exchange leaves over goes to the customer's store credit."""
        self._oms_add_store_credit(amount)

    def _oms_add_store_credit(self, amount):
        self.ensure_one()
        program = self._oms_store_credit_program()
        Card = self.env["loyalty.card"].sudo()
        card = Card.search(
            [("program_id", "=", program.id), ("partner_id", "=", self.partner_id.id)], limit=1
        ) or Card.create({"program_id": program.id, "partner_id": self.partner_id.id})
        # The eWallet counts in its program's currency; the request in its orders'.
        points = self.currency_id._convert(
            amount, program.currency_id, self.company_id, fields.Date.context_today(self)
        )
        card.points += points
        # The card's history says where the credit came from, as Odoo's own do.
        self.env["loyalty.history"].sudo().create(
            {
                "card_id": card.id,
                "description": _("Return %s", self.name),
                "issued": points,
                "order_model": self._name,
                "order_id": self.id,
            }
        )
        self.loyalty_card_id = card
        return card

    def _oms_store_credit_program(self):
        Program = self.env["loyalty.program"].sudo()
        program = Program.search(
            [
                ("program_type", "=", "ewallet"),
                ("company_id", "in", (self.company_id.id, False)),
                ("active", "=", True),
            ],
            limit=1,
        )
        return program or Program.with_context(default_program_type="ewallet").create(
            {
                "name": _("Store credit"),
                "program_type": "ewallet",
                "company_id": self.company_id.id,
                "currency_id": self.company_id.currency_id.id,
            }
        )
