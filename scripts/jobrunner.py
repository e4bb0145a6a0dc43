"""queue_job's job runner as a process of its own (``make serve``).

``python -m odoo.addons.queue_job.jobrunner`` imports the addon before Odoo's
configuration has set the addons path, so the addons it imports are not found;
this reads the configuration first, then starts the same runner with Odoo's
logging. Usage: ``python scripts/jobrunner.py -c <odoo.conf> [--logfile=...]``.
"""

import signal
import sys

import odoo


def main(argv):
    odoo.tools.config.parse_config(argv)
    odoo.netsvc.init_logger()
    from odoo.addons.queue_job.jobrunner.runner import QueueJobRunner  # noqa: PLC0415

    runner = QueueJobRunner.from_environ_or_config()
    signal.signal(signal.SIGTERM, lambda *_args: runner.stop())
    runner.run()


if __name__ == "__main__":
    main(sys.argv[1:])
