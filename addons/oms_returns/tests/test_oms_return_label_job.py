"""Issue 29, point 4: no carrier call inside a customer's request. The approval
queues the job "Buy return label"; the job buys each receipt's label once, even
when it runs again after a lost answer, attaches it and mails it."""

import base64
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.oms_carriers.carrier_clients import NO_RETRY, EasyPostClient
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.addons.queue_job.job import Job

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.easypost import EasyPostSimulator

from .test_oms_return_flow import ReturnLabelCase
from .test_oms_return_portal import ConcurrentUpdate, PortalReturnCase


class TestReturnLabelJob(ReturnLabelCase):
    def impatient(self):
        """No retry inside the call: the error reaches the job, which is retried."""
        return EasyPostClient(
            self.sim.api_key, base_url=self.sim.url, timeout=(1, 0.3), retry=NO_RETRY
        )

    def carrier_client(self):
        carrier = self.policy.return_carrier_id
        return patch.object(type(carrier), "_oms_get_carrier_client", return_value=self.impatient())

    def notes(self, request):
        # Some are written on a cursor of their own: read them from the database.
        request.invalidate_recordset(["message_ids"])
        return " ".join(request.message_ids.mapped("body"))

    def test_the_approval_queues_one_job_which_buys_attaches_and_mails_the_label(self):
        request = self.request()
        self.assertEqual(request.state, "approved")
        self.assertEqual(self.sim.purchases, [], "nothing bought with the approval")
        (job,) = self.label_jobs(request)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.channel, "root.oms.label")
        config = Job.load(self.env, job.uuid).job_config
        self.assertEqual(config.retry_pattern, {1: 300, 3: 1800}, "tried again: data")
        self.run_label_job(request)
        self.assertEqual(len(self.sim.purchases), 1)
        self.assertEqual(request.state, "label_sent")
        (label,) = request.label_attachment_ids
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        mail = request.message_ids.filtered(lambda m: m.attachment_ids == label)
        self.assertEqual(mail.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(mail.partner_ids, self.customer, "mailed to the customer")
        self.assertIn("Here is your return label", str(mail.body))
        self.assertIn("Return label sent", self.order.oms_event_ids.mapped("name"))

    def test_a_second_click_queues_no_second_job_and_buys_one_label(self):
        request = self.request()
        request.action_send_label()
        request.action_send_label()
        self.assertEqual(len(self.label_jobs(request)), 1, "the waiting job is the one")
        self.run_label_job(request)
        self.assertEqual(len(self.sim.purchases), 1)
        # A job that would run after it (another worker's) finds the label bought.
        self.assertIn("Nothing to buy", request._oms_buy_labels())
        self.assertEqual(len(self.sim.purchases), 1)
        self.assertEqual(len(request.label_attachment_ids), 1)
        with self.assertRaisesRegex(UserError, "cannot be label_sent"):
            request.action_send_label()

    def test_a_retry_after_a_lost_answer_buys_one_label(self):
        """EasyPost sold the label but its answer (and the read-back) was lost: the
        job fails, the request stays approved with a note, and the job's retry reuses
        the shipment kept before the purchase."""
        request = self.request()
        self.sim.delay_next(0.8, path=r"/buy$")
        self.sim.fail_next(503, method="GET", path=r"^/v2/shipments/shp_\w+$")
        (record,) = self.label_jobs(request)
        with self.carrier_client():
            job = Job.load(self.env, record.uuid)
            # Not assertRaises: its savepoint would also undo what the job keeps on
            # cursors of its own (a test's cursors share its transaction).
            with self.assertRaisesRegex(RetryableJobError, "could not buy the label"):
                job.perform()
            self.assertEqual(len(self.sim.purchases), 1, "sold, the answer lost")
            self.assertEqual(request.state, "approved")
            self.assertFalse(request.label_attachment_ids)
            self.assertIn("could not be bought yet", self.notes(request))
            job.postpone(result="lost")
            job.set_pending(reset_retry=False)
            job.store()
            self.assertEqual(record.retry, 1)
            self.run_label_job(request)  # the retry
        self.assertEqual(len(self.sim.purchases), 1, "the carrier sold one label")
        self.assertEqual(len(self.sim.requests_to("POST", r"/buy$")), 1)
        self.assertEqual(len(self.sim.shipments), 1, "no second shipment either")
        self.assertEqual(request.state, "label_sent")
        self.assertEqual(len(request.label_attachment_ids), 1)
        receipt = request.picking_ids
        (shipment_id,) = self.sim.shipments
        self.assertEqual(
            receipt.carrier_tracking_ref, self.sim.shipments[shipment_id]["tracking_code"]
        )

    def test_after_the_last_try_the_returns_team_gets_an_activity(self):
        request = self.request()
        self.sim.fail_next(503, times=2, method="POST", path=r"/v2/shipments$")
        (record,) = self.label_jobs(request)
        with self.carrier_client():
            job = Job.load(self.env, record.uuid)
            with self.assertRaisesRegex(RetryableJobError, "HTTP 503"):
                job.perform()
            self.assertIn("could not be bought yet", self.notes(request))
            self.assertFalse(request.activity_ids, "not yet: the job is tried again")
            job.retry = job.max_retries - 1  # the last try
            with self.assertRaisesRegex(FailedJobError, "Max. retries") as failure:
                job.perform()
            job.set_failed(exc_name="FailedJobError", exc_message=str(failure.exception))
            job.store()
        self.assertEqual(record.state, "failed")
        self.assertEqual(request.state, "approved", "still approved, the receipt waits")
        (activity,) = request.activity_ids
        self.assertEqual(activity.summary, "Return label not bought")
        self.assertIn("503", str(activity.note))
        self.assertFalse(activity.user_id.share, "for the returns team, not the customer")
        self.assertEqual(self.sim.purchases, [])
        # The carrier is back: Send Return Label queues the job again.
        request.action_send_label()
        self.run_label_job(request)
        self.assertEqual(request.state, "label_sent")
        self.assertEqual(len(self.sim.purchases), 1)


@tagged("post_install", "-at_install")
class TestPortalLabelJob(LocalSimulatorsMixin, PortalReturnCase):
    """The customer's request returns before any carrier call; the page says the
    label is on its way, then offers it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        us = cls.env.ref("base.us")
        cls.order.warehouse_id.partner_id.write(
            {"street": "1 Dock St", "city": "Louisville", "zip": "40202", "country_id": us.id}
        )
        cls.customer.write(
            {
                "street": "179 N Harbor Dr",
                "city": "Redondo Beach",
                "zip": "90277",
                "country_id": us.id,
            }
        )
        cls.mug.weight = 0.4

    def setUp(self):
        super().setUp()
        self.sim = EasyPostSimulator().start()
        self.addCleanup(self.sim.stop)
        service = self.env["product.product"].create({"name": "Returns", "type": "service"})
        self.env.ref("oms_returns.policy_standard").return_carrier_id = self.env[
            "delivery.carrier"
        ].create(
            {
                "name": "EasyPost returns",
                "delivery_type": "oms_easypost",
                "product_id": service.id,
                "oms_api_base_url": self.sim.url,
                "oms_allow_insecure_http": True,
                "oms_api_key": self.sim.api_key,
            }
        )
        self.authenticate("returner", "returner-pass-1")

    def label_jobs(self, request):
        return (
            self.env["queue.job"]
            .search([("model_name", "=", "oms.return"), ("method_name", "=", "_oms_buy_labels")])
            .filtered(lambda job: job.records.ids == request.ids)
        )

    def run_label_job(self, request):
        (record,) = self.label_jobs(request)
        job = Job.load(self.env, record.uuid)
        job.perform()
        job.set_done()
        job.store()

    def the_request(self):
        (request,) = self.env["oms.return"].search([("partner_id", "=", self.customer.id)])
        return request

    def test_the_request_answers_before_any_carrier_call_and_the_job_brings_the_label(self):
        line = self.order.order_line
        response = self.url_open(self.form_url(), data=self.return_form(line))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.sim.purchases, [], "no label bought in the customer's request")
        self.assertEqual(self.sim.received, [], "nor anything asked of the carrier")
        request = self.the_request()
        self.assertEqual(request.state, "approved")
        self.assertIn(request.name, response.text, "on the request's page")
        self.assertIn("o_oms_return_label_coming", response.text)
        self.assertIn("Refresh this page", response.text)
        self.assertNotIn("/label/", response.text, "no label to download yet")
        self.run_label_job(request)
        self.assertEqual(len(self.sim.purchases), 1)
        (label,) = request.label_attachment_ids
        page = self.url_open(f"/my/returns/{request.id}")
        self.assertNotIn("o_oms_return_label_coming", page.text)
        link = f"/my/returns/{request.id}/label/{label.id}"
        self.assertIn(link, page.text)
        download = self.url_open(link)
        self.assertEqual(download.status_code, 200)
        self.assertTrue(download.content.startswith(b"%PDF"))

    def test_a_request_run_again_after_a_serialization_failure_buys_one_label(self):
        """Odoo runs the request again after a serialization failure: the first run's
        receipt and job are rolled back, so is anything it would have bought."""
        Return = type(self.env["oms.return"])
        submit = Return._oms_submit
        runs = []

        def submit_then_conflict(requests):
            result = submit(requests)
            if not runs:
                runs.append(requests.picking_ids.ids)
                raise ConcurrentUpdate("could not serialize access due to concurrent update")
            runs.append(requests.picking_ids.ids)
            return result

        data = self.return_form(self.order.order_line)
        with patch.object(Return, "_oms_submit", submit_then_conflict):
            response = self.url_open(self.form_url(), data=data)
        self.assertEqual(response.status_code, 200, response.text[-3000:])
        self.assertEqual(len(runs), 2, "the request ran twice")
        self.assertNotEqual(runs[0], runs[1], "a receipt made again, with a new id")
        self.assertEqual(self.sim.purchases, [], "neither run bought a label")
        request = self.the_request()
        self.assertEqual(len(self.label_jobs(request)), 1, "the first run's job is gone")
        self.run_label_job(request)
        self.assertEqual(len(self.sim.purchases), 1, "one label for the one receipt")
        self.assertEqual(request.picking_ids.ids, runs[1])
