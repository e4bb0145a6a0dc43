from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .common import OmsCoreCase


class TestOmsChannel(OmsCoreCase):
    def test_manual_channel_is_shipped(self):
        manual = self.env.ref("oms_core.oms_channel_manual")
        self.assertEqual(manual.channel_type, "manual")
        self.assertTrue(manual.active)

    def test_manager_creates_a_channel_with_defaults(self):
        channel = (
            self.env["oms.channel"]
            .with_user(self.oms_manager)
            .create({"name": "Web shop EU", "warehouse_id": self.env.ref("stock.warehouse0").id})
        )
        self.assertEqual(channel.channel_type, "manual")
        self.assertEqual(channel.company_id, self.env.company)

    def test_user_reads_but_cannot_create_channels(self):
        channels = self.env["oms.channel"].with_user(self.oms_user)
        self.assertTrue(channels.search([("channel_type", "=", "manual")]))
        with self.assertRaises(AccessError):
            channels.create({"name": "Not allowed"})

    def test_channel_name_unique_per_company(self):
        self.env["oms.channel"].create({"name": "Marketplace"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["oms.channel"].create({"name": "Marketplace"})

    def test_channel_of_another_company_is_hidden(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["oms.channel"].create({"name": "Other shop", "company_id": other.id})
        names = self.env["oms.channel"].with_user(self.oms_manager).search([]).mapped("name")
        self.assertNotIn("Other shop", names)
