import base64
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError


class OmsCarrierPurchaseAttempt(models.Model):
    """The carrier's shipment made for one package of a delivery, kept before its
    label is bought, in a transaction of its own: when the purchase's answer is
    lost and the job rolls back, its retry finds the shipment, reads it back and
    reuses its label instead of buying another (EasyPost sells a shipment's
    postage once; no idempotency header is needed).

    ``key`` names the delivery, the package and the label generation; the
    delivery is referred to by id, without a foreign key, so that the row can be
    committed while the delivery's own transaction is still open.

    Carriers that can be asked nothing back (Swiss Post) keep a ``state``: the
    attempt is *started* before the call, *done* with the label it gave (a retry
    reuses that label), or *unknown* when the answer was lost: the label may exist
    and nobody can ask Swiss Post, so a person looks at the parcel and *releases*
    the attempt before a new label is made.
    """

    _name = "oms.carrier.purchase.attempt"
    _description = "Carrier Purchase Attempt"
    _order = "id desc"

    key = fields.Char(required=True, index=True, readonly=True)
    reference = fields.Char(string="Carrier Shipment", required=True, readonly=True)
    carrier_ref = fields.Integer(string="Carrier ID", readonly=True)
    picking_ref = fields.Integer(string="Delivery ID", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    state = fields.Selection(
        [
            ("started", "Started"),
            ("done", "Label Kept"),
            ("unknown", "Answer Lost"),
            ("released", "Released"),
        ],
        readonly=True,
        index=True,
        help="Swiss Post labels: Answer Lost means the label may have been made; "
        "make sure no parcel carries a label of the delivery that is not on it, then "
        "release the attempt so that a new label is made.",
    )
    label = fields.Binary(attachment=False, readonly=True)
    label_format = fields.Char(readonly=True)
    carrier_id = fields.Many2one("delivery.carrier", compute="_compute_records")
    picking_id = fields.Many2one("stock.picking", string="Delivery", compute="_compute_records")

    _sql_constraints = [
        ("key_uniq", "unique(key)", "One carrier shipment per package and label generation."),
    ]

    def _compute_records(self):
        for attempt in self:
            attempt.carrier_id = self.env["delivery.carrier"].browse(attempt.carrier_ref).exists()
            attempt.picking_id = self.env["stock.picking"].browse(attempt.picking_ref).exists()

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
                    self._oms_company(carrier, picking).id,
                    SUPERUSER_ID,
                    SUPERUSER_ID,
                ),
            )

    @api.model
    def _oms_company(self, carrier, picking):
        return (picking.company_id if picking else carrier.company_id) or self.env.company

    # --- carriers without read-back (Swiss Post) -------------------------------------------
    @api.model
    def _oms_start(self, key, reference, carrier, picking):
        """Start the attempt of ``key`` (committed at once on a cursor of its own)
        unless one is started, done or unknown already: ``None`` when this caller
        may call the carrier, else what is kept (a dict: state, reference, label,
        label_format, create_date). A released attempt starts again."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                INSERT INTO oms_carrier_purchase_attempt
                    (key, reference, carrier_ref, picking_ref, company_id, state,
                     create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, %s, %s, %s, 'started', %s, now() at time zone 'UTC', %s,
                        now() at time zone 'UTC')
                ON CONFLICT (key) DO UPDATE SET state = 'started',
                    reference = EXCLUDED.reference, label = NULL, label_format = NULL,
                    write_date = EXCLUDED.write_date
                    WHERE oms_carrier_purchase_attempt.state = 'released'
                RETURNING id
                """,
                (
                    key,
                    reference,
                    carrier.id,
                    picking.id,
                    self._oms_company(carrier, picking).id,
                    SUPERUSER_ID,
                    SUPERUSER_ID,
                ),
            )
            if cr.fetchone():
                return None
            cr.execute(
                """
                SELECT state, reference, label, label_format, create_date
                  FROM oms_carrier_purchase_attempt WHERE key = %s
                """,
                (key,),
            )
            state, reference, label, label_format, create_date = cr.fetchone()
            if state == "started":
                # Not finished by whoever started it (its answer or its process
                # lost): nobody knows whether the label was made.
                cr.execute(
                    """
                    UPDATE oms_carrier_purchase_attempt
                       SET state = 'unknown', write_date = now() at time zone 'UTC'
                     WHERE key = %s AND state = 'started'
                    """,
                    (key,),
                )
                state = "unknown"
        return {
            "state": state,
            "reference": reference,
            "label": base64.b64decode(bytes(label)) if label else b"",
            "label_format": label_format,
            "create_date": create_date,
        }

    @api.model
    def _oms_finish(self, key, reference, label):
        """The label the carrier made for ``key``, kept at once for a retry."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                UPDATE oms_carrier_purchase_attempt
                   SET state = 'done', reference = %s, label = %s, label_format = %s,
                       write_date = now() at time zone 'UTC'
                 WHERE key = %s
                """,
                (reference, base64.b64encode(label.content), label.format, key),
            )

    @api.model
    def _oms_fail(self, key, label_may_exist):
        """The call of ``key`` failed: unknown when the label may have been made
        (no answer), else forgotten (the carrier refused: nothing was made)."""
        with self.env.registry.cursor() as cr:
            if label_may_exist:
                cr.execute(
                    """
                    UPDATE oms_carrier_purchase_attempt
                       SET state = 'unknown', write_date = now() at time zone 'UTC'
                     WHERE key = %s AND state = 'started'
                    """,
                    (key,),
                )
            else:
                cr.execute(
                    "DELETE FROM oms_carrier_purchase_attempt WHERE key = %s AND state = 'started'",
                    (key,),
                )

    def action_oms_release(self):
        """A person made sure that no parcel carries the label an attempt with a
        lost answer may have made: the next try makes a new label."""
        for attempt in self:
            if attempt.state != "unknown":
                raise UserError(_("Only an attempt whose answer was lost can be released."))
        self.write({"state": "released"})
        for attempt in self.filtered("picking_id"):
            attempt.picking_id.message_post(
                body=_(
                    "Label attempt %(key)s released by %(user)s: the next try makes a new "
                    "label. A label the lost answer may have made must not be used.",
                    key=attempt.key,
                    user=self.env.user.name,
                )
            )
        return True

    @api.autovacuum
    def _gc_oms_old_attempts(self):
        """A label is bought or given up within days: forget attempts after 90."""
        limit = fields.Datetime.now() - timedelta(days=90)
        self.sudo().search([("create_date", "<", limit)]).unlink()
