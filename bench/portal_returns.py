"""The portal return page under concurrent signed-in customers.

Issue 7 asks for a p95 under 300 ms on ``/my/orders/<id>/return`` with 20 signed-in
users at once. This script makes (once) ``--users`` portal customers, each with a
delivered order of two lines, signs each in with their own session, then has every
user load their order's return page ``--requests`` times, all users at once, with
``--think`` seconds on average between two pages of the same user (0: back to
back, the hardest case). It prints the latency percentiles and the rate, and checks each
page is the return form.

Run it against a running Odoo with the OMS addons (a scratch database: it adds
users and orders there):

    OMS_SIMULATORS=0 make run          # in one terminal
    .venv/bin/python bench/portal_returns.py --db oms --users 20

``make run`` serves with threads (one Python process); a production server runs
Odoo's workers, e.g. ``odoo-bin -c .local/odoo.conf -d oms --workers=3
--http-port=8070`` next to it, then ``--url http://127.0.0.1:8070``.

``--page list`` loads ``/my/returns`` instead, about the plainest page a signed-in
customer can open (Odoo's portal layout and one search): what the machine and Odoo
allow any portal page under the same load, to set the return page's figure against.

``--floor`` measures the ratio issue 23 asks for: rounds of the return page and
rounds of Odoo's own order page (``/my/orders/<id>``, the same customers, the same
orders, the same server) alternate, and the script prints each round's p95 and
the median of the ratios of the return page's p95 to the order page's. Against
``make serve`` (prefork workers):

    OMS_DB=oms_bench make serve       # in one terminal
    .venv/bin/python bench/portal_returns.py --db oms_bench --url http://127.0.0.1:8069 \
        --floor --rounds 5 --requests 10

Setup is over XML-RPC as admin/admin.
"""

import argparse
import random
import statistics
import sys
import threading
import time
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor

import requests

PASSWORD = "bench-returner-1"


class Admin:
    def __init__(self, url, db):
        self.db = db
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(
            db, "admin", "admin", {}
        )
        if not self.uid:
            sys.exit(f"cannot sign in to {db} as admin/admin")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        try:
            return self.models.execute_kw(
                self.db, self.uid, "admin", model, method, list(args), kwargs
            )
        except xmlrpc.client.Fault as fault:
            # The method ran and returned None, which XML-RPC cannot carry back.
            if "cannot marshal None" in fault.faultString:
                return None
            raise


def prepare(admin, users):
    """``[(login, order id)]``: each bench customer and a delivered order of theirs."""
    products = []
    for name in ("Bench Mug", "Bench Plate"):
        found = admin("product.product", "search", [("default_code", "=", name)])
        product = (
            found[0]
            if found
            else admin(
                "product.product",
                "create",
                {"name": name, "default_code": name, "is_storable": True, "list_price": 25.0},
            )
        )
        products.append(product)
    country = admin("res.country", "search", [("code", "=", "BE")])[0]
    portal = admin("res.groups", "search", [("full_name", "=", "User types / Portal")])
    result = []
    for index in range(users):
        login = f"bench.returner.{index}@example.com"
        found = admin("res.users", "search_read", [("login", "=", login)], ["partner_id"])
        if found:
            partner = found[0]["partner_id"][0]
        else:
            user = admin(
                "res.users",
                "create",
                {
                    "name": f"Bench Returner {index}",
                    "login": login,
                    "email": login,
                    "password": PASSWORD,
                    "groups_id": [(6, 0, portal)],
                },
            )
            partner = admin("res.users", "read", [user], ["partner_id"])[0]["partner_id"][0]
        # A full address, or the order waits on an "address incomplete" hold.
        admin(
            "res.partner",
            "write",
            [partner],
            {"street": "Rue Haute 10", "city": "Brussels", "zip": "1000", "country_id": country},
        )
        orders = admin(
            "sale.order",
            "search_read",
            [("partner_id", "=", partner), ("client_order_ref", "=", "bench-returns")],
            ["state"],
            limit=1,
        )
        if orders and orders[0]["state"] == "draft":
            admin("sale.order", "unlink", [orders[0]["id"]])  # held by an earlier run
            orders = []
        if orders:
            order, state = orders[0]["id"], orders[0]["state"]
        else:
            order, state = (
                admin(
                    "sale.order",
                    "create",
                    {
                        "partner_id": partner,
                        "client_order_ref": "bench-returns",
                        "order_line": [
                            (0, 0, {"product_id": product, "product_uom_qty": 2})
                            for product in products
                        ],
                    },
                ),
                "draft",
            )
        if state == "draft":
            admin("sale.order", "action_confirm", [order])
        pickings = admin(
            "stock.picking", "search", [("sale_id", "=", order), ("state", "!=", "done")]
        )
        if pickings:
            # Stock where routing sent the delivery.
            for move in admin(
                "stock.move",
                "search_read",
                [("picking_id", "in", pickings)],
                ["product_id", "location_id"],
            ):
                quant = admin(
                    "stock.quant",
                    "create",
                    {
                        "product_id": move["product_id"][0],
                        "location_id": move["location_id"][0],
                        "inventory_quantity": 1000,
                    },
                    context={"inventory_mode": True},
                )
                admin("stock.quant", "action_apply_inventory", [quant])
            for move in admin(
                "stock.move", "search_read", [("picking_id", "in", pickings)], ["product_uom_qty"]
            ):
                admin(
                    "stock.move",
                    "write",
                    [move["id"]],
                    {"quantity": move["product_uom_qty"], "picked": True},
                )
            admin(
                "stock.picking",
                "button_validate",
                pickings,
                context={"skip_backorder": True, "skip_sms": True},
            )
        result.append((login, order))
    return result


