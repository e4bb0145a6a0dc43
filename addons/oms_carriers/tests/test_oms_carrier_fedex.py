"""FedEx as a delivery type: quotes, labels bought once, cancel, tracking polls,
through the FedEx simulator over real HTTP."""

import base64
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError

from odoo.addons.oms_carriers.carrier_clients import NO_RETRY, FedExClient
from odoo.addons.oms_carriers.models.delivery_carrier_fedex import FEDEX_TOKENS

from tests.simulators.fedex import FedExSimulator

from .common import CarrierCase


class FedExCase(CarrierCase):
    def setUp(self):
        super().setUp()
        # The worker's token store outlives a test: a token of an earlier
        # test's simulator, on a port this one got again, would be refused
        # once (401, renewed, sent again), a request more in the counts.
        FEDEX_TOKENS.clear()
        self.addCleanup(FEDEX_TOKENS.clear)
        self.sim = FedExSimulator().start()
        self.addCleanup(self.sim.stop)
        self.carrier = self.make_carrier(
            "oms_fedex",
            name="FedEx",
            oms_api_base_url=self.sim.url,
            oms_client_id=self.sim.client_id,
            oms_client_secret=self.sim.client_secret,
            oms_account_number=self.sim.account_number,
            oms_service_code="FEDEX_GROUND",
        )

    def active(self):
        """The simulator's shipments FedEx has not cancelled (what it bills)."""
        return {k: v for k, v in self.sim.shipments.items() if not v["cancelled"]}


