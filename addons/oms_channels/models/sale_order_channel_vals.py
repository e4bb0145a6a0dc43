"""What a channel draft's customer, addresses and lines become."""

from decimal import Decimal

from odoo import _, api, models

from .sale_order_channel_lookups import (
    ChannelLookups,
    describe_line,
    email_key,
    line_base,
)

ZERO = Decimal("0")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _oms_customers(self, env, company, drafts):
        """(customer, delivery address) of each draft; customers known by email are
        read in one query, the others found or created one by one."""
        emails = {email_key(d.email) for d in drafts} - {""}
        known = {}
        if emails:
            for partner in env["res.partner"].search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("parent_id", "=", False),
                    ("email_normalized", "in", list(emails)),
                ],
                order="id",
            ):
                known.setdefault(partner.email_normalized, partner)
        result, places = [], {}
        for draft in drafts:
            email = email_key(draft.email)
            partner, shipping = self._oms_customer(
                env, company, draft, known.get(email), places=places
            )
            if email:
                known.setdefault(email, partner)
            result.append((partner, shipping))
        return result

    @api.model
    def _oms_customer(self, env, company, draft, partner=None, places=None):
        """The customer (same email, or same phone and postcode, in the company),
        created when new, and its delivery address. Emails are compared exactly,
        normalised (``email_key``), never as a pattern."""
        Partner = env["res.partner"]
        billing = draft.billing_address or draft.shipping_address
        ship = draft.shipping_address or billing
        company_domain = [("company_id", "in", (company.id, False)), ("parent_id", "=", False)]
        partner = partner or Partner
        email = email_key(draft.email)
        if not partner and email:
            partner = Partner.search(
                [*company_domain, ("email_normalized", "=", email)], order="id", limit=1
            )
        phone = draft.phone or (billing.phone if billing else "")
        if not partner and phone and ship and ship.zip:
            partner = Partner.search(
                [*company_domain, ("phone", "=", phone), ("zip", "=", ship.zip)], limit=1
            )
        if not partner:
            partner = Partner.create(
                {
                    **self._oms_address_vals(env, billing, places),
                    "name": draft.customer_name
                    or (billing and billing.name)
                    or draft.email
                    or _("Customer of %s", draft.name),
                    "email": draft.email or False,
                    "phone": phone or False,
                    "company_id": company.id,
                }
            )
        shipping = partner
        if ship:
            vals = self._oms_address_vals(env, ship, places)
            if not self._oms_same_address(partner, vals):
                shipping = Partner.search(
                    [("parent_id", "=", partner.id), ("type", "=", "delivery")]
                    + [(key, "=", value) for key, value in vals.items()],
                    limit=1,
                ) or Partner.create(
                    {
                        **vals,
                        "parent_id": partner.id,
                        "type": "delivery",
                        "name": ship.name or partner.name,
                        "phone": ship.phone or False,
                    }
                )
        return partner, shipping

    @api.model
    def _oms_same_address(self, partner, vals):
        """True when ``partner`` already has the address ``vals``."""
        for key, value in vals.items():
            current = partner[key]
            current = current.id if isinstance(current, models.BaseModel) else current
            if (current or False) != (value or False):
                return False
        return True

    @api.model
    def _oms_address_vals(self, env, address, places=None):
        if not address:
            return {}
        # ``places``: countries and states already read in this batch, by code.
        places = {} if places is None else places
        country_id = state_id = False
        if address.country_code:
            key = address.country_code.upper()
            if key not in places:
                places[key] = env["res.country"].search([("code", "=", key)], limit=1).id
            country_id = places[key]
        if country_id and address.state_code:
            key = (country_id, address.state_code)
            if key not in places:
                places[key] = (
                    env["res.country.state"]
                    .search(
                        [("country_id", "=", country_id), ("code", "=", address.state_code)],
                        limit=1,
                    )
                    .id
                )
            state_id = places[key]
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country_id,
            "state_id": state_id,
        }

    @api.model
    def _oms_order_lines(self, env, company, draft, lookups=None):
        """Order line values, and the draft's lines no product matches (each a note
        line tied to the channel's listing of it, made "to map" if new)."""
        lookups = lookups or ChannelLookups(env, company)
        lookups.ensure_listings(draft.lines)
        lines, unknown = [], []
        for line in draft.lines:
            product = lookups.product(line)
            if not product:
                unknown.append(line)
                listing = lookups.listing(line)
                lines.append(
                    {
                        "display_type": "line_note",
                        "name": _(
                            "%(qty)s x %(name)s (%(what)s, %(price)s each): no such product",
                            qty=line.quantity,
                            name=line.name,
                            what=describe_line(env, line, with_name=False),
                            price=line.unit_price,
                        ),
                        # Still the channel's item: a cancellation names it too.
                        "oms_external_line_id": line.external_id or False,
                        "oms_channel_product_id": listing.id if listing else False,
                    }
                )
                continue
            gross = line.unit_price * line.quantity
            discount = float(line.discount_total / gross * 100) if gross else 0.0
            lines.append(
                {
                    "product_id": product.id,
                    "name": line.name or product.display_name,
                    "product_uom_qty": line.quantity,
                    "price_unit": float(line.unit_price),
                    "discount": discount,
                    "tax_id": [
                        (6, 0, lookups.taxes(draft, line.taxes, line_base(draft, line)).ids)
                    ],
                    "oms_external_line_id": line.external_id or False,
                    **lookups.analytic_preset(),
                }
            )
        # Shipping is a delivery line, as Odoo's own (invoiced, reported as shipping);
        # a fee is a line of its kind's product (gift wrap, COD fee), its discount
        # the line's discount; an order discount a negative charge.
        extras = [
            (s.title or s.method, s.subtotal, ZERO, s.taxes, line_base(draft, s), True, "")
            for s in draft.shipping_lines
        ]
        extras += [
            (f.name, f.amount, f.discount_total, f.taxes, line_base(draft, f), False, f.kind)
            for f in draft.fees
        ]
        extras += [
            (d.code or _("Discount"), -d.amount, ZERO, (), None, False, "")
            for d in draft.order_discounts
        ]
        for name, amount, discount, taxes, base, is_delivery, kind in extras:
            lines.append(
                {
                    "product_id": lookups.service(kind).id,
                    "name": name,
                    "product_uom_qty": 1,
                    "price_unit": float(amount),
                    "discount": float(discount / amount * 100) if discount and amount else 0.0,
                    "tax_id": [(6, 0, lookups.taxes(draft, taxes, base).ids)],
                    "is_delivery": is_delivery,
                    **lookups.analytic_preset(),
                }
            )
        return lines, unknown
