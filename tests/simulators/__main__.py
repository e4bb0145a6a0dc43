"""Run the channel and carrier simulators for the demo: ``python -m tests.simulators``.

``make run`` starts this beside Odoo; the demo channels and carriers point at these
ports on 127.0.0.1 (``--port-base`` + offset, 8180 by default):

=========== ====== ==============================================
simulator   offset credentials (the simulators' defaults)
=========== ====== ==============================================
Shopify     +1     access token ``shpat_simulator_token``
WooCommerce +2     ``ck_simulator`` / ``cs_simulator``
Amazon      +3     LWA client, secret and refresh token defaults
EasyPost    +4     API key ``EZTK_simulator_test_key``
UPS         +5     client id / secret defaults
PostLogistics +6   ``TU_simulator`` / ``simulator-pass``
FedEx       +7     client id / secret defaults, account ``740561073``
eBay        +8     app id, cert id and refresh token defaults
=========== ====== ==============================================

Each shop starts with a dozen orders; a new one arrives every ``--every``
seconds (0: never), so that a pull shows orders coming in.
"""

import argparse
import itertools
import signal
import sys
import threading
from datetime import datetime, timedelta, timezone

from tests.simulators import amazon_sp, ebay, shopify, woocommerce
from tests.simulators.easypost import EasyPostSimulator
from tests.simulators.fedex import FedExSimulator
from tests.simulators.postlogistics import PostLogisticsSimulator
from tests.simulators.ups import UpsSimulator

SEED_ORDERS = 12


def build(port_base):
    sims = {
        "shopify": (shopify.ShopifySimulator(), 1),
        "woocommerce": (woocommerce.WooCommerceSimulator(), 2),
        "amazon": (amazon_sp.AmazonSpSimulator(), 3),
        "easypost": (EasyPostSimulator(), 4),
        "ups": (UpsSimulator(), 5),
        "postlogistics": (PostLogisticsSimulator(), 6),
        "fedex": (FedExSimulator(), 7),
        "ebay": (ebay.EbaySimulator(), 8),
    }
    started = {}
    for name, (sim, offset) in sims.items():
        try:
            sim.start(port_base + offset)
        except OSError as error:
            print(f"simulators: {name} not started on port {port_base + offset}: {error}")
            continue
        started[name] = sim
    return started


def seed(sims):
    if "shopify" in sims:
        sims["shopify"].add_orders(shopify.generate_orders(SEED_ORDERS, seed=101, lines=None))
    if "woocommerce" in sims:
        sims["woocommerce"].add_orders(woocommerce.generate_orders(SEED_ORDERS, seed=102))
    if "amazon" in sims:
        sims["amazon"].add_orders(amazon_sp.generate_orders(SEED_ORDERS, seed=103))
    if "ebay" in sims:
        sims["ebay"].add_orders(ebay.generate_orders(SEED_ORDERS, seed=104))


def feed(sims, every, stop):
    """Add one new order to each shop every ``every`` seconds, dated now."""
    counter = itertools.count(1)
    while not stop.wait(every):
        index = next(counter)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        if "shopify" in sims:
            (order,) = shopify.generate_orders(
                1, seed=1000 + index, start_id=460000000 + index, start_number=2000 + index
            )
            stamp = now.isoformat()
            order.update(created_at=stamp, updated_at=stamp, processed_at=stamp)
            sims["shopify"].add_orders([order])
        if "woocommerce" in sims:
            (order,) = woocommerce.generate_orders(1, seed=2000 + index, start_id=9000 + index)
            stamp = now.replace(tzinfo=None).isoformat()
            for key in ("date_created", "date_created_gmt", "date_modified", "date_modified_gmt"):
                if key in order:
                    order[key] = stamp
            sims["woocommerce"].add_orders([order])
        if "amazon" in sims:
            (order,) = amazon_sp.generate_orders(
                1, seed=3000 + index, start=now - timedelta(seconds=60)
            )
            sims["amazon"].add_orders([order])
        if "ebay" in sims:
            (order,) = ebay.generate_orders(
                1, seed=4000 + index, start=now - timedelta(seconds=60), start_number=500 + index
            )
            sims["ebay"].add_orders([order])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port-base", type=int, default=8180)
    parser.add_argument("--every", type=float, default=120.0, help="seconds between new orders")
    args = parser.parse_args(argv)
    sims = build(args.port_base)
    if not sims:
        return 1
    seed(sims)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stop.set())
    names = ", ".join(f"{name} {sim.url}" for name, sim in sims.items())
    print(f"simulators: {names}", flush=True)
    if args.every > 0:
        threading.Thread(target=feed, args=(sims, args.every, stop), daemon=True).start()
    while not stop.wait(1):
        pass
    for sim in sims.values():
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
