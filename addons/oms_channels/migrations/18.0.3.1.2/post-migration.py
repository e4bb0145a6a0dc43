"""The channel jobs that met a transient channel error were told to wait 60 s in
the code; the wait is now the retry pattern of their ``queue.job.function``
(``data/queue_job_data.xml``). Those records are ``noupdate``: databases made
before get the pattern here, unless someone set one already."""

from odoo import SUPERUSER_ID, api

JOB_FUNCTIONS = (
    "queue_job_function_import_catalogue",
    "queue_job_function_push_stock",
    "queue_job_function_push_shipment",
    "queue_job_function_push_cancellation",
    "queue_job_function_push_channel_refund",
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for name in JOB_FUNCTIONS:
        function = env.ref(f"oms_channels.{name}", raise_if_not_found=False)
        if function and not function.retry_pattern:
            function.retry_pattern = {1: 60}
