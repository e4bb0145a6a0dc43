"""Two workers capturing orders at the same moment.

These tests need real, separate transactions: they commit their data and remove
it afterwards, so they use BaseCase and their own cursors instead of the single
rolled-back transaction of TransactionCase.
"""

import threading

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged

WORKERS = 2
ROUNDS = 5


@tagged("post_install", "-at_install")
class TestConcurrentCapture(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            self.partner_id = (
                env["res.partner"]
                .create(
                    {
                        "name": "Concurrent Customer",
                        "street": "Main St 1",
                        "city": "Springfield",
                        "zip": "1000",
                        "country_id": env.ref("base.be").id,
                    }
                )
                .id
            )
            self.product_id = env["product.product"].create({"name": "Concurrent mug"}).id
        self.order_ids = []
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            orders = env["sale.order"].browse(self.order_ids).exists()
            orders.filtered(lambda o: o.state != "cancel")._action_cancel()
            pickings = orders.picking_ids
            pickings.move_ids.unlink()
            pickings.unlink()
            orders.unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _capture(self, barrier, errors, fraud_score):
        threading.current_thread().testing = True
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                barrier.wait(timeout=30)
                order = env["sale.order"].create(
                    {
                        "partner_id": self.partner_id,
                        "oms_fraud_score": fraud_score,
                        "order_line": [(0, 0, {"product_id": self.product_id})],
                    }
                )
                order._oms_submit()
                env.flush_all()
                self.order_ids.append(order.id)
        except Exception as error:
            errors.append(error)

    def test_two_workers_capture_held_orders_at_once(self):
        errors = []
        for _round in range(ROUNDS):
            barrier = threading.Barrier(WORKERS)
            threads = [
                threading.Thread(target=self._capture, args=(barrier, errors, 90))
                for _worker in range(WORKERS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertEqual(errors, [], "no deadlock, no serialization failure")
        self.assertEqual(len(self.order_ids), WORKERS * ROUNDS)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.order_ids)
            self.assertEqual(set(orders.mapped("oms_stage")), {"on_hold"})
            for order in orders:
                self.assertEqual(len(order.oms_hold_ids), 1, order.name)
                self.assertEqual(order.oms_hold_ids.hold_type, "fraud")

    def test_two_workers_capture_and_confirm_at_once(self):
        errors = []
        for _round in range(ROUNDS):
            barrier = threading.Barrier(WORKERS)
            threads = [
                threading.Thread(target=self._capture, args=(barrier, errors, score))
                for score in (90, 10)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertEqual(errors, [], "no deadlock, no serialization failure")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.order_ids)
            held = orders.filtered(lambda o: o.oms_stage == "on_hold")
            self.assertEqual(len(held), ROUNDS)
            self.assertEqual(set((orders - held).mapped("state")), {"sale"})
