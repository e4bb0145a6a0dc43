"""Importing channel orders: our pipeline against the naive loop, on the same orders.

Issue 4 asks: import 2,000 orders of 3 lines from the Shopify simulator through the
whole pipeline (pull → inbox → order → holds → confirmed) at least 1.5 times as
fast as the naive loop (``sale.order.create`` + ``action_confirm`` per order, on
the same data), with at most 60 queries per imported order.

Both runs happen in the test database, each in its own transaction that is rolled
back at the end, on their own products, taxes and stock. The pipeline part really pulls
over HTTP from a local Shopify simulator, stores every payload in the inbox, and
runs the import jobs the pull queued, as the job runner would (in this process,
one after the other). The naive loop reads the same payloads already parsed, finds
customers by email and products by SKU from dictionaries made beforehand, and
creates then confirms each order.

    make pytest ARGS=addons/oms_channels/tests/test_oms_channels_install.py  # builds the DB
    .venv/bin/python bench/channels_import.py [--orders 2000] [--lines 3]

Both runs take the batch confirmation of the opt-in addon ``oms_fast_confirm``
when the database has it (the script says so): for the figure with it, run on
a test database built with ``OMS_OPT_ADDONS=oms_fast_confirm make pytest ...``.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

from tests.simulators.shopify import CATALOGUE, ShopifySimulator, generate_orders  # noqa: E402


def setup(env):
    env.ref("base.EUR").active = True
    tax = env["account.tax"].create(
        {
            "name": "Bench VAT 20% included",
            "amount": 20.0,
            "type_tax_use": "sale",
            "price_include_override": "tax_included",
        }
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench {title} {variant}".strip(),
                "default_code": sku,
                "is_storable": True,
                "list_price": float(price),
                "taxes_id": [(6, 0, tax.ids)],
            }
            for sku, title, variant, price, _item in CATALOGUE
        ]
    )
    stock = env.ref("stock.warehouse0").lot_stock_id
    for product in products:
        env["stock.quant"]._update_available_quantity(product, stock, 100000)
    # Orders of this bench must not wait on a person: no fraud or payment holds.
    env["oms.hold.rule"].search([]).active = False
    return tax, {product.default_code: product for product in products}


def run_pipeline(env, sim):
    channel = env["oms.channel"].create(
        {
            "name": "Bench Shopify",
            "channel_type": "shopify",
            "api_base_url": sim.url,
            "allow_insecure_http": True,  # the local simulator
            "shopify_access_token": sim.access_token,
            "stock_push_on_change": False,
        }
    )
    elapsed, _pulled, queries, jobs = pull_and_import(env, channel)
    orders = env["sale.order"].search([("oms_channel_id", "=", channel.id)])
    confirmed = orders.filtered(lambda o: o.state == "sale")
    return len(orders), len(confirmed), elapsed, queries, jobs


def pull_and_import(env, channel):
    """Pull the channel's orders, then run the inbox jobs the pull queued, as
    the job runner would: (seconds in all, seconds of the pull, queries, jobs)."""
    # Odoo finds its addons once the configuration is read: imported here.
    from odoo.addons.queue_job.job import Job  # noqa: PLC0415

    cr = env.cr
    start, queries = time.perf_counter(), cr.sql_log_count
    channel._oms_pull_orders()
    pulled = time.perf_counter() - start
    jobs = env["queue.job"].search(
        [("model_name", "=", "oms.channel.inbox"), ("state", "=", "pending")], order="id"
    )
    for job in jobs:
        Job.load(env, job.uuid).perform()
    env.flush_all()
    return time.perf_counter() - start, pulled, cr.sql_log_count - queries, len(jobs)


def run_naive(env, payloads, tax, products):
    Partner, Order = env["res.partner"], env["sale.order"]
    customers = {}
    cr = env.cr
    start, queries = time.perf_counter(), cr.sql_log_count
    count = 0
    for payload in payloads:
        email = payload["email"]
        partner = customers.get(email) or Partner.search([("email", "=", email)], limit=1)
        if not partner:
            address = payload["shipping_address"]
            partner = Partner.create({"name": address["name"], "email": email})
        customers[email] = partner
        lines = [
            (
                0,
                0,
                {
                    "product_id": products[item["sku"]].id,
                    "product_uom_qty": item["quantity"],
                    "price_unit": float(item["price"]),
                    "tax_id": [(6, 0, tax.ids)],
                },
            )
            for item in payload["line_items"]
        ]
        order = Order.with_context(oms_skip_holds=True).create(
            {"partner_id": partner.id, "client_order_ref": payload["name"], "order_line": lines}
        )
        order.action_confirm()
        count += 1
    env.flush_all()
    return count, time.perf_counter() - start, cr.sql_log_count - queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=3)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", str(ROOT / ".local" / "odoo-test.conf"), "--log-level=warn"]
    )
    db = os.environ.get("OMS_TEST_DB", odoo.tools.config["db_name"])
    registry = odoo.modules.registry.Registry(db)
    payloads = generate_orders(args.orders, seed=2024, lines=args.lines)
    context = {"tracking_disable": True, "oms_no_mail": True}
    # Each run in its own transaction, rolled back: neither sees the other's orders.
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, context)
        tax, products = setup(env)
        env.flush_all()
        naive_count, naive_time, naive_queries = run_naive(env, payloads, tax, products)
        cr.rollback()
    with ShopifySimulator(bucket_size=400, leak_rate=200) as sim, registry.cursor() as cr:
        assert urlsplit(sim.url).hostname == "127.0.0.1"
        sim.add_orders(payloads)
        env = api.Environment(cr, SUPERUSER_ID, context)
        setup(env)
        env.flush_all()
        made, confirmed, pipe_time, pipe_queries, jobs = run_pipeline(env, sim)
        cr.rollback()
    pipe_rate, naive_rate = made / pipe_time, naive_count / naive_time
    fast = sorted(name for name in registry._init_modules if name.startswith("oms_fast_"))
    print(f"database: {db}, opt-in fast paths: {', '.join(fast) or 'none'}")
    print(f"orders: {args.orders} of {args.lines} lines")
    print(
        f"pipeline: {made} orders ({confirmed} confirmed) in {pipe_time:.1f} s "
        f"= {pipe_rate:.1f} orders/s, {pipe_queries / made:.1f} queries/order, {jobs} jobs"
    )
    print(
        f"naive loop: {naive_count} orders in {naive_time:.1f} s "
        f"= {naive_rate:.1f} orders/s, {naive_queries / naive_count:.1f} queries/order"
    )
    print(f"speed-up: {pipe_rate / naive_rate:.2f}x (goal >= 1.5x)")


if __name__ == "__main__":
    main()
