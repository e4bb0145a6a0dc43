"""Routing in Odoo: released orders confirmed in one batch over many sources.

Issue 5 asks that routing 1,000 released orders reads stock in bulk, with a
constant number of queries per order whatever the number of sources. This script,
in the test database and in one transaction rolled back at the end, makes
``--sources`` warehouses (each a routing source with stock of every product) and
``--orders`` orders of 3 lines, then confirms them all at once (holds, routing,
procurement, deliveries) and prints:

- the routing snapshot (orders, sources, free stock) read for the whole batch:
  its queries, whatever the number of sources;
- the whole confirmation: orders per second and queries per order.

Run it after ``make pytest`` has built the test database, once per number of
sources:

    .venv/bin/python bench/routing_odoo.py --sources 5 --orders 1000
    .venv/bin/python bench/routing_odoo.py --sources 50 --orders 1000
"""

import argparse
import os
import sys
import time
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api

ROOT = Path(__file__).resolve().parent.parent


def setup(env, sources, orders):
    env["oms.hold.rule"].search([]).active = False
    env["oms.routing.source"].search([]).active = False
    products = env["product.product"].create(
        [
            {"name": f"Routing bench {i}", "is_storable": True, "list_price": 10 + i, "weight": 1}
            for i in range(3)
        ]
    )
    run = str(int(time.time()))[-4:]
    made = env["oms.routing.source"]
    for index in range(sources):
        warehouse = env["stock.warehouse"].create(
            {"name": f"Bench WH {run}-{index}", "code": f"B{index:03d}"[-5:]}
        )
        for product in products:
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 10 * orders
            )
        made |= env["oms.routing.source"].create(
            {
                "warehouse_id": warehouse.id,
                "latitude": 45 + index * 0.1,
                "longitude": 4 + index * 0.1,
                "cost_per_shipment": 2,
            }
        )
    env["oms.routing.strategy"].search([("is_default", "=", True)]).is_default = False
    env["oms.routing.strategy"].create({"name": "Bench", "is_default": True})
    partner = env["res.partner"].create(
        {
            "name": "Bench customer",
            "street": "Rue 1",
            "city": "Lyon",
            "zip": "69001",
            "country_id": env.ref("base.fr").id,
            "partner_latitude": 45.76,
            "partner_longitude": 4.84,
        }
    )
    batch = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 1}) for product in products
                ],
            }
            for _i in range(orders)
        ]
    )
    env.flush_all()
    return batch, made


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--orders", type=int, default=1000)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", str(ROOT / ".local" / "odoo-test.conf"), "--log-level=warn"]
    )
    db = os.environ.get("OMS_TEST_DB", odoo.tools.config["db_name"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "oms_no_mail": True})
        began = time.perf_counter()
        orders, sources = setup(env, args.sources, args.orders)
        took = time.perf_counter() - began
        print(f"setup: {args.sources} sources, {args.orders} orders in {took:.0f} s")
        strategy = env["oms.routing.strategy"].search([("is_default", "=", True)])
        env.invalidate_all()
        start = cr.sql_log_count
        snapshot = orders._oms_routing_snapshot(sources, strategy)
        snapshot_queries = cr.sql_log_count - start
        print(
            f"routing snapshot of {len(snapshot.orders)} orders over "
            f"{len(snapshot.sources)} sources: {snapshot_queries} queries"
        )
        env.invalidate_all()
        start, began = cr.sql_log_count, time.perf_counter()
        orders.action_confirm()
        env.flush_all()
        seconds = time.perf_counter() - began
        queries = cr.sql_log_count - start
        routed = orders.filtered("oms_routing_decision_ids")
        deliveries = orders.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        print(
            f"confirmation of {len(orders)} orders ({len(routed)} routed, "
            f"{len(deliveries)} deliveries): {len(orders) / seconds:.1f} orders/s, "
            f"{queries / len(orders):.1f} queries per order"
        )
        cr.rollback()
        return 0


if __name__ == "__main__":
    sys.exit(main())
