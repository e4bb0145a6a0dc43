from .common import OmsCoreCase


class TestOrderReport(OmsCoreCase):
    """The managers' figures on a known data set, computed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel_a = cls.env["oms.channel"].create({"name": "Shop A"})
        cls.channel_b = cls.env["oms.channel"].create({"name": "Shop B"})
        cls.a1 = cls._confirmed(cls.channel_a, 100)
        cls.a2 = cls._confirmed(cls.channel_a, 300, oms_fraud_score=90)
        cls.b1 = cls._confirmed(cls.channel_b, 100)
        cls.cancelled = cls._order(oms_channel_id=cls.channel_b.id)
        cls.cancelled._action_cancel()
        # order date, released, first shipped, delivered, ship-by
        cls._dates(
            cls.a1,
            "2026-01-05 08:00",
            "2026-01-05 10:00",
            "2026-01-06 08:00",
            "2026-01-08 08:00",
            "2026-01-06 17:00",
        )
        cls._dates(
            cls.a2,
            "2026-01-05 12:00",
            "2026-01-05 16:00",
            "2026-01-07 12:00",
            None,
            "2026-01-06 17:00",
        )
        cls._dates(cls.b1, "2026-01-06 09:00", "2026-01-06 09:30", None, None, "2026-01-07 17:00")

    @classmethod
    def _confirmed(cls, channel, price, **values):
        order = cls._order(qty=1, price=price, oms_channel_id=channel.id, **values)
        if order.oms_hold_ids:
            order.oms_hold_ids.action_release("Checked")
        order.action_confirm()
        return order

    @classmethod
    def _dates(cls, order, ordered, released, shipped, delivered, promised):
        cls.env.flush_all()
        cls.env.cr.execute(
            """UPDATE sale_order SET oms_order_date = %s, oms_released_date = %s,
               oms_shipped_date = %s, oms_delivered_date = %s, oms_promised_date = %s
               WHERE id = %s""",
            [ordered, released, shipped, delivered, promised, order.id],
        )
        cls.env.invalidate_all()

    def _figures(self):
        Report = self.env["oms.order.report"].with_user(self.oms_manager)
        groups = Report._read_group(
            [("channel_id", "in", (self.channel_a | self.channel_b).ids)],
            ["channel_id"],
            [
                "order_count:sum",
                "amount_total:sum",
                "hours_to_release:avg",
                "hours_to_ship:avg",
                "hours_to_deliver:avg",
                "shipped_count:sum",
                "on_time_count:sum",
                "late_count:sum",
                "hold_count:sum",
            ],
        )
        return {channel: values for channel, *values in groups}

    def test_figures_per_channel(self):
        figures = self._figures()
        orders, revenue, release, ship, deliver, shipped, on_time, late, holds = figures[
            self.channel_a
        ]
        self.assertEqual((orders, revenue), (2, 400.0), "cancelled orders do not count")
        self.assertAlmostEqual(release, 3.0)  # (2 + 4) / 2
        self.assertAlmostEqual(ship, 36.0)  # (24 + 48) / 2
        self.assertAlmostEqual(deliver, 72.0)  # only A1 is delivered
        self.assertEqual((shipped, on_time, late, holds), (2, 1, 1, 1))
        orders, revenue, release, ship, deliver, shipped, on_time, late, holds = figures[
            self.channel_b
        ]
        self.assertEqual((orders, revenue), (1, 100.0))
        self.assertAlmostEqual(release, 0.5)
        self.assertFalse(ship)
        self.assertEqual((shipped, on_time, late, holds), (0, 0, 1, 0))

    def test_orders_per_channel_per_day(self):
        Report = self.env["oms.order.report"]
        groups = Report._read_group(
            [("channel_id", "in", (self.channel_a | self.channel_b).ids)],
            ["channel_id", "date:day"],
            ["order_count:sum"],
        )
        per_day = {(c.name, str(day.date())): n for c, day, n in groups}
        self.assertEqual(per_day, {("Shop A", "2026-01-05"): 2, ("Shop B", "2026-01-06"): 1})

    def test_hold_figures_per_type(self):
        holds = self.env["oms.order.hold"].search([("order_id", "=", self.a2.id)])
        self.env.cr.execute(
            "UPDATE oms_order_hold SET create_date = %s, released_date = %s WHERE id = %s",
            ["2026-01-05 12:00", "2026-01-05 15:30", holds.id],
        )
        holds.invalidate_recordset()
        holds._compute_hours_on_hold()
        groups = self.env["oms.order.hold"]._read_group(
            [("order_id", "=", self.a2.id)], ["hold_type"], ["__count", "hours_on_hold:avg"]
        )
        self.assertEqual(len(groups), 1)
        hold_type, count, hours = groups[0]
        self.assertEqual((hold_type, count), ("fraud", 1))
        self.assertAlmostEqual(hours, 3.5)
