from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form

from .common import OmsCoreCase


class TestServiceLevel(OmsCoreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Warehouse week", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.channel.write({"cutoff_time": 14.0, "handling_days": 1})
        cls.standard = cls.env.ref("oms_core.oms_service_level_standard")
        cls.express = cls.env.ref("oms_core.oms_service_level_express")
        cls.next_day = cls.env.ref("oms_core.oms_service_level_next_day")
        cls.prime = cls.env.ref("oms_core.oms_service_level_prime")
        cls.Map = cls.env["oms.service.level.map"]

    def _import(self, codes=(), **kwargs):
        """An order as a channel's import makes it (as superuser, like the import)."""
        vals = self.env["sale.order"]._oms_service_level_vals(self.channel, codes, **kwargs)
        return self._order(date_order="2026-03-02 10:00:00", **vals)

    def test_shipped_levels_exist_and_hand_typed_orders_get_the_default(self):
        codes = set(self.env["oms.service.level"].search([]).mapped("code"))
        self.assertTrue({"standard", "express", "next_day", "prime", "pickup", "freight"} <= codes)
        self.assertEqual(self._order().oms_service_level_id, self.standard)

    def test_unmapped_codes_are_listed_with_count_and_default_level(self):
        order = self._import(["SHOPIFY-Fast-Lane"])
        self._import(["SHOPIFY-Fast-Lane"])
        self.assertEqual(order.oms_service_level_id, self.standard)
        self.assertEqual(order.oms_shipping_method, "SHOPIFY-Fast-Lane")
        row = self.Map.search([("channel_id", "=", self.channel.id)])
        self.assertEqual(row.code, "SHOPIFY-Fast-Lane")
        self.assertEqual(row.seen_count, 2)
        self.assertEqual(row.last_seen, datetime(2026, 3, 2, 10, 0, 0))
        self.assertFalse(row.service_level_id)

    def test_mapped_code_gives_its_level_per_channel(self):
        other = self.env["oms.channel"].create({"name": "Other shop"})
        self.Map.create(
            {
                "channel_id": self.channel.id,
                "code": "Fast-Lane",
                "service_level_id": self.express.id,
            }
        )
        order = self._import(["unknown", "Fast-Lane"])
        self.assertEqual(order.oms_service_level_id, self.express)
        other_vals = self.env["sale.order"]._oms_service_level_vals(other, ["Fast-Lane"])
        self.assertEqual(other_vals["oms_service_level_id"], self.standard.id)

    def test_code_equal_to_a_level_code_needs_no_mapping(self):
        self.assertEqual(self._import(["NEXT_DAY"]).oms_service_level_id, self.next_day)

    def test_prime_flag_wins(self):
        self.assertEqual(self._import(["Standard"], is_prime=True).oms_service_level_id, self.prime)

    def test_channel_dates_win(self):
        order = self._import(
            ["Expedited"],
            latest_ship_date="2026-03-04T10:00:00Z",
            promised_delivery_date="2026-03-06T20:00:00+01:00",
        )
        self.assertEqual(str(order.oms_promised_date), "2026-03-04 10:00:00")
        self.assertEqual(str(order.oms_deliver_by), "2026-03-06 19:00:00")

    def test_dates_from_the_service_level_without_channel_dates(self):
        # Monday 10:00 before the cut-off. Standard: the channel's one handling day
        # (Tuesday's close), then 5 days in transit.
        order = self._import(["standard"])
        self.assertEqual(str(order.oms_promised_date), "2026-03-03 17:00:00")
        self.assertEqual(str(order.oms_deliver_by), "2026-03-08 17:00:00")
        # Next day: no handling day (Monday's close), one day in transit.
        order = self._import(["next_day"])
        self.assertEqual(str(order.oms_promised_date), "2026-03-02 17:00:00")
        self.assertEqual(str(order.oms_deliver_by), "2026-03-03 17:00:00")

    def test_levels_are_editable_and_drive_the_dates(self):
        self.express.with_user(self.oms_manager).write({"transit_days": 3})
        order = self._import(["express"])
        self.assertEqual(str(order.oms_deliver_by), "2026-03-06 17:00:00")
        with self.assertRaises(AccessError):
            self.express.with_user(self.oms_user).write({"transit_days": 1})

    def test_late_delivery_flag(self):
        order = self._import(["express"])
        order.action_confirm()
        with freeze_time("2026-03-05 12:00:00"):
            order.invalidate_recordset(["oms_is_late_delivery"])
            self.assertFalse(order.oms_is_late_delivery)
        with freeze_time("2026-03-05 18:00:00"):
            order.invalidate_recordset(["oms_is_late_delivery"])
            self.assertTrue(order.oms_is_late_delivery)
            self.assertIn(
                order, self.env["sale.order"].search([("oms_is_late_delivery", "=", True)])
            )

    def test_express_level_raises_priority(self):
        self.assertEqual(self._import(["express"]).oms_priority, "1")
        self.assertEqual(self._import(["standard"]).oms_priority, "0")

    def test_deliveries_follow_level_and_vip(self):
        """Fast levels and VIP customers get urgent deliveries, scheduled on their
        ship-by date and due on their deliver-by date: Odoo's list puts them first."""
        standard = self._import(["standard"])
        express = self._import(["express"])
        vip = self.customer.copy({"oms_vip": True})
        vip_order = self._order(date_order="2026-03-02 10:00:00", partner=vip)
        (standard | express | vip_order).action_confirm()
        self.assertEqual(standard.picking_ids.priority, "0")
        self.assertEqual(express.picking_ids.priority, "1")
        self.assertEqual(vip_order.picking_ids.priority, "1")
        self.assertEqual(express.picking_ids.scheduled_date, express.oms_promised_date)
        self.assertEqual(express.picking_ids.date_deadline, express.oms_deliver_by)
        listed = self.env["stock.picking"].search(
            [("id", "in", (standard | express | vip_order).picking_ids.ids)]
        )
        self.assertEqual(listed[-1], standard.picking_ids)

    def test_a_level_of_another_company_is_not_used(self):
        other = self.env["res.company"].create({"name": "Other company (levels)"})
        self.env["oms.service.level"].create(
            {"name": "Courier", "code": "courier", "company_id": other.id, "transit_days": 1}
        )
        self.assertEqual(self._import(["courier"]).oms_service_level_id, self.standard)
        mine = self.env["oms.service.level"].create(
            {"name": "Bike", "code": "bike", "company_id": self.company.id, "transit_days": 0}
        )
        self.assertEqual(self._import(["bike"]).oms_service_level_id, mine)
        row = self.Map.search([("code", "=", "bike")])
        self.assertEqual(row.company_id, self.company)

    def test_channel_form_lists_its_shipping_methods_for_mapping(self):
        self._import(["Fast-Lane"])
        form = Form(self.channel.with_user(self.oms_manager))
        with form.service_level_map_ids.edit(0) as row:
            self.assertEqual(row.code, "Fast-Lane")
            row.service_level_id = self.express
        form.save()
        self.assertEqual(self._import(["Fast-Lane"]).oms_service_level_id, self.express)

    def test_a_batch_is_resolved_at_once_and_counted_per_order(self):
        self.Map.create(
            {
                "channel_id": self.channel.id,
                "code": "Fast-Lane",
                "service_level_id": self.express.id,
            }
        )
        requests = [
            (["Fast-Lane"], None, None, False),
            (["slow", "Fast-Lane"], "2026-03-04T10:00:00Z", None, False),
            (["slow"], None, None, True),
            ([], None, None, False),
        ]
        with self.assertQueryCount(8):
            vals = self.env["sale.order"]._oms_service_level_vals_many(self.channel, requests)
        self.assertEqual(
            [v["oms_service_level_id"] for v in vals],
            [self.express.id, self.express.id, self.prime.id, self.standard.id],
        )
        self.assertEqual(str(vals[1]["oms_ship_by_channel"]), "2026-03-04 10:00:00")
        for values in vals:
            self._order(**values)
        counts = {
            m.code: m.seen_count for m in self.Map.search([("channel_id", "=", self.channel.id)])
        }
        # Counted from the orders: one with two methods counts for neither.
        self.assertEqual(counts, {"Fast-Lane": 1, "slow": 1})
        # Known codes are only read: a second batch writes no mapping row.
        with self.assertQueryCount(4):
            self.env["sale.order"]._oms_service_level_vals_many(self.channel, requests)
