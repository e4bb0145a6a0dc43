"""Fraud from the channel (issue 19, point 7): Shopify's order risks, read by the
import job through the API, make the fraud score; WooCommerce (core REST API) and
Amazon (SP-API Orders v0) give no fraud data, so their orders have no assessment,
which is not a score of 0."""

import json
from pathlib import Path

from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.shopify import ShopifySimulator

FIXTURES = Path(__file__).parent.parent / "channel_mappers" / "tests" / "fixtures"
NONE = "No fraud assessment from the channel"


def fixture(system, name):
    return json.loads((FIXTURES / system / name).read_text())


def shopify_order():
    """Shopify's documented order, as a webhook or a pull gives it: no risks."""
    order = fixture("shopify", "order_taxes_excluded.json")
    del order["risks"]
    return order


class TestChannelFraud(LocalSimulatorsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        for currency in ("base.EUR", "base.USD"):
            cls.env.ref(currency).active = True
        cls.fraud_rule = cls.env.ref("oms_core.oms_hold_rule_fraud")

    def setUp(self):
        super().setUp()
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        self.shopify = self.env["oms.channel"].create(
            {
                "name": "Shopify (simulator)",
                "channel_type": "shopify",
                "allow_insecure_http": True,  # the local simulator
                "api_base_url": self.sim.url,
                "shopify_access_token": self.sim.access_token,
            }
        )

    def _import(self, channel, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            channel, "webhook", json.dumps(payload)
        )
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        return inbox.order_id

    def _fraud_holds(self, order):
        return order.oms_hold_ids.filtered(
            lambda h: h.state == "active" and h.rule_id == self.fraud_rule
        )

    def test_shopify_documented_risks_make_a_held_high_score(self):
        order_payload = shopify_order()
        self.sim.add_orders([order_payload])
        risks = fixture("shopify", "risks_anonymous_proxy.json")["risks"]
        self.sim.set_risks(order_payload["id"], risks)
        order = self._import(self.shopify, order_payload)
        self.assertTrue(order.oms_fraud_assessed)
        self.assertEqual(order.oms_fraud_score, 90.0)
        self.assertEqual(order.oms_fraud_summary, "90 / 100")
        self.assertTrue(self._fraud_holds(order), "a cancel recommendation holds the order")
        self.assertEqual(
            self.sim.graphql_calls("OrderRisks"), [{"id": "gid://shopify/Order/450789469"}]
        )

    def test_shopify_accepted_order_is_assessed_and_not_held(self):
        order_payload = shopify_order()
        self.sim.add_orders([order_payload])
        self.sim.set_risks(order_payload["id"], fixture("shopify", "risks_accept.json")["risks"])
        order = self._import(self.shopify, order_payload)
        self.assertTrue(order.oms_fraud_assessed)
        self.assertEqual(order.oms_fraud_score, 0.0)
        self.assertFalse(self._fraud_holds(order))

    def test_shopify_order_without_risks_has_no_assessment(self):
        order_payload = shopify_order()
        self.sim.add_orders([order_payload])
        order = self._import(self.shopify, order_payload)
        self.assertFalse(order.oms_fraud_assessed)
        self.assertEqual(order.oms_fraud_summary, NONE)
        self.assertFalse(self._fraud_holds(order))

    def test_risks_the_channel_cannot_give_now_make_the_job_try_again(self):
        order_payload = shopify_order()
        self.sim.add_orders([order_payload])
        self.sim.fail_next_graphql("OrderRisks", status=503, times=10)
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.shopify, "webhook", json.dumps(order_payload)
        )
        with (
            self.assertRaises(RetryableJobError),
            mute_logger("odoo.addons.oms_channels.channel_clients._http"),
        ):
            inbox._oms_process_batch()
        self.assertEqual(inbox.state, "received")
        self.assertFalse(
            self.env["sale.order"].search([("oms_channel_id", "=", self.shopify.id)]),
            "nothing is imported without its risks",
        )

    def test_woocommerce_and_amazon_orders_have_no_assessment(self):
        Channel = self.env["oms.channel"]
        woo = Channel.create({"name": "Woo", "channel_type": "woocommerce"})
        amazon = Channel.create({"name": "Amazon US", "channel_type": "amazon"})
        for channel, payload in (
            (woo, fixture("woocommerce", "order_docs_example.json")),
            (amazon, fixture("amazon", "order_us_docs_example.json")),
        ):
            order = self._import(channel, payload)
            self.assertFalse(order.oms_fraud_assessed, channel.name)
            self.assertEqual(order.oms_fraud_summary, NONE, channel.name)
            self.assertFalse(self._fraud_holds(order), channel.name)

    def test_a_low_risk_rule_does_not_take_none_for_zero(self):
        """What a rule author sees: "none" is score 0 with Fraud Assessed unset, so
        a rule on low scores names oms_fraud_assessed, as documented."""
        accepted_payload, none_payload = shopify_order(), shopify_order()
        none_payload["id"] = 450789470
        self.sim.add_orders([accepted_payload, none_payload])
        self.sim.set_risks(accepted_payload["id"], fixture("shopify", "risks_accept.json")["risks"])
        accepted = self._import(self.shopify, accepted_payload)
        none = self._import(self.shopify, none_payload)
        low_risk = [("oms_fraud_assessed", "=", True), ("oms_fraud_score", "<", 20)]
        orders = accepted | none
        self.assertEqual(orders.filtered_domain(low_risk), accepted)
        self.assertEqual(orders.filtered_domain(self.fraud_rule._hold_domain()), orders.browse())
