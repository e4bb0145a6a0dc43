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
