from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.tools import mute_logger

from odoo.addons.oms_core.hooks import post_init_hook

from .common import OmsCoreCase


class TestPromisedDate(OmsCoreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Warehouse week", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.channel.write({"cutoff_time": 14.0, "handling_days": 1})

    def _ship_by(self, ordered, **channel):
        if channel:
            self.channel.write(channel)
        order = self._order(date_order=ordered)
        return str(order.oms_promised_date)

    def test_before_cut_off_counts_from_the_same_day(self):
        # Monday 10:00: Monday is day 0, one handling day: ship by Tuesday's close.
        self.assertEqual(self._ship_by("2026-03-02 10:00:00"), "2026-03-03 17:00:00")

    def test_after_cut_off_counts_from_the_next_day(self):
        self.assertEqual(self._ship_by("2026-03-02 15:00:00"), "2026-03-04 17:00:00")

    def test_weekend_is_skipped(self):
        # Friday after the cut-off: Monday is day 0, Tuesday the ship-by day.
        self.assertEqual(self._ship_by("2026-03-06 15:00:00"), "2026-03-10 17:00:00")
        self.assertEqual(self._ship_by("2026-03-07 09:00:00"), "2026-03-10 17:00:00")

    def test_public_holiday_is_skipped(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.calendar.id,
                "date_from": "2026-03-03 00:00:00",
                "date_to": "2026-03-03 23:59:59",
            }
        )
        self.assertEqual(self._ship_by("2026-03-02 10:00:00"), "2026-03-04 17:00:00")

    def test_same_day_shipping(self):
        self.assertEqual(
            self._ship_by("2026-03-02 10:00:00", handling_days=0), "2026-03-02 17:00:00"
        )

    def test_company_time_zone(self):
        self.calendar.tz = "Europe/Brussels"  # UTC+1 in March
        # 13:30 UTC is 14:30 in Brussels: after the cut-off.
        self.assertEqual(self._ship_by("2026-03-02 13:30:00"), "2026-03-04 16:00:00")

    def test_late_orders(self):
        order = self._order(date_order="2026-03-02 10:00:00")
        order.action_confirm()
        with freeze_time("2026-03-03 16:00:00"):
            order.invalidate_recordset(["oms_is_late"])
            self.assertFalse(order.oms_is_late)
        with freeze_time("2026-03-04 09:00:00"):
            order.invalidate_recordset(["oms_is_late"])
            self.assertTrue(order.oms_is_late)
            late = self.env["sale.order"].search([("oms_is_late", "=", True)])
            self.assertIn(order, late)
            self._ship(order)
            order.invalidate_recordset(["oms_is_late"])
            self.assertFalse(order.oms_is_late, "a shipped order is no longer late")
            self.assertNotIn(order, self.env["sale.order"].search([("oms_is_late", "=", True)]))


class TestPriorityAndReference(OmsCoreCase):
    def test_vip_and_express_raise_the_priority(self):
        self.assertEqual(self._order().oms_priority, "0")
        self.assertEqual(self._order(oms_express=True).oms_priority, "1")
        self.customer.oms_vip = True
        self.assertEqual(self._order().oms_priority, "1")
        self.assertEqual(self._order(oms_express=True).oms_priority, "2")

    def test_vip_company_makes_its_contacts_vip(self):
        company = self.env["res.partner"].create({"name": "Big Co", "is_company": True})
        company.oms_vip = True
        buyer = self.customer.copy({"parent_id": company.id})
        self.assertEqual(self._order(partner=buyer).oms_priority, "1")

    def test_priority_can_be_set_by_hand(self):
        order = self._order()
        order.oms_priority = "2"
        order.note = "rush"
        self.assertEqual(order.oms_priority, "2")

    def test_external_reference_is_unique_per_channel(self):
        self._order(oms_external_ref="1001")
        other_channel = self.env["oms.channel"].create({"name": "Marketplace"})
        self._order(oms_external_ref="1001", oms_channel_id=other_channel.id)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self._order(oms_external_ref="1001")

    def test_external_reference_is_not_copied(self):
        order = self._order(oms_external_ref="1002")
        self.assertFalse(order.copy().oms_external_ref)

    def test_backend_orders_default_to_the_manual_channel(self):
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        self.assertEqual(order.oms_channel_id, self.env.ref("oms_core.oms_channel_manual"))

    def test_timeline_is_searchable(self):
        order = self._order(oms_fraud_score=99)
        found = self.env["oms.order.event"].search(
            [("order_id", "=", order.id), ("event_type", "=", "hold")]
        )
        self.assertEqual(len(found), 1)
        self.assertIn("Fraud", found.name)


class TestInstallOnExistingOrders(OmsCoreCase):
    def test_existing_orders_keep_their_order_date(self):
        order = self._order(date_order="2026-03-02 10:00:00")
        promised = order.oms_promised_date
        self.env.flush_all()
        # As the install leaves them: the column default, the install time.
        self.env.cr.execute(
            "UPDATE sale_order SET oms_order_date = '2026-06-01 10:00:00',"
            " oms_promised_date = NULL WHERE id = %s",
            [order.id],
        )
        order.invalidate_recordset()
        post_init_hook(self.env)
        self.assertEqual(str(order.oms_order_date), "2026-03-02 10:00:00")
        self.assertEqual(order.oms_promised_date, promised)
