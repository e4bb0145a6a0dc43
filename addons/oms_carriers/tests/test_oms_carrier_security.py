"""Secrets go only where an administrator said: the carriers' API URLs are
administrators' fields, https, and a new URL forgets the credentials."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from odoo.addons.oms_carriers.models.delivery_carrier import CREDENTIAL_FIELDS

from .common import CarrierCase


class TestCarrierApiUrl(CarrierCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.oms_manager = new_test_user(
            cls.env, login="car_manager", groups="oms_core.group_oms_manager"
        )
        cls.admin = new_test_user(
            cls.env, login="car_admin", groups="base.group_system,oms_core.group_oms_manager"
        )

    def setUp(self):
        super().setUp()
        self.start_easypost()

    def test_api_url_is_for_administrators_only(self):
        as_manager = self.carrier.with_user(self.oms_manager)
        self.assertEqual(as_manager.name, "EasyPost")
        with self.assertRaises(AccessError):
            as_manager.read(["oms_api_base_url"])
        with self.assertRaises(AccessError):
            as_manager.write({"oms_api_base_url": "https://evil.example.com"})
        with self.assertRaises(AccessError):
            as_manager.write({"oms_allow_insecure_http": True})
        self.assertEqual(self.carrier.oms_api_base_url, self.sim.url)
        self.carrier.with_user(self.admin).write({"oms_api_base_url": "https://api.easypost.com"})
        self.assertEqual(self.carrier.oms_api_base_url, "https://api.easypost.com")

    def test_a_manager_creates_a_carrier_on_the_production_url(self):
        ups = (
            self.env["delivery.carrier"]
            .with_user(self.oms_manager)
            .create(
                {
                    "name": "UPS by a manager",
                    "delivery_type": "oms_ups",
                    "product_id": self.delivery_product.id,
                }
            )
        )
        self.assertEqual(ups.oms_api_base_url, "https://onlinetools.ups.com")
        self.assertFalse(ups.oms_allow_insecure_http)
        for values in (
            {"oms_api_base_url": "https://evil.example.com"},
            {"oms_allow_insecure_http": True},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                self.env["delivery.carrier"].with_user(self.oms_manager).create(
                    {
                        "name": "UPS elsewhere",
                        "delivery_type": "oms_ups",
                        "product_id": self.delivery_product.id,
                        **values,
                    }
                )
        with self.assertRaises(AccessError):  # a copy onto another URL
            self.carrier.with_user(self.oms_manager).copy(
                {"oms_api_base_url": "https://evil.example.com"}
            )

    def test_a_copy_keeps_the_url_with_its_http_flag(self):
        copy = self.carrier.copy()
        self.assertEqual(copy.oms_api_base_url, self.sim.url)
        self.assertTrue(copy.oms_allow_insecure_http)
        self.assertFalse(copy.oms_api_key, "credentials are not copied")
        production = self.make_carrier("oms_easypost", name="Production")
        by_manager = production.with_user(self.oms_manager).copy()
        self.assertEqual(by_manager.oms_api_base_url, "https://api.easypost.com")

    def test_api_url_must_be_https(self):
        carrier = self.make_carrier("oms_ups", name="UPS").with_user(self.admin)
        for url in (
            "http://onlinetools.ups.com",
            "ftp://onlinetools.ups.com",
            "https://user:pass@onlinetools.ups.com",
            "https://:pass@onlinetools.ups.com",  # a password without a user name
            "https://@onlinetools.ups.com",
            "https:///no-host",
            "onlinetools.ups.com",
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                carrier.write({"oms_api_base_url": url})
        carrier.write({"oms_api_base_url": "https://wwwcie.ups.com"})
        self.assertEqual(carrier.oms_api_base_url, "https://wwwcie.ups.com")
        carrier.write({"oms_allow_insecure_http": True, "oms_api_base_url": "http://127.0.0.1:1"})
        self.assertEqual(carrier.oms_api_base_url, "http://127.0.0.1:1")
        with self.assertRaises(ValidationError):
            carrier.write({"oms_allow_insecure_http": False})  # not while the URL is http

    def test_a_new_url_forgets_the_credentials(self):
        ups = self.make_carrier(
            "oms_ups",
            name="UPS",
            oms_client_id="id",
            oms_client_secret="secret",
            oms_account_number="A1",
        )
        ups.with_user(self.admin).write({"oms_api_base_url": "https://elsewhere.example.com"})
        self.assertFalse(ups.oms_client_id)
        self.assertFalse(ups.oms_client_secret)
        self.assertEqual(ups.oms_account_number, "A1", "not a credential sent to the URL")
        # The same URL written again, or a new one with its credentials: kept.
        self.carrier.write({"oms_api_base_url": self.sim.url})
        self.assertEqual(self.carrier.oms_api_key, self.sim.api_key)
        self.carrier.write({"oms_api_base_url": "https://api.easypost.com", "oms_api_key": "new"})
        self.assertEqual(self.carrier.oms_api_key, "new")

    @mute_logger("odoo.sql_db")
    def test_an_http_url_kept_from_before_is_refused_before_anything_is_sent(self):
        self.env.cr.execute(
            "UPDATE delivery_carrier SET oms_allow_insecure_http = false WHERE id = %s",
            [self.carrier.id],
        )
        self.carrier.invalidate_recordset()
        picking = self.make_delivery(self.carrier)
        with self.assertRaisesRegex(UserError, "must be an https://"):
            self.carrier.send_shipping(picking)
        self.assertFalse(self.sim.received, "no request reached the carrier")

    def test_a_manager_still_ships_through_the_url_he_cannot_see(self):
        picking = self.make_delivery(self.carrier).with_user(self.oms_manager)
        result = self.carrier.with_user(self.oms_manager).send_shipping(picking)
        self.assertTrue(result[0]["tracking_number"])
        self.assertEqual(len(self.sim.purchases), 1)


class TestCarrierCompanies(CarrierCase):
    """A user of one company sees none of another company's shipping records."""

    def _records_of(self, company, warehouse, carrier):
        env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        picking = env["stock.picking"].create(
            {"picking_type_id": warehouse.out_type_id.id, "partner_id": self.customer.id}
        )
        shipment = env["oms.carrier.shipment"].create(
            {"picking_id": picking.id, "reference": f"shp_{company.id}", "tracking_number": "1Z"}
        )
        return {
            "oms.shipping.policy": env["oms.shipping.policy"].create(
                {"name": f"Policy {company.name}", "company_id": company.id}
            ),
            "oms.shipping.quote": env["oms.shipping.quote"].create(
                {"picking_id": picking.id, "carrier_id": carrier.id, "price": 5}
            ),
            "oms.carrier.shipment": shipment,
            "oms.carrier.tracking.event": env["oms.carrier.tracking.event"].create(
                {"shipment_id": shipment.id, "status": "in_transit", "occurred_at": "2026-01-02"}
            ),
            "oms.carrier.manifest": env["oms.carrier.manifest"].create(
                {"name": "Manifest", "carrier_id": carrier.id, "warehouse_id": warehouse.id}
            ),
            "oms.carrier.error": env["oms.carrier.error"].create(
                {"carrier_id": carrier.id, "operation": "quote", "picking_id": picking.id}
            ),
        }

    def test_a_user_of_one_company_cannot_read_another_companys_records(self):
        carrier = self.make_carrier("oms_own_fleet", name="Vans")
        company_b = self.env["res.company"].create({"name": "Company B"})
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)])
        ours = self._records_of(self.env.company, self.warehouse, carrier)
        theirs = self._records_of(company_b, warehouse_b, carrier)
        user = new_test_user(
            self.env,
            login="car_user_a",
            groups="oms_core.group_oms_manager",
            company_id=self.env.company.id,
            company_ids=[(6, 0, self.env.company.ids)],
        )
        for model, record in theirs.items():
            with self.subTest(model=model):
                self.assertEqual(record.company_id, company_b)
                visible = self.env[model].with_user(user).search([("id", "in", record.ids)])
                self.assertFalse(visible, f"{model} of company B")
                with self.assertRaises(AccessError):
                    record.with_user(user).read(["id"])
                mine = ours[model]
                self.assertEqual(
                    self.env[model].with_user(user).search([("id", "in", mine.ids)]), mine
                )


class TestNeutralize(CarrierCase):
    """A neutralized copy of the database talks to no carrier."""

    def test_neutralize_blanks_the_carriers_secrets_and_stops_tracking(self):
        carriers = self.make_carrier(
            "oms_easypost",
            name="Live EasyPost",
            oms_api_key="EZAK_live",
            oms_webhook_secret="whsec_live",
        ) | self.make_carrier(
            "oms_ups",
            name="Live UPS",
            oms_client_id="live-client",
            oms_client_secret="live-secret",
            oms_account_number="A1B2C3",
        )
        other = self.make_carrier("fixed", name="Flat rate")
        cron = self.env.ref("oms_carriers.ir_cron_oms_poll_tracking")
        cron.active = True
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        for carrier in carriers:
            with self.subTest(carrier.name):
                self.assertEqual(
                    [
                        carrier[name]
                        for name in (*CREDENTIAL_FIELDS, "oms_webhook_secret", "active")
                    ],
                    [False] * (len(CREDENTIAL_FIELDS) + 2),
                )
                with self.assertRaisesRegex(UserError, "credentials"):
                    carrier._oms_get_carrier_client()
        self.assertTrue(other.active, "carriers without an API are left alone")
        self.assertFalse(cron.active)
