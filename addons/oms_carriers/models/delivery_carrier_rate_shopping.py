from decimal import Decimal

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..carrier_clients import Parcel


class DeliveryCarrier(models.Model):
    """Rate shopping's questions to a carrier: every service it offers for a
    delivery (its kind's ``_<delivery_type>_quotes_for_picking`` hook) and Odoo's
    rate of an order from its quotes."""

    _inherit = "delivery.carrier"

    oms_transit_days = fields.Integer(
        string="Transit Days",
        default=1,
        help="Own fleet and Swiss Post: days from shipping to delivery, for rate shopping.",
    )

    def _oms_quotes_for_picking(self, picking):
        """Every service this carrier offers for the delivery, as quote values."""
        self.ensure_one()
        self._oms_check_address(picking)
        self._oms_check_hazmat(picking)
        parcels = [parcel for _package, parcel in self._oms_parcels(picking)]
        sender = self._oms_address(self._oms_sender(picking))
        recipient = self._oms_address(self._oms_recipient(picking))
        hook = self._oms_hook("quotes_for_picking")
        if not hook:  # a carrier of Odoo's own kinds in a policy: its fixed price
            return self._oms_fixed_price_quotes(picking)
        return hook(picking, parcels, sender, recipient)

    def _oms_fixed_price_quotes(self, picking):
        """The one quote of a carrier without a rating API: its product's price and
        its transit days."""
        company = picking.company_id
        return [
            {
                "carrier_id": self.id,
                "service": self.oms_service_code or "",
                "service_name": self.name,
                "price": self.product_id.list_price,
                "currency_id": company.currency_id.id,
                "price_company": self.product_id.list_price,
                "transit_days": self.oms_transit_days,
            }
        ]

    def _oms_quote_values(self, picking, rate):
        company = picking.company_id
        currency = self._oms_currency(rate.currency)
        price = float(rate.amount)
        in_company = price
        if currency and currency != company.currency_id:
            in_company = currency._convert(price, company.currency_id, company, fields.Date.today())
        service_of = self._oms_hook("quote_service")
        return {
            "carrier_id": self.id,
            "service": service_of(rate) if service_of else rate.service,
            "service_name": rate.service_name or f"{rate.carrier} {rate.service}",
            "price": price,
            "currency_id": currency.id or company.currency_id.id,
            "price_company": in_company,
            "transit_days": rate.delivery_days if rate.delivery_days is not None else False,
            "estimated_delivery": rate.delivery_date[:10] if rate.delivery_date else False,
        }

    # --- quotes for an order -----------------------------------------------------------------
    def _oms_rate_from_quotes(self, order, quote):
        """Odoo's rate answer for an order from the carrier's quotes (its kind's
        ``_<delivery_type>_pick_rate`` of them, else the cheapest)."""
        partner = order.partner_shipping_id
        weight = order._get_estimated_weight() or 0.1
        sender = self._oms_address(order.warehouse_id.partner_id or order.company_id.partner_id)
        pick = self._oms_hook("pick_rate")
        try:
            rates = quote(
                sender, self._oms_address(partner), Parcel(weight_kg=Decimal(str(weight)))
            )
            # the configured service's (EasyPost), else the cheapest
            rate = pick(rates) if pick else min(rates, key=lambda r: r.amount, default=None)
        except UserError as error:
            return {
                "success": False,
                "price": 0.0,
                "error_message": str(error),
                "warning_message": False,
            }
        if rate is None:
            return {
                "success": False,
                "price": 0.0,
                "error_message": _("%s gave no quote.", self.name),
                "warning_message": False,
            }
        price = float(rate.amount)
        currency = self._oms_currency(rate.currency)
        if currency and currency != order.currency_id:
            price = currency._convert(
                price, order.currency_id, order.company_id, fields.Date.today()
            )
        return {"success": True, "price": price, "error_message": False, "warning_message": False}
