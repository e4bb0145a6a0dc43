"""Rate shopping across the EasyPost and UPS simulators under a shipping policy."""

import json
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.exceptions import UserError

from odoo.addons.oms_core.models.sale_order_shipping_quote import SaleOrder

from tests.simulators.easypost import EasyPostSimulator
from tests.simulators.ups import UpsSimulator

from .common import CarrierCase

UPS_FIXTURES = Path(__file__).parents[1] / "carrier_clients" / "tests" / "fixtures" / "ups"


class TestRateShopping(CarrierCase):
    def setUp(self):
        super().setUp()
        self.easypost_sim = EasyPostSimulator().start()
        self.ups_sim = UpsSimulator().start()
        self.addCleanup(self.easypost_sim.stop)
        self.addCleanup(self.ups_sim.stop)
        self.easypost = self.make_carrier(
            "oms_easypost",
            name="EasyPost",
            oms_api_base_url=self.easypost_sim.url,
            oms_api_key=self.easypost_sim.api_key,
        )
        self.ups = self.make_carrier(
            "oms_ups",
            name="UPS direct",
            oms_api_base_url=self.ups_sim.url,
            oms_client_id=self.ups_sim.client_id,
            oms_client_secret=self.ups_sim.client_secret,
            oms_account_number=self.ups_sim.account_number,
        )
        self.policy = self.env["oms.shipping.policy"].create(
            {"name": "Cheapest", "is_default": True, "carrier_ids": (self.easypost | self.ups).ids}
        )
        self.order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        self.order.action_confirm()
        self.picking = self.order.picking_ids
        self.picking.action_assign()
        self.picking.move_ids.picked = True

    def test_every_quote_is_kept_and_the_cheapest_wins(self):
        self.picking.action_oms_shop_rates()
        quotes = self.picking.oms_shipping_quote_ids
        self.assertGreater(len(quotes.filtered(lambda q: q.carrier_id == self.easypost)), 1)
        self.assertTrue(quotes.filtered(lambda q: q.carrier_id == self.ups))
        winner = quotes.filtered(lambda q: q.state == "won")
        self.assertEqual(len(winner), 1)
        self.assertEqual(winner.price_company, min(quotes.mapped("price_company")))
        self.assertEqual(winner.service, "USPS/GroundAdvantage")
        self.assertTrue(all(q.reason for q in quotes - winner))
        self.assertEqual(self.picking.carrier_id, self.easypost)
        self.assertEqual(self.picking.oms_carrier_service, "USPS/GroundAdvantage")
        self.assertTrue(
            any("ships with EasyPost" in name for name in self.order.oms_event_ids.mapped("name"))
        )

    def test_a_quote_in_a_currency_odoo_has_not_activated_is_converted(self):
        """UPS's recorded Shop answer in CAD (karrio's fixture): every quote keeps
        its price in CAD and is compared in the company's currency, even though
        CAD is not an active currency of the database."""
        cad = self.env.ref("base.CAD")
        cad.active = False
        company = self.env.company
        self.env["res.currency.rate"].create(
            {"currency_id": cad.id, "rate": 2.0, "name": "2020-01-01", "company_id": company.id}
        )
        body = json.loads((UPS_FIXTURES / "rate_shop_ca_negotiated.json").read_text())
        self.ups_sim.fail_next(200, path=r"/api/rating/", body=body)
        self.picking.action_oms_shop_rates()
        ground = self.picking.oms_shipping_quote_ids.filtered(
            lambda q: q.carrier_id == self.ups and q.service == "11"
        )
        self.assertEqual((ground.price, ground.currency_id), (119.93, cad))
        self.assertAlmostEqual(
            ground.price_company,
            cad._convert(119.93, company.currency_id, company, fields.Date.today()),
        )
        self.assertNotAlmostEqual(ground.price_company, 119.93)

    def test_the_promised_date_rules_out_slow_services(self):
        self.order.commitment_date = fields.Datetime.now() + timedelta(days=2)
        self.picking.action_oms_shop_rates()
        winner = self.picking.oms_shipping_quote_ids.filtered(lambda q: q.state == "won")
        self.assertLessEqual(winner.transit_days, 2)
        self.assertEqual(winner.reason, "cheapest that arrives in time")
        slow = self.picking.oms_shipping_quote_ids.filtered(
            lambda q: q.service == "USPS/GroundAdvantage"
        )
        self.assertEqual(slow.reason, "arrives after the promised date")

    def test_preferred_excluded_and_maximum_price(self):
        self.policy.write(
            {
                "preferred_carrier_ids": self.ups.ids,
                "preferred_margin": 500,
                "excluded_carrier_ids": [],
            }
        )
        self.picking.action_oms_shop_rates()
        self.assertEqual(self.picking.carrier_id, self.ups, "preferred within the margin")
        self.policy.write(
            {"preferred_carrier_ids": [(5,)], "excluded_carrier_ids": self.easypost.ids}
        )
        self.picking.action_oms_shop_rates()
        self.assertEqual(self.picking.carrier_id, self.ups)
        excluded = self.picking.oms_shipping_quote_ids.filtered(
            lambda q: q.carrier_id == self.easypost
        )
        self.assertEqual(set(excluded.mapped("reason")), {"excluded by the policy"})
        self.policy.max_price = 0.01
        with self.assertRaisesRegex(UserError, "No carrier can ship"):
            self.picking.action_oms_shop_rates()

    def test_a_person_overrides_and_the_label_follows(self):
        self.picking.action_oms_shop_rates()
        express = self.picking.oms_shipping_quote_ids.filtered(
            lambda q: q.service == "USPS/Express"
        )
        express.action_use()
        self.assertEqual(self.picking.oms_carrier_service, "USPS/Express")
        self.assertEqual(express.state, "won")
        self.assertEqual(
            len(self.picking.oms_shipping_quote_ids.filtered(lambda q: q.state == "won")), 1
        )
        self.easypost.send_shipping(self.picking)
        bought = self.easypost_sim.purchases
        self.assertEqual(len(bought), 1)
        shipment_id, rate_id = bought[0]
        rate = next(
            r for r in self.easypost_sim.shipments[shipment_id]["rates"] if r["id"] == rate_id
        )
        self.assertEqual((rate["carrier"], rate["service"]), ("USPS", "Express"))

    def test_chosen_automatically_when_the_delivery_is_done(self):
        self.warehouse.out_type_id.print_label = True
        self.picking.button_validate()
        self.assertEqual(self.picking.state, "done")
        self.assertEqual(self.picking.carrier_id, self.easypost)
        self.assertTrue(self.picking.carrier_tracking_ref, "label bought with the chosen service")

    def test_a_carrier_set_by_a_person_is_kept_when_the_delivery_is_done(self):
        self.warehouse.out_type_id.print_label = True
        self.picking.carrier_id = self.ups
        self.ups.oms_service_code = "03"
        self.picking.button_validate()
        self.assertEqual(self.picking.carrier_id, self.ups)
        self.assertFalse(self.picking.oms_shipping_quote_ids, "not shopped")
        self.assertTrue(self.picking.carrier_tracking_ref.startswith("1Z"))

    def test_a_carrier_that_fails_is_recorded_and_others_still_compete(self):
        self.ups_sim.fail_next(503, times=10)
        self.picking.action_oms_shop_rates()
        failed = self.picking.oms_shipping_quote_ids.filtered(lambda q: q.state == "failed")
        self.assertEqual(failed.carrier_id, self.ups)
        self.assertIn("UPS direct could not quote", failed.reason)
        self.assertEqual(self.picking.carrier_id, self.easypost)
        # Counted among the carrier errors of the day on the health dashboard.
        error = self.env["oms.carrier.error"].search([("carrier_id", "=", self.ups.id)])
        self.assertEqual(error.operation, "quote")
        check = self.env.ref("oms_carriers.health_carrier_errors_today")
        found = self.env["oms.carrier.error"].search(check.action_open()["domain"])
        self.assertIn(error, found)

    def test_validation_is_not_blocked_when_no_carrier_can_be_chosen(self):
        self.policy.max_price = 0.01
        self.picking.button_validate()
        self.assertEqual(self.picking.state, "done")
        self.assertFalse(self.picking.carrier_tracking_ref)
        self.assertIn("No carrier chosen automatically", self.picking.message_ids[:1].body)

    # --- the quotes routing asks for (hook) -----------------------------------------
    def test_an_order_is_quoted_from_a_warehouse_before_any_delivery(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 2})],
            }
        )
        warehouse = self.picking.picking_type_id.warehouse_id
        price = order._oms_quote_from(warehouse)
        # Nothing stored: no delivery exists before the confirmation.
        self.assertFalse(self.env["stock.picking"].search([("origin", "=", order.name)]))
        self.assertIsNotNone(price)
        shipments = self.easypost_sim.requests_to("POST", r"/v2/shipments$")
        self.assertTrue(shipments, "EasyPost was asked")
        self.assertTrue(self.ups_sim.requests_to("POST", r"/rating/"), "UPS was asked")
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_oms_shop_rates()  # the same goods shopped as a delivery
        self.assertAlmostEqual(
            price, min(delivery.oms_shipping_quote_ids.mapped("price_company")), places=2
        )

    def test_the_hook_answers_none_without_a_carrier_addon(self):
        """oms_core gives routing's hook a default (no hasattr probe in routing):
        without a carrier addon overriding it, an order has no quote."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        warehouse = self.picking.picking_type_id.warehouse_id
        self.assertIsNone(SaleOrder._oms_quote_from(order, warehouse))
        self.assertIsNotNone(order._oms_quote_from(warehouse), "oms_carriers' override")

    def test_a_carrier_that_fails_is_skipped(self):
        self.ups_sim.fail_next(503, times=10)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        self.assertIsNotNone(order._oms_quote_from(self.picking.picking_type_id.warehouse_id))
        self.policy.carrier_ids = self.ups
        self.assertIsNone(order._oms_quote_from(self.picking.picking_type_id.warehouse_id))
