"""Soak: `make serve` under steady, mixed load for a long while, then the books.

Issue 24 point 4. Starts ``scripts/serve.sh`` on a database with the demo data
(``--db``, made by ``make serve`` itself when missing) with the channel and
carrier simulators run by this script on the demo's ports (8181-8187), then for
``--minutes``:

- Shopify and WooCommerce send signed ``orders/create`` / ``order.created``
  webhooks (``--rate`` orders a second between them); each order is also in the
  simulated shop, so the scheduled pulls see it again (the shop's advice against
  missed webhooks: stored once all the same); Amazon's orders come by the pull;
- a person releases held orders (``action_release``) and the warehouse validates
  ready deliveries: labels are bought (EasyPost, UPS...) by the carriers' jobs,
  the channels are told;
- EasyPost sends signed tracking webhooks that move parcels to delivered;
- customers return a delivered item through the portal's return form, as guests
  with the order's link (access token), CSRF token and all.

Then it waits for the job queue to drain and checks the books in the database:
no duplicate order, customer, payment, label or credit note; no negative free
stock; every inbox record in a final state; every shipped channel order told to
its channel; no job failed. It prints the figures and the resident memory of
each Odoo process at the start and at the end (after a warm-up minute).

    .venv/bin/python bench/soak.py --minutes 30

It never runs in ``make test``. ``--keep`` leaves the database for a look.
"""

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import xmlrpc.client
from collections import Counter
from datetime import datetime, timezone
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg2  # noqa: E402

from tests.simulators import __main__ as simulators  # noqa: E402
from tests.simulators import shopify, woocommerce  # noqa: E402
from tests.simulators.easypost import post_event  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--db", default="oms_soak")
    parser.add_argument("--http-port", type=int, default=8269)
    parser.add_argument("--rate", type=float, default=0.5, help="webhook orders a second")
    parser.add_argument("--drain-minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


# --- the served stack ----------------------------------------------------------------------
class Served:
    def __init__(self, args, workers=2, cron_workers=1):
        self.args, self.workers, self.cron_workers = args, workers, cron_workers
        self.url = f"http://127.0.0.1:{args.http_port}"
        self.db = args.db
        self.process = None

    def start(self):
        env = {
            **os.environ,
            "OMS_DB": self.db,
            "OMS_HTTP_PORT": str(self.args.http_port),
            "OMS_WORKERS": "3",
            "OMS_CRON_WORKERS": str(self.cron_workers),
            "OMS_JOB_WORKERS": str(self.workers),
            "OMS_SIMULATORS": "0",
        }
        log = open(ROOT / ".local" / f"soak-{self.db}.out", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "serve.sh")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        pid_file = ROOT / ".local" / f"odoo-serve-jobrunner-{self.db}.pid"
        deadline = time.monotonic() + 1800  # a new database installs the demo first
        while not pid_file.exists():
            if self.process.poll() is not None:
                raise SystemExit(f"make serve stopped: see {log.name}")
            if time.monotonic() > deadline:
                raise SystemExit("make serve did not start in time")
            time.sleep(1)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def odoo_pids(self):
        """Every Odoo process of the stack: the two masters, their workers."""
        masters = []
        for name in ("", "-jobs"):
            path = ROOT / ".local" / f"odoo-serve{name}-{self.db}.pid"
            if path.exists():
                masters.append(int(path.read_text()))
        pids = list(masters)
        for path in Path("/proc").glob("[0-9]*"):
            try:
                status = (path / "status").read_text()
            except OSError:
                continue
            ppid = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
            if ppid in masters:
                pids.append(int(path.name))
        return pids


def rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else None


class Rpc:
    def __init__(self, url, db):
        self.db = db
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(
            db, "admin", "admin", {}
        )
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, "admin", model, method, list(args), kwargs)


def connect(db):
    connection = psycopg2.connect(
        host="127.0.0.1",
        port=os.environ.get("OMS_PG_PORT", "5488"),
        user=os.environ.get("OMS_PG_USER", "oms"),
        password=os.environ.get("OMS_PG_PASSWORD", "oms"),
        dbname=db,
    )
    connection.autocommit = True
    return connection


