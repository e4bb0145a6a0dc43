"""Real public channel orders through the import: what becomes of each.

Issue 19, point 11: every order of the corpus kept in
``addons/oms_channels/channel_mappers/tests/fixtures/`` (Shopify, WooCommerce and
Amazon, sources in each folder's SOURCES.md) is imported into a channel of its
own, set up as a merchant would (a product per SKU, a sales tax per rate the
order's tax lines give), in one transaction rolled back at the end. Prints how
many go straight through to a confirmed order at the channel's exact total, how
many are held and why, cancelled, delivered by the channel, pending or refused,
then one line per order.

    make pytest ARGS=addons/oms_channels/tests/test_oms_channels_install.py  # builds the DB
    .venv/bin/python bench/channel_corpus.py
"""

import argparse
import importlib.util
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNNER = ROOT / "addons" / "oms_channels" / "tests" / "test_oms_channel_corpus.py"

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true", help="the figures only")
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", str(ROOT / ".local" / "odoo-test.conf"), "--log-level=warn"]
    )
    # The corpus runner lives beside its test (one definition of the set-up and of
    # the outcomes), loaded from its file; its module imports Odoo's test classes,
    # whose import outside a test run logs an error that does not concern us.
    logging.getLogger("odoo.tests.common").setLevel(logging.CRITICAL)
    spec = importlib.util.spec_from_file_location("channel_corpus_runner", RUNNER)
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    figures, run_corpus = runner.figures, runner.run_corpus

    db = os.environ.get("OMS_TEST_DB", odoo.tools.config["db_name"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        results = run_corpus(env)
        cr.rollback()
    numbers = figures(results)
    print(f"orders: {numbers['orders']} ({dict(sorted(numbers['per kind'].items()))})")
    exact = numbers["straight through at the channel's total"]
    cent = numbers["straight through to the cent"]
    print(
        "straight through to a confirmed order at the channel's total: "
        f"{exact} (to the cent: {cent}, the others a cent apart)"
    )
    for outcome, count in sorted(numbers["outcomes"].items()):
        print(f"{outcome}: {count}")
    for reason, count in numbers["hold reasons"].most_common():
        print(f"  held for {reason}: {count}")
    for reason, count in numbers["errors"].most_common():
        print(f"  refused, {reason}: {count}")
    if args.quiet:
        return
    for result in results:
        total = (
            f"channel {result['channel_total']:.2f} odoo {result['odoo_total']:.2f}"
            if result["odoo_total"] is not None
            else ""
        )
        detail = "; ".join(result["holds"]) or result["message"]
        print(f"{result['kind']}/{result['file']}: {result['outcome']} {total} {detail}".rstrip())


if __name__ == "__main__":
    main()
