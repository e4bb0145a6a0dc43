"""Two pulls of one EDI channel at once, with real transactions: each
interchange and each purchase order stored once.

These tests commit what they do and remove it afterwards, so they use BaseCase
and cursors of their own (as test_oms_channel_reliability does)."""

import os
import shutil
import tempfile
import threading
from pathlib import Path

from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from tests.odoo_helpers import CommittedEnvMixin

FIXTURES = Path(__file__).parent.parent / "channel_edi" / "tests" / "fixtures" / "x12"


@tagged("post_install", "-at_install")
class TestEdiParallel(CommittedEnvMixin, BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        root = tempfile.mkdtemp(prefix="oms-edi-parallel-")
        self.addCleanup(shutil.rmtree, root, True)
        self.drop, self.outbox = os.path.join(root, "in"), os.path.join(root, "out")
        os.makedirs(self.drop)
        with self._env() as env:
            self.channel_id = (
                env["oms.channel"]
                .create(
                    {
                        "name": "Acme Retail EDI (parallel)",
                        "channel_type": "edi",
                        "edi_sender_id": "ACMERETAIL",
                        "edi_receiver_id": "OMSWHOLESALE",
                        "edi_inbox_path": self.drop,
                        "edi_outbox_path": self.outbox,
                    }
                )
                .id
            )
            self.product_ids = (
                env["product.product"]
                .create(
                    [
                        {"name": "T-shirt (parallel)", "default_code": "OMS-TSHIRT-M"},
                        {"name": "Mug (parallel)", "default_code": "OMS-MUG"},
                    ]
                )
                .ids
            )
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            env["queue.job"].search(
                [("model_name", "=", "oms.channel.inbox"), ("records", "!=", False)]
            ).filtered(lambda job: job.records.exists().channel_id == channel).unlink()
            channel.edi_interchange_ids.unlink()
            channel.inbox_ids.unlink()
            journal = channel.payment_journal_id
            channel.unlink()
            journal.unlink()
            env["product.product"].browse(self.product_ids).product_tmpl_id.unlink()

    @mute_logger("odoo.sql_db", "odoo.addons.oms_channels.models.oms_channel_edi")
    def test_two_pulls_at_once_store_each_interchange_once(self):
        text = (FIXTURES / "850_004010_two_orders.edi").read_text()
        # The partner sent the same interchange twice, under two names.
        for name in ("a.edi", "b.edi"):
            Path(self.drop, name).write_text(text)
        barrier = threading.Barrier(2)
        errors = []

        def pull():
            threading.current_thread().testing = True
            try:
                with self._env() as env:
                    barrier.wait(timeout=30)
                    env["oms.channel"].browse(self.channel_id)._oms_pull_orders()
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=pull) for _index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        # A pull that lost the race on the same rows is retried by its job.
        retried = [e for e in errors if "could not serialize" in str(e)]
        self.assertEqual(errors, retried, errors)
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            channel._oms_pull_orders()  # the retry
        with self._env() as env:
            channel = env["oms.channel"].browse(self.channel_id)
            self.assertEqual(len(channel.edi_interchange_ids), 1)
            self.assertEqual(channel.edi_interchange_ids.redeliveries, 1)
            self.assertEqual(
                sorted(channel.inbox_ids.mapped("external_id")), ["PO-4500012", "PO-4500013"]
            )
            self.assertEqual(len(os.listdir(self.outbox)), 1, "one 997")
            self.assertEqual(os.listdir(self.drop), ["archive"])
            self.assertEqual(len(os.listdir(os.path.join(self.drop, "archive"))), 2)