def sign_in(url, db, login):
    session = requests.Session()
    response = session.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": PASSWORD}},
        timeout=30,
    )
    if not response.json().get("result", {}).get("uid"):
        sys.exit(f"cannot sign in as {login}: {response.text[:200]}")
    return session


def floor_rounds(args, pool, load, path, users, bad):
    """Alternate rounds of ``args.page`` and of Odoo's order page; print each
    round's p95s and the median ratio."""
    ratios = []
    for round_ in range(1, args.rounds + 1):
        ours, _seconds = load(pool, args.page, args.requests)
        floor, _seconds = load(pool, "order", args.requests)
        p95 = statistics.quantiles(ours, n=100)[94]
        floor_p95 = statistics.quantiles(floor, n=100)[94]
        ratios.append(p95 / floor_p95)
        print(
            f"round {round_}: {path.format(order='<id>')} p95 {p95:.0f} ms, "
            f"/my/orders/<id> p95 {floor_p95:.0f} ms, ratio {p95 / floor_p95:.2f}"
        )
    print(
        f"p95 ratio, median of {args.rounds} rounds of {users} users x "
        f"{args.requests} pages: {statistics.median(ratios):.2f} (goal 1.1); "
        f"not the expected page: {len(bad)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="oms")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="pages per user")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between pages")
    parser.add_argument(
        "--page",
        choices=("return", "list"),
        default="return",
        help="return: the order's return form; list: /my/returns, for comparison",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="alternate rounds with Odoo's own order page and print the p95 ratio",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each page (--floor)")
    args = parser.parse_args()
    admin = Admin(args.url, args.db)
    began = time.perf_counter()
    customers = prepare(admin, args.users)
    took = time.perf_counter() - began
    print(f"setup: {len(customers)} customers with a delivered order in {took:.1f} s")
    sessions = [(sign_in(args.url, args.db, login), order) for login, order in customers]
    bad = []
    lock = threading.Lock()

    pages = {
        "return": ("/my/orders/{order}/return", "o_oms_return_form"),
        "list": ("/my/returns", "You have no return yet"),
        # Odoo's own page of the same order: the floor of --floor.
        "order": ("/my/orders/{order}", "o_portal_sale_sidebar"),
    }

    def browse(session, order, page, count):
        path, marker = pages[page]
        latencies = []
        for _page in range(count):
            start = time.perf_counter()
            response = session.get(args.url + path.format(order=order), timeout=60)
            latencies.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200 or marker not in response.text:
                with lock:
                    bad.append((page, response.status_code))
            if args.think:
                time.sleep(random.uniform(0.5, 1.5) * args.think)
        return latencies

    def load(pool, page, count):
        """Every user ``count`` pages of ``page`` at once: (sorted latencies, s)."""
        began = time.perf_counter()
        runs = list(pool.map(lambda pair: browse(*pair, page, count), sessions))
        return sorted(ms for run in runs for ms in run), time.perf_counter() - began

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        # One page each first: connections and the server's caches warm.
        for page in ("order", args.page) if args.floor else (args.page,):
            load(pool, page, 1)
        if args.floor:
            floor_rounds(args, pool, load, pages[args.page][0], len(sessions), bad)
            return
        latencies, elapsed = load(pool, args.page, args.requests)
    path = pages[args.page][0]
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"pages: {len(latencies)} by {len(sessions)} signed-in users at once, "
        f"think time {args.think:g} s, not the expected page: {len(bad)}"
    )
    print(
        f"{path.format(order='<id>')}: p50 {quantiles[49]:.0f} ms, p95 {quantiles[94]:.0f} ms, "
        f"p99 {quantiles[98]:.0f} ms, max {latencies[-1]:.0f} ms (goal p95 < 300 ms)"
    )
    print(f"rate: {len(latencies) / elapsed:.1f} pages/s")


if __name__ == "__main__":
    main()
