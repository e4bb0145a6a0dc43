"""Issue 22: every carrier's tracking link, the own fleet's page and drivers, the
poll in jobs, and the customer's mails about their parcels."""

import json
import time
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.oms_carriers.carrier_clients import Tracking, TrackingEvent, driver_signature
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CarrierCase
from .test_oms_carrier_tracking import TrackingCase


def news(number, status, description="", at="2026-12-05T09:00:00+00:00", code=None):
    """What a carrier says of a parcel: one event."""
    event = TrackingEvent(
        status=status, carrier_status=code or status, description=description, occurred_at=at
    )
    return Tracking(
        tracking_number=number, status=status, carrier_status=code or status, events=(event,)
    )


class MailCase(TrackingCase):
    """An EasyPost parcel shipped, its customer mailed (mails on)."""

    def setUp(self):
        super().setUp()
        self.env = self.env(context=dict(self.env.context, oms_no_mail=False))
        self.order = self.order.with_env(self.env)
        self.shipment = self.shipment.with_env(self.env)
        self.channel = self.order.oms_channel_id
        self.assertTrue(self.channel, "orders have their channel")

    def tell(self, status, description="", at="2026-12-05T09:00:00+00:00", code=None):
        tracking = news(self.shipment.tracking_number, status, description, at, code)
        self.env["oms.carrier.shipment"]._oms_apply_tracking(
            tracking, self.carrier, shipment=self.shipment
        )

    def mails(self):
        """Subjects of the customer mails posted on the order, oldest first."""
        messages = self.order.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.order.partner_id in m.partner_ids
        )
        return messages.sorted("id").mapped("subject")

    def last_body(self):
        messages = self.order.message_ids.filtered(lambda m: m.message_type == "comment")
        return str(messages.sorted("id")[-1:].body)


class TestParcelMails(MailCase):
    def test_out_for_delivery_is_mailed_once_with_the_link(self):
        self.tell("out_for_delivery", "Out for delivery")
        self.assertEqual(len(self.mails()), 1)
        self.assertIn("arrives today", self.mails()[0])
        body = self.last_body()
        self.assertIn(self.shipment.tracking_number, body)
        self.assertIn(self.shipment.tracking_url, body)
        # the carrier sends the same event again (webhook redelivered, poll): no mail
        self.tell("out_for_delivery", "Out for delivery")
        self.assertEqual(len(self.mails()), 1)
        self.assertTrue(self.shipment.tracking_event_ids.filtered("mailed"))
        self.assertIn(
            "Mail sent: OMS: parcel out for delivery", self.order.oms_event_ids.mapped("name")
        )

    def test_each_delivery_problem_has_its_mail_and_what_to_do(self):
        cases = [
            ("exception", "Delivery attempted - nobody home", "we missed you", "new delivery"),
            ("exception", "Address incorrect", "check your address", "complete address"),
            ("exception", "Held at customs: duties due", "held at customs", "duties"),
            ("returned", "Returned to sender", "coming back to us", "send it again"),
            ("exception", "Package damaged", "delivery problem", "looking into it"),
        ]
        for hour, (status, words, subject, advice) in enumerate(cases, start=10):
            with self.subTest(words):
                self.tell(status, words, at=f"2026-12-05T{hour}:00:00+00:00")
                self.assertIn(subject, self.mails()[-1])
                self.assertIn(advice, self.last_body())
        self.assertEqual(len(self.mails()), len(cases))

    def test_a_late_or_replayed_message_mails_nothing(self):
        self.tell("in_transit", "Arrived", at="2026-12-05T12:00:00+00:00")
        self.tell("exception", "Nobody home", at="2026-12-05T08:00:00+00:00")  # older news
        self.assertEqual(self.mails(), [])

    def test_in_transit_is_no_mail(self):
        self.tell("in_transit", "Departed facility")
        self.assertEqual(self.mails(), [])

    def test_the_channel_switch_stops_the_mail(self):
        self.channel.mail_delivery_exception = False
        self.tell("exception", "Nobody home")
        self.assertEqual(self.mails(), [])
        self.tell("out_for_delivery", "Out", at="2026-12-05T11:00:00+00:00")
        self.assertEqual(len(self.mails()), 1)

    def test_a_channel_that_notifies_its_customers_is_not_mailed(self):
        """Amazon mails its buyers itself: off by default for its kind, on when the
        manager wants it."""
        kinds = dict(self.env["oms.channel"]._fields["channel_type"].selection)
        if "amazon" not in kinds:
            self.skipTest("the Amazon channel kind is oms_channels'")
        amazon = self.env["oms.channel"].create({"name": "Amazon DE", "channel_type": "amazon"})
        self.assertFalse(amazon.mail_customers)
        self.assertTrue(self.channel.mail_customers)
        self.order.oms_channel_id = amazon
        self.tell("out_for_delivery", "Out")
        self.assertEqual(self.mails(), [])
        amazon.mail_customers = True
        self.tell("exception", "Nobody home", at="2026-12-05T12:00:00+00:00")
        self.assertEqual(len(self.mails()), 1)

    def test_the_customer_reads_it_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["oms_carriers"], ["fr_FR"])
        self.order.partner_id.lang = "fr_FR"
        self.tell("out_for_delivery", "En tournée")
        self.assertIn("arrive aujourd'hui", self.mails()[0])
        self.assertIn("Veillez à ce que quelqu'un puisse le recevoir", self.last_body())

    def test_the_shipped_mail_links_each_parcel(self):
        links = self.order._oms_tracking_links()
        self.assertEqual(
            links,
            [
                {
                    "carrier": "EasyPost",
                    "number": self.shipment.tracking_number,
                    "url": self.sim.trackers[self.tracker_id]["public_url"],
                }
            ],
        )
        template = self.env.ref("oms_core.mail_template_order_shipped")
        body = template._render_field("body_html", self.order.ids)[self.order.id]
        self.assertIn(links[0]["url"], body)


