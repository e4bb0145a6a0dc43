"""eBay orders exactly once in parallel, with real transactions: two pulls at
once against the eBay simulator, and the same eBay version stored by several
transactions at once, each give one inbox record and one order per eBay order.

Like test_oms_channel_reliability, these tests commit what they do and remove
it afterwards (BaseCase and cursors of their own)."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg2

from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from tests.odoo_helpers import CommittedEnvMixin, LocalSimulatorsMixin
from tests.simulators.ebay import EbaySimulator, generate_orders


@tagged("post_install", "-at_install")
class TestEbayParallel(CommittedEnvMixin, LocalSimulatorsMixin, BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.sim = EbaySimulator().start()
        self.addCleanup(self.sim.stop)
        with self._env() as env:
            self.usd_was_active = env.ref("base.USD").active
            env.ref("base.USD").active = True
            self.channel_id = (
                env["oms.channel"]
                .create(
                    {
                        "name": "eBay (parallel)",
                        "channel_type": "ebay",
                        "allow_insecure_http": True,  # the local simulator
                        "api_base_url": self.sim.url,
                        "ebay_client_id": self.sim.client_id,
                        "ebay_client_secret": self.sim.client_secret,
                        "ebay_refresh_token": self.sim.refresh_token,
                    }
                )
                .id
            )
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            orders = env["sale.order"].search([("oms_channel_id", "=", channel.id)])
            partners = orders.partner_id | orders.partner_shipping_id
            payments = env["account.payment"].search([("oms_channel_id", "=", channel.id)])
            payments.action_draft()
            payments.unlink()
            journal = channel.payment_journal_id
            orders.filtered(lambda o: o.state != "cancel").with_context(
                oms_channel_cancelled=True
            )._action_cancel()
            orders.unlink()
            env["queue.job"].search(
                [("model_name", "in", ("oms.channel.inbox", "oms.channel", "sale.order"))]
            ).unlink()
            channel.inbox_ids.unlink()
            channel.product_binding_ids.unlink()
            partners.exists().filtered(lambda p: not p.sale_order_ids).unlink()
            channel.unlink()
            journal.unlink()
            env.ref("base.USD").active = self.usd_was_active

    def _inbox_and_orders(self):
        with self._env() as env:
            env["oms.channel.inbox"].search(
                [("channel_id", "=", self.channel_id), ("state", "=", "received")]
            )._oms_process()
        with self._env() as env:
            inbox = env["oms.channel.inbox"].search([("channel_id", "=", self.channel_id)])
            orders = env["sale.order"].search([("oms_channel_id", "=", self.channel_id)])
            return sorted(inbox.mapped("external_id")), sorted(orders.mapped("oms_external_ref"))

    @mute_logger("odoo.sql_db", "odoo.addons.oms_channels.models.oms_channel_inbox")
    def test_two_pulls_at_once_store_and_import_each_order_once(self):
        orders = self.sim.add_orders(generate_orders(20, seed=41, lines=1))
        barrier = threading.Barrier(2)
        errors = []

        def pull():
            threading.current_thread().testing = True
            try:
                with self._env() as env:
                    barrier.wait(timeout=30)
                    env["oms.channel"].browse(self.channel_id)._oms_pull_orders()
            except Exception as error:  # the loser of the cursor's race, retried by its job
                errors.append(error)

        threads = [threading.Thread(target=pull) for _index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual([e for e in errors if "could not serialize" not in str(e)], [])
        expected = sorted(o["orderId"] for o in orders)
        self.assertEqual(self._inbox_and_orders(), (expected, expected))

    @mute_logger("odoo.sql_db", "odoo.addons.oms_channels.models.oms_channel_inbox")
    def test_one_version_stored_by_six_transactions_at_once_is_one_order(self):
        (order,) = generate_orders(1, seed=42, lines=2)
        body = json.dumps(order)
        barrier = threading.Barrier(6)

        def store(_index):
            for attempt in range(20):
                try:
                    with self._env() as env:
                        if not attempt:
                            barrier.wait(timeout=30)
                        channel = env["oms.channel"].browse(self.channel_id)
                        return env["oms.channel.inbox"]._oms_store(channel, "pull", body)[1]
                except psycopg2.errors.SerializationFailure:
                    continue
            return None

        with ThreadPoolExecutor(max_workers=6) as pool:
            created = list(pool.map(store, range(6)))
        self.assertEqual(sorted(created, key=bool), [False] * 5 + [True], "stored once")
        self.assertEqual(self._inbox_and_orders(), ([order["orderId"]], [order["orderId"]]))
