"""Tracking from EasyPost's webhooks (signature checked) and polling, normalised,
recorded once, driving the order's delivered stage."""

import http.client
import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.oms_carriers.carrier_clients import easypost_signature, parse_easypost_event

from tests.simulators.easypost import EasyPostSimulator
from tests.simulators.ups import UpsSimulator

from .common import CarrierCase


class TrackingCase(CarrierCase):
    def setUp(self):
        super().setUp()
        self.start_easypost()
        self.carrier.oms_webhook_secret = self.sim.webhook_secret
        self.warehouse.out_type_id.print_label = True
        self.order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "carrier_id": self.carrier.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        self.order.action_confirm()
        self.picking = self.order.picking_ids
        self.picking.carrier_id = self.carrier
        self.picking.action_assign()
        self.picking.move_ids.picked = True
        self.picking.button_validate()
        self.shipment = self.picking.oms_carrier_shipment_ids
        self.tracker_id = next(
            tid
            for tid, tracker in self.sim.trackers.items()
            if tracker["tracking_code"] == self.shipment.tracking_number
        )

    def advance(self, status):
        event = self.sim.advance_tracker(self.tracker_id, status)
        return event


class TestTracking(TrackingCase):
    def test_webhook_events_move_the_parcel_and_deliver_the_order(self):
        self.assertEqual(self.order.oms_stage, "shipped")
        Shipment = self.env["oms.carrier.shipment"]
        Shipment._oms_apply_tracking(parse_easypost_event(self.advance("in_transit")).tracking)
        self.assertEqual(self.shipment.tracking_status, "in_transit")
        self.assertIn(
            f"Parcel {self.shipment.tracking_number}: In transit",
            self.order.oms_event_ids.mapped("name"),
        )
        delivered = parse_easypost_event(self.advance("delivered")).tracking
        Shipment._oms_apply_tracking(delivered)
        Shipment._oms_apply_tracking(delivered)  # delivered twice: recorded once
        self.assertEqual(self.shipment.tracking_status, "delivered")
        self.assertEqual(self.shipment.tracking_event_ids.mapped("status").count("delivered"), 1)
        self.assertTrue(self.order.oms_delivered_date)
        self.assertEqual(self.order.oms_stage, "delivered")

    def test_a_late_message_does_not_move_the_parcel_back(self):
        Shipment = self.env["oms.carrier.shipment"]
        in_transit = parse_easypost_event(self.advance("in_transit")).tracking
        Shipment._oms_apply_tracking(parse_easypost_event(self.advance("delivered")).tracking)
        Shipment._oms_apply_tracking(in_transit)  # delivered late, after "delivered"
        self.assertEqual(self.shipment.tracking_status, "delivered")
        self.assertEqual(self.order.oms_stage, "delivered")
        self.assertIn("in_transit", self.shipment.tracking_event_ids.mapped("status"))

    def test_exception_asks_a_person(self):
        """Issue 22 point 4: an activity on the order, for its team's leader, with
        the carrier's words; and the parcel on the integration health dashboard."""
        leader = new_test_user(
            self.env, login="team_leader", groups="sales_team.group_sale_salesman"
        )
        team = self.env["crm.team"].create({"name": "Web", "user_id": leader.id})
        self.order.team_id = team
        check = self.env.ref("oms_carriers.health_tracking_exception")
        Shipment = self.env["oms.carrier.shipment"]
        self.assertNotIn(self.shipment, Shipment.search(check.action_open()["domain"]))
        Shipment._oms_apply_tracking(parse_easypost_event(self.advance("failure")).tracking)
        activity = self.order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("delivery exception", activity.summary)
        self.assertEqual(activity.user_id, leader)
        words = self.shipment.tracking_event_ids.filtered(lambda e: e.status == "exception")
        self.assertTrue(words.description)
        self.assertIn(words.description, activity.note)
        self.assertFalse(self.picking.activity_ids)
        self.assertIn(self.shipment, Shipment.search(check.action_open()["domain"]))

    def test_parcels_without_news_for_three_days_are_on_the_health_dashboard(self):
        check = self.env.ref("oms_carriers.health_tracking_stale")
        Shipment = self.env["oms.carrier.shipment"]
        self.assertNotIn(self.shipment, Shipment.search(check.action_open()["domain"]))
        self.shipment.tracking_date = fields.Datetime.now() - timedelta(days=4)
        self.assertIn(self.shipment, Shipment.search(check.action_open()["domain"]))
        self.shipment.tracking_status = "delivered"
        self.assertNotIn(self.shipment, Shipment.search(check.action_open()["domain"]))

    def test_a_failed_poll_is_a_carrier_error(self):
        self.sim.fail_next(503, times=10, path=r"/v2/trackers")
        self.env["oms.carrier.shipment"].with_context(
            queue_job__no_delay=True
        )._cron_oms_poll_tracking()
        error = self.env["oms.carrier.error"].search([("carrier_id", "=", self.carrier.id)])
        self.assertEqual(len(error), 1)
        self.assertEqual(error.picking_id, self.shipment.picking_id)

    def test_polling_when_no_webhook_came(self):
        self.advance("out_for_delivery")
        self.env["oms.carrier.shipment"].with_context(
            queue_job__no_delay=True
        )._cron_oms_poll_tracking()
        self.assertEqual(self.shipment.tracking_status, "out_for_delivery")
        self.assertEqual(self.shipment.tracker_ref, self.tracker_id)

    def another_parcel(self):
        """A second parcel of the same carrier, on the same delivery."""
        return self.env["oms.carrier.shipment"].create(
            {
                "picking_id": self.picking.id,
                "reference": "shp_another",
                "tracking_number": "9400ANOTHERPARCEL",
            }
        )

    def errors(self):
        return self.env["oms.carrier.error"].search([("carrier_id", "=", self.carrier.id)])

    def test_a_polled_tracker_about_another_parcel_is_refused(self):
        """EasyPost answers the tracker of this parcel with another parcel's
        tracking code (issue 26 point 5): a carrier error; neither parcel moves."""
        other = self.another_parcel()
        other.tracking_date = fields.Datetime.now()  # heard of lately: not polled
        self.shipment.tracker_ref = self.tracker_id
        self.sim.trackers[self.tracker_id]["tracking_code"] = other.tracking_number
        self.advance("delivered")
        self.env["oms.carrier.shipment"].with_context(
            queue_job__no_delay=True
        )._cron_oms_poll_tracking()
        self.assertEqual(self.shipment.tracking_status, "pre_transit")
        self.assertEqual(other.tracking_status, "pre_transit")
        self.assertFalse((self.shipment | other).tracking_event_ids)
        error = self.errors()
        self.assertEqual(len(error), 1)
        self.assertIn(
            f"about {other.tracking_number}, not {self.shipment.tracking_number}", error.message
        )

    def test_a_webhook_tracker_of_one_parcel_naming_another_is_refused(self):
        """The event's tracker (and its EasyPost shipment) belongs to this parcel,
        its tracking code names another: refused, a carrier error, nothing moves."""
        other = self.another_parcel()
        event = self.advance("delivered")
        event["result"]["tracking_code"] = other.tracking_number
        Shipment = self.env["oms.carrier.shipment"]
        Shipment._oms_apply_tracking(parse_easypost_event(event).tracking, carrier=self.carrier)
        self.assertEqual(
            (self.shipment.tracking_status, other.tracking_status), ("pre_transit",) * 2
        )
        self.assertFalse((self.shipment | other).tracking_event_ids)
        self.assertIn(f"about parcel {other.tracking_number}", self.errors().message)
        # matched by the tracker kept on the parcel, the EasyPost shipment unknown
        self.shipment.tracker_ref = self.tracker_id
        event["result"]["shipment_id"] = None
        Shipment._oms_apply_tracking(parse_easypost_event(event).tracking, carrier=self.carrier)
        self.assertEqual(other.tracking_status, "pre_transit")
        self.assertEqual(len(self.errors()), 2)
        # its own tracking code: applied
        event["result"]["tracking_code"] = self.shipment.tracking_number
        Shipment._oms_apply_tracking(parse_easypost_event(event).tracking, carrier=self.carrier)
        self.assertEqual(self.shipment.tracking_status, "delivered")

    def test_an_answer_naming_another_parcel_of_a_parcel_without_carrier_is_dropped(self):
        """The event's EasyPost shipment is a parcel whose delivery has no carrier
        any more: refused all the same (logged; no carrier to file the error under)."""
        picking = self.make_delivery(self.carrier)
        picking.carrier_id = False
        orphan = self.env["oms.carrier.shipment"].create(
            {"picking_id": picking.id, "reference": "shp_orphan", "tracking_number": "9400ORPHAN"}
        )
        event = self.advance("delivered")
        event["result"]["shipment_id"] = "shp_orphan"
        logger = "odoo.addons.oms_carriers.models.oms_carrier_shipment_tracking"
        with self.assertLogs(logger, "WARNING"):
            self.env["oms.carrier.shipment"]._oms_apply_tracking(
                parse_easypost_event(event).tracking
            )
        self.assertEqual(
            (orphan.tracking_status, self.shipment.tracking_status), ("pre_transit",) * 2
        )
        self.assertFalse(self.errors())

    def test_event_times_are_stored_in_utc(self):
        """EasyPost's datetimes are ISO 8601 with their zone: stored in UTC."""
        event = self.advance("in_transit")
        event["result"]["tracking_details"][-1]["datetime"] = "2025-03-03T16:30:00+02:00"
        self.env["oms.carrier.shipment"]._oms_apply_tracking(parse_easypost_event(event).tracking)
        moments = self.shipment.tracking_event_ids.filtered(
            lambda e: e.status == "in_transit"
        ).mapped("occurred_at")
        self.assertEqual(moments, [datetime(2025, 3, 3, 14, 30)])