class TestTrackingLinks(CarrierCase):
    """Each carrier fills the customer's tracking link."""

    def parcel(self, carrier, number):
        picking = self.make_delivery(carrier, quantity=1)
        picking._oms_record_shipment(number, number)
        return picking, picking.oms_carrier_shipment_ids

    def test_links_by_carrier(self):
        expected = {
            "oms_ups": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            "oms_fedex": "https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456784",
            "oms_postlogistics": "https://www.post.ch/swisspost-tracking?formattedParcelCodes=1Z999AA10123456784",
        }
        for delivery_type in expected:
            with self.subTest(delivery_type):
                carrier = self.make_carrier(delivery_type)
                picking, parcel = self.parcel(carrier, "1Z999AA10123456784")
                self.assertTrue(parcel.tracking_url.startswith(expected[delivery_type][:20]))
                self.assertIn("1Z999AA10123456784", parcel.tracking_url)
                picking.carrier_tracking_ref = parcel.tracking_number
                self.assertEqual(picking.carrier_tracking_url, parcel.tracking_url)

    def test_easypost_gives_its_public_tracker_page(self):
        self.start_easypost()
        self.warehouse.out_type_id.print_label = True
        picking = self.make_delivery(self.carrier, quantity=1)
        picking.button_validate()
        parcel = picking.oms_carrier_shipment_ids
        tracker = next(
            t for t in self.sim.trackers.values() if t["tracking_code"] == parcel.tracking_number
        )
        self.assertEqual(parcel.tracking_url, tracker["public_url"])
        self.assertEqual(picking.carrier_tracking_url, tracker["public_url"])

    def test_own_fleet_links_to_our_page_by_an_unguessable_token(self):
        carrier = self.make_carrier("oms_own_fleet", name="Our vans")
        picking, parcel = self.parcel(carrier, "WHOUT1-1")
        picking.carrier_tracking_ref = "WHOUT1-1"
        url = picking.carrier_tracking_url
        token = parcel.sudo().access_token
        self.assertTrue(token and len(token) >= 32)
        self.assertTrue(url.endswith(f"/oms/track/{token}"))
        _picking, other = self.parcel(carrier, "WHOUT2-1")
        self.assertNotEqual(other.tracking_url, url, "a token per parcel")


