from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models


class OmsCarrierPurchaseAttempt(models.Model):
    """The carrier's shipment made for one package of a delivery, kept before its
    label is bought, in a transaction of its own: when the purchase's answer is
    lost and the job rolls back, its retry finds the shipment, reads it back and
    reuses its label instead of buying another (EasyPost sells a shipment's
    postage once; no idempotency header is needed).

    ``key`` names the delivery, the package and the label generation; the
    delivery is referred to by id, without a foreign key, so that the row can be
    committed while the delivery's own transaction is still open.
    """

    _name = "oms.carrier.purchase.attempt"
    _description = "Carrier Purchase Attempt"
    _order = "id desc"

    key = fields.Char(required=True, index=True, readonly=True)
    reference = fields.Char(string="Carrier Shipment", required=True, readonly=True)
    carrier_ref = fields.Integer(string="Carrier ID", readonly=True)
    picking_ref = fields.Integer(string="Delivery ID", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    _sql_constraints = [
        ("key_uniq", "unique(key)", "One carrier shipment per package and label generation."),
    ]

    @api.model
    def _oms_find(self, key):
        """The carrier shipment kept for ``key``, or ''."""
        return self.sudo().search([("key", "=", key)], limit=1).reference or ""

    @api.model
    def _oms_keep(self, key, reference, carrier, picking=None):
        """Keep ``reference`` for ``key`` now, committed at once on a cursor of its
        own, whatever becomes of the caller's transaction."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                INSERT INTO oms_carrier_purchase_attempt
                    (key, reference, carrier_ref, picking_ref, company_id, create_uid,
                     create_date, write_uid, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, now() at time zone 'UTC', %s,
                        now() at time zone 'UTC')
                ON CONFLICT (key) DO UPDATE SET reference = EXCLUDED.reference,
                    write_date = EXCLUDED.write_date
                """,
                (
                    key,
                    reference,
                    carrier.id,
                    picking.id if picking else None,
                    (
                        (picking.company_id if picking else carrier.company_id) or self.env.company
                    ).id,
                    SUPERUSER_ID,
                    SUPERUSER_ID,
                ),
            )

    @api.autovacuum
    def _gc_oms_old_attempts(self):
        """A label is bought or given up within days: forget attempts after 90."""
        limit = fields.Datetime.now() - timedelta(days=90)
        self.sudo().search([("create_date", "<", limit)]).unlink()
