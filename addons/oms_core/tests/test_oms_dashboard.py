from .common import OmsCoreCase


class TestDashboard(OmsCoreCase):
    def test_counts_per_channel_and_their_lists(self):
        other = self.env["oms.channel"].create({"name": "Marketplace"})
        new = self._order()
        held = self._order(oms_fraud_score=90)
        routed = self._order()
        routed.action_confirm()
        late = self._order(oms_channel_id=other.id)
        late.action_confirm()
        late.oms_promised_date = "2000-01-01 00:00:00"
        held.oms_hold_ids.deadline = "2000-01-01 00:00:00"
        self.env.invalidate_all()

        channel = self.channel.with_user(self.oms_user)
        self.assertEqual(
            (channel.count_new, channel.count_on_hold, channel.count_routed, channel.count_late),
            (1, 1, 1, 0),
        )
        self.assertEqual(channel.count_holds_overdue, 1)
        marketplace = other.with_user(self.oms_user)
        self.assertEqual((marketplace.count_routed, marketplace.count_late), (1, 1))

        Order = self.env["sale.order"]
        action = channel.with_context(oms_stage="on_hold").action_open_orders()
        self.assertEqual(Order.search(action["domain"]), held)
        action = marketplace.with_context(oms_late=True).action_open_orders()
        self.assertEqual(Order.search(action["domain"]), late)
        action = channel.action_open_overdue_holds()
        self.assertEqual(self.env["oms.order.hold"].search(action["domain"]), held.oms_hold_ids)
        self.assertIn(
            new, Order.search(channel.with_context(oms_stage="new").action_open_orders()["domain"])
        )