@tagged("post_install", "-at_install")
class TestOwnFleet(HttpCase, CarrierCase):
    def setUp(self):
        super().setUp()
        self.carrier = self.make_carrier(
            "oms_own_fleet", name="Our vans", oms_webhook_secret="van-secret"
        )
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
        self.parcel = self.picking.oms_carrier_shipment_ids
        self.assertEqual(len(self.parcel), 1)

    def send(self, payload, secret="van-secret", sent=None, signature=None):
        body = json.dumps(payload).encode()
        sent = int(time.time()) if sent is None else sent
        return self.url_open(
            f"/oms/carriers/{self.carrier.id}/driver",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Oms-Timestamp": str(sent),
                "X-Oms-Signature": signature or driver_signature(body, sent, secret),
            },
        )

    def update(self, event_id="app-1", status="out_for_delivery", **values):
        return {
            "event_id": event_id,
            "tracking_number": self.parcel.tracking_number,
            "status": status,
            "description": values.get("description", "Loaded in van 3"),
            "occurred_at": values.get("occurred_at", "2026-12-05T09:30:00+01:00"),
            "city": "Lausanne",
        }

    def test_a_signed_driver_update_moves_the_parcel_once(self):
        response = self.send(self.update())
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.parcel.tracking_status, "out_for_delivery")
        event = self.parcel.tracking_event_ids
        self.assertEqual(event.description, "Loaded in van 3")
        self.assertEqual(fields.Datetime.to_string(event.occurred_at), "2026-12-05 08:30:00")
        replay = self.send(self.update())
        self.assertEqual(replay.status_code, 409, "the same update again is a replay")
        self.assertEqual(len(self.parcel.tracking_event_ids), 1)

    def test_an_update_about_an_unknown_parcel_can_be_sent_again(self):
        unknown = dict(self.update(event_id="app-7"), tracking_number="NOT-OURS-1")
        self.assertEqual(self.send(unknown).status_code, 404)
        again = self.send(unknown)
        self.assertEqual(again.status_code, 404, "not a replay: nothing was applied")
        self.assertFalse(self.env["oms.carrier.driver.nonce"].search([("event_id", "=", "app-7")]))

    def test_refused_driver_updates(self):
        cases = [
            ("bad secret", {"secret": "guess"}, 401),
            ("too old", {"sent": int(time.time()) - 3600}, 401),
            ("forged", {"signature": "0" * 64}, 401),
        ]
        for name, kwargs, status in cases:
            with self.subTest(name):
                response = self.send(self.update(event_id=name), **kwargs)
                self.assertEqual(response.status_code, status)
        bad_status = self.send(self.update(event_id="x", status="teleported"))
        self.assertEqual(bad_status.status_code, 400)
        fedex = self.make_carrier("oms_fedex")
        response = self.url_open(f"/oms/carriers/{fedex.id}/driver", data=b"{}")
        self.assertEqual(response.status_code, 404, "drivers are the own fleet's")
        self.assertFalse(self.parcel.tracking_event_ids)
        self.assertEqual(self.parcel.tracking_status, "pre_transit")

    def test_the_driver_button_records_a_failed_attempt(self):
        driver = new_test_user(self.env, login="dispatcher", groups="stock.group_stock_user")
        wizard = (
            self.env["oms.carrier.driver.update"]
            .with_user(driver)
            .with_context(default_picking_id=self.picking.id)
            .create({"status": "exception", "description": "Nobody home, card left"})
        )
        self.assertEqual(wizard.shipment_id, self.parcel)
        wizard.action_apply()
        self.assertEqual(self.parcel.tracking_status, "exception")
        self.assertEqual(self.parcel.tracking_event_ids.exception_kind, "failed_attempt")
        self.assertEqual(len(self.order.activity_ids), 1)
        self.assertIn("Nobody home", self.order.activity_ids.note)

    def test_the_public_page_shows_the_journey_by_its_token_only(self):
        self.env["oms.carrier.shipment"]._oms_apply_tracking(
            news(self.parcel.tracking_number, "in_transit", "Left the depot"),
            self.carrier,
            shipment=self.parcel,
        )
        url = self.picking.carrier_tracking_url

        path = url[url.index("/oms/track/") :]
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, page.text[-2000:])
        self.assertIn(self.parcel.tracking_number, page.text)
        self.assertIn("Left the depot", page.text)
        self.assertEqual(self.url_open("/oms/track/not-the-token").status_code, 404)