class TestFedExLabels(FedExCase):
    def test_default_endpoint_is_production(self):
        carrier = self.make_carrier("oms_fedex")
        self.assertEqual(carrier.oms_api_base_url, "https://apis.fedex.com")

    def test_a_label_is_bought_stored_and_cancelled(self):
        picking = self.make_delivery(self.carrier)
        result = self.carrier.send_shipping(picking)
        [(number, made)] = self.sim.shipments.items()
        self.assertEqual(result[0]["tracking_number"], number)
        self.assertAlmostEqual(result[0]["exact_price"], float(made["net"]))
        (shipment,) = picking.oms_carrier_shipment_ids
        self.assertEqual((shipment.reference, shipment.tracking_number), (number, number))
        self.assertEqual((shipment.cost, shipment.cost_currency), (float(made["net"]), "USD"))
        self.assertTrue(made["reference"].startswith(picking.name + " "))
        (label,) = self.labels(picking)
        self.assertTrue(label.name.endswith(".pdf"))
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        body = self.sim.requests_to("POST", r"^/ship/v1/shipments$")[0].json()
        shipment_body = body["requestedShipment"]
        self.assertEqual(shipment_body["serviceType"], "FEDEX_GROUND")
        self.assertEqual(shipment_body["recipients"][0]["address"]["postalCode"], "90277")
        self.assertEqual(shipment_body["shipper"]["address"]["postalCode"], "94107")
        picking.carrier_tracking_ref = number
        self.assertIn(number, self.carrier.get_tracking_link(picking))
        picking.cancel_shipment()
        self.assertTrue(made["cancelled"])
        self.assertEqual(
            self.sim.requests_to("PUT", r"/cancel$")[0].json()["trackingNumber"], number
        )
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertTrue(shipment.voided)

    def test_each_package_is_a_shipment_of_its_own(self):
        picking = self.make_delivery(self.carrier)
        Package = self.env["stock.quant.package"]
        first, second = Package.create([{"shipping_weight": 0.75}, {"shipping_weight": 1.25}])
        line = picking.move_line_ids
        line.write({"quantity": 1, "result_package_id": first.id})
        line.copy({"quantity": 1, "result_package_id": second.id, "move_id": line.move_id.id})
        result = self.carrier.send_shipping(picking)
        self.assertEqual(len(self.sim.shipments), 2)
        made = list(self.sim.shipments.values())
        self.assertEqual([len(m["packages"]) for m in made], [1, 1])
        self.assertEqual(
            [m["reference"][-2:] for m in made], ["-1", "-2"], "a reference per package"
        )
        shipments = picking.oms_carrier_shipment_ids
        self.assertEqual(shipments.package_id, first | second)
        self.assertEqual(
            result[0]["tracking_number"], ",".join(shipments.mapped("tracking_number"))
        )
        self.assertEqual(len(self.labels(picking)), 2)
        weights = [
            r.json()["requestedShipment"]["requestedPackageLineItems"][0]["weight"]
            for r in self.sim.requests_to("POST", r"^/ship/v1/shipments$")
        ]
        # 0.75 and 1.25 kg, in pounds (a US shipper)
        self.assertEqual(sorted(w["value"] for w in weights), [1.7, 2.8])

    def test_a_zpl_label_is_kept_with_its_pdf_copy(self):
        self.carrier.oms_label_format = "ZPL"
        picking = self.make_delivery(self.carrier)
        self.carrier.send_shipping(picking)
        names = self.labels(picking).mapped("name")
        self.assertTrue(any(name.endswith(".zpl") for name in names), names)
        self.assertTrue(any(name.endswith("-zpl.pdf") for name in names), names)
        body = self.sim.requests_to("POST", r"^/ship/v1/shipments$")[0].json()
        self.assertEqual(body["requestedShipment"]["labelSpecification"]["imageType"], "ZPLII")

    def test_a_refusal_names_fedex_and_its_reason_and_records_nothing(self):
        self.carrier.oms_service_code = "INTERNATIONAL_ECONOMY"  # not within the US
        picking = self.make_delivery(self.carrier)
        with self.assertRaisesRegex(UserError, "FedEx could not buy the label.*not allowed"):
            self.carrier.send_shipping(picking)
        self.assertFalse(picking.oms_carrier_shipment_ids)
        self.assertFalse(self.sim.shipments)

    def test_an_export_is_refused_before_any_call(self):
        """Customs data is not sent to FedEx yet: an export is refused with a
        message naming who can ship it, nothing is asked of FedEx."""
        toronto = self.env["res.partner"].create(
            {
                "name": "Chloe Tremblay",
                "street": "100 Queen St W",
                "city": "Toronto",
                "zip": "M5H2N2",
                "country_id": self.env.ref("base.ca").id,
                "phone": "+14165551234",
            }
        )
        picking = self.make_delivery(self.carrier, partner=toronto)
        with self.assertRaisesRegex(UserError, "not made for exports yet"):
            self.carrier.send_shipping(picking)
        # nor quoted: rate shopping keeps FedEx's failed quote with its reason and
        # chooses a carrier that takes it
        vans = self.make_carrier("oms_own_fleet", name="Our vans")
        self.env["oms.shipping.policy"].create(
            {"name": "Cheapest", "is_default": True, "carrier_ids": (self.carrier | vans).ids}
        )
        picking.action_oms_shop_rates()
        self.assertFalse(self.sim.received)
        failed = picking.oms_shipping_quote_ids.filtered(lambda q: q.carrier_id == self.carrier)
        self.assertEqual(failed.state, "failed")
        self.assertIn("not made for exports yet", failed.reason)
        self.assertEqual(picking.carrier_id, vans)

    def test_a_party_without_a_phone_number_is_refused_before_any_call(self):
        self.customer.phone = False
        picking = self.make_delivery(self.carrier)
        with self.assertRaisesRegex(UserError, "needs the phone number of Dr. Steve Brule"):
            self.carrier.send_shipping(picking)
        self.assertFalse(self.sim.received)

    def impatient(self):
        # No retry inside the call: the error reaches Odoo, whose job retries later.
        return FedExClient(
            self.sim.client_id,
            self.sim.client_secret,
            self.sim.account_number,
            base_url=self.sim.url,
            timeout=(1, 0.3),
            retry=NO_RETRY,
        )

    def test_a_retry_after_the_answer_was_lost_leaves_one_label_billed(self):
        """FedEx made the shipment, its answer was lost (a timeout), the job
        rolls back and retries: the lost shipment is found by its reference and
        cancelled, one new label is bought and kept; FedEx bills one."""
        picking = self.make_delivery(self.carrier)
        self.sim.delay_next(0.8, path=r"^/ship/v1/shipments$")
        with patch.object(
            type(self.carrier), "_oms_get_carrier_client", return_value=self.impatient()
        ):
            with self.assertRaisesRegex(UserError, "could not buy the label"):
                self.carrier.send_shipping(picking)
            self.assertFalse(picking.oms_carrier_shipment_ids, "nothing half-recorded")
            [lost] = self.sim.shipments
            result = self.carrier.send_shipping(picking)  # the job's retry
        self.assertTrue(self.sim.shipments[lost]["cancelled"], "the lost label is cancelled")
        [(kept, made)] = self.active().items()
        self.assertNotEqual(kept, lost)
        self.assertEqual(made["reference"], self.sim.shipments[lost]["reference"])
        self.assertEqual(result[0]["tracking_number"], kept)
        self.assertEqual(picking.oms_carrier_shipment_ids.tracking_number, kept)
        self.assertEqual(len(self.labels(picking)), 1)

    def test_a_retry_after_a_refused_purchase_buys_once(self):
        picking = self.make_delivery(self.carrier)
        self.sim.fail_next(503, path=r"^/ship/v1/shipments$")
        with patch.object(
            type(self.carrier), "_oms_get_carrier_client", return_value=self.impatient()
        ):
            with self.assertRaisesRegex(UserError, "could not buy the label"):
                self.carrier.send_shipping(picking)
            self.carrier.send_shipping(picking)
        self.assertEqual(len(self.sim.shipments), 1, "nothing to cancel, one label bought")
        self.assertEqual(len(self.active()), 1)
        self.assertEqual(len(self.sim.requests_to("POST", r"/referencenumbers$")), 1)

    def test_a_label_kept_on_the_delivery_is_never_cancelled_by_a_second_purchase(self):
        picking = self.make_delivery(self.carrier)
        self.carrier.send_shipping(picking)
        [(number, made)] = self.sim.shipments.items()
        with self.assertRaisesRegex(UserError, f"already has FedEx label {number}"):
            self.carrier.send_shipping(picking)
        self.assertFalse(made["cancelled"])
        self.assertEqual(len(self.sim.shipments), 1)

    def test_a_first_purchase_does_not_look_anything_up(self):
        picking = self.make_delivery(self.carrier)
        self.carrier.send_shipping(picking)
        self.assertFalse(self.sim.requests_to("POST", r"/referencenumbers$"))
        self.assertTrue(
            self.env["oms.carrier.purchase.attempt"].search([("picking_ref", "=", picking.id)])
        )


