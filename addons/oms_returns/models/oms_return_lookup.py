import re
from datetime import timedelta

from odoo import api, fields, models

MAX_ATTEMPTS = 10
WINDOW = timedelta(minutes=15)


class OmsReturnLookup(models.TransientModel):
    """A guest's attempt to find an order to return (kept a while for rate limits)."""

    _name = "oms.return.lookup"
    _description = "Guest Return Lookup"
    _transient_max_hours = 2.0

    address = fields.Char(index=True)
    found = fields.Boolean()

    @api.model
    def _oms_too_many(self, address):
        since = fields.Datetime.now() - WINDOW
        return (
            self.search_count([("address", "=", address), ("create_date", ">=", since)])
            >= MAX_ATTEMPTS
        )

    @api.model
    def _oms_find_order(self, reference, contact):
        """The confirmed order with this reference whose customer has this email, or
        whose delivery address has this postcode; an empty recordset otherwise."""
        reference = (reference or "").strip()
        contact = (contact or "").strip()
        if not reference or not contact:
            return self.env["sale.order"]
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("state", "=", "sale"),
                    "|",
                    ("name", "=ilike", reference),
                    ("client_order_ref", "=ilike", reference),
                ],
                limit=5,
            )
        )
        wanted_zip = _postcode(contact)
        for order in orders:
            email = (order.partner_id.email or "").strip().lower()
            if email and email == contact.lower():
                return order
            if wanted_zip and _postcode(order.partner_shipping_id.zip) == wanted_zip:
                return order
        return self.env["sale.order"]


def _postcode(value):
    return re.sub(r"[\s-]", "", (value or "").upper())
