"""First sync (issue 19, point 2): nothing older than the channel's import date,
and a pull that fails mid-way, run again, imports every order exactly once."""

from datetime import datetime, timezone

from freezegun import freeze_time

from odoo.tests import Form, TransactionCase
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.amazon_sp import AmazonSpSimulator
from tests.simulators.amazon_sp import generate_orders as amazon_orders
from tests.simulators.shopify import ShopifySimulator
from tests.simulators.shopify import generate_orders as shopify_orders
from tests.simulators.woocommerce import WooCommerceSimulator
from tests.simulators.woocommerce import generate_orders as woo_orders


def _naive_utc(text):
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None)


class FirstSyncCases:
    """The same guarantees, for each channel kind (one subclass each)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The simulators' shops sell in euros and dollars; a fresh database has
        # only the company's currency active.
        for currency in ("base.EUR", "base.USD"):
            cls.env.ref(currency).active = True

    def _inbox(self):
        return self.env["oms.channel.inbox"].search([("channel_id", "=", self.channel.id)])

    def _orders(self):
        return self.env["sale.order"].search([("oms_channel_id", "=", self.channel.id)])

    def _pull(self):
        with trap_jobs(), mute_logger("odoo.addons.oms_channels.channel_clients._http"):
            self.channel._oms_pull_orders()

    def test_pull_failing_on_page_2_then_again_imports_every_order_once(self):
        remote = self.remote(5)
        self.sim.add_orders(remote)
        ids = sorted(self.external_id(order) for order in remote)
        # The first order (on the first page) changes last: its update time is the
        # newest the failed pull sees.
        self.sim.update_order(self.sim_id(remote[0]), **self.a_change())
        self.sim.page_size_cap = 2
        self.sim.fail_later_pages = 500
        self._pull()
        self.assertTrue(self.channel.last_pull_error)
        self.assertFalse(self.channel.pull_cursor, "the cursor moves after a whole pull only")
        self.assertEqual(len(self._inbox()), 2, "the first page is kept")
        self.sim.fail_later_pages = None
        self._pull()
        self.assertFalse(self.channel.last_pull_error)
        self.assertTrue(self.channel.pull_cursor)
        inbox = self._inbox()
        self.assertEqual(sorted(inbox.mapped("external_id")), ids, "each order once")
        inbox._oms_process()
        self.assertEqual(sorted(self._orders().mapped("oms_external_ref")), ids)
        self._pull()  # nothing new: nothing stored again
        self.assertEqual(len(self._inbox()), 5)

    def test_first_pull_imports_nothing_older_than_the_import_date(self):
        remote = self.remote(4)
        self.sim.add_orders(remote)
        # From between the second and the third order's creation.
        start = self.created(remote[1]) + (self.created(remote[2]) - self.created(remote[1])) / 2
        self.channel.import_orders_from = start
        old = remote[0]
        self.sim.update_order(self.sim_id(old), **self.a_change())  # changed since
        self._pull()
        inbox = self._inbox()
        self.assertEqual(
            sorted(inbox.mapped("external_id")),
            sorted(self.external_id(o) for o in (old, remote[2], remote[3])),
            "only what changed since the import date is read",
        )
        inbox._oms_process()
        self.assertEqual(
            sorted(self._orders().mapped("oms_external_ref")),
            sorted(self.external_id(o) for o in (remote[2], remote[3])),
        )
        kept = inbox.filtered(lambda r: r.external_id == self.external_id(old))
        self.assertEqual(kept.state, "too_old")
        self.assertIn("before", kept.error_message)

    def test_older_open_orders_on_option(self):
        remote = self.remote(3)
        self.sim.add_orders(remote)
        self.channel.write(
            {"import_orders_from": self.created(remote[2]), "import_older_open": True}
        )
        self.sim.update_order(self.sim_id(remote[1]), **self.a_cancellation())
        self._pull()
        inbox = self._inbox()
        self.assertEqual(len(inbox), 3, "the whole history is read")
        inbox._oms_process()
        self.assertEqual(
            sorted(self._orders().mapped("oms_external_ref")),
            sorted(self.external_id(o) for o in (remote[0], remote[2])),
            "older open orders are imported, not an older cancelled one",
        )
        cancelled = inbox.filtered(lambda r: r.external_id == self.external_id(remote[1]))
        self.assertEqual(cancelled.state, "too_old")


class TestImportDate(TransactionCase):
    @freeze_time("2026-02-03 04:05:06")
    def test_a_new_shop_imports_from_its_creation(self):
        form = Form(self.env["oms.channel"])
        form.name = "New shop"
        form.channel_type = "woocommerce"
        channel = form.save()
        self.assertEqual(channel.import_orders_from, datetime(2026, 2, 3, 4, 5, 6))
        self.assertEqual(
            channel._oms_first_cursor(), datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
        )
        channel.import_older_open = True
        self.assertIsNone(channel._oms_first_cursor(), "the whole history, for older open ones")


class TestShopifyFirstSync(FirstSyncCases, LocalSimulatorsMixin, TransactionCase):
    def setUp(self):
        super().setUp()
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Shopify (simulator)",
                "channel_type": "shopify",
                "allow_insecure_http": True,
                "api_base_url": self.sim.url,
                "shopify_access_token": self.sim.access_token,
            }
        )

    def remote(self, count):
        return shopify_orders(count, seed=3, lines=1)

    def external_id(self, order):
        return str(order["id"])

    sim_id = external_id

    def created(self, order):
        return _naive_utc(order["created_at"])

    def a_change(self):
        return {"note": "Leave it at the door"}

    def a_cancellation(self):
        return {"cancelled_at": "2025-04-01T10:00:00+00:00", "cancel_reason": "customer"}


class TestWooCommerceFirstSync(FirstSyncCases, LocalSimulatorsMixin, TransactionCase):
    def setUp(self):
        super().setUp()
        self.sim = WooCommerceSimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "WooCommerce (simulator)",
                "channel_type": "woocommerce",
                "allow_insecure_http": True,
                "api_base_url": self.sim.url,
                "woocommerce_consumer_key": self.sim.consumer_key,
                "woocommerce_consumer_secret": self.sim.consumer_secret,
            }
        )

    def remote(self, count):
        return woo_orders(count, seed=3, lines=1)

    def external_id(self, order):
        return str(order["id"])

    sim_id = external_id

    def created(self, order):
        return _naive_utc(order["date_created_gmt"])

    def a_change(self):
        return {"customer_note": "Leave it at the door"}

    def a_cancellation(self):
        return {"status": "cancelled"}

    def test_pull_sorts_by_a_documented_stable_key(self):
        self.sim.add_orders(self.remote(1))
        self._pull()
        (request,) = self.sim.requests_to("GET", r"/orders$")
        self.assertEqual(request.query["orderby"], "id")
        self.assertFalse(self.channel.last_pull_error)


class TestAmazonFirstSync(FirstSyncCases, LocalSimulatorsMixin, TransactionCase):
    def setUp(self):
        super().setUp()
        self.sim = AmazonSpSimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Amazon (simulator)",
                "channel_type": "amazon",
                "allow_insecure_http": True,
                "api_base_url": self.sim.url,
                "amazon_token_url": f"{self.sim.url}/auth/o2/token",
                "amazon_client_id": self.sim.client_id,
                "amazon_client_secret": self.sim.client_secret,
                "amazon_refresh_token": self.sim.refresh_token,
                "amazon_marketplace_ids": self.sim.marketplace_id,
                # getOrders needs a date: before the simulator's orders.
                "import_orders_from": datetime(2025, 1, 1),
            }
        )

    def remote(self, count):
        return amazon_orders(count, seed=3, lines=1)

    def external_id(self, order):
        return order["Order"]["AmazonOrderId"]

    sim_id = external_id

    def created(self, order):
        return _naive_utc(order["Order"]["PurchaseDate"])

    def a_change(self):
        return {"ShipServiceLevel": "Expedited US D2D Dom"}

    def a_cancellation(self):
        return {"OrderStatus": "Canceled"}
