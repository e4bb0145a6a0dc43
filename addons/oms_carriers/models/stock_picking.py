from odoo import _, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    oms_shipping_quote_ids = fields.One2many(
        "oms.shipping.quote", "picking_id", string="Shipping Quotes", readonly=True
    )
    oms_carrier_service = fields.Char(
        string="Carrier Service",
        copy=False,
        help="The service chosen by rate shopping (or by a person) for this delivery.",
    )

    def _oms_arrive_by(self):
        order = self.sale_id
        if order.commitment_date:
            return order.commitment_date.date()
        return False

    def action_oms_shop_rates(self):
        """Ask every carrier of the shipping policy, keep every quote, choose one."""
        policy = self.env["oms.shipping.policy"].search(
            [("is_default", "=", True), ("company_id", "in", (self.company_id.id, False))],
            limit=1,
        )
        if not policy:
            raise UserError(_("Set a default shipping policy first."))
        for picking in self:
            picking._oms_shop_rates(policy)
        return True

    def _oms_shop_rates(self, policy):
        self.ensure_one()
        if self.oms_carrier_shipment_ids:
            raise UserError(_("%s has its labels already: void them to shop again.", self.name))
        self.oms_shipping_quote_ids.unlink()
        Quote = self.env["oms.shipping.quote"]
        quotes = Quote
        for carrier in policy._oms_carriers(self.company_id):
            try:
                offers = carrier._oms_quotes_for_picking(self)
            except UserError as error:
                quotes |= Quote.create(
                    {
                        "picking_id": self.id,
                        "carrier_id": carrier.id,
                        "state": "failed",
                        "reason": str(error),
                    }
                )
                continue
            quotes |= Quote.create([{"picking_id": self.id, **offer} for offer in offers])
        winner = policy._oms_choose(quotes, self._oms_arrive_by())
        if not winner:
            raise UserError(_("No carrier can ship %s under the shipping policy.", self.name))
        self._oms_use_quote(winner)
        return winner

    def _oms_use_quote(self, quote):
        self.write({"carrier_id": quote.carrier_id.id, "oms_carrier_service": quote.service})
        if self.sale_id:
            self.sale_id._oms_log_event(
                "note",
                _(
                    "%(picking)s ships with %(carrier)s %(service)s (%(price).2f %(currency)s)",
                    picking=self.name,
                    carrier=quote.carrier_id.name,
                    service=quote.service_name or quote.service or "",
                    price=quote.price,
                    currency=quote.currency_id.name or "",
                ),
                reason=quote.reason,
            )

    def _action_done(self):
        # Choose the carrier before the label is bought (stock_delivery buys it
        # right after the delivery is done), unless a person chose already.
        policy = self.env["oms.shipping.policy"].search(
            [("is_default", "=", True), ("company_id", "in", [*self.company_id.ids, False])],
            limit=1,
        )
        if policy:
            for picking in self.filtered(
                lambda p: p.picking_type_code == "outgoing"
                and not p.oms_carrier_service
                and not p.oms_carrier_shipment_ids
                and (not p.carrier_id or p.carrier_id.delivery_type.startswith("oms_"))
            ):
                try:
                    picking._oms_shop_rates(policy)
                except UserError as error:
                    # The goods leave anyway: a person chooses the carrier afterwards.
                    picking.message_post(body=_("No carrier chosen automatically: %s", error))
        return super()._action_done()