@tagged("post_install", "-at_install")
class TestTrackingWebhook(HttpCase, TrackingCase):
    def post(self, event, secret):
        body = json.dumps(event).encode()
        return self.url_open(
            f"/oms/carriers/{self.carrier.id}/webhook",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Hmac-Signature": easypost_signature(body, secret),
            },
        )

    @mute_logger("odoo.addons.oms_carriers.controllers.tracking_webhook")
    def test_signature_is_checked_before_anything(self):
        event = self.advance("delivered")
        self.assertEqual(self.post(event, "not the secret").status_code, 401)
        self.assertEqual(self.shipment.tracking_status, "pre_transit")
        response = self.post(event, self.sim.webhook_secret)
        self.assertEqual(response.status_code, 200, response.text[-3000:])
        self.assertEqual(self.shipment.tracking_status, "delivered")
        self.assertEqual(self.order.oms_stage, "delivered")

    def post_raw(self, body, secret, carrier=None):
        carrier = carrier or self.carrier
        return self.url_open(
            f"/oms/carriers/{carrier.id}/webhook",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Hmac-Signature": easypost_signature(body, secret),
            },
        )

    def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(self):
        # The request says 3 MB and sends a few bytes: reading the body would wait
        # for the rest; the answer comes from the headers alone.
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port(), timeout=10)
        self.addCleanup(connection.close)
        connection.putrequest("POST", f"/oms/carriers/{self.carrier.id}/webhook")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(3 * 1024 * 1024))
        connection.endheaders()
        connection.send(b'{"id": "evt_')
        response = connection.getresponse()
        self.assertEqual(response.status, 413)
        self.assertEqual(self.shipment.tracking_status, "pre_transit")

    def test_a_body_of_no_declared_length_is_refused(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port(), timeout=10)
        self.addCleanup(connection.close)
        body = json.dumps(self.advance("delivered")).encode()
        connection.putrequest("POST", f"/oms/carriers/{self.carrier.id}/webhook")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.putheader("X-Hmac-Signature", easypost_signature(body, self.sim.webhook_secret))
        connection.endheaders()
        connection.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        self.assertEqual(connection.getresponse().status, 411)
        self.assertEqual(self.shipment.tracking_status, "pre_transit")

    def test_an_archived_carrier_refuses_events(self):
        event = self.advance("delivered")
        self.carrier.active = False
        response = self.post(event, self.sim.webhook_secret)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.shipment.tracking_status, "pre_transit")
        self.assertFalse(self.shipment.tracking_event_ids)

    def test_an_event_signed_by_one_carrier_moves_only_its_own_parcels(self):
        other = self.make_carrier(
            "oms_easypost",
            name="EasyPost, other account",
            oms_api_base_url=self.sim.url,
            oms_api_key=self.sim.api_key,
            oms_webhook_secret="the other secret",
        )
        other_picking = self.make_delivery(other)
        other_parcel = self.env["oms.carrier.shipment"].create(
            {
                "picking_id": other_picking.id,
                "reference": "shp_other",
                "tracking_number": "9400OTHERCARRIER",
            }
        )
        event = self.advance("delivered")
        event["result"]["tracking_code"] = other_parcel.tracking_number
        response = self.post(event, self.sim.webhook_secret)  # this carrier's secret
        self.assertEqual(response.status_code, 200, response.text[-3000:])
        self.assertEqual(other_parcel.tracking_status, "pre_transit")
        self.assertFalse(other_parcel.tracking_event_ids)
        # Signed by the other carrier's secret at its own URL: its parcel moves.
        body = json.dumps(event).encode()
        self.assertEqual(self.post_raw(body, "the other secret", carrier=other).status_code, 200)
        self.assertEqual(other_parcel.tracking_status, "delivered")

    def test_an_event_moves_only_parcels_of_its_carriers_company(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.carrier.company_id = other_company
        response = self.post(self.advance("delivered"), self.sim.webhook_secret)
        self.assertEqual(response.status_code, 200, response.text[-3000:])
        self.assertEqual(self.shipment.tracking_status, "pre_transit")
        self.assertFalse(self.shipment.tracking_event_ids)

    @mute_logger("odoo.addons.oms_carriers.controllers.tracking_webhook")
    def test_malformed_input_answers_400(self):
        event = self.advance("delivered")
        bad_date = json.loads(json.dumps(event))
        bad_date["result"]["tracking_details"][-1]["datetime"] = "the 5th of never"
        not_a_text = json.loads(json.dumps(event))
        not_a_text["result"]["tracking_details"][-1]["message"] = {"nested": ["object"]}
        depth = 100_000
        for name, body in (
            ("deeply nested", b"[" * depth + b"]" * depth),
            ("deeply nested object", b'{"a":' * depth + b"1" + b"}" * depth),
            ("bad date", json.dumps(bad_date).encode()),
            ("not a text", json.dumps(not_a_text).encode()),
            ("a list", b"[]"),
            ("a number", b"3"),
            ("not JSON", b"{'id': 1"),
            ("not UTF-8", b'{"id": "\xff\xfe"}'),
        ):
            with self.subTest(name):
                response = self.post_raw(body, self.sim.webhook_secret)
                self.assertEqual(response.status_code, 400, response.text[-500:])
        self.assertEqual(self.shipment.tracking_status, "pre_transit")
        self.assertFalse(self.shipment.tracking_event_ids)


class TestAddressVerification(CarrierCase):
    def setUp(self):
        super().setUp()
        self.sim = EasyPostSimulator().start()
        self.addCleanup(self.sim.stop)
        self.carrier = self.make_carrier(
            "oms_easypost",
            name="EasyPost",
            oms_api_base_url=self.sim.url,
            oms_api_key=self.sim.api_key,
        )
        self.order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        self.order.action_confirm()
        self.picking = self.order.picking_ids
        self.picking.carrier_id = self.carrier
        self.picking.action_assign()
        self.picking.move_ids.picked = True

    def test_undeliverable_address_holds_the_order_and_the_delivery_waits(self):
        self.customer.street = "1 Undeliverable Road"
        action = self.picking.button_validate()
        self.assertEqual(action["params"]["title"], "Address to check")
        self.assertNotEqual(self.picking.state, "done")
        hold = self.order.oms_hold_ids.filtered(lambda h: h.state == "active")
        self.assertEqual(hold.hold_type, "address")
        self.assertIn("Address not found", hold.reason)
        self.assertFalse(self.sim.purchases, "no label for an undeliverable address")

    def test_a_verification_outage_does_not_stop_the_warehouse(self):
        self.sim.fail_next(503, times=10, path=r"/v2/addresses")
        self.picking.button_validate()
        self.assertEqual(self.picking.state, "done")
        bodies = self.picking.message_ids.mapped("body")
        self.assertTrue(any("could not be verified" in body for body in bodies), bodies)
        self.assertFalse(self.order.oms_hold_ids.filtered(lambda h: h.state == "active"))

    def test_a_corrected_address_is_suggested(self):
        self.picking.button_validate()
        self.assertEqual(self.picking.state, "done")
        bodies = self.picking.message_ids.mapped("body")
        self.assertTrue(any("90277-1234" in body for body in bodies), bodies)


class TestUpsTracking(CarrierCase):
    """UPS answers a label it has not scanned yet with HTTP 200 and the warning
    TW0001 Tracking Information Not Found: no news while the label is young."""

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
        self.warehouse.out_type_id.print_label = True
        self.picking = self.make_delivery(self.carrier)
        self.picking.button_validate()
        self.assertEqual(self.picking.state, "done")
        self.shipment = self.picking.oms_carrier_shipment_ids
        self.check = self.env.ref("oms_carriers.health_tracking_not_scanned")
        # the poll's jobs run at once
        self.Shipment = self.env["oms.carrier.shipment"].with_context(queue_job__no_delay=True)

    def polls(self):
        path = rf"/track/v1/details/{self.shipment.tracking_number}$"
        return len(self.sim.requests_to("GET", path))

    def later(self, hours=5):
        """The next poll, some hours on: the parcel is due again."""
        self.shipment.tracking_polled_date = fields.Datetime.now() - timedelta(hours=hours)

    def bought_days_ago(self, days):
        self.env.cr.execute(
            "UPDATE oms_carrier_shipment SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=days), self.shipment.id),
        )
        self.shipment.invalidate_recordset(["create_date"])

    def errors(self):
        return self.env["oms.carrier.error"].search([("carrier_id", "=", self.carrier.id)])

    def flagged(self):
        return self.Shipment.search(self.check.action_open()["domain"])

    def test_a_label_not_scanned_yet_is_no_news_and_asked_again_later(self):
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(self.polls(), 1)
        self.assertFalse(self.errors(), "no carrier error for a label UPS has not scanned")
        self.assertEqual(self.shipment.tracking_status, "pre_transit")
        self.assertFalse(self.shipment.tracking_date, "no news")
        self.assertFalse(self.shipment.tracking_not_scanned)
        self.assertNotIn(self.shipment, self.flagged())

        self.Shipment._cron_oms_poll_tracking()  # at once: not asked again
        self.assertEqual(self.polls(), 1)
        self.later()
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(self.polls(), 2)
        self.assertFalse(self.errors())

    def test_three_days_without_a_scan_flag_the_parcel_and_integration_health(self):
        self.bought_days_ago(4)
        self.Shipment._cron_oms_poll_tracking()
        self.assertFalse(self.errors())
        self.assertTrue(self.shipment.tracking_not_scanned)
        self.assertIn(self.shipment, self.flagged())
        self.assertTrue(
            any(
                "has not scanned it 4 days" in body
                for body in self.picking.message_ids.mapped("body")
            )
        )
        self.later()
        self.Shipment._cron_oms_poll_tracking()  # still nothing: flagged once
        notes = [b for b in self.picking.message_ids.mapped("body") if "has not scanned" in b]
        self.assertEqual(len(notes), 1)

        # UPS scans it at last: no longer flagged
        self.sim.add_activity(self.shipment.tracking_number, "P", "Pickup Scan", code="PU")
        self.later()
        self.Shipment._cron_oms_poll_tracking()
        self.assertEqual(self.shipment.tracking_status, "in_transit")
        self.assertFalse(self.shipment.tracking_not_scanned)
        self.assertNotIn(self.shipment, self.flagged())

    def test_scan_times_are_stored_in_utc(self):
        """UPS gives the scan's local time and its GMT one (Louisville, -05:00):
        the event is stored at the GMT time (issue 26 point 5)."""
        self.sim.add_activity(self.shipment.tracking_number, "P", "Pickup Scan", code="PU")
        self.Shipment._cron_oms_poll_tracking()
        event = self.shipment.tracking_event_ids
        self.assertEqual(event.status, "in_transit")
        self.assertEqual(event.occurred_at, datetime(2025, 3, 3, 13, 0))  # 08:00 local

    def test_the_first_scan_window_is_the_carriers(self):
        self.carrier.oms_first_scan_days = 7
        self.bought_days_ago(4)
        self.Shipment._cron_oms_poll_tracking()
        self.assertFalse(self.shipment.tracking_not_scanned)
        self.assertEqual(self.polls(), 1)
