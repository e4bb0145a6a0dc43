"""Labels bought through the carriers' simulators, stored on the delivery."""

import base64
import json
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from odoo.addons.oms_carriers.carrier_clients import (
    NO_RETRY,
    EasyPostClient,
    Parcel,
    PostLogisticsClient,
    UpsClient,
)

from tests.simulators.postlogistics import SERVICE_PATH, PostLogisticsSimulator
from tests.simulators.ups import UpsSimulator

from .common import CarrierCase

UPS_FIXTURES = Path(__file__).parents[1] / "carrier_clients" / "tests" / "fixtures" / "ups"


class TestEasyPost(CarrierCase):
    def setUp(self):
        super().setUp()
        self.start_easypost()

    def test_default_endpoint_is_production(self):
        carrier = self.make_carrier("oms_easypost")
        self.assertEqual(carrier.oms_api_base_url, "https://api.easypost.com")

    def test_send_to_shipper_buys_one_label_and_stores_it(self):
        self.warehouse.out_type_id.print_label = True  # labels bought at validation
        picking = self.make_delivery(self.carrier)
        picking._action_done()
        self.assertTrue(picking.carrier_tracking_ref)
        self.assertEqual(len(self.sim.purchases), 1)
        shipment = picking.oms_carrier_shipment_ids
        self.assertEqual(shipment.tracking_number, picking.carrier_tracking_ref)
        label = self.labels(picking).filtered(lambda a: a.name.endswith(".pdf"))
        self.assertEqual(len(label), 1)
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        self.assertGreater(picking.carrier_price, 0)
        self.assertIn(picking.carrier_tracking_ref, self.carrier.get_tracking_link(picking))

    def test_the_label_cost_is_what_easypost_bills_fees_included(self):
        """EasyPost bills the postage and its own fees (here a label fee): the
        delivery's carrier price (cost to serve) and the label record carry both."""
        self.sim.label_fee = Decimal("0.05")
        picking = self.make_delivery(self.carrier)
        picking._action_done()
        (shipment,) = picking.oms_carrier_shipment_ids
        bought = self.sim.shipments[shipment.reference]
        postage = Decimal(bought["selected_rate"]["rate"])
        self.assertAlmostEqual(picking.carrier_price, float(postage + Decimal("0.05")))
        self.assertAlmostEqual(shipment.cost, float(postage + Decimal("0.05")))
        self.assertEqual(shipment.cost_currency, "USD")
        self.assertEqual(
            shipment.cost_details, f"LabelFee 0.05000, PostageFee {Decimal(postage):.5f}"
        )

    def test_a_test_commits_nothing_to_the_database(self):
        # The carrier shipment is kept on a cursor of its own before the purchase;
        # in a test that cursor works inside the test's transaction (the shared
        # simulators mixin puts the registry in test mode), so another connection
        # to the database sees nothing of it.
        picking = self.make_delivery(self.carrier)
        picking.send_to_shipper()
        self.assertEqual(len(self.sim.purchases), 1)
        self.assertTrue(self.env["oms.carrier.purchase.attempt"].search([]))
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute("SELECT count(*) FROM oms_carrier_purchase_attempt")
            self.assertEqual(other.fetchone()[0], 0)

    def impatient(self):
        # No retry inside the call: the error reaches Odoo, whose job retries later.
        return EasyPostClient(
            self.sim.api_key, base_url=self.sim.url, timeout=(1, 0.3), retry=NO_RETRY
        )

    def test_a_retry_after_the_answer_was_lost_does_not_buy_twice(self):
        """EasyPost bought, its answer was lost and so was the read-back: the job's
        retry reads the kept shipment back and reuses its label (the simulator,
        like EasyPost's documentation, knows no Idempotency-Key)."""
        picking = self.make_delivery(self.carrier)
        self.sim.delay_next(0.8, path=r"/buy$")
        self.sim.fail_next(503, method="GET", path=r"^/v2/shipments/shp_\w+$")
        with patch.object(
            type(self.carrier), "_oms_get_carrier_client", return_value=self.impatient()
        ):
            with self.assertRaisesRegex(UserError, "could not buy the label"):
                self.carrier.send_shipping(picking)
            (kept,) = self.env["oms.carrier.purchase.attempt"].search(
                [("picking_ref", "=", picking.id)]
            )
            self.assertEqual(list(self.sim.shipments), [kept.reference])
            self.assertEqual(kept.company_id, picking.company_id, "kept for its company")
            result = self.carrier.send_shipping(picking)  # the job's retry
        self.assertEqual(len(self.sim.purchases), 1, "the carrier sold one label")
        self.assertEqual(len(self.sim.requests_to("POST", r"/buy$")), 1)
        self.assertEqual(len(self.sim.shipments), 1, "no second shipment either")
        number = self.sim.shipments[kept.reference]["tracking_code"]
        self.assertEqual(result[0]["tracking_number"], number)
        self.assertEqual(picking.oms_carrier_shipment_ids.reference, kept.reference)
        self.assertTrue(self.labels(picking))
        self.assertFalse([r for r in self.sim.received if "idempotency-key" in r.headers])

    def test_a_retry_after_a_buy_easypost_refused_buys_the_same_shipment(self):
        picking = self.make_delivery(self.carrier)
        self.sim.fail_next(503, path=r"/buy$")
        with patch.object(
            type(self.carrier), "_oms_get_carrier_client", return_value=self.impatient()
        ):
            with self.assertRaisesRegex(UserError, "could not buy the label"):
                self.carrier.send_shipping(picking)
            self.carrier.send_shipping(picking)
        self.assertEqual(len(self.sim.shipments), 1, "the kept shipment is bought")
        self.assertEqual(len(self.sim.purchases), 1)

    def test_zpl_label_also_as_pdf(self):
        self.carrier.oms_label_format = "ZPL"
        picking = self.make_delivery(self.carrier)
        self.carrier.send_shipping(picking)
        names = self.labels(picking).mapped("name")
        self.assertTrue(any(name.endswith(".zpl") for name in names), names)
        self.assertTrue(any(name.endswith("-zpl.pdf") for name in names), names)

    def test_void_asks_the_carrier(self):
        picking = self.make_delivery(self.carrier)
        picking.carrier_tracking_ref = self.carrier.send_shipping(picking)[0]["tracking_number"]
        picking.cancel_shipment()
        self.assertFalse(picking.carrier_tracking_ref)
        refunds = self.sim.requests_to("POST", r"/refund$")
        self.assertEqual(len(refunds), 1)

    def test_a_voided_label_is_neither_printed_tracked_nor_bought_again(self):
        picking = self.make_delivery(self.carrier)
        first = self.carrier.send_shipping(picking)[0]["tracking_number"]
        picking.carrier_tracking_ref = first
        picking.cancel_shipment()
        self.assertTrue(picking.oms_carrier_shipment_ids.voided)
        self.assertFalse(picking.oms_has_labels, "Shop Rates comes back")
        with self.assertRaisesRegex(UserError, "no label yet"):
            picking.action_oms_print_labels()
        picking.cancel_shipment()  # a second void asks the carrier nothing more
        self.assertEqual(len(self.sim.requests_to("POST", r"/refund$")), 1)
        # A new label: a new purchase, not the voided one answered again.
        second = self.carrier.send_shipping(picking)[0]["tracking_number"]
        self.assertNotEqual(second, first)
        self.assertEqual(len(self.sim.purchases), 2)
        action = picking.action_oms_print_labels()
        printable = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        active = picking._oms_label_attachments()
        self.assertEqual(len(active), 1)
        self.assertIn(second, active.name)
        self.assertEqual(printable.raw, active.raw)

    def test_bad_input_is_a_clear_message(self):
        self.product.weight = 0
        picking = self.make_delivery(self.carrier)
        with self.assertRaisesRegex(UserError, "has no weight"):
            self.carrier.send_shipping(picking)
        self.product.weight = 1
        self.customer.zip = False
        picking = self.make_delivery(self.carrier)
        with self.assertRaisesRegex(UserError, "lacks its postcode"):
            self.carrier.send_shipping(picking)
        self.assertFalse(self.sim.purchases, "nothing bought")

    def test_credentials_missing(self):
        carrier = self.make_carrier("oms_easypost", name="No key")
        picking = self.make_delivery(carrier)
        with self.assertRaisesRegex(UserError, "Set the credentials of No key"):
            carrier.send_shipping(picking)


