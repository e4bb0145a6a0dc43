from odoo import api, fields, models


class OmsCarrierError(models.Model):
    """A carrier call that failed and that the work went on without: a quote, an
    address check, a tracking poll. Counted per day on the integration health
    dashboard. (A failure that stops a user's action is shown to that user, and a
    failed background job stays in the job queue.)"""

    _name = "oms.carrier.error"
    _description = "Carrier Error"
    _order = "id desc"
    _rec_name = "operation"

    carrier_id = fields.Many2one("delivery.carrier", required=True, index=True, ondelete="cascade")
    operation = fields.Char(required=True)
    message = fields.Text()
    picking_id = fields.Many2one("stock.picking", index="btree_not_null", ondelete="set null")
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        help="The delivery's company, or the carrier's; empty: any company's.",
    )

    @api.depends("picking_id.company_id", "carrier_id.company_id")
    def _compute_company_id(self):
        for error in self:
            error.company_id = error.picking_id.company_id or error.carrier_id.company_id