class TestPollingInJobs(TrackingCase):
    def parcels(self, count):
        Shipment = self.env["oms.carrier.shipment"]
        return Shipment.browse(
            [
                Shipment.create(
                    {
                        "picking_id": self.picking.id,
                        "reference": f"shp_{index}",
                        "tracking_number": f"9400POLL{index:04d}",
                    }
                ).id
                for index in range(count)
            ]
        )

    def test_every_parcel_due_in_batches_most_urgent_first(self):
        """No cap: 251 parcels due, more than the old 200 a run, in jobs of 50; the
        parcel promised for today first, then the oldest news."""
        now = fields.Datetime.now()
        extra = self.parcels(250)
        (self.shipment | extra).promised_date = now + timedelta(days=5)
        oldest_news, urgent = extra[100], extra[200]
        oldest_news.tracking_date = now - timedelta(days=2)
        (extra - oldest_news).tracking_date = now - timedelta(hours=5)
        self.shipment.tracking_date = now - timedelta(hours=5)
        urgent.promised_date = now
        with trap_jobs() as trap:
            self.env["oms.carrier.shipment"]._cron_oms_poll_tracking()
        jobs = trap.enqueued_jobs
        self.assertEqual([len(job.recordset) for job in jobs], [50, 50, 50, 50, 50, 1])
        self.assertEqual(jobs[0].recordset[:2], urgent | oldest_news)
        self.assertEqual({job.channel for job in jobs}, {"root.oms.tracking"})
        self.assertEqual({job.method_name for job in jobs}, {"_oms_poll_batch"})

    def test_the_carriers_rate_limit_spreads_its_jobs(self):
        self.parcels(99)  # 100 parcels
        self.carrier.oms_tracking_rate_limit = 25  # a minute
        with trap_jobs() as trap:
            self.env["oms.carrier.shipment"]._cron_oms_poll_tracking()
        jobs = trap.enqueued_jobs
        self.assertEqual(len(jobs), 2)
        first, second = (job.eta for job in jobs)
        self.assertEqual(second - first, timedelta(minutes=2), "50 parcels at 25 a minute")


@tagged("post_install", "-at_install")
class TestPortalParcels(HttpCase, TrackingCase):
    """The customer's order page shows each parcel's journey, to guests with the
    order's link too; not without it."""

    def setUp(self):
        super().setUp()
        Shipment = self.env["oms.carrier.shipment"]
        for status, at in (
            ("out_for_delivery", "2026-12-04T08:00:00+00:00"),
            ("in_transit", "2026-12-03T08:00:00+00:00"),
        ):
            Shipment._oms_apply_tracking(
                news(self.shipment.tracking_number, status, f"{status} scan", at),
                self.carrier,
                shipment=self.shipment,
            )
        self.order.commitment_date = fields.Datetime.now() - timedelta(days=2)

    def test_a_guest_follows_the_parcels_with_the_orders_link(self):
        self.assertTrue(self.shipment.is_late)
        url = f"/my/orders/{self.order.id}?access_token={self.order._portal_ensure_token()}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.shipment.tracking_number, page.text)
        self.assertIn(self.shipment.tracking_url, page.text)
        self.assertIn("out_for_delivery scan", page.text)
        self.start_tour(url, "oms_carriers_portal_parcels")

    def test_no_journey_without_the_link(self):
        page = self.url_open(f"/my/orders/{self.order.id}")
        self.assertNotIn(self.shipment.tracking_number, page.text)
        page = self.url_open(f"/my/orders/{self.order.id}?access_token=wrong")
        self.assertNotIn(self.shipment.tracking_number, page.text)


class TestPollingOnlyWhoAnswers(CarrierCase):
    def test_own_fleet_parcels_are_not_polled(self):
        """The drivers tell: no job asks about an own-fleet parcel."""
        carrier = self.make_carrier("oms_own_fleet", name="Our vans")
        picking = self.make_delivery(carrier, quantity=1)
        picking.button_validate()
        self.assertTrue(picking.oms_carrier_shipment_ids)
        with trap_jobs() as trap:
            self.env["oms.carrier.shipment"]._cron_oms_poll_tracking()
        self.assertEqual(trap.enqueued_jobs, [])