class TestFedExQuotes(FedExCase):
    def test_rate_for_an_order_is_the_cheapest_of_its_service(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 2})],
            }
        )
        answer = self.carrier.rate_shipment(order)
        self.assertTrue(answer["success"], answer["error_message"])
        body = self.sim.requests_to("POST", r"^/rate/")[0].json()
        self.assertEqual(body["requestedShipment"]["serviceType"], "FEDEX_GROUND")
        # 1.5 kg sent as 3.3 lb (1.497 kg) by ground: 85 % of 10.40 + 1.05 a kg, in
        # USD as the order
        self.assertAlmostEqual(answer["price"], 10.17, places=2)

    def test_rate_shopping_keeps_every_fedex_service_and_buys_the_winner(self):
        self.env["oms.shipping.policy"].create(
            {"name": "Cheapest", "is_default": True, "carrier_ids": self.carrier.ids}
        )
        picking = self.make_delivery(self.carrier)
        picking.action_oms_shop_rates()
        quotes = picking.oms_shipping_quote_ids
        self.assertEqual(
            sorted(quotes.mapped("service")),
            ["FEDEX_2_DAY", "FEDEX_EXPRESS_SAVER", "FEDEX_GROUND", "STANDARD_OVERNIGHT"],
        )
        ground = quotes.filtered(lambda q: q.service == "FEDEX_GROUND")
        self.assertEqual((ground.state, ground.transit_days), ("won", 4))
        self.assertEqual(ground.currency_id.name, "USD")
        self.carrier.oms_service_code = False
        quotes.filtered(lambda q: q.service == "FEDEX_2_DAY").action_use()
        self.carrier.send_shipping(picking)
        [made] = self.sim.shipments.values()
        self.assertEqual(made["service"], "FEDEX_2_DAY")

    def test_a_quote_that_fails_is_a_carrier_error(self):
        self.sim.fail_next(400, path=r"^/rate/", body={"errors": [{"code": "X", "message": "No"}]})
        picking = self.make_delivery(self.carrier)
        with self.assertRaisesRegex(UserError, "FedEx could not quote"):
            self.carrier._oms_quotes_for_picking(picking)
        error = self.env["oms.carrier.error"].search([("carrier_id", "=", self.carrier.id)])
        self.assertIn("No", error.message)


