from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestHealthCheck(TransactionCase):
    def test_failed_and_stuck_jobs_are_counted_and_opened_grouped(self):
        failed = self.env.ref("oms_core.health_jobs_failed")
        stuck = self.env.ref("oms_core.health_jobs_stuck")
        before_failed, before_stuck = failed.count, stuck.count
        channel = self.env["oms.channel"].create({"name": "Health shop"})
        first = channel.with_delay(description="Archive").action_archive().db_record()
        second = channel.with_delay(description="Archive").action_archive().db_record()
        first.write({"state": "failed", "exc_info": "Boom"})
        second.write(
            {
                "state": "started",
                "date_started": fields.Datetime.now() - timedelta(hours=2),
            }
        )
        (failed | stuck).invalidate_recordset(["count", "state"])
        self.assertEqual(failed.count, before_failed + 1)
        self.assertEqual(failed.state, "problem")
        self.assertEqual(stuck.count, before_stuck + 1)
        action = failed.action_open()
        self.assertEqual(action["res_model"], "queue.job")
        self.assertEqual(action["context"]["group_by"], ["channel", "job_function_id"])
        self.assertIn(first, self.env["queue.job"].search(action["domain"]))
        self.assertNotIn(second, self.env["queue.job"].search(action["domain"]))

    def test_a_started_job_is_not_stuck_within_the_hour(self):
        stuck = self.env.ref("oms_core.health_jobs_stuck")
        before = stuck.count
        channel = self.env["oms.channel"].create({"name": "Busy shop"})
        job = channel.with_delay().action_archive().db_record()
        job.write({"state": "started", "date_started": fields.Datetime.now()})
        stuck.invalidate_recordset(["count"])
        self.assertEqual(stuck.count, before)

    def test_a_wrong_domain_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "invalid"):
            self.env["oms.health.check"].create(
                {
                    "name": "Broken",
                    "area": "jobs",
                    "model_id": self.env.ref("queue_job.model_queue_job").id,
                    "domain": "[('no_such_field', '=', 1)]",
                }
            )