def query(db, sql, *params):
    with connect(db) as connection, connection.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchall()


# --- the load --------------------------------------------------------------------------------
class Load:
    def __init__(self, served, sims, rpc, seed):
        self.served, self.sims, self.rpc = served, sims, rpc
        self.rng = random.Random(seed)
        self.counts = Counter()
        self.errors = Counter()
        self.channels = {
            kind: rpc("oms.channel", "search", [("channel_type", "=", kind)], limit=1)[0]
            for kind in ("shopify", "woocommerce")
        }
        self.easypost = rpc(
            "delivery.carrier", "search", [("delivery_type", "=", "oms_easypost")], limit=1
        )
        # As a merchant shipping abroad: customs data on every product.
        products = rpc(
            "product.product", "search", [("is_storable", "=", True), ("tracking", "=", "none")]
        )
        country = rpc("res.country", "search", [("code", "=", "DE")], limit=1)
        rpc(
            "product.product",
            "write",
            products,
            {"hs_code": "6109100010", "country_of_origin": country[0] if country else False},
        )
        # Goods received for the soak's orders (the demo's stock is a few units).
        warehouses = rpc("stock.warehouse", "search_read", [], ["lot_stock_id"])
        rpc(
            "stock.quant",
            "create",
            [
                {
                    "product_id": product,
                    "location_id": warehouse["lot_stock_id"][0],
                    "inventory_quantity": 100000,
                }
                for product in products
                for warehouse in warehouses
            ],
            context={"inventory_mode": True},
        )
        quants = rpc(
            "stock.quant",
            "search",
            [("inventory_quantity_set", "=", True), ("product_id", "in", products)],
        )
        # Applied whatever moved meanwhile (imports reserve as it runs): no
        # conflict wizard. It returns nothing, which XML-RPC cannot carry back.
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
        # Only the soak's own orders ship: the demo's were made up, no shop knows them.
        self.since = query(served.db, "SELECT now() AT TIME ZONE 'utc'")[0][0]
        self.returned = set()
        self.tracked = set()
        self.index = 0
        # Order ids of this run only: a kept database has the earlier runs' orders.
        self.base = int(time.time()) % 100_000 * 10_000

    def safely(self, name, action, *args):
        try:
            action(*args)
        except Exception as error:  # counted and reported: the soak goes on
            self.errors[f"{name}: {type(error).__name__}: {str(error)[:120]}"] += 1

    def webhook_order(self):
        self.index += 1
        now = datetime.now(timezone.utc).replace(microsecond=0)
        if self.index % 3:
            (order,) = shopify.generate_orders(
                1,
                seed=50000 + self.index,
                start_id=4_700_000_000 + self.base + self.index,
                start_number=50000 + self.index,
            )
            stamp = now.isoformat()
            order.update(created_at=stamp, updated_at=stamp, processed_at=stamp)
            sim = self.sims["shopify"]
            sim.add_orders([order])
            url = f"{self.served.url}/oms/channels/{self.channels['shopify']}/webhook"
            response = sim.post_webhook(url, "orders/create", order)
            kind = "shopify"
        else:
            (order,) = woocommerce.generate_orders(
                1, seed=60000 + self.index, start_id=self.base + self.index
            )
            stamp = now.replace(tzinfo=None).isoformat()
            for key in ("date_created", "date_created_gmt", "date_modified", "date_modified_gmt"):
                if key in order:
                    order[key] = stamp
            sim = self.sims["woocommerce"]
            sim.add_orders([order])
            url = f"{self.served.url}/oms/channels/{self.channels['woocommerce']}/webhook"
            response = sim.post_webhook(url, "order.created", order)
            kind = "woocommerce"
        if response.status_code != 200:
            raise RuntimeError(f"{kind} webhook answered {response.status_code}")
        self.counts[f"webhook orders sent ({kind})"] += 1

    def release_holds(self, limit=4):
        holds = self.rpc(
            "oms.order.hold",
            "search",
            [("state", "=", "active"), ("order_id.oms_channel_id", "!=", False)],
            limit=limit,
        )
        for hold in holds:
            self.rpc("oms.order.hold", "action_release", [hold], "soak: checked")
            self.counts["holds released"] += 1

    def ship(self, limit=3):
        pickings = self.rpc(
            "stock.picking",
            "search",
            [
                ("picking_type_code", "=", "outgoing"),
                ("state", "in", ("confirmed", "assigned")),
                ("sale_id.oms_channel_id", "!=", False),
                ("sale_id.create_date", ">=", self.since.strftime("%Y-%m-%d %H:%M:%S")),
            ],
            limit=limit,
            order="id",
        )
        for picking in pickings:
            self.rpc("stock.picking", "action_assign", [picking])
            (state,) = self.rpc("stock.picking", "read", [picking], ["state", "move_ids"])
            if state["state"] != "assigned":
                continue
            (carrier,) = self.rpc("stock.picking", "read", [picking], ["carrier_id"])
            if not carrier["carrier_id"]:
                # As the warehouse does: shop the rates, the policy's choice ships.
                self.rpc("stock.picking", "action_oms_shop_rates", [picking])
            self.rpc("stock.move", "write", state["move_ids"], {"picked": True})
            result = self.rpc(
                "stock.picking", "button_validate", [picking], context={"skip_sms": True}
            )
            if isinstance(result, dict):  # a wizard (backorder...): not a full delivery
                self.counts[f"deliveries left to a person ({result.get('res_model')})"] += 1
                continue
            self.counts["deliveries validated"] += 1

    def track(self, limit=4):
        sim = self.sims["easypost"]
        if not self.easypost:
            return
        with sim.lock:
            trackers = [
                (tid, tracker["tracking_code"])
                for tid, tracker in sim.trackers.items()
                if tid not in self.tracked
            ]
        for tracker_id, _code in trackers[:limit]:
            self.tracked.add(tracker_id)
            for status in ("in_transit", "delivered"):
                # Now, not the simulator's fixed calendar of 2025: the return
                # window counts from the delivery.
                moment = datetime.now(timezone.utc).replace(microsecond=0)
                event = sim.advance_tracker(tracker_id, status, moment=moment)
                url = f"{self.served.url}/oms/carriers/{self.easypost[0]}/webhook"
                response = post_event(url, event, self.secret_of_carrier(), timeout=30)
                if response.status_code != 200:
                    raise RuntimeError(f"tracking webhook answered {response.status_code}")
                self.counts[f"tracking webhooks ({status})"] += 1

    def secret_of_carrier(self):
        (row,) = query(
            self.served.db,
            "SELECT oms_webhook_secret FROM delivery_carrier WHERE id = %s",
            self.easypost[0],
        )
        return row[0]

    def portal_return(self):
        """A guest opens the return form of a delivered channel order by its link
        and returns one unit of its first line."""
        orders = self.rpc(
            "sale.order",
            "search_read",
            [
                ("oms_stage", "=", "delivered"),
                ("id", "not in", list(self.returned)),
                ("create_date", ">=", self.since.strftime("%Y-%m-%d %H:%M:%S")),
            ],
            ["id", "access_token"],
            limit=1,
        )
        if not orders:
            return
        order = orders[0]
        self.returned.add(order["id"])
        token = order["access_token"]
        if not token:
            token = f"soak{order['id']}{self.rng.getrandbits(64):x}"
            self.rpc("sale.order", "write", [order["id"]], {"access_token": token})
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        url = f"{self.served.url}/my/orders/{order['id']}/return?access_token={token}"
        page = opener.open(url, timeout=60).read().decode()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        line = re.search(r'name="qty_(\d+)"', page)
        reason = re.search(
            r'name="reason_\d+">\s*<option value="">[^<]*</option>\s*<option value="(\d+)"', page
        )
        if not (csrf and line and reason):
            self.counts["return forms without a returnable line"] += 1
            return
        form = {
            "csrf_token": csrf.group(1),
            f"qty_{line.group(1)}": "1",
            f"reason_{line.group(1)}": reason.group(1),
        }
        opener.open(url, data=urlencode(form).encode(), timeout=60).read()
        self.counts["portal returns posted"] += 1


