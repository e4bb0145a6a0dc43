from odoo import _, fields, models
from odoo.exceptions import UserError


class OmsShippingQuote(models.Model):
    """One carrier's offer for a delivery, and why it won or lost."""

    _name = "oms.shipping.quote"
    _description = "Shipping Quote"
    _order = "state desc, price_company, id"

    picking_id = fields.Many2one("stock.picking", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="picking_id.company_id", store=True, index=True)
    carrier_id = fields.Many2one("delivery.carrier", required=True, ondelete="cascade")
    service = fields.Char(help="The service code sent when buying the label.")
    service_name = fields.Char()
    price = fields.Float()
    currency_id = fields.Many2one("res.currency")
    price_company = fields.Float(string="Price (company currency)")
    transit_days = fields.Integer()
    estimated_delivery = fields.Date()
    on_time = fields.Boolean(string="Arrives in Time")
    state = fields.Selection(
        [("quoted", "Quoted"), ("won", "Chosen"), ("lost", "Not chosen"), ("failed", "Failed")],
        default="quoted",
        required=True,
    )
    reason = fields.Char()

    def action_use(self):
        """A person overrides the choice: this carrier and service ship it."""
        self.ensure_one()
        if self.state == "failed":
            raise UserError(_("This carrier gave no quote."))
        others = self.picking_id.oms_shipping_quote_ids - self
        others.filtered(lambda q: q.state == "won").write(
            {"state": "lost", "reason": _("overridden by %s", self.env.user.name)}
        )
        self.write({"state": "won", "reason": _("chosen by %s", self.env.user.name)})
        self.picking_id._oms_use_quote(self)
        return True
