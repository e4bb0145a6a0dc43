from odoo import Command, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _oms_arrive_by_date(self):
        """The date the customer must have the parcel by: the delivery date set on
        the order (Odoo's commitment date), else its deliver-by date (the
        channel's promise, else the service level's days). False when neither."""
        self.ensure_one()
        if self.commitment_date:
            return self.commitment_date.date()
        return self.oms_deliver_by.date() if self.oms_deliver_by else False

    def _oms_quote_from(self, warehouse):
        """oms_core's hook for routing (its strategies with live carrier quotes):
        the cheapest price, in the company's currency, that the carriers of the
        default shipping policy quote for shipping this order from ``warehouse``,
        within the policy's maximum price; ``None`` when none answers.

        Nothing is stored: the quote is for an unsaved delivery of the order's
        goods. A carrier that fails is skipped (and kept in the carrier errors)."""
        self.ensure_one()
        policy = self.env["oms.shipping.policy"].search(
            [("is_default", "=", True), ("company_id", "in", (self.company_id.id, False))],
            limit=1,
        )
        lines = self.order_line.filtered(lambda ln: ln.product_id.type == "consu")
        if not policy or not lines or not self.partner_shipping_id:
            return None
        picking = self.env["stock.picking"].new(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": self.partner_shipping_id.id,
                "company_id": self.company_id.id,
                "origin": self.name,
                "move_ids": [
                    Command.create(
                        {
                            "name": line.name,
                            "product_id": line.product_id.id,
                            "product_uom_qty": line.product_uom_qty,
                            "product_uom": line.product_uom.id,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": self.partner_shipping_id.property_stock_customer.id,
                        }
                    )
                    for line in lines
                ],
            }
        )
        prices = []
        for carrier in policy._oms_carriers(self.company_id):
            try:
                offers = carrier._oms_quotes_for_picking(picking)
            except UserError:
                continue
            prices += [
                offer["price_company"]
                for offer in offers
                if not policy.max_price or offer["price_company"] <= policy.max_price
            ]
        return min(prices) if prices else None
