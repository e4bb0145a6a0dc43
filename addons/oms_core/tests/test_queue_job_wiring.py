from odoo.addons.queue_job.tests.common import trap_jobs

from .common import OmsCoreCase


class TestQueueJobWiring(OmsCoreCase):
    """Background work of every addon runs on queue_job; tests trap the jobs."""

    def test_delayed_call_becomes_a_job_and_runs_when_performed(self):
        channel = self.env["oms.channel"].create({"name": "Delayed"})
        with trap_jobs() as trap:
            channel.with_delay(description="Archive a channel").action_archive()
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(channel.action_archive)
            self.assertTrue(channel.active, "the job must not run before it is performed")
            trap.perform_enqueued_jobs()
        self.assertFalse(channel.active)

    def test_no_delay_context_runs_at_once(self):
        channel = self.env["oms.channel"].create({"name": "Immediate"})
        channel.with_context(queue_job__no_delay=True).with_delay().action_archive()
        self.assertFalse(channel.active)
