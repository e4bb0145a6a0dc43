"""Turning an order draft of a channel into an Odoo sales order."""

from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

PAYMENT_STATES = {
    "paid": "paid",
    "authorized": "authorized",
    "refunded": "refunded",
    "partially_refunded": "paid",
}
FRAUD_SCORES = {"high": 90.0, "medium": 60.0, "low": 10.0}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    oms_channel_updated_at = fields.Datetime(
        string="Channel Version",
        copy=False,
        readonly=True,
        help="The channel's update time of the version of the order applied last.",
    )

    @api.model
    def _oms_create_from_draft(self, channel, draft):
        """Create the sales order of a channel's order draft and submit it to the
        hold rules; returns the order. Raises UserError with a message a user can
        act on when the draft cannot become an order (nothing is left behind)."""
        company = channel.company_id
        env = self.with_company(company).sudo().env
        currency = (
            env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", draft.currency)], limit=1)
        )
        if not currency or not currency.active:
            raise UserError(
                _("The currency %s of the order is not active in Odoo.", draft.currency)
            )
        partner, shipping = self._oms_customer(env, company, draft)
        lines, unknown = self._oms_order_lines(env, company, draft)
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": partner.id,
            "partner_shipping_id": shipping.id,
            "company_id": company.id,
            "oms_channel_id": channel.id,
            "oms_external_ref": draft.external_id,
            "client_order_ref": draft.name,
            "oms_payment_state": PAYMENT_STATES.get(draft.payment_status, "pending"),
            "oms_fraud_score": max(
                (FRAUD_SCORES.get(h.level, 0.0) for h in draft.fraud_hints), default=0.0
            ),
            "note": draft.note or False,
            "order_line": [(0, 0, line) for line in lines],
        }
        if channel.pricelist_id and channel.pricelist_id.currency_id == currency:
            values["pricelist_id"] = channel.pricelist_id.id
        else:
            values["pricelist_id"] = self._oms_pricelist(env, company, currency).id
        if channel.warehouse_id:
            values["warehouse_id"] = channel.warehouse_id.id
        if channel.team_id:
            values["team_id"] = channel.team_id.id
        if draft.created_at:
            values["date_order"] = draft.created_at.replace(tzinfo=None)
        if draft.updated_at:
            values["oms_channel_updated_at"] = draft.updated_at.replace(tzinfo=None)
        order = env["sale.order"].with_context(oms_skip_holds=True).create(values)
        holds = []
        for sku in unknown:
            holds.append(
                _(
                    "Unknown product: no product has the SKU or barcode “%s”. Create it or "
                    "map the line, then release.",
                    sku,
                )
            )
        expected = float(Decimal(draft.totals.total))
        # Channels round taxes their own way: a cent apart is the same total.
        if float_compare(abs(order.amount_total - expected), 0.01, precision_digits=6) > 0:
            holds.append(
                _(
                    "Total mismatch: the channel says %(channel)s, Odoo computes %(odoo)s. "
                    "Check the taxes and discounts, then release.",
                    channel=f"{expected:.2f} {draft.currency}",
                    odoo=f"{order.amount_total:.2f} {draft.currency}",
                )
            )
        if holds:
            env["oms.order.hold"].create(
                [
                    {"order_id": order.id, "hold_type": "manual_review", "reason": reason}
                    for reason in holds
                ]
            )
        order._oms_submit()
        return order

    def _oms_apply_draft_update(self, draft):
        """Apply a newer version of the order: a cancellation, a new delivery
        address. Returns False when the draft is not newer (stale)."""
        self.ensure_one()
        updated = draft.updated_at.replace(tzinfo=None) if draft.updated_at else None
        if not updated or (self.oms_channel_updated_at and updated <= self.oms_channel_updated_at):
            return False
        order = self.sudo()
        shipped = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        order.with_context(oms_skip_holds=True).oms_channel_updated_at = updated
        if draft.cancelled and order.state != "cancel":
            reason = draft.cancel_reason or _("no reason given")
            if shipped:
                self.env["oms.order.hold"].sudo().create(
                    {
                        "order_id": order.id,
                        "hold_type": "manual_review",
                        "reason": _(
                            "Cancelled in the channel (%s) after something shipped: "
                            "decide with the customer (return, refund).",
                            reason,
                        ),
                    }
                )
            else:
                order._oms_log_event("note", _("Cancelled in the channel"), reason=reason)
                order._action_cancel()
            return True
        if draft.shipping_address and not shipped and order.state != "cancel":
            env = order.env
            vals = self._oms_address_vals(env, draft.shipping_address)
            current = order.partner_shipping_id
            if not self._oms_same_address(current, vals):
                address = env["res.partner"].create(
                    {
                        **vals,
                        "parent_id": order.partner_id.id,
                        "type": "delivery",
                        "name": draft.shipping_address.name or order.partner_id.name,
                    }
                )
                order.partner_shipping_id = address
                order._oms_log_event(
                    "note",
                    _("Delivery address changed in the channel"),
                    reason=address.contact_address,
                )
        return True

    @api.model
    def _oms_pricelist(self, env, company, currency):
        pricelist = env["product.pricelist"].search(
            [("currency_id", "=", currency.id), ("company_id", "in", (company.id, False))],
            limit=1,
        )
        return pricelist or env["product.pricelist"].create(
            {
                "name": f"Channel orders ({currency.name})",
                "currency_id": currency.id,
                "company_id": company.id,
            }
        )

    @api.model
    def _oms_customer(self, env, company, draft):
        """The customer (same email, or same phone and postcode, in the company),
        created when new, and its delivery address."""
        Partner = env["res.partner"]
        billing = draft.billing_address or draft.shipping_address
        ship = draft.shipping_address or billing
        company_domain = [("company_id", "in", (company.id, False)), ("parent_id", "=", False)]
        partner = Partner
        if draft.email:
            partner = Partner.search([*company_domain, ("email", "=ilike", draft.email)], limit=1)
        phone = draft.phone or (billing.phone if billing else "")
        if not partner and phone and ship and ship.zip:
            partner = Partner.search(
                [*company_domain, ("phone", "=", phone), ("zip", "=", ship.zip)], limit=1
            )
        if not partner:
            partner = Partner.create(
                {
                    **self._oms_address_vals(env, billing),
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
            vals = self._oms_address_vals(env, ship)
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
    def _oms_address_vals(self, env, address):
        if not address:
            return {}
        country = (
            env["res.country"].search([("code", "=", address.country_code.upper())], limit=1)
            if address.country_code
            else False
        )
        state = False
        if country and address.state_code:
            state = env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", address.state_code)], limit=1
            )
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id if country else False,
            "state_id": state.id if state else False,
        }

    @api.model
    def _oms_order_lines(self, env, company, draft):
        """Order line values, and the SKUs no product matches."""
        Product = env["product.product"]
        lines, unknown = [], []
        for line in draft.lines:
            product = (
                Product.search([("default_code", "=", line.sku)], limit=1) if line.sku else Product
            )
            if not product and line.sku:
                product = Product.search([("barcode", "=", line.sku)], limit=1)
            if not product:
                unknown.append(line.sku or line.name)
                lines.append(
                    {
                        "display_type": "line_note",
                        "name": _(
                            "%(qty)s x %(name)s (SKU %(sku)s, %(price)s each): no such product",
                            qty=line.quantity,
                            name=line.name,
                            sku=line.sku,
                            price=line.unit_price,
                        ),
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
                    "tax_id": [(6, 0, self._oms_taxes(env, company, draft, line.taxes).ids)],
                }
            )
        extras = [(s.title or s.method, s.subtotal, s.taxes) for s in draft.shipping_lines]
        extras += [(f.name, f.amount, f.taxes) for f in draft.fees]
        extras += [(d.code or _("Discount"), -d.amount, ()) for d in draft.order_discounts]
        if extras:
            service = env.ref("oms_channels.product_channel_charge").product_variant_id
            for name, amount, taxes in extras:
                lines.append(
                    {
                        "product_id": service.id,
                        "name": name,
                        "product_uom_qty": 1,
                        "price_unit": float(amount),
                        "tax_id": [(6, 0, self._oms_taxes(env, company, draft, taxes).ids)],
                    }
                )
        return lines, unknown

    @api.model
    def _oms_taxes(self, env, company, draft, tax_lines):
        """Odoo sales taxes of the company matching the channel's rates and its
        taxes-included setting."""
        taxes = env["account.tax"]
        for tax_line in tax_lines:
            if tax_line.rate is None:
                continue
            percent = float(tax_line.rate * 100)
            taxes |= env["account.tax"].search(
                [
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("company_id", "=", company.id),
                    ("price_include", "=", draft.taxes_included),
                    ("amount", ">=", percent - 0.0001),
                    ("amount", "<=", percent + 0.0001),
                ],
                limit=1,
            )
        return taxes
