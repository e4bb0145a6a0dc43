from decimal import Decimal

from odoo import _, models
from odoo.exceptions import UserError

from ..carrier_clients import CustomsInfo, CustomsItem

# Customs territories beyond Odoo's European Union group: a parcel between two
# countries of one territory needs no declaration.
TERRITORIES = {"MC": "EU", "LI": "CH", "PR": "US"}
# A CN22 declares up to this value (about 300 SDR); above it, a CN23.
CN22_LIMIT_EUR = 425.0


def customs_territory(country, eu):
    """The customs territory of a country (``eu``: Odoo's European Union group)."""
    if country in eu:
        return "EU"
    return TERRITORIES.get(country.code, country.code)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _oms_sender_partner(self):
        self.ensure_one()
        return self.picking_type_id.warehouse_id.partner_id or self.company_id.partner_id

    def _oms_needs_customs(self):
        """True when the parcel leaves one customs territory for another."""
        self.ensure_one()
        origin = self._oms_sender_partner().country_id
        destination = self.partner_id.country_id
        if not origin or not destination:
            return False
        eu = self.env.ref("base.europe").country_ids
        return customs_territory(origin, eu) != customs_territory(destination, eu)

    def _oms_customs_currency(self):
        return self.sale_id.currency_id or self.company_id.currency_id

    def _oms_customs_lines(self):
        """What the declaration lists: one line per product of the delivery."""
        self.ensure_one()
        lines = {}
        for move in self.move_ids.filtered(lambda m: m.state != "cancel"):
            product = move.product_id
            quantity = move.quantity or move.product_uom_qty
            unit_value = (
                move.sale_line_id.price_reduce_taxexcl if move.sale_line_id else product.lst_price
            )
            line = lines.setdefault(
                product,
                {
                    "product": product,
                    "description": product.oms_customs_description or product.name,
                    "hs_code": product.hs_code or "",
                    "origin": (product.country_of_origin or self.company_id.country_id).code or "",
                    "quantity": 0.0,
                    "value": 0.0,
                    "weight": 0.0,
                },
            )
            line["quantity"] += quantity
            line["value"] += unit_value * quantity
            line["weight"] += product.weight * quantity
        return list(lines.values())

    def _oms_customs_total(self):
        return sum(line["value"] for line in self._oms_customs_lines())

    def _oms_customs_form(self):
        """CN22 for small values, CN23 above (the threshold in euros)."""
        self.ensure_one()
        currency = self._oms_customs_currency()
        eur = self.env.ref("base.EUR")
        total = currency._convert(
            self._oms_customs_total(), eur, self.company_id, self.scheduled_date or self.create_date
        )
        return "CN22" if total <= CN22_LIMIT_EUR else "CN23"

    def _oms_customs_info(self):
        """The customs data sent to the carrier; refuses a line without HS code."""
        self.ensure_one()
        lines = self._oms_customs_lines()
        missing = [line["product"].display_name for line in lines if not line["hs_code"]]
        if missing:
            raise UserError(
                _(
                    "%(picking)s leaves the customs territory: give an HS code to %(products)s.",
                    picking=self.name,
                    products=", ".join(missing),
                )
            )
        currency = self._oms_customs_currency().name
        return CustomsInfo(
            items=tuple(
                CustomsItem(
                    description=line["description"][:50],
                    quantity=round(line["quantity"]) or 1,
                    value=Decimal(str(round(line["value"], 2))),
                    weight_kg=Decimal(str(round(line["weight"] or 0.1, 3))),
                    hs_tariff_number=line["hs_code"],
                    origin_country=line["origin"],
                    currency=currency,
                    code=line["product"].default_code or "",
                )
                for line in lines
            ),
            contents_type="merchandise",
            signer=self.env.user.name,
            incoterm=self.sale_id.incoterm.code or "",
        )
