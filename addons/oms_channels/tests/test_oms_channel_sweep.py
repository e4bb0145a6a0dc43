"""The scheduled pull is also the sweep the channels advise against missed
webhooks: what it finds that the webhooks never delivered is counted, on the
channel and on Integration Health (issue 24 point 3)."""

import json
from datetime import datetime, timezone

from odoo.tests import TransactionCase

from odoo.addons.queue_job.tests.common import trap_jobs

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.shopify import ShopifySimulator, generate_orders


class TestPullCatchesMissedWebhooks(LocalSimulatorsMixin, TransactionCase):
    def setUp(self):
        super().setUp()
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Shopify (sweep)",
                "channel_type": "shopify",
                "allow_insecure_http": True,
                "api_base_url": self.sim.url,
                "shopify_access_token": self.sim.access_token,
                "import_orders_from": "2020-01-01 00:00:00",
            }
        )
        # Three orders changed long ago, one a moment ago (its webhook may be on
        # its way).
        self.orders = generate_orders(4, seed=91, start_id=9100000)
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        self.orders[3].update(created_at=now, updated_at=now, processed_at=now)
        self.sim.add_orders(self.orders)
        self.Inbox = self.env["oms.channel.inbox"]

    def _pull(self, channel):
        with trap_jobs():
            channel.action_pull_orders()
        self.assertFalse(channel.last_pull_error)

    def test_what_the_webhooks_missed_is_counted_and_shown(self):
        delivered, _created = self.Inbox._oms_store(
            self.channel, "webhook", json.dumps(self.orders[0])
        )
        self._pull(self.channel)
        caught = self.Inbox.search(
            [("channel_id", "=", self.channel.id), ("caught_by_pull", "=", True)]
        )
        self.assertEqual(
            sorted(caught.mapped("external_id")), sorted(str(o["id"]) for o in self.orders[1:3])
        )
        self.assertEqual(self.channel.last_pull_caught, 2)
        self.assertFalse(delivered.caught_by_pull)
        # Its webhook said +00:00 where the GraphQL Admin API says Z: one version,
        # stored once.
        self.assertEqual(
            self.Inbox.search_count(
                [("channel_id", "=", self.channel.id), ("external_id", "=", delivered.external_id)]
            ),
            1,
        )
        check = self.env.ref("oms_channels.health_caught_by_pull")
        self.assertEqual(check.count, 2)
        # The next pull finds nothing new: nothing more caught.
        self._pull(self.channel)
        self.assertEqual(self.channel.last_pull_caught, 0)

    def test_a_channel_without_webhooks_is_pulled_not_swept(self):
        self._pull(self.channel)
        self.assertEqual(self.channel.last_pull_caught, 0)
        self.assertFalse(self.Inbox.search_count([("caught_by_pull", "=", True)]))