# --- the books ----------------------------------------------------------------------------------
CHECKS = {
    "duplicate orders (channel, reference)": """
        SELECT count(*) FROM (SELECT 1 FROM sale_order WHERE oms_channel_id IS NOT NULL
        GROUP BY oms_channel_id, oms_external_ref HAVING count(*) > 1) d""",
    "duplicate customers (same email, company, no parent)": """
        SELECT count(*) FROM (SELECT 1 FROM res_partner WHERE email_normalized IS NOT NULL
        AND parent_id IS NULL AND active AND customer_rank > 0
        GROUP BY email_normalized, company_id HAVING count(*) > 1) d""",
    "duplicate channel payments": """
        SELECT count(*) FROM (SELECT 1 FROM account_payment
        WHERE oms_channel_payment_ref IS NOT NULL
        GROUP BY oms_channel_id, oms_channel_payment_ref HAVING count(*) > 1) d""",
    # This run's labels: the simulators number parcels from 1 each time they
    # start, so a kept database holds earlier runs' numbers again.
    "duplicate labels (tracking number)": """
        SELECT count(*) FROM (SELECT 1 FROM oms_carrier_shipment
        WHERE tracking_number IS NOT NULL AND create_date >= %s
        GROUP BY carrier_id, tracking_number HAVING count(*) > 1) d""",
    "duplicate credit notes (channel refund)": """
        SELECT count(*) FROM (SELECT 1 FROM account_move WHERE oms_channel_refund_ref IS NOT NULL
        GROUP BY oms_channel_refund_ref HAVING count(*) > 1) d""",
    # Per product, location, lot, package and owner: Odoo splits a quant another
    # transaction holds locked into a second one (negative, say) and merges them
    # later (stock's scheduler): only their sum is the stock.
    "negative free stock (internal locations)": """
        SELECT count(*) FROM (SELECT 1 FROM stock_quant q
        JOIN stock_location l ON l.id = q.location_id WHERE l.usage = 'internal'
        GROUP BY q.product_id, q.location_id, q.lot_id, q.package_id, q.owner_id
        HAVING sum(q.quantity) - sum(q.reserved_quantity) < -0.0001) d""",
    # Every other state is an end (done, error, duplicate, stale, cancelled or too
    # old), or waiting for the channel's news (Amazon's pending orders).
    "inbox records never processed (still received)": """
        SELECT count(*) FROM oms_channel_inbox WHERE state = 'received'""",
    "shipped channel orders not told to their channel": """
        SELECT count(*) FROM stock_picking p JOIN sale_order so ON so.id = p.sale_id
        JOIN oms_channel c ON c.id = so.oms_channel_id
        WHERE p.state = 'done' AND c.channel_type IN ('shopify', 'woocommerce', 'amazon')
        AND p.picking_type_id IN (SELECT id FROM stock_picking_type WHERE code = 'outgoing')
        AND COALESCE(p.oms_channel_push_state, '') <> 'done' AND p.date_done >= %s""",
    "jobs failed": "SELECT count(*) FROM queue_job WHERE state = 'failed'",
}
FIGURES = {
    "channel orders": "SELECT count(*) FROM sale_order WHERE oms_channel_id IS NOT NULL",
    "inbox records": "SELECT count(*) FROM oms_channel_inbox",
    "inbox records in error": "SELECT count(*) FROM oms_channel_inbox WHERE state = 'error'",
    "labels (carrier shipments)": "SELECT count(*) FROM oms_carrier_shipment",
    "tracking events": "SELECT count(*) FROM oms_carrier_tracking_event",
    "returns": "SELECT count(*) FROM oms_return",
    "jobs done": "SELECT count(*) FROM queue_job WHERE state = 'done'",
}


