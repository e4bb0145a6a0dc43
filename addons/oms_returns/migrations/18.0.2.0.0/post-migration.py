"""Requests rejected before ``rejected_date`` existed get one.

``rejected_date`` came in 18.0.1.11.0 (after some databases already ran that
version): a request is rejected from *requested* only, and a rejected request
may then be closed. Requests rejected earlier and closed since have no
``rejected_date`` and a state of *closed*, so their quantities still counted as
taken back. A closed request was either settled or rejected; it was rejected
when its state's tracking says so, when it carries a rejection reason, or when it
shows no trace of ever being approved: no receipt, no quantity received, no
credit note, exchange order or store credit, never settled. Its ``rejected_date``
is the date of the tracked rejection, else its last write.

Post-migration: the column is made by the update of the model.
"""

import logging

from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

TRACKED_REJECTION = """
    SELECT MAX(m.date)
    FROM mail_tracking_value tv
    JOIN mail_message m ON m.id = tv.mail_message_id
    JOIN ir_model_fields f ON f.id = tv.field_id
    WHERE m.model = 'oms.return' AND m.res_id = r.id
      AND f.model = 'oms.return' AND f.name = 'state'
      AND tv.new_value_char = 'Rejected'
"""

NEVER_APPROVED = """
    r.settled_date IS NULL
    AND r.exchange_order_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM stock_picking p WHERE p.oms_return_id = r.id)
    AND NOT EXISTS (SELECT 1 FROM account_move am WHERE am.oms_return_id = r.id)
    AND NOT EXISTS (
        SELECT 1 FROM oms_return_line l
        WHERE l.return_id = r.id AND COALESCE(l.quantity_received, 0) > 0
    )
"""


def set_rejected_dates(cr):
    """Set ``rejected_date`` on requests rejected (closed since or not) that have
    none; returns their ids."""
    never_approved = NEVER_APPROVED
    # The store credit card: oms_returns_loyalty's column since 18.0.3.0.0.
    if column_exists(cr, "oms_return", "loyalty_card_id"):
        never_approved += " AND r.loyalty_card_id IS NULL"
    cr.execute(
        f"""
        UPDATE oms_return r
           SET rejected_date = COALESCE(({TRACKED_REJECTION}), r.write_date, r.create_date)
         WHERE r.rejected_date IS NULL
           AND (
                r.state = 'rejected'
                OR (
                    r.state = 'closed'
                    AND (
                        r.rejection_reason IS NOT NULL
                        OR ({TRACKED_REJECTION}) IS NOT NULL
                        OR ({never_approved})
                    )
                )
           )
        RETURNING r.id
        """
    )
    return [row[0] for row in cr.fetchall()]


def migrate(cr, version):
    if not version:
        return
    ids = set_rejected_dates(cr)
    _logger.info("oms_returns: rejected_date set on %s rejected requests", len(ids))