class TestFedExTracking(FedExCase):
    def setUp(self):
        super().setUp()
        self.warehouse.out_type_id.print_label = True
        self.picking = self.make_delivery(self.carrier)
        self.picking.button_validate()
        self.assertEqual(self.picking.state, "done")
        self.shipment = self.picking.oms_carrier_shipment_ids
        # the poll's jobs run at once
        self.Shipment = self.env["oms.carrier.shipment"].with_context(queue_job__no_delay=True)

    def later(self, hours=5):
        """The next poll, some hours on: the parcel, without news since, is due again."""
        earlier = fields.Datetime.now() - timedelta(hours=hours)
        self.shipment.write({"tracking_polled_date": earlier, "tracking_date": earlier})

    def errors(self):
        return self.env["oms.carrier.error"].search([("carrier_id", "=", self.carrier.id)])

    def test_scans_are_polled_stored_in_utc_and_normalised(self):
        number = self.shipment.tracking_number
        self.sim.add_scan(number, "PU", "Picked up", date="2025-11-20T17:30:00-06:00")
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(self.shipment.tracking_status, "in_transit")
        pickup = self.shipment.tracking_event_ids.filtered(lambda e: e.carrier_status == "PU")
        self.assertEqual(pickup.occurred_at, datetime(2025, 11, 20, 23, 30))  # 17:30 -06:00
        self.sim.add_scan(
            number,
            "OD",
            "On FedEx vehicle for delivery",
            date="2025-11-21T08:05:00-05:00",
            derived="IT",  # as FedEx derives it: the scan's own code says more
        )
        self.later()
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(self.shipment.tracking_status, "out_for_delivery")
        self.sim.add_scan(number, "DL", "Delivered", date="2025-11-21T11:40:00-05:00")
        self.later()
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(self.shipment.tracking_status, "delivered")
        self.assertEqual(
            self.shipment.tracking_event_ids.sorted("occurred_at").mapped("carrier_status"),
            ["OC", "PU", "OD", "DL"],
        )
        self.assertFalse(self.errors())

    def test_a_poll_of_many_parcels_reuses_the_token(self):
        """Odoo builds a client per call: the token is kept for the process, not
        asked for again for every parcel polled."""
        other = self.make_delivery(self.carrier)
        other.button_validate()
        tokens = len(self.sim.requests_to("POST", r"^/oauth/token$"))
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(len(self.sim.requests_to("POST", r"/trackingnumbers$")), 2)
        self.assertEqual(len(self.sim.requests_to("POST", r"^/oauth/token$")), tokens)
        self.assertLessEqual(tokens, 1)

    def test_a_delivery_exception_is_an_exception(self):
        self.sim.add_scan(self.shipment.tracking_number, "DE", "Customer not available")
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(self.shipment.tracking_status, "exception")

    def test_a_number_fedex_does_not_know_yet_is_no_news_then_flagged(self):
        self.sim.forget(self.shipment.tracking_number)
        self.Shipment._cron_oms_poll_tracking()
        self.assertFalse(self.errors(), "no carrier error for a number FedEx has not seen")
        self.assertFalse(self.shipment.tracking_date, "no news")
        self.assertFalse(self.shipment.tracking_not_scanned)
        self.env.cr.execute(
            "UPDATE oms_carrier_shipment SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=4), self.shipment.id),
        )
        self.shipment.invalidate_recordset(["create_date"])
        self.later()
        self.Shipment._cron_oms_poll_tracking()
        self.assertTrue(self.shipment.tracking_not_scanned)

    def test_an_answer_about_another_parcel_is_refused(self):
        other = FedExClient(
            self.sim.client_id,
            self.sim.client_secret,
            self.sim.account_number,
            base_url=self.sim.url,
        )
        parcel = next(iter(self.sim.shipments.values()))
        stranger = other.ship(
            self.carrier._oms_address(self.warehouse.partner_id),
            self.carrier._oms_address(self.customer),
            [self.carrier._oms_parcels(self.picking)[0][1]],
            "FEDEX_GROUND",
        ).tracking_number
        self.sim.add_scan(stranger, "DL", "Delivered")
        answer = {
            "output": {
                "completeTrackResults": [
                    {
                        "trackingNumber": parcel["packages"][0],
                        "trackResults": [self.sim._track_result(stranger)],
                    }
                ]
            }
        }
        self.sim.fail_next(200, path=r"/trackingnumbers$", body=answer)
        self.Shipment._cron_oms_poll_tracking()
        self.assertNotEqual(self.shipment.tracking_status, "delivered")
        self.assertIn(f"about package {stranger}", self.errors().message)
