"""Where a channel's credentials may go, who sees what, and what a copy keeps."""

import itertools

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.oms_channels.models.oms_channel import CREDENTIAL_FIELDS
from odoo.addons.queue_job.tests.common import trap_jobs

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.shopify import ShopifySimulator, generate_orders


class TestChannelUrls(LocalSimulatorsMixin, TransactionCase):
    """The API URLs: administrators only, https, and a new URL forgets the secrets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="chan_url_manager", groups="oms_core.group_oms_manager"
        )
        cls.admin = new_test_user(
            cls.env, login="chan_url_admin", groups="base.group_system,oms_core.group_oms_manager"
        )

    _names = itertools.count(1)

    def _shopify(self, **values):
        values.setdefault("name", f"Shopify {next(self._names)}")
        return (
            self.env["oms.channel"]
            .with_user(self.admin)
            .create(
                {
                    "channel_type": "shopify",
                    "api_base_url": "https://shop-a.example.com",
                    "shopify_access_token": "shpat_a",
                    "webhook_secret": "whsec_a",
                    **values,
                }
            )
        )

    def test_api_urls_are_for_administrators_only(self):
        channel = self._shopify()
        as_manager = channel.with_user(self.manager)
        self.assertEqual(as_manager.name, channel.name, "the manager sees the channel")
        for field in ("api_base_url", "amazon_token_url", "allow_insecure_http"):
            with self.subTest(field), self.assertRaises(AccessError):
                as_manager.read([field])
        with self.assertRaises(AccessError):
            as_manager.write({"api_base_url": "https://elsewhere.example.com"})
        with self.assertRaises(AccessError):
            as_manager.write({"amazon_token_url": "https://elsewhere.example.com/token"})
        channel.invalidate_recordset()
        self.assertEqual(channel.sudo().api_base_url, "https://shop-a.example.com")
        channel.with_user(self.admin).api_base_url = "https://shop-b.example.com"
        self.assertEqual(channel.sudo().api_base_url, "https://shop-b.example.com")

    def test_a_manager_still_pulls_through_the_url_he_cannot_see(self):
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        sim.add_orders(generate_orders(2, seed=41, lines=1))
        channel = self._shopify(
            allow_insecure_http=True, api_base_url=sim.url, shopify_access_token=sim.access_token
        )
        with trap_jobs():
            channel.with_user(self.manager).action_pull_orders()
        self.assertEqual(len(channel.inbox_ids), 2)
        self.assertEqual(
            {r.headers["x-shopify-access-token"] for r in sim.received}, {sim.access_token}
        )

    def test_api_urls_must_be_https(self):
        channel = self._shopify()
        for url in (
            "http://shop.example.com",
            "ftp://shop.example.com",
            "https://",
            "https://user:password@shop.example.com",
            "https://:password@shop.example.com",
            "shop.example.com",
            "javascript:alert(1)",
        ):
            with self.subTest(url), self.assertRaises(ValidationError):
                self._shopify(api_base_url=url)
        with self.assertRaises(ValidationError):
            channel.write({"amazon_token_url": "http://api.amazon.com/auth/o2/token"})
        simulator = self._shopify(allow_insecure_http=True, api_base_url="http://127.0.0.1:8181")
        self.assertEqual(simulator.api_base_url, "http://127.0.0.1:8181", "allowed for simulators")
        copy = simulator.copy({"name": "Copy of the simulator"})
        self.assertTrue(copy.allow_insecure_http, "a copy keeps the URL and the flag")
        with self.assertRaises(ValidationError):
            simulator.allow_insecure_http = False
        self.assertEqual(channel.api_base_url, "https://shop-a.example.com")

    def test_a_new_url_forgets_the_credentials(self):
        channel = self._shopify()
        channel.write({"api_base_url": "https://shop-a.example.com", "name": "Renamed"})
        self.assertEqual(channel.shopify_access_token, "shpat_a", "the same URL")
        channel.write({"api_base_url": "https://attacker.example.com"})
        self.assertFalse(channel.shopify_access_token, "not sent to the new URL")
        self.assertEqual(channel.webhook_secret, "whsec_a", "it is not sent anywhere")
        channel.write({"api_base_url": "https://shop-b.example.com", "shopify_access_token": "b"})
        self.assertEqual(channel.shopify_access_token, "b", "given again with the new URL")
        amazon = self.env["oms.channel"].create(
            {
                "name": "Amazon",
                "channel_type": "amazon",
                "api_base_url": "https://sellingpartnerapi-na.amazon.com",
                "amazon_client_id": "client",
                "amazon_client_secret": "secret",
                "amazon_refresh_token": "Atzr|refresh",
            }
        )
        amazon.amazon_token_url = "https://tokens.example.com/auth/o2/token"
        self.assertEqual(
            (amazon.amazon_client_id, amazon.amazon_client_secret, amazon.amazon_refresh_token),
            ("client", False, False),
        )

    def test_an_http_url_kept_from_before_is_refused_before_anything_is_sent(self):
        sim = ShopifySimulator().start()
        self.addCleanup(sim.stop)
        channel = self._shopify(
            allow_insecure_http=True, api_base_url=sim.url, shopify_access_token=sim.access_token
        )
        # As a database from before the https rule has it.
        self.env.cr.execute(
            "UPDATE oms_channel SET allow_insecure_http = false WHERE id = %s", [channel.id]
        )
        channel.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "https://"):
            channel.action_test_connection()
        self.assertEqual(sim.received, [], "the token was not sent")


class TestChannelCompanies(TransactionCase):
    """A user sees the listings and inbox of his companies' channels only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "OMS Channels B"})
        cls.user = new_test_user(
            cls.env,
            login="chan_company_a",
            groups="oms_core.group_oms_user",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, cls.company_a.ids)],
        )
        product = cls.env["product.product"].create(
            {"name": "Mug", "default_code": "MUG-2C", "is_storable": True}
        )
        cls.channels, cls.listings, cls.inbox = {}, {}, {}
        for key, company in (("a", cls.company_a), ("b", cls.company_b)):
            channel = cls.env["oms.channel"].create(
                {
                    "name": f"Shop {key}",
                    "channel_type": "shopify",
                    "company_id": company.id,
                    "webhook_secret": "s",
                }
            )
            cls.channels[key] = channel
            cls.listings[key] = cls.env["oms.channel.product"].create(
                {"channel_id": channel.id, "product_id": product.id}
            )
            body = f'{{"id": 7, "updated_at": "2026-01-10T10:00:00Z", "name": "#{key}"}}'
            cls.inbox[key] = cls.env["oms.channel.inbox"]._oms_store(channel, "webhook", body)[0]

    def test_listings_and_inbox_of_the_users_companies_only(self):
        both = self.channels["a"] | self.channels["b"]
        for model, records in (
            ("oms.channel.product", self.listings),
            ("oms.channel.inbox", self.inbox),
        ):
            with self.subTest(model):
                self.assertEqual(records["b"].company_id, self.company_b)
                seen = self.env[model].with_user(self.user).search([("channel_id", "in", both.ids)])
                self.assertEqual(seen, records["a"])
                with self.assertRaises(AccessError):
                    records["b"].with_user(self.user).read(["channel_id"])


