"""How fast `make serve` drains a burst of channel orders, with 1 and 2 job workers.

Issue 23 point 6 backs its capacity model (docs/scaling.md) with this run. For
each ``--workers`` count, on a fresh copy of a database with the OMS addons
(``--template``: the test database by default), it starts ``scripts/serve.sh``,
sets up a webhook-only Shopify channel with its catalogue in stock (over
XML-RPC), holds the job runner (SIGSTOP), sends ``--orders`` signed Shopify
``orders/create`` webhooks, lets the runner go and waits until every order is
imported, confirmed or held, and every job it led to (payments, stock pushes)
is done. It prints, per run:

- orders drained a second (from the runner's release to the last job done);
- CPU milliseconds per order of the Odoo processes and of PostgreSQL's backends
  (from ``/proc``, user + system);
- bytes of WAL PostgreSQL wrote per order (``pg_current_wal_lsn``), the
  write volume a replica or a backup has to follow;
- rows inserted and updated per order, and jobs per order.

    .venv/bin/python bench/drain.py --template oms_test --orders 300 --workers 1 2
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import xmlrpc.client  # noqa: E402

from bench.soak import Rpc, Served, query  # noqa: E402
from tests.simulators.shopify import CATALOGUE, ShopifySimulator, generate_orders  # noqa: E402

SECRET = "drain-webhook-secret"

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", default="oms_test", help="a database with the addons")
    parser.add_argument("--db", default="oms_drain")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--http-port", type=int, default=8279)
    parser.add_argument("--timeout", type=float, default=1800)
    return parser.parse_args(argv)


def shell(command):
    subprocess.run(
        ["bash", "-c", f"source scripts/common.sh; source scripts/db.sh; {command}"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def postgres_pids(db):
    return [pid for (pid,) in query(db, "SELECT pid FROM pg_stat_activity WHERE datname = %s", db)]


def counters(db, served):
    (row,) = query(
        db,
        "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, tup_inserted, tup_updated "
        "FROM pg_stat_database WHERE datname = current_database()",
    )
    return {
        "wal": int(row[0]),
        "inserted": row[1],
        "updated": row[2],
        "odoo_cpu": cpu_seconds(served.odoo_pids()),
        "time": time.monotonic(),
    }


def drained(db, channel, count):
    """Every order of the burst out of the inbox, and no job due left."""
    (row,) = query(
        db,
        "SELECT (SELECT count(*) FROM oms_channel_inbox WHERE channel_id = %s "
        "AND state <> 'received'), (SELECT count(*) FROM queue_job WHERE state IN "
        "('pending', 'enqueued', 'started') AND (eta IS NULL OR eta < (now() AT TIME ZONE "
        "'utc') + interval '1 minute'))",
        channel,
    )
    return row[0] >= count and row[1] == 0


def shop(rpc):
    """A webhook-only Shopify channel selling the simulator's catalogue, in stock."""
    rpc(
        "res.currency",
        "write",
        rpc("res.currency", "search", [("name", "=", "EUR")], context={"active_test": False}),
        {"active": True},
    )
    channel = rpc(
        "oms.channel",
        "create",
        {"name": "Shopify (drain)", "channel_type": "shopify", "webhook_secret": SECRET},
    )
    products = [
        rpc(
            "product.product",
            "create",
            {
                "name": f"{title} {variant}",
                "default_code": sku,
                "is_storable": True,
                "list_price": float(price),
            },
        )
        for sku, title, variant, price, _item in CATALOGUE
    ]
    (warehouse,) = rpc("stock.warehouse", "search_read", [], ["lot_stock_id"], limit=1)
    quants = rpc(
        "stock.quant",
        "create",
        [
            {
                "product_id": p,
                "location_id": warehouse["lot_stock_id"][0],
                "inventory_quantity": 100000,
            }
            for p in products
        ],
        context={"inventory_mode": True},
    )
    try:
        rpc(
            "stock.quant",
            "action_apply_inventory",
            quants,
            context={"set_inventory_quantity_auto_apply": True},
        )
    except xmlrpc.client.Fault as fault:
        if "cannot marshal None" not in fault.faultString:
            raise
    return channel


def one_run(args, workers):
    shell(f'drop_db "{args.db}"; copy_db "{args.template}" "{args.db}"')
    shell(f'cp "$OMS_LOCAL/addons-{args.template}.stamp" "$OMS_LOCAL/addons-{args.db}.stamp"')
    run_args = argparse.Namespace(db=args.db, http_port=args.http_port)
    served = Served(run_args, workers=workers, cron_workers=0)
    served.start()
    sender = ShopifySimulator(webhook_secret=SECRET)  # only signs and posts webhooks
    try:
        channel = shop(Rpc(served.url, args.db))
        (before_jobs,) = query(args.db, "SELECT count(*) FROM queue_job")[0]
        orders = generate_orders(args.orders, seed=23, start_id=480000000, start_number=80000)
        runner_pid = ROOT / ".local" / f"odoo-serve-jobrunner-{args.db}.pid"
        runner = int(runner_pid.read_text())
        os.kill(runner, signal.SIGSTOP)
        try:
            url = f"{served.url}/oms/channels/{channel}/webhook"
            for order in orders:
                response = sender.post_webhook(url, "orders/create", order)
                response.raise_for_status()
            start = counters(args.db, served)
            pg_cpu_start = cpu_seconds(postgres_pids(args.db))
        finally:
            os.kill(runner, signal.SIGCONT)
        deadline = time.monotonic() + args.timeout
        while not drained(args.db, channel, args.orders):
            if time.monotonic() > deadline:
                raise SystemExit("not drained in time")
            time.sleep(1)
        end = counters(args.db, served)
        pg_cpu = cpu_seconds(postgres_pids(args.db)) - pg_cpu_start
        (jobs,) = query(args.db, "SELECT count(*) FROM queue_job")[0]
    finally:
        served.stop()
    seconds = end["time"] - start["time"]
    n = args.orders
    odoo_ms = 1000 * (end["odoo_cpu"] - start["odoo_cpu"]) / n
    print(
        f"drain: {workers} job worker(s), {n} orders in {seconds:.1f} s: "
        f"{n / seconds:.2f} orders/s; CPU per order: Odoo {odoo_ms:.0f} ms, "
        f"PostgreSQL backends {1000 * pg_cpu / n:.0f} ms (those alive at the end); "
        f"WAL {(end['wal'] - start['wal']) / n / 1024:.1f} KiB/order; rows inserted "
        f"{(end['inserted'] - start['inserted']) / n:.0f}, updated "
        f"{(end['updated'] - start['updated']) / n:.0f} per order; "
        f"{(jobs - before_jobs) / n:.2f} jobs per order",
        flush=True,
    )


def main(argv=None):
    args = parse_args(argv)
    try:
        for workers in args.workers:
            one_run(args, workers)
    finally:
        shell(f'drop_db "{args.db}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
