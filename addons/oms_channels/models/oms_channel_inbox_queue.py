"""Inbox payloads queued for import, and queued again when their job is gone."""

import logging

from odoo import _, api, fields, models

from .oms_channel_inbox import BATCH_SIZE, MAX_REQUEUES

_logger = logging.getLogger(__name__)


class OmsChannelInbox(models.Model):
    _inherit = "oms.channel.inbox"

    @api.model
    def _oms_queue_orphans(self, older_than):
        """Queue again the pulled, file and reprocessed payloads still received
        ``older_than`` after they were stored while no import job waits or runs:
        their job is gone (failed for good, deleted, a server restored from a
        backup). While any such job waits, nothing is queued, so that a long
        backlog is not queued twice (it would be harmless: a job skips what
        another holds or has done, but twice the work). A payload queued again
        ``MAX_REQUEUES`` times already is put in error instead, with the reason."""
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search_count(
                [
                    ("model_name", "=", self._name),
                    ("method_name", "=", "_oms_process_batch"),
                    ("state", "in", ("wait_dependencies", "pending", "enqueued", "started")),
                ],
                limit=1,
            )
        )
        if jobs:
            return self.browse()
        orphans = self.search(
            [
                ("source", "!=", "webhook"),
                ("state", "=", "received"),
                ("create_date", "<", fields.Datetime.now() - older_than),
            ]
        )
        # A payload whose job is lost every time (its import stops the worker, or
        # always fails on the database) would hold its batch back for ever.
        given_up = orphans.filtered(lambda r: r.requeued >= MAX_REQUEUES)
        if given_up:
            _logger.warning("Inbox %s: import job lost %s times", given_up.ids, MAX_REQUEUES)
            given_up._oms_fail(
                _(
                    "Its import job was lost %(times)s times (failed for good, deleted, or "
                    "stopped with its worker): look at the job's error, then Reprocess.",
                    times=MAX_REQUEUES,
                )
            )
        orphans -= given_up
        if orphans:
            _logger.info("Queueing again %s payloads whose import job is gone", len(orphans))
            self.env.cr.execute(
                "UPDATE oms_channel_inbox SET requeued = COALESCE(requeued, 0) + 1 WHERE id IN %s",
                [tuple(orphans.ids)],
            )
            orphans.invalidate_recordset(["requeued"])
            orphans._oms_queue_processing()
        return orphans

    def _oms_queue_processing(self):
        """One background job per batch of received payloads, run as superuser
        whoever asked (a manager's Pull Now): nobody may write the inbox, the
        import does. The job keeps the asker as its user."""
        records = self.sudo().filtered(lambda r: r.state == "received").sorted("id")
        for start in range(0, len(records), BATCH_SIZE):
            batch = records[start : start + BATCH_SIZE]
            description = (
                f"Import {batch.external_id}"
                if len(batch) == 1
                else f"Import {len(batch)} orders of {batch.channel_id[:1].name}"
            )
            batch.with_delay(description=description)._oms_process_batch()