class TestUps(CarrierCase):
    def setUp(self):
        super().setUp()
        self.sim = UpsSimulator().start()
        self.addCleanup(self.sim.stop)
        self.carrier = self.make_carrier(
            "oms_ups",
            name="UPS",
            oms_api_base_url=self.sim.url,
            oms_client_id=self.sim.client_id,
            oms_client_secret=self.sim.client_secret,
            oms_account_number=self.sim.account_number,
            oms_service_code="03",
        )

    def test_label_per_package_and_void(self):
        picking = self.make_delivery(self.carrier)
        result = self.carrier.send_shipping(picking)
        number = result[0]["tracking_number"]
        self.assertTrue(number.startswith("1Z"), number)
        self.assertEqual(len(self.labels(picking)), 1)
        picking.carrier_tracking_ref = number
        self.assertIn(number, self.carrier.get_tracking_link(picking))
        # UPS's GIF label prints as a PDF page.
        action = picking.action_oms_print_labels()
        printable = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertTrue(printable.raw.startswith(b"%PDF"))
        picking.cancel_shipment()
        self.assertFalse(picking.carrier_tracking_ref)

    def test_the_label_cost_is_the_negotiated_total_with_its_surcharges(self):
        """UPS's recorded answer (karrio's fixture, fixtures/ups/README.md): the
        negotiated total in GBP, the fuel surcharge it itemizes; the delivery's
        carrier price is in the order's currency, the parcel keeps UPS's."""
        gbp = self.env.ref("base.GBP")
        company = self.env.company
        self.env["res.currency.rate"].create(
            {"currency_id": gbp.id, "rate": 0.5, "name": "2020-01-01", "company_id": company.id}
        )
        body = json.loads((UPS_FIXTURES / "ship_gb_negotiated_invoice.json").read_text())
        self.sim.fail_next(200, path=r"/ship$", body=body)
        picking = self.make_delivery(self.carrier)
        result = self.carrier.send_shipping(picking)
        shipment = picking.oms_carrier_shipment_ids
        self.assertEqual(shipment.tracking_number, "1Z0FH3446831744085")
        self.assertEqual((shipment.cost, shipment.cost_currency), (20.22, "GBP"))
        self.assertEqual(shipment.cost_details, "UPS 378 7.77")
        in_company = gbp._convert(20.22, company.currency_id, company, fields.Date.today())
        self.assertNotEqual(company.currency_id, gbp)
        self.assertAlmostEqual(result[0]["exact_price"], in_company)
        self.assertNotAlmostEqual(result[0]["exact_price"], 20.22)

    def test_a_retry_after_a_timeout_recovers_the_label_instead_of_buying_twice(self):
        picking = self.make_delivery(self.carrier)
        # No retry inside the call: the timeout reaches Odoo, whose job retries later.
        impatient = UpsClient(
            self.sim.client_id,
            self.sim.client_secret,
            self.sim.account_number,
            base_url=self.sim.url,
            timeout=(1, 0.3),
            retry=NO_RETRY,
        )
        # Another database shipped a delivery of the same name on this account:
        # the lookup must not take its shipment for ours.
        impatient.ship(
            impatient_address := self.carrier._oms_address(self.warehouse.partner_id),
            impatient_address,
            [Parcel(Decimal("1"))],
            "03",
            reference=picking.name,
        )
        self.sim.delay_next(0.8, path=r"/ship$")
        with patch.object(type(self.carrier), "_oms_get_carrier_client", return_value=impatient):
            with self.assertRaisesRegex(UserError, "could not buy the labels"):
                self.carrier.send_shipping(picking)
            self.assertFalse(picking.oms_carrier_shipment_ids, "nothing half-recorded")
            result = self.carrier.send_shipping(picking)  # the job's retry
        ours = {k: v for k, v in self.sim.shipments.items() if v["reference"] != picking.name}
        self.assertEqual(len(ours), 1, "UPS made one shipment for us")
        [made] = ours.values()
        self.assertTrue(made["reference"].startswith(picking.name + " "))
        self.assertEqual(result[0]["tracking_number"], made["packages"][0])
        self.assertEqual(picking.oms_carrier_shipment_ids.tracking_number, made["packages"][0])
        self.assertTrue(self.labels(picking).filtered(lambda a: a.name.endswith(".gif")))
        self.assertTrue(self.sim.requests_to("POST", r"/recovery$"))
        # The recovered shipment voids like a bought one.
        picking.carrier_tracking_ref = result[0]["tracking_number"]
        picking.cancel_shipment()
        self.assertTrue(made["voided"])

    def test_an_export_carries_its_commercial_invoice(self):
        self.product.write(
            {
                "hs_code": "7310.29",
                "country_of_origin": self.env.ref("base.cn").id,
                "oms_customs_description": "Steel drinking bottle",
                "list_price": 30.0,
            }
        )
        french = self.env["res.partner"].create(
            {
                "name": "Jean Dupont",
                "street": "12 rue de Rivoli",
                "city": "Paris",
                "zip": "75001",
                "country_id": self.env.ref("base.fr").id,
                "phone": "+33140000000",
            }
        )
        self.carrier.oms_service_code = "65"  # Worldwide Saver
        picking = self.make_delivery(self.carrier, quantity=3, partner=french)
        self.carrier.send_shipping(picking)
        shipment = next(iter(self.sim.shipments.values()))
        forms = shipment["international_forms"]
        self.assertEqual(forms["FormType"], ["01"])
        self.assertEqual(forms["ReasonForExport"], "SALE")
        self.assertEqual(forms["Contacts"]["SoldTo"]["Address"]["CountryCode"], "FR")
        [product] = forms["Product"]
        self.assertEqual(product["CommodityCode"], "7310.29")
        self.assertEqual(product["OriginCountryCode"], "CN")
        self.assertEqual(product["Unit"]["Number"], "3")
        self.assertEqual(product["Unit"]["Value"], "30.00")
        self.assertEqual(product["Description"], ["Steel drinking bottle"])

    def test_a_domestic_shipment_has_no_invoice(self):
        picking = self.make_delivery(self.carrier)
        self.carrier.send_shipping(picking)
        shipment = next(iter(self.sim.shipments.values()))
        self.assertIsNone(shipment["international_forms"])

    def test_rate_for_an_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 2})],
            }
        )
        answer = self.carrier.rate_shipment(order)
        self.assertTrue(answer["success"], answer["error_message"])
        self.assertGreater(answer["price"], 0)


