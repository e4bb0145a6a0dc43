from odoo.exceptions import UserError
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.shopify import ShopifySimulator, generate_orders
from tests.simulators.woocommerce import WooCommerceSimulator
from tests.simulators.woocommerce import generate_orders as woo_orders


class TestShopifyPull(LocalSimulatorsMixin, TransactionCase):
    """Pulls against the local Shopify simulator, over real HTTP."""

    def setUp(self):
        super().setUp()
        self.sim = ShopifySimulator().start()  # a fresh shop for each test
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Shopify (simulator)",
                "channel_type": "shopify",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "shopify_access_token": self.sim.access_token,
            }
        )

    def _inbox(self):
        return self.env["oms.channel.inbox"].search([("channel_id", "=", self.channel.id)])

    def test_connection(self):
        action = self.channel.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.channel.shopify_access_token = "shpat_wrong"
        with self.assertRaisesRegex(UserError, "The channel answered"):
            self.channel.action_test_connection()

    def test_pull_stores_each_order_once_and_queues_its_import(self):
        self.sim.add_orders(generate_orders(5, seed=3, lines=2))
        with trap_jobs() as trap:
            self.channel.action_pull_orders()
            trap.assert_jobs_count(1)  # one import job per batch of payloads
            self.assertEqual(len(trap.enqueued_jobs[0].recordset), 5)
            self.assertEqual(trap.enqueued_jobs[0].channel, "root.oms.import")
        self.assertEqual(len(self._inbox()), 5)
        self.assertEqual(set(self._inbox().mapped("source")), {"pull"})
        cursor = self.channel.pull_cursor
        self.assertTrue(cursor)
        with trap_jobs() as trap:
            self.channel.action_pull_orders()  # nothing new since the cursor
            trap.assert_jobs_count(0)
        self.assertEqual(len(self._inbox()), 5, "a second pull adds no duplicate")
        self.assertEqual(self.channel.pull_cursor, cursor)

    def test_what_goes_out_to_the_channels_runs_on_its_own_job_channel(self):
        Function = self.env["queue.job.function"]
        for function, channel in (
            ("<oms.channel>._oms_import_webhooks", "root.oms.import"),
            ("<sale.order>._oms_record_channel_payment", "root.oms.import"),
            ("<oms.channel>._oms_push_stock", "root.oms.push"),
            ("<stock.picking>._oms_push_shipment", "root.oms.push"),
            ("<sale.order>._oms_push_cancellation", "root.oms.push"),
            ("<account.move>._oms_push_channel_refund", "root.oms.push"),
        ):
            self.assertEqual(Function.job_config(function).channel, channel, function)

    def test_pull_error_is_shown_and_recorded(self):
        self.sim.fail_next(401, body={"errors": "[API] Invalid API key"})
        with self.assertRaisesRegex(UserError, "Pull failed"):
            self.channel.action_pull_orders()
        self.assertIn("Pull failed", self.channel.last_pull_error)

    def test_pages_that_never_end_stop_the_pull_and_keep_the_cursor(self):
        orders = self.sim.add_orders(generate_orders(3, seed=6, lines=1))
        with trap_jobs():
            self.channel.action_pull_orders()
        cursor = self.channel.pull_cursor
        # The next pull gets a page that names itself as the next page, forever.
        self.sim.update_order(orders[0]["id"], note="changed")
        changed = self.sim.orders[orders[0]["id"]]
        page = self.sim.orders_page_body([changed], end_cursor="bG9vcA")
        self.sim.fail_next(200, times=50, path=r"/graphql\.json$", body=page)
        with trap_jobs(), self.assertRaisesRegex(UserError, "same next page of orders twice"):
            self.channel.action_pull_orders()
        self.assertEqual(len(self.sim.graphql_calls("OrdersPage")), 1 + 2)
        self.assertEqual(self.channel.pull_cursor, cursor, "the cursor stays where it was")
        self.assertIn("the pull stops instead of looping", self.channel.last_pull_error)
        self.assertEqual(len(self._inbox()), 4, "the changed version read before the stop is kept")

    def test_pulled_orders_become_sales_orders(self):
        self.env.ref("base.EUR").active = True  # the simulated shop sells in euros
        orders = generate_orders(3, seed=5, lines=1)
        self.sim.add_orders(orders)
        with trap_jobs() as trap:
            self.channel.action_pull_orders()
            trap.perform_enqueued_jobs()
        self.assertEqual(
            set(self._inbox().mapped("state")), {"done"}, self._inbox().mapped("error_message")
        )
        imported = self.env["sale.order"].search([("oms_channel_id", "=", self.channel.id)])
        self.assertEqual(
            sorted(imported.mapped("oms_external_ref")), sorted(str(o["id"]) for o in orders)
        )
        # Their SKUs are unknown in this database: each waits on a hold naming it.
        for order in imported:
            active = order.oms_hold_ids.filtered(lambda h: h.state == "active")
            self.assertTrue(any("Unknown product" in h.reason for h in active), order.name)


