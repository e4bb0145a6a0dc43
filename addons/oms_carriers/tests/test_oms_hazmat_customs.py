"""Dangerous goods refused before any call; customs data for exports, sent to the
carrier and printed as commercial invoice and CN22 / CN23."""

import base64

from odoo.exceptions import UserError

from .common import CarrierCase


class TestHazmatAndCustoms(CarrierCase):
    def setUp(self):
        super().setUp()
        self.start_easypost()
        self.french = self.env["res.partner"].create(
            {
                "name": "Jean Dupont",
                "street": "12 rue de Rivoli",
                "city": "Paris",
                "zip": "75001",
                "country_id": self.env.ref("base.fr").id,
            }
        )

    def test_lithium_alone_refused_before_any_call_naming_product_and_rule(self):
        self.product.oms_lithium_battery = "ion_alone"
        picking = self.make_delivery(self.carrier)
        calls = len(self.sim.received)
        with self.assertRaisesRegex(
            UserError,
            r"does not take \[BOTTLE\] Bottle: its lithium batteries \(Lithium ion, "
            r"batteries alone",
        ):
            self.carrier.send_shipping(picking)
        self.assertEqual(len(self.sim.received), calls, "the carrier was not called")

    def test_accepted_lithium_goes_to_the_api_as_hazmat(self):
        self.product.oms_lithium_battery = "ion_in_equipment"
        picking = self.make_delivery(self.carrier)
        self.carrier.send_shipping(picking)
        created = self.sim.requests_to("POST", r"/v2/shipments$")[-1].json()
        self.assertEqual(created["shipment"]["options"]["hazmat"], "PRIMARY_CONTAINED")

    def test_regulated_class_needs_the_service_to_take_it(self):
        self.product.write(
            {"oms_un_number": "UN1263", "oms_hazard_class": "3", "oms_packing_group": "II"}
        )
        own = self.make_carrier("oms_own_fleet", name="Our vans")
        picking = self.make_delivery(own)
        with self.assertRaisesRegex(UserError, r"UN1263, class 3, is not among"):
            own.send_shipping(picking)
        own.oms_hazmat_classes = "3,8"
        own.send_shipping(picking)
        label = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))

    def test_own_label_carries_the_marks(self):
        self.product.write(
            {"oms_lithium_battery": "ion_with_equipment", "oms_limited_quantity": True}
        )
        own = self.make_carrier(
            "oms_own_fleet",
            name="Our vans",
            oms_label_format="ZPL",
            oms_hazmat_lithium="with_equipment",
        )
        picking = self.make_delivery(own)
        own.send_shipping(picking)
        zpl = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "=", picking.id),
                ("name", "=like", "%.zpl"),
            ]
        )
        text = base64.b64decode(zpl.datas).decode()
        self.assertIn("UN3481 LITHIUM ION BATTERIES PACKED WITH EQUIPMENT", text)
        self.assertIn("LIMITED QUANTITY", text)

    def test_customs_needed_only_across_customs_territories(self):
        domestic = self.make_delivery(self.carrier)
        self.assertFalse(domestic._oms_needs_customs())
        export = self.make_delivery(self.carrier, partner=self.french)
        self.assertTrue(export._oms_needs_customs())
        self.warehouse.partner_id.country_id = self.env.ref("base.de")
        self.assertFalse(export._oms_needs_customs(), "Germany to France: one customs union")
        self.french.country_id = self.env.ref("base.ch")
        self.assertTrue(export._oms_needs_customs(), "Germany to Switzerland")

    def test_export_without_hs_code_is_refused_with_the_product(self):
        picking = self.make_delivery(self.carrier, partner=self.french)
        with self.assertRaisesRegex(UserError, "give an HS code to .*Bottle"):
            self.carrier.send_shipping(picking)
        self.assertFalse(self.sim.purchases)

    def test_export_sends_customs_and_prints_the_papers(self):
        self.product.write(
            {
                "hs_code": "7310.29",
                "country_of_origin": self.env.ref("base.cn").id,
                "oms_customs_description": "Steel drinking bottle",
                "list_price": 30.0,
            }
        )
        picking = self.make_delivery(self.carrier, quantity=3, partner=self.french)
        self.carrier.send_shipping(picking)
        created = self.sim.requests_to("POST", r"/v2/shipments$")[-1].json()
        items = created["shipment"]["customs_info"]["customs_items"]
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0]["hs_tariff_number"], "7310.29")
        self.assertEqual(items[0]["origin_country"], "CN")
        self.assertEqual(items[0]["quantity"], 3)
        self.assertEqual(float(items[0]["value"]), 90.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("oms_carriers.report_oms_commercial_invoice", picking.ids)[0]
            .decode()
        )
        self.assertIn("Steel drinking bottle", html)
        self.assertIn("7310.29", html)
        self.assertIn("90.00", html)
        declaration = (
            self.env["ir.actions.report"]
            ._render_qweb_html("oms_carriers.report_oms_customs_declaration", picking.ids)[0]
            .decode()
        )
        self.assertIn("CN22", declaration)
        self.product.list_price = 400.0
        self.assertEqual(picking._oms_customs_form(), "CN23")
