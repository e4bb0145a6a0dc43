import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, email_normalize

MAX_ATTEMPTS = 10
WINDOW = timedelta(minutes=15)


class OmsReturnLookup(models.TransientModel):
    """A guest's attempts to find an order to return, counted per key (the address
    the request came from, the order reference asked for) over a quarter of an
    hour from the first; kept a while for the rate limits."""

    _name = "oms.return.lookup"
    _description = "Guest Return Lookup"
    _transient_max_hours = 2.0

    key = fields.Char(readonly=True)
    window_start = fields.Datetime(readonly=True)
    attempts = fields.Integer(readonly=True)

    _sql_constraints = [("key_uniq", "unique (key)", "One counter per key.")]

    @api.model
    def _oms_count_attempt(self, keys):
        """Count one attempt against each of ``keys``; True when one of them went
        over the limit.

        One statement per key that inserts or increments its counter (a new
        window once the last one is over): two attempts at once cannot both read
        the old count. The second waits for the first's row, then fails to
        serialize, and Odoo runs its request again, which counts on top."""
        too_many = False
        now = fields.Datetime.now()
        for key in keys:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO oms_return_lookup AS lookup
                        (key, window_start, attempts,
                         create_uid, write_uid, create_date, write_date)
                    VALUES (%(key)s, %(now)s, 1, %(uid)s, %(uid)s, %(now)s, %(now)s)
                    ON CONFLICT (key) DO UPDATE SET
                        attempts = CASE WHEN lookup.window_start > %(since)s
                                        THEN lookup.attempts + 1 ELSE 1 END,
                        window_start = CASE WHEN lookup.window_start > %(since)s
                                            THEN lookup.window_start ELSE %(now)s END,
                        write_date = %(now)s
                    RETURNING attempts
                    """,
                    key=key,
                    now=now,
                    since=now - WINDOW,
                    uid=self.env.uid,
                )
            )
            too_many |= self.env.cr.fetchone()[0] > MAX_ATTEMPTS
        return too_many

    @api.model
    def _oms_find_order(self, reference, contact, company):
        """The one confirmed order of ``company`` with exactly this reference (ours or
        the channel's) whose customer has this email, or whose delivery address has
        this postcode; an empty recordset when none or several match.

        Compared exactly: the reference in full (as typed, or in capitals), the
        email once normalised, the postcode without spaces and dashes. No pattern:
        ``%`` and ``_`` are plain characters."""
        Order = self.env["sale.order"].sudo()
        reference = (reference or "").strip()
        contact = (contact or "").strip()
        if not reference or not contact:
            return Order
        references = list({reference, reference.upper()})
        orders = Order.search(
            [
                ("state", "=", "sale"),
                ("company_id", "=", company.id),
                "|",
                ("name", "in", references),
                ("client_order_ref", "in", references),
            ]
        )
        wanted_email = email_normalize(contact)
        wanted_zip = _postcode(contact)
        matching = orders.filtered(
            lambda order: (
                (wanted_email and email_normalize(order.partner_id.email or "") == wanted_email)
                or (wanted_zip and _postcode(order.partner_shipping_id.zip) == wanted_zip)
            )
        )
        return matching if len(matching) == 1 else Order


def _postcode(value):
    return re.sub(r"[\s-]", "", (value or "").upper())