class TestNeutralize(TransactionCase):
    """A neutralized copy of the database talks to no channel."""

    def test_neutralize_blanks_the_channels_secrets_and_stops_their_crons(self):
        channels = self.env["oms.channel"].create(
            [
                {
                    "name": "Live Shopify",
                    "channel_type": "shopify",
                    "api_base_url": "https://live.myshopify.com",
                    "shopify_access_token": "shpat_live",
                    "webhook_secret": "whsec_live",
                    "stock_push_on_change": True,
                },
                {
                    "name": "Live WooCommerce",
                    "channel_type": "woocommerce",
                    "api_base_url": "https://live-store.example.com",
                    "woocommerce_consumer_key": "ck_live",
                    "woocommerce_consumer_secret": "cs_live",
                    "webhook_secret": "woo_live",
                },
                {
                    "name": "Live Amazon",
                    "channel_type": "amazon",
                    "api_base_url": "https://sellingpartnerapi-na.amazon.com",
                    "amazon_client_id": "amzn1.application-oa2-client.live",
                    "amazon_client_secret": "live-secret",
                    "amazon_refresh_token": "Atzr|live",
                    "amazon_marketplace_ids": "ATVPDKIKX0DER",
                },
                {
                    "name": "Live eBay",
                    "channel_type": "ebay",
                    "api_base_url": "https://api.ebay.com",
                    "ebay_client_id": "live-app-id",
                    "ebay_client_secret": "live-cert-id",
                    "ebay_refresh_token": "v^1.1#live",
                },
            ]
        )
        edi = self.env["oms.channel"].create(
            {
                "name": "Live EDI partner",
                "channel_type": "edi",
                "edi_sender_id": "RETAILER",
                "edi_receiver_id": "OURCOMPANY",
                "edi_inbox_path": "/srv/sftp/retailer/in",
                "edi_outbox_path": "/srv/sftp/retailer/out",
                "edi_archive_path": "/srv/sftp/retailer/archive",
            }
        )
        crons = self.env.ref("oms_channels.ir_cron_oms_pull_orders") | self.env.ref(
            "oms_channels.ir_cron_oms_push_stock"
        )
        crons.active = True
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        for channel in channels:
            with self.subTest(channel.name):
                self.assertEqual(
                    [channel[name] for name in (*CREDENTIAL_FIELDS, "webhook_secret")],
                    [False] * (len(CREDENTIAL_FIELDS) + 1),
                )
                self.assertFalse(channel.stock_push_on_change)
                with self.assertRaisesRegex(UserError, "credentials"):
                    channel._oms_get_channel_client()
        # A copy neither takes the partner's interchanges nor writes for them.
        self.assertEqual(
            [edi.edi_inbox_path, edi.edi_outbox_path, edi.edi_archive_path], [False] * 3
        )
        with self.assertRaises(UserError):
            edi.action_pull_orders()
        self.assertEqual(crons.mapped("active"), [False, False])
