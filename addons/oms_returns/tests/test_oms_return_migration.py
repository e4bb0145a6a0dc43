"""The 18.0.2.0.0 migration: requests rejected before ``rejected_date`` existed
(closed since or not) get one and stop counting as taken back; settled requests
are left alone."""

from odoo import fields
from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .test_oms_return_flow import ReturnFlowCase

SCRIPT = "oms_returns/migrations/18.0.2.0.0/post-migration.py"


@tagged("post_install", "-at_install")
class TestRejectedDateMigration(ReturnFlowCase):
    def old_data(self, requests, **columns):
        """What a database from before ``rejected_date`` (and ``settled_date``,
        before 18.0.1.8.0) holds for ``requests``."""
        self.env.flush_all()
        assignments = ", ".join(f"{column} = %s" for column in columns)
        self.env.cr.execute(
            f"UPDATE oms_return SET {assignments} WHERE id IN %s",
            [*columns.values(), tuple(requests.ids)],
        )
        self.env.invalidate_all()

    def test_requests_rejected_before_the_field_existed_take_nothing_back(self):
        settled = self.request()
        self.receive_and_inspect(settled)
        settled.action_refund()
        settled.action_close()
        self.policy.auto_approve = False
        rejected = []
        for reason, closed in (("not ours", True), (None, True), (None, False), (None, True)):
            request = self.request()  # takes the unit until rejected
            request.action_reject(reason)
            if closed:
                request.action_close()
            rejected.append(request)
        with_reason, without_reason, still_rejected, dated = rejected
        pending = self.request()
        self.assertEqual(pending.state, "requested")
        # A rejection tracked in the chatter (state Requested -> Rejected) gives its date.
        message = without_reason.message_post(body="Rejected", subtype_xmlid="mail.mt_note")
        message.date = "2025-05-06 10:00:00"
        self.env["mail.tracking.value"].create(
            {
                "field_id": self.env["ir.model.fields"]._get("oms.return", "state").id,
                "old_value_char": "Requested",
                "new_value_char": "Rejected",
                "mail_message_id": message.id,
            }
        )
        self.old_data(with_reason | without_reason | still_rejected, rejected_date=None)
        self.old_data(settled, settled_date=None)
        self.old_data(dated, rejected_date="2026-01-02 03:04:05")
        self.assertEqual(settled.state, "closed")
        self.assertFalse(settled.settled_date)
        self.assertEqual(
            self.line._oms_taken().get(self.line.id),
            4,
            "old data: the settled, two closed rejected and the pending one count",
        )
        self.env.flush_all()
        rows = self.env["oms.return.report"].search([("kind", "=", "returned")])
        self.assertIn(with_reason, rows.return_id)

        script = load_script(file_path(SCRIPT), "oms_returns_post_migration_18_0_2_0_0")
        migrated = script.set_rejected_dates(self.env.cr)
        self.env.invalidate_all()

        self.assertCountEqual(migrated, (with_reason | without_reason | still_rejected).ids)
        for request in with_reason | without_reason | still_rejected:
            self.assertTrue(request.rejected_date, request.name)
        self.assertFalse(settled.rejected_date, "settled, then closed: not rejected")
        self.assertFalse(pending.rejected_date)
        self.assertEqual(
            without_reason.rejected_date, fields.Datetime.to_datetime("2025-05-06 10:00:00")
        )
        self.assertEqual(dated.rejected_date, fields.Datetime.to_datetime("2026-01-02 03:04:05"))
        self.assertEqual(
            self.line._oms_taken().get(self.line.id), 2, "the settled and the pending one"
        )
        self.env.flush_all()
        rows = self.env["oms.return.report"].search([("kind", "=", "returned")])
        self.assertFalse(rows.return_id & (with_reason | without_reason | dated))
        self.assertIn(settled, rows.return_id)
        # Run again: nothing left to do.
        self.assertEqual(script.set_rejected_dates(self.env.cr), [])
