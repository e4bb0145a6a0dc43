"""Two requests for the same sale line at once, with real transactions.

Each transaction sees the other's request only once it has committed, so the
quantity check alone would let both through. These tests commit what they set up
(a second transaction cannot see a rolled-back test transaction) and remove it
afterwards, so they use BaseCase and their own cursors.
"""

import threading

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestConcurrentRequests(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            partner = env["res.partner"].create({"name": "Two Tabs Customer"})
            product = env["product.product"].create({"name": "Two Tabs Mug", "type": "consu"})
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
                }
            )
            self.line_id = order.order_line.id
            self.addCleanup(self._remove, order.id, product.id, partner.id)

    def _remove(self, order_id, product_id, partner_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["sale.order"].browse(order_id).unlink()
            env["product.product"].browse(product_id).unlink()
            env["res.partner"].browse(partner_id).unlink()

    def _line(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})["sale.order.line"].browse(self.line_id)

    @mute_logger("odoo.sql_db")
    def test_the_second_request_for_a_line_runs_again_after_the_first(self):
        first, second = self.registry.cursor(), self.registry.cursor()
        self.addCleanup(first.close)
        self.addCleanup(second.close)
        # The second transaction's snapshot is taken before the first one commits.
        second.execute("SELECT 1")
        self._line(first)._oms_lock_for_return()
        outcome = []

        def take_second():
            try:
                self._line(second)._oms_lock_for_return()
            except SerializationFailure:
                outcome.append("runs again")
            else:
                outcome.append("went through")

        thread = threading.Thread(target=take_second)
        thread.start()
        first.commit()
        thread.join(timeout=30)
        self.assertEqual(outcome, ["runs again"], "as Odoo's retry of the request does")
        second.rollback()
        # Run again, it sees the first request and is checked against it.
        self._line(second)._oms_lock_for_return()
        second.commit()


@tagged("post_install", "-at_install")
class TestConcurrentGuestLookups(BaseCase):
    """Two guest lookups at once from one address: the second cannot read the
    count the first has not committed yet and slip under the limit."""

    key = "address:test-concurrent-lookups"

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM oms_return_lookup WHERE key = %s", [self.key])

    def _count(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})["oms.return.lookup"]._oms_count_attempt(
            [self.key]
        )

    def _attempts(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT attempts FROM oms_return_lookup WHERE key = %s", [self.key])
            return cr.fetchone()[0]

    @mute_logger("odoo.sql_db")
    def test_the_second_lookup_counts_on_top_of_the_first(self):
        with self.registry.cursor() as cr:
            for _attempt in range(9):
                self.assertFalse(self._count(cr))
        first, second = self.registry.cursor(), self.registry.cursor()
        self.addCleanup(first.close)
        self.addCleanup(second.close)
        # The second transaction's snapshot is taken before the first one commits.
        second.execute("SELECT 1")
        self.assertFalse(self._count(first), "the tenth attempt is allowed")
        outcome = []

        def count_second():
            try:
                outcome.append(self._count(second))
            except SerializationFailure:
                outcome.append("runs again")

        thread = threading.Thread(target=count_second)
        thread.start()
        first.commit()
        thread.join(timeout=30)
        self.assertEqual(outcome, ["runs again"], "as Odoo's retry of the request does")
        second.rollback()
        self.assertTrue(self._count(second), "run again, it is the eleventh: refused")
        second.commit()
        self.assertEqual(self._attempts(), 11)


@tagged("post_install", "-at_install")
class TestConcurrentRefunds(BaseCase):
    """A credit note posted by hand and a return's refund of the same paid invoice
    at once: each would see only the credit notes committed before it started, and
    together they could credit (and send back through the provider) more than was
    paid. Both lock the invoice."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            partner = env["res.partner"].create({"name": "Two Refunds Customer"})
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Two refunds", "quantity": 1, "price_unit": 100.0})
                    ],
                }
            )
            invoice.action_post()
            # Paid: a credit note then leaves the invoice's own row untouched.
            wizard = (
                env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({})
            )
            payment = wizard._create_payments()
            self.invoice_id, self.partner_id, self.payment_id = invoice.id, partner.id, payment.id
            self.wizard_id = wizard.id
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["account.payment.register"].browse(self.wizard_id).unlink()
            payment = env["account.payment"].browse(self.payment_id)
            payment.action_draft()
            payment.unlink()
            invoice = env["account.move"].browse(self.invoice_id)
            moves = invoice | invoice.reversal_move_ids
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _credit_by_hand(self, cr, amount):
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        invoice = env["account.move"].browse(self.invoice_id)
        note = env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "reversed_entry_id": invoice.id,
                "invoice_line_ids": [(0, 0, {"name": "Goodwill", "price_unit": amount})],
            }
        )
        note.action_post()
        return note

    def _left_for_a_return(self, cr):
        """What a return's refund sees left of the invoice, after locking it."""
        invoice = api.Environment(cr, SUPERUSER_ID, {})["account.move"].browse(self.invoice_id)
        invoice._oms_lock_for_refund()
        notes = invoice.reversal_move_ids.filtered(lambda move: move.state == "posted")
        return invoice.amount_total - sum(notes.mapped("amount_total"))

    @mute_logger("odoo.sql_db")
    def test_a_return_refund_runs_again_after_a_credit_note_posted_by_hand(self):
        first, second = self.registry.cursor(), self.registry.cursor()
        self.addCleanup(first.close)
        self.addCleanup(second.close)
        # The second transaction's snapshot is taken before the first one commits.
        second.execute("SELECT 1")
        self._credit_by_hand(first, 80.0)
        outcome = []

        def refund_second():
            try:
                outcome.append(self._left_for_a_return(second))
            except SerializationFailure:
                outcome.append("runs again")

        thread = threading.Thread(target=refund_second)
        thread.start()
        first.commit()
        thread.join(timeout=30)
        self.assertEqual(outcome, ["runs again"], "as Odoo's retry of the request does")
        second.rollback()
        self.assertEqual(self._left_for_a_return(second), 20.0, "run again, it sees the 80")
        second.rollback()