class TestOwnFleet(CarrierCase):
    def test_own_label_pdf_and_zpl(self):
        carrier = self.make_carrier("oms_own_fleet", name="Our vans")
        picking = self.make_delivery(carrier)
        result = carrier.send_shipping(picking)
        self.assertEqual(result[0]["tracking_number"], f"{picking.name.replace('/', '')}-1")
        label = self.labels(picking)
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        carrier.oms_label_format = "ZPL"
        picking = self.make_delivery(carrier)
        carrier.send_shipping(picking)
        self.assertEqual(len(self.labels(picking)), 2, "ZPL and its PDF")


class TestPostLogistics(CarrierCase):
    def setUp(self):
        super().setUp()
        self.sim = PostLogisticsSimulator("TU_sim", "pass", {"60000001"}).start()
        self.addCleanup(self.sim.stop)
        self.carrier = self.make_carrier(
            "oms_postlogistics",
            name="Swiss Post",
            oms_api_base_url=f"{self.sim.url}{SERVICE_PATH}?wsdl",
            oms_client_id="TU_sim",
            oms_client_secret="pass",
            oms_franking_license="60000001",
            oms_service_code="PRI",
        )
        switzerland = self.env.ref("base.ch")
        self.warehouse.partner_id.write(
            {
                "street": "Industriestrasse 8",
                "city": "Zürich",
                "zip": "8005",
                "state_id": False,
                "country_id": switzerland.id,
            }
        )
        self.swiss = self.env["res.partner"].create(
            {
                "name": "Anna Muster",
                "street": "Bahnhofstrasse 1",
                "city": "Bern",
                "zip": "3011",
                "country_id": switzerland.id,
            }
        )

    def test_an_export_is_refused_before_any_call(self):
        french = self.env["res.partner"].create(
            {
                "name": "Jean Dupont",
                "street": "12 rue de Rivoli",
                "city": "Paris",
                "zip": "75001",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        picking = self.make_delivery(self.carrier, partner=french)
        with self.assertRaisesRegex(UserError, "Switzerland and Liechtenstein only"):
            self.carrier.send_shipping(picking)
        with self.assertRaisesRegex(UserError, "Switzerland and Liechtenstein only"):
            self.carrier._oms_quotes_for_picking(picking)
        self.assertFalse(self.sim.received)

    def test_label_through_soap(self):
        picking = self.make_delivery(self.carrier, partner=self.swiss)
        number = self.carrier.send_shipping(picking)[0]["tracking_number"]
        self.assertTrue(number)
        self.assertTrue(base64.b64decode(self.labels(picking).datas).startswith(b"%PDF"))
        # the delivery's reference travels as ItemID (v2.4 refuses "/" there), the
        # weight in grams where v2.4 puts it, and the request fits the v2.4 schema
        (label,) = self.sim.labels
        self.assertEqual(label["item_id"], picking.name.replace("/", "-"))
        weight = picking.shipping_weight or picking.weight
        self.assertEqual(label["weight_g"], round(weight * 1000))
        self.assertEqual(self.sim.schema_errors, [])

    def test_wrong_license_is_a_clear_message(self):
        self.carrier.oms_franking_license = "99999999"
        picking = self.make_delivery(self.carrier, partner=self.swiss)
        with self.assertRaisesRegex(UserError, "Swiss Post could not generate the label: .*"):
            self.carrier.send_shipping(picking)

    def test_a_label_whose_answer_was_lost_is_not_made_again_silently(self):
        """Swiss Post makes a new barcode on every call and has no read-back: the
        label made for a package is reused by the job's retry; one whose answer was
        lost stops the delivery until a person releases its attempt."""
        picking = self.make_delivery(self.carrier, partner=self.swiss)
        first, second = self.env["stock.quant.package"].create(
            [{"shipping_weight": 0.75}, {"shipping_weight": 1.25}]
        )
        line = picking.move_line_ids
        line.write({"quantity": 1, "result_package_id": first.id})
        line.copy({"quantity": 1, "result_package_id": second.id, "move_id": line.move_id.id})
        # No retry inside the call: the timeout reaches Odoo, whose job retries later.
        impatient = PostLogisticsClient(
            "TU_sim",
            "pass",
            "60000001",
            self.carrier._oms_address(self.warehouse.partner_id),
            wsdl_url=f"{self.sim.url}{SERVICE_PATH}?wsdl",
            timeout=(1, 0.3),
            retry=NO_RETRY,
        )
        self.sim.delay_next(0, method="POST")  # package 1: answered
        self.sim.delay_next(0.8, method="POST")  # package 2: made, its answer lost
        Attempt = self.env["oms.carrier.purchase.attempt"]
        with patch.object(type(self.carrier), "_oms_get_carrier_client", return_value=impatient):
            with self.assertRaisesRegex(UserError, "could not generate the label"):
                self.carrier.send_shipping(picking)
            self.assertFalse(picking.oms_carrier_shipment_ids, "nothing half-recorded")
            self.assertEqual(len(self.sim.labels), 2)
            with self.assertRaisesRegex(UserError, "may have made the label of package 2"):
                self.carrier.send_shipping(picking)  # the job's retry
            self.assertEqual(len(self.sim.labels), 2, "no barcode made again")
            attempts = Attempt.search([("picking_ref", "=", picking.id)], order="key")
            self.assertEqual(attempts.mapped("state"), ["done", "unknown"])
            self.assertEqual(attempts[0].reference, self.sim.labels[0]["ident_code"])
            # a person made sure no parcel carries the lost label and releases it
            manager = new_test_user(
                self.env,
                "oms_label_attempts",
                groups="oms_core.group_oms_manager,stock.group_stock_user",
            )
            attempts[1].with_user(manager).action_oms_release()
            self.env.flush_all()  # the person's request commits
            result = self.carrier.send_shipping(picking)
        idents = [label["ident_code"] for label in self.sim.labels]
        self.assertEqual(len(idents), 3, "package 1 once, package 2 again after the release")
        self.assertEqual(result[0]["tracking_number"], f"{idents[0]},{idents[2]}")
        self.assertEqual(
            picking.oms_carrier_shipment_ids.mapped("tracking_number"), [idents[0], idents[2]]
        )
        self.assertEqual(len(self.labels(picking)), 2)
        attempts.invalidate_recordset()  # written on cursors of their own
        self.assertEqual(attempts.mapped("state"), ["done", "done"])

    def test_a_refused_label_is_tried_again(self):
        """A refusal made no label: the attempt is forgotten and the retry asks again."""
        self.carrier.oms_franking_license = "99999999"
        picking = self.make_delivery(self.carrier, partner=self.swiss)
        with self.assertRaisesRegex(UserError, "could not generate the label"):
            self.carrier.send_shipping(picking)
        self.assertFalse(self.env["oms.carrier.purchase.attempt"].search([]))
        self.carrier.oms_franking_license = "60000001"
        self.carrier.send_shipping(picking)
        self.assertEqual(len(self.sim.labels), 1)
