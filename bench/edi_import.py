"""Importing a wholesale EDI interchange: a retailer's X12 850 of 5,000 lines.

One interchange holds one purchase order per store of a retailer (100 stores,
50 lines each, a ship-to per store): it is dropped in the channel's folder,
read by the pull (envelope checks, products matched, one inbox record per order,
the 997 prepared) and imported by the jobs the pull queued, run as the job
runner would (in this process, one after the other). In the same run, the
Shopify import of bench/channels_import.py brings the same number of lines
(1,250 orders of 4 lines) through its pipeline. Each run is in its own
transaction, rolled back at the end.

    make pytest ARGS=addons/oms_channels/tests/test_oms_channels_install.py  # builds the DB
    .venv/bin/python bench/edi_import.py [--stores 100] [--lines 50]
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from channels_import import pull_and_import, run_pipeline, setup  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

from tests.simulators.shopify import CATALOGUE, ShopifySimulator, generate_orders  # noqa: E402

PARTNER, US = "BENCHRETAIL", "OMSBENCH"


def interchange(stores, lines):
    """The 850 interchange: a purchase order per store, ``lines`` lines each."""
    from odoo.addons.oms_channels.channel_edi import x12  # noqa: PLC0415

    envelope = x12.Envelope("ZZ", PARTNER, "ZZ", US, PARTNER, US)
    sets = []
    for store in range(1, stores + 1):
        code = f"{store:04d}"
        body = [
            ["BEG", "00", "SA", f"BENCH-PO-{code}", "", "20261205"],
            ["N1", "ST", f"BENCH STORE {code}", "92", code],
            ["N3", f"{store} Market Street"],
            ["N4", "Saint Paul", "MN", "55101", "US"],
        ]
        for number in range(1, lines + 1):
            sku, _title, _variant, price, _item = CATALOGUE[(store + number) % len(CATALOGUE)]
            body.append(["PO1", str(number), str(1 + number % 5), "EA", price, "", "VN", sku])
        body.append(["CTT", str(lines)])
        sets.append(body)
    return x12.write_interchange(envelope, "850", "PO", sets, 1)


def run_edi(env, text):
    root = tempfile.mkdtemp(prefix="oms-bench-edi-")
    try:
        drop = os.path.join(root, "in")
        os.makedirs(drop)
        Path(drop, "bench_850.edi").write_text(text)
        retailer = env["res.partner"].create({"name": "Bench Retail", "is_company": True})
        channel = env["oms.channel"].create(
            {
                "name": "Bench EDI",
                "channel_type": "edi",
                "edi_sender_id": PARTNER,
                "edi_receiver_id": US,
                "edi_inbox_path": drop,
                "edi_outbox_path": os.path.join(root, "out"),
                "edi_partner_id": retailer.id,
            }
        )
        elapsed, pulled, queries, jobs = pull_and_import(env, channel)
        orders = env["sale.order"].search([("oms_channel_id", "=", channel.id)])
        confirmed = orders.filtered(lambda o: o.state == "sale")
        lines = sum(len(o.order_line) for o in orders)
        errors = channel.inbox_ids.filtered(lambda r: r.state == "error")
        return len(orders), len(confirmed), lines, elapsed, pulled, queries, jobs, errors
    finally:
        shutil.rmtree(root, True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--shopify-lines", type=int, default=4)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", str(ROOT / ".local" / "odoo-test.conf"), "--log-level=warn"]
    )
    db = os.environ.get("OMS_TEST_DB", odoo.tools.config["db_name"])
    registry = odoo.modules.registry.Registry(db)
    context = {"tracking_disable": True, "oms_no_mail": True}
    total_lines = args.stores * args.lines
    text = interchange(args.stores, args.lines)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, context)
        setup(env)
        env.flush_all()
        made, confirmed, lines, edi_time, pulled, edi_queries, jobs, errors = run_edi(env, text)
        cr.rollback()
    shopify_orders = -(-total_lines // args.shopify_lines)
    payloads = generate_orders(shopify_orders, seed=2024, lines=args.shopify_lines)
    with ShopifySimulator(bucket_size=400, leak_rate=200) as sim, registry.cursor() as cr:
        sim.add_orders(payloads)
        env = api.Environment(cr, SUPERUSER_ID, context)
        setup(env)
        env.flush_all()
        s_made, s_confirmed, s_time, s_queries, s_jobs = run_pipeline(env, sim)
        cr.rollback()
    print(f"database: {db}")
    print(
        f"EDI X12 850: {args.stores} purchase orders of {args.lines} lines "
        f"({total_lines} lines, {len(text) // 1024} KiB) in one interchange"
    )
    if errors:
        print(f"  in error: {errors.mapped('error_message')[:3]}")
    print(
        f"  {made} orders ({confirmed} confirmed, {lines} lines) in {edi_time:.1f} s "
        f"(pull {pulled:.1f} s) = {made / edi_time:.2f} orders/s, "
        f"{lines / edi_time:.0f} lines/s, {edi_queries / max(made, 1):.0f} queries/order, "
        f"{jobs} jobs"
    )
    print(
        f"Shopify pipeline, same lines: {s_made} orders of {args.shopify_lines} lines "
        f"({s_confirmed} confirmed) in {s_time:.1f} s = {s_made / s_time:.2f} orders/s, "
        f"{s_made * args.shopify_lines / s_time:.0f} lines/s, "
        f"{s_queries / max(s_made, 1):.0f} queries/order, {s_jobs} jobs"
    )
    print(
        f"lines/s, EDI / Shopify: {(lines / edi_time) / (s_made * args.shopify_lines / s_time):.2f}"
    )


if __name__ == "__main__":
    main()
