from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import OmsCoreCase


class TestOmsSecurity(OmsCoreCase):
    def test_rules_are_configured_by_managers_only(self):
        rule = self.env.ref("oms_core.oms_hold_rule_fraud")
        self.assertTrue(rule.with_user(self.oms_user).name)
        with self.assertRaises(AccessError):
            rule.with_user(self.oms_user).write({"domain": "[]"})
        with self.assertRaises(AccessError):
            self.env["oms.hold.rule"].with_user(self.oms_user).create({"name": "Mine"})
        rule.with_user(self.oms_manager).write({"sla_hours": 2})
        self.assertEqual(rule.sla_hours, 2)

    def test_holds_change_only_through_their_release(self):
        hold = self._order(oms_fraud_score=90).oms_hold_ids
        with self.assertRaises(AccessError):
            hold.with_user(self.oms_user).write({"state": "released"})
        with self.assertRaises(AccessError):
            hold.with_user(self.oms_user).unlink()

    def test_what_the_channel_says_is_changed_by_managers_only(self):
        # Marking an order paid lifts its payment hold (and allows store credit);
        # a score of 0 lifts a fraud hold: neither is an OMS User's to decide.
        order = self._order(oms_fraud_score=90, oms_payment_state="pending")
        self.assertTrue(order.oms_hold_ids)
        as_user = order.with_user(self.oms_user)
        for values in (
            {"oms_payment_state": "paid"},
            {"oms_fraud_score": 0},
            {"oms_fraud_assessed": False},
        ):
            with self.assertRaises(AccessError):
                as_user.write(values)
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.oms_user).create(
                {"partner_id": order.partner_id.id, "oms_payment_state": "paid"}
            )
        self.assertEqual(order.oms_payment_state, "pending")
        self.assertEqual(order.oms_fraud_score, 90)
        # Saving the form with the values unchanged, or a new order with the
        # defaults, is no change.
        as_user.write({"oms_payment_state": "pending", "oms_fraud_score": 90, "note": "x"})
        self.env["sale.order"].with_user(self.oms_user).create(
            {"partner_id": order.partner_id.id, "oms_payment_state": "none"}
        )
        order.with_user(self.oms_manager).write({"oms_payment_state": "paid"})
        self.assertEqual(order.oms_payment_state, "paid")

    def test_timeline_is_read_only(self):
        event = self._order().oms_event_ids[:1]
        with self.assertRaises(AccessError):
            event.with_user(self.oms_manager).write({"name": "rewritten"})
        with self.assertRaises(AccessError):
            event.with_user(self.oms_manager).unlink()

    def test_other_company_holds_and_events_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign_user = new_test_user(
            self.env,
            login="oms_other",
            groups="oms_core.group_oms_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        order = self._order(oms_fraud_score=90)
        self.assertFalse(
            self.env["oms.order.hold"].with_user(foreign_user).search([("order_id", "=", order.id)])
        )
        self.assertFalse(
            self.env["oms.order.event"]
            .with_user(foreign_user)
            .search([("order_id", "=", order.id)])
        )
        self.assertFalse(
            self.env["oms.channel"].with_user(foreign_user).search([("id", "=", self.channel.id)])
        )
        rule = self.env["oms.hold.rule"].create(
            {"name": "Ours only", "domain": "[]", "company_id": self.company.id}
        )
        shared = self.env.ref("oms_core.oms_hold_rule_fraud")
        visible = self.env["oms.hold.rule"].with_user(foreign_user).search([])
        self.assertNotIn(rule, visible)
        self.assertIn(shared, visible, "a rule of no company applies to every company")
