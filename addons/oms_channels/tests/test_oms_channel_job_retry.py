"""How long a channel job waits after a transient channel error is data: the
retry pattern of its ``queue.job.function`` (issue 29 point 2), not a figure in
the code."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from tests.simulators.shopify import ShopifySimulator

from .common import ChannelSimulatorCase

# The jobs that talk to a channel and are tried again after a transient error.
CHANNEL_JOBS = (
    ("oms.channel", "_oms_import_catalogue"),
    ("oms.channel", "_oms_push_stock"),
    ("stock.picking", "_oms_push_shipment"),
    ("sale.order", "_oms_push_cancellation"),
    ("account.move", "_oms_push_channel_refund"),
)
NOW = datetime(2026, 3, 2, 9, 0, 0)


class TestChannelJobRetry(ChannelSimulatorCase):
    def setUp(self):
        super().setUp()
        self.sim = ShopifySimulator().start()
        self.addCleanup(self.sim.stop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Shopify (simulator)",
                "channel_type": "shopify",
                "allow_insecure_http": True,
                "api_base_url": self.sim.url,
                "shopify_access_token": self.sim.access_token,
            }
        )

    def _fail_once_as_the_runner_does(self):
        """Queue the catalogue import, run it while the shop is failing, and
        postpone it the way queue_job's runner does; return the stored job."""
        self.channel.action_import_catalogue()
        stored = self.env["queue.job"].search(
            [("model_name", "=", "oms.channel"), ("method_name", "=", "_oms_import_catalogue")]
        )
        self.assertEqual(len(stored), 1)
        # A Retry-After far beyond what the client waits itself: the error
        # reaches the job at once, as a transient one.
        self.sim.fail_next(503, times=5, headers={"Retry-After": "3600"})
        job = Job.load(self.env, stored.uuid)
        job.set_started()
        with self.assertRaises(RetryableJobError) as caught:
            job.perform()
        job.postpone(result=str(caught.exception), seconds=caught.exception.seconds)
        job.set_pending(reset_retry=False)
        job.store()
        return stored

    def test_the_channel_jobs_wait_a_minute_after_a_transient_error(self):
        Function = self.env["queue.job.function"]
        for model, method in CHANNEL_JOBS:
            name = Function.job_function_name(model, method)
            with self.subTest(job=name):
                self.assertEqual(Function.job_config(name).retry_pattern, {1: 60})

    @freeze_time(NOW)
    def test_a_transient_error_postpones_the_job_as_its_retry_pattern_says(self):
        stored = self._fail_once_as_the_runner_does()
        self.assertEqual(stored.state, "pending")
        self.assertEqual(stored.retry, 1)
        self.assertEqual(stored.eta, NOW + timedelta(seconds=60))
        self.assertFalse(
            self.env["oms.channel.product"].search([("channel_id", "=", self.channel.id)])
        )

    @freeze_time(NOW)
    def test_a_manager_may_change_the_delay_without_touching_the_code(self):
        function = self.env.ref("oms_channels.queue_job_function_import_catalogue")
        function.retry_pattern = {1: 300}
        stored = self._fail_once_as_the_runner_does()
        self.assertEqual(stored.eta, NOW + timedelta(seconds=300))