def books(db, since):
    """The checks' counts (``since``: when the load started, in the database's
    clock: what the demo data shipped before is not the soak's) and figures."""
    problems = {}
    for name, sql in CHECKS.items():
        params = (since,) if "%s" in sql else ()
        problems[name] = query(db, sql, *params)[0][0]
    figures = {name: query(db, sql)[0][0] for name, sql in FIGURES.items()}
    return problems, figures


def queue_drained(db):
    (row,) = query(
        db,
        "SELECT count(*) FROM queue_job WHERE state IN ('pending', 'enqueued', 'started') "
        "AND (eta IS NULL OR eta < now() AT TIME ZONE 'utc' + interval '2 minutes')",
    )
    return row[0] == 0


def run_load(args, served, sims):
    """The load for ``--minutes``, then the drain; returns the load, whether the
    queue drained, its time, and the memory of the Odoo processes."""
    load = Load(served, sims, Rpc(served.url, args.db), args.seed)
    end = time.monotonic() + args.minutes * 60
    warm = time.monotonic() + 60
    memory_start, tick = None, 0
    steps = ((5, "release", load.release_holds), (5, "ship", load.ship), (7, "track", load.track))
    steps += ((20, "return", load.portal_return),)
    while time.monotonic() < end:
        tick += 1
        load.safely("webhook", load.webhook_order)
        for every, name, action in steps:
            if tick % every == 0:
                load.safely(name, action)
        if memory_start is None and time.monotonic() > warm:
            memory_start = {pid: rss_mb(pid) for pid in served.odoo_pids()}
        time.sleep(1 / args.rate)
    sent_until = time.monotonic()
    drain_end = sent_until + args.drain_minutes * 60
    while not queue_drained(args.db) and time.monotonic() < drain_end:
        time.sleep(5)
    memory = (memory_start or {}, {pid: rss_mb(pid) for pid in served.odoo_pids()})
    return load, queue_drained(args.db), time.monotonic() - sent_until, memory