class TestWooCommercePull(LocalSimulatorsMixin, TransactionCase):
    """Pulls against the local WooCommerce simulator."""

    def setUp(self):
        super().setUp()
        self.sim = WooCommerceSimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "WooCommerce (simulator)",
                "channel_type": "woocommerce",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "woocommerce_consumer_key": self.sim.consumer_key,
                "woocommerce_consumer_secret": self.sim.consumer_secret,
            }
        )

    def test_pull_and_connection(self):
        self.assertEqual(self.channel.action_test_connection()["params"]["type"], "success")
        self.sim.add_orders(woo_orders(4, seed=2, lines=1))
        with trap_jobs() as trap:
            self.channel.action_pull_orders()
            trap.assert_jobs_count(1)
        inbox = self.env["oms.channel.inbox"].search([("channel_id", "=", self.channel.id)])
        self.assertEqual(len(inbox), 4)
        self.assertTrue(self.channel.pull_cursor)
        self.channel.action_pull_orders()
        self.assertEqual(
            self.env["oms.channel.inbox"].search_count([("channel_id", "=", self.channel.id)]), 4
        )


class TestScheduledPull(LocalSimulatorsMixin, TransactionCase):
    """The scheduled pull: one channel failing stops neither the others nor the sweeps."""

    def _channel(self, name, sim=None, **values):
        values = {"api_base_url": sim.url, "shopify_access_token": sim.access_token, **values}
        return self.env["oms.channel"].create(
            {"name": name, "channel_type": "shopify", "allow_insecure_http": True, **values}
        )

    def _started(self, orders):
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        sim.add_orders(orders)
        return sim

    @mute_logger("odoo.addons.oms_channels.models.oms_channel_sync")
    def test_a_failing_channel_stops_neither_the_others_nor_the_sweeps(self):
        Channel = self.env["oms.channel"]
        Channel.search(
            [("channel_type", "in", ("shopify", "woocommerce", "amazon"))]
        ).active = False
        # Pulled in name order: the two that fail come first.
        no_token = Channel.create(
            {
                "name": "A shop without its token",
                "channel_type": "shopify",
                "api_base_url": "https://shop-a.example.com",
            }
        )
        (bad,) = generate_orders(1, seed=51, lines=1)
        bad_dates = self._channel(
            "B shop that sends bad dates",
            self._started([dict(bad, updated_at="the day before yesterday")]),
        )
        good_orders = generate_orders(2, seed=52, lines=1)
        good = self._channel("C good shop", self._started(good_orders))
        waiting, _created = self.env["oms.channel.inbox"]._oms_store(
            good, "webhook", '{"id": 99, "updated_at": "2026-01-10T10:00:00Z"}'
        )
        self.env.cr.execute(
            "UPDATE oms_channel_inbox SET create_date = now() - interval '1 hour' WHERE id = %s",
            [waiting.id],
        )
        with trap_jobs() as trap:
            Channel._cron_oms_pull_orders()
            pulls = [
                job for job in trap.enqueued_jobs if job.method_name == "_oms_pull_orders_isolated"
            ]
            # The cron only queues: one pull per channel with an API, each its own job.
            self.assertFalse(good.inbox_ids.filtered(lambda r: r.source == "pull"))
            self.assertEqual(len(pulls), len({job.recordset for job in pulls}))
            self.assertIn(good, [job.recordset for job in pulls])
            for job in pulls:
                job.perform()
        self.assertIn("credentials", no_token.last_pull_error)
        self.assertIn("Pull failed", bad_dates.last_pull_error)
        self.assertFalse(bad_dates.inbox_ids, "its pull is rolled back whole")
        self.assertFalse(bad_dates.pull_cursor)
        self.assertFalse(good.last_pull_error)
        self.assertEqual(
            sorted(good.inbox_ids.filtered(lambda r: r.source == "pull").mapped("external_id")),
            sorted(str(order["id"]) for order in good_orders),
            "the next channel is pulled",
        )
        sweeps = [job for job in trap.enqueued_jobs if job.method_name == "_oms_import_webhooks"]
        self.assertEqual([job.recordset for job in sweeps], [good], "the sweep ran after")
