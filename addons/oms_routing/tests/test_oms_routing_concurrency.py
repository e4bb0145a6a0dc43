"""Two orders routed at the same moment for the last unit, in two real transactions.

The routing locks the quants it reads: the second transaction waits for the first,
then fails to serialize and is retried, as Odoo retries a request or a job; on
retry it sees the unit gone and routes to the next source. This test commits its
data and removes it afterwards (BaseCase with its own cursors).
"""

import threading
import uuid

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestRoutingConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            self.rules = env["oms.hold.rule"].search([]).filtered("active")
            self.rules.active = False
            # Warehouses are only archived afterwards: new names and codes each run.
            run = uuid.uuid4().hex[:3].upper()
            self.wh_a = env["stock.warehouse"].create({"name": f"Race A {run}", "code": f"A{run}"})
            self.wh_b = env["stock.warehouse"].create({"name": f"Race B {run}", "code": f"B{run}"})
            self.codes = sorted((self.wh_a.code, self.wh_b.code))
            self.product = env["product.product"].create({"name": "Last unit", "is_storable": True})
            for warehouse, quantity in ((self.wh_a, 1), (self.wh_b, 5)):
                env["stock.quant"]._update_available_quantity(
                    self.product, warehouse.lot_stock_id, quantity
                )
            self.sources = env["oms.routing.source"].create(
                [
                    {"warehouse_id": self.wh_a.id, "rank": 1},
                    {"warehouse_id": self.wh_b.id, "rank": 2},
                ]
            )
            # Other sources of the database stay out of this race.
            self.others = env["oms.routing.source"].search([("id", "not in", self.sources.ids)])
            self.others.active = False
            self.partner = env["res.partner"].create({"name": "Racer"})
            self.orders = env["sale.order"].create(
                [
                    {
                        "partner_id": self.partner.id,
                        "order_line": [(0, 0, {"product_id": self.product.id})],
                    }
                    for _index in range(2)
                ]
            )
            self.ids = {
                "orders": self.orders.ids,
                "warehouses": (self.wh_a | self.wh_b).ids,
                "sources": self.sources.ids,
                "others": self.others.ids,
                "rules": self.rules.ids,
                "product": self.product.id,
                "partner": self.partner.id,
            }
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            orders = env["sale.order"].browse(self.ids["orders"])
            orders._action_cancel()
            pickings = orders.picking_ids
            pickings.move_ids.move_line_ids.unlink()
            pickings.move_ids.unlink()
            pickings.unlink()
            orders.unlink()
            env["oms.routing.source"].browse(self.ids["sources"]).unlink()
            env["oms.routing.source"].browse(self.ids["others"]).active = True
            env["oms.hold.rule"].browse(self.ids["rules"]).active = True
            env["stock.quant"].search([("product_id", "=", self.ids["product"])]).unlink()
            env["product.product"].browse(self.ids["product"]).unlink()
            for warehouse in env["stock.warehouse"].browse(self.ids["warehouses"]):
                warehouse.active = False
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _confirm(self, order_id, barrier, outcome):
        threading.current_thread().testing = True
        for attempt in range(3):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                    if attempt == 0:
                        barrier.wait(timeout=30)
                    env["sale.order"].browse(order_id).action_confirm()
                    env.flush_all()
                outcome[order_id] = attempt
                return
            except SerializationFailure:
                continue  # what Odoo does with a request or a job: try again
        outcome[order_id] = "failed"

    @mute_logger("odoo.sql_db")
    def test_exactly_one_order_gets_the_last_unit(self):
        barrier = threading.Barrier(2)
        outcome = {}
        threads = [
            threading.Thread(target=self._confirm, args=(order_id, barrier, outcome))
            for order_id in self.ids["orders"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertNotIn("failed", outcome.values(), outcome)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.ids["orders"])
            warehouses = sorted(
                order.picking_ids.picking_type_id.warehouse_id.code for order in orders
            )
            self.assertEqual(warehouses, self.codes, "one got the last unit, one the next")
            reserved = orders.picking_ids.move_ids.mapped("quantity")
            self.assertEqual(reserved, [1.0, 1.0])
