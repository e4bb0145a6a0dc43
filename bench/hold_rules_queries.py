"""Queries spent evaluating the hold rules on captured orders.

Issue: evaluating all active rules on a captured order must cost a bounded number
of queries, independent of how many orders the rules match elsewhere. This script
measures, in the test database, the queries of ``_oms_evaluate_holds`` for

- one order, with 1 000 other open orders that the same rules match;
- one order, with 5 and with 50 active rules;
- a batch of 100 orders at once (queries per order).

Everything runs in one transaction that is rolled back: the database is left as
it was. Run it with the project's virtualenv after ``make pytest`` has built the
test database:

    .venv/bin/python bench/hold_rules_queries.py
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def counting(cr):
    start = cr.sql_log_count
    counter = {}
    yield counter
    counter["queries"] = cr.sql_log_count - start


def make_orders(env, count, **values):
    partner = env["res.partner"].create(
        {
            "name": "Bench",
            "street": "s",
            "city": "c",
            "zip": "1000",
            "country_id": env.ref("base.be").id,
        }
    )
    product = env["product.product"].create({"name": "Bench product", "list_price": 10})
    orders = (
        env["sale.order"]
        .with_context(oms_skip_holds=True)
        .create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [(0, 0, {"product_id": product.id})],
                    **values,
                }
                for _i in range(count)
            ]
        )
    )
    env.flush_all()
    return orders


def measure(env, orders):
    env.invalidate_all()
    with counting(env.cr) as counter:
        orders._oms_evaluate_holds()
        env.flush_all()
    return counter["queries"]


def main():
    odoo.tools.config.parse_config(
        ["-c", str(ROOT / ".local" / "odoo-test.conf"), "--log-level=warn"]
    )
    db = os.environ.get("OMS_TEST_DB", odoo.tools.config["db_name"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        rules = env["oms.hold.rule"].search([])
        print(f"active rules shipped: {len(rules)}")

        # Orders the fraud rule matches elsewhere must not make one order dearer.
        alone = make_orders(env, 1, oms_fraud_score=90)
        q_alone = measure(env, alone)
        make_orders(env, 1000, oms_fraud_score=90)
        crowded = make_orders(env, 1, oms_fraud_score=90)
        q_crowded = measure(env, crowded)
        print(f"one held order, no other match: {q_alone} queries")
        print(f"one held order, 1000 other orders matching: {q_crowded} queries")

        for total in (5, 50):
            extra = total - len(env["oms.hold.rule"].search([]))
            if extra > 0:
                env["oms.hold.rule"].create(
                    [
                        {
                            "name": f"Bench rule {i}",
                            "hold_type": "other",
                            "domain": f"[('amount_total', '>', {100000 + i})]",
                        }
                        for i in range(extra)
                    ]
                )
            order = make_orders(env, 1, oms_fraud_score=90)
            print(f"one order, {total} active rules: {measure(env, order)} queries")

        batch = make_orders(env, 100, oms_fraud_score=90)
        queries = measure(env, batch)
        print(f"batch of 100 orders, 50 rules: {queries} queries, {queries / 100:.1f} per order")
        cr.rollback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
