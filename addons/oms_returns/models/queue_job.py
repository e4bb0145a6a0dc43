from odoo import models

LABEL_JOB = ("oms.return", "_oms_buy_labels")


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        """A return's label job that failed for good (its last try, or an error no
        retry can mend): the returns team gets an activity on the request."""
        result = super().write(vals)
        if vals.get("state") == "failed":
            for job in self.filtered(lambda j: (j.model_name, j.method_name) == LABEL_JOB):
                job.records.sudo().exists()._oms_label_given_up(job.exc_message or job.exc_name)
        return result
