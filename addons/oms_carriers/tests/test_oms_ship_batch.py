"""Deliveries shipped in background jobs: labels bought for each, one refusal
leaves the others shipped."""

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CarrierCase


class TestShipInBackground(CarrierCase):
    def setUp(self):
        super().setUp()
        self.start_easypost()

    def test_a_delivery_whose_carrier_refuses_is_rolled_back_alone(self):
        broken = self.make_carrier(
            "oms_easypost",
            name="EasyPost, wrong key",
            oms_api_base_url=self.sim.url,
            oms_api_key="not-the-key",
        )
        good = self.make_delivery(self.carrier)
        bad = self.make_delivery(broken)
        with trap_jobs() as trap:
            (good | bad).action_oms_ship_in_background()
            trap.perform_enqueued_jobs()
        self.assertEqual(good.state, "done")
        self.assertEqual(bad.state, "assigned")
        self.assertFalse(bad.oms_carrier_shipment_ids)
        self.assertIn("Not shipped in the background", bad.message_ids[0].body)

    def test_labels_bought_in_the_background_have_their_own_job_channel(self):
        delivery = self.make_delivery(self.carrier)
        with trap_jobs() as trap:
            delivery.action_oms_ship_in_background()
            trap.assert_jobs_count(1)
        job = trap.enqueued_jobs[0]
        self.assertEqual(job.channel, "root.oms.label")
        self.assertEqual(job.job_config.retry_pattern, {1: 60, 5: 300, 10: 1800})

    def test_a_batch_buys_each_label_and_a_refusal_stays_alone(self):
        good = self.make_delivery(self.carrier) | self.make_delivery(self.carrier)
        nowhere = self.env["res.partner"].create({"name": "No Address"})
        bad = self.make_delivery(self.carrier, partner=nowhere)
        (good | bad).move_ids.picked = False
        with trap_jobs() as trap:
            (good | bad).action_oms_ship_in_background()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        for picking in good:
            self.assertEqual(picking.state, "done")
            self.assertTrue(picking.carrier_tracking_ref)
            self.assertTrue(self.labels(picking).filtered(lambda a: a.name.endswith(".pdf")))
        self.assertEqual(bad.state, "assigned", "not shipped, nothing half-done")
        self.assertFalse(bad.oms_carrier_shipment_ids)
        # The address check put it on hold, and says so on the delivery.
        self.assertIn("cannot deliver", bad.message_ids[0].body)
        bought = self.sim.requests_to("POST", r"/v2/shipments/[^/]+/buy$")
        self.assertEqual(len(bought), 2)