def report(args, load, drained, drain_seconds, memory, problems, figures):
    print(
        f"soak: {args.minutes:g} min of load, queue drained: {drained} "
        f"({drain_seconds:.0f} s after the load)"
    )
    for name, count in sorted(load.counts.items()):
        print(f"  sent  {name}: {count}")
    for name, count in figures.items():
        print(f"  db    {name}: {count}")
    for name, count in load.errors.most_common(10):
        print(f"  error {name} x{count}")
    memory_start, memory_end = memory
    for pid, end_mb in sorted(memory_end.items()):
        start_mb = memory_start.get(pid)
        start_text = f"{start_mb:.0f}" if start_mb else "new"
        print(f"  rss   pid {pid}: {start_text} -> {end_mb or 0:.0f} MB")
    for name, count in problems.items():
        print(f"  check {name}: {count}")
    failed = {name: count for name, count in problems.items() if count}
    print("soak: books " + ("balance" if not failed and drained else f"DO NOT balance: {failed}"))
    return not failed and drained


def main(argv=None):
    args = parse_args(argv)
    sims = simulators.build(8180)
    simulators.seed(sims)
    stop = threading.Event()
    threading.Thread(target=simulators.feed, args=(sims, 60.0, stop), daemon=True).start()
    served = Served(args)
    try:
        served.start()
        print(f"soak: make serve up on {served.url} (db {args.db})", flush=True)
        since = query(args.db, "SELECT now() AT TIME ZONE 'utc'")[0][0]
        load, drained, drain_seconds, memory = run_load(args, served, sims)
        problems, figures = books(args.db, since)
    finally:
        stop.set()
        served.stop()
        for sim in sims.values():
            sim.stop()
    balanced = report(args, load, drained, drain_seconds, memory, problems, figures)
    if not args.keep:
        subprocess.run(
            ["bash", "-c", f'source scripts/common.sh; source scripts/db.sh; drop_db "{args.db}"'],
            cwd=ROOT,
            check=False,
        )
    return 0 if balanced else 1


if __name__ == "__main__":
    sys.exit(main())
