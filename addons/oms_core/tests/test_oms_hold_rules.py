from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.migration import load_script
from odoo.tests import new_test_user
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

from .common import OmsCoreCase

MIGRATION = "oms_core/migrations/18.0.1.9.1/post-migration.py"


class TestStandardRules(OmsCoreCase):
    def _active(self, order):
        return order.oms_hold_ids.filtered(lambda h: h.state == "active")

    def test_payment_not_captured_holds_until_captured(self):
        order = self._order(oms_payment_state="authorized")
        hold = self._active(order)
        self.assertEqual(hold.rule_id, self.env.ref("oms_core.oms_hold_rule_payment"))
        self.assertEqual(hold.hold_type, "payment")
        order.oms_payment_state = "paid"
        self.assertEqual(hold.state, "released")
        self.assertEqual(hold.released_by_id, self.env.ref("base.user_root"))
        self.assertIn("Released automatically", hold.release_note)

    def test_fraud_score_above_threshold(self):
        self.assertFalse(self._active(self._order(oms_fraud_score=75)))
        order = self._order(oms_fraud_score=76)
        self.assertEqual(self._active(order).hold_type, "fraud")
        order.oms_fraud_score = 10
        self.assertFalse(self._active(order), "the hold ends when its condition is gone")

    def test_incomplete_address(self):
        no_street = self.customer.copy({"street": False})
        order = self._order(partner=no_street)
        self.assertEqual(self._active(order).hold_type, "address")
        no_street.street = "Rue Haute 1"
        order.action_oms_evaluate_holds()
        self.assertFalse(self._active(order))

    def test_zip_needed_only_where_the_country_needs_one(self):
        hong_kong = self.env.ref("base.hk")
        self.assertFalse(hong_kong.zip_required)
        no_zip_hk = self.customer.copy({"zip": False, "country_id": hong_kong.id})
        self.assertFalse(self._active(self._order(partner=no_zip_hk)))
        no_zip_be = self.customer.copy({"zip": False})
        self.assertTrue(self.country.zip_required)
        self.assertEqual(self._active(self._order(partner=no_zip_be)).hold_type, "address")

    def test_over_credit_limit(self):
        self.company.account_use_credit_limit = True
        self.customer.credit_limit = 20.0
        order = self._order(qty=1)
        self.assertFalse(self._active(order), "12.00 is within the limit")
        order.order_line.product_uom_qty = 3
        self.assertEqual(self._active(order).hold_type, "credit")

    def test_large_order_needs_a_person(self):
        order = self._order(qty=1, price=6000)
        hold = self._active(order)
        self.assertEqual(hold.hold_type, "manual_review")
        order.order_line.price_unit = 10
        self.assertEqual(hold.state, "active", "review holds are released by a person only")

    def test_rule_condition_is_checked(self):
        with self.assertRaisesRegex(ValidationError, "no field 'nope'"):
            self.env["oms.hold.rule"].create({"name": "Bad", "domain": "[('nope', '=', 1)]"})
        with self.assertRaisesRegex(ValidationError, "unknown operator"):
            self.env["oms.hold.rule"].create({"name": "Bad", "domain": "[('name', '~', 1)]"})

    def test_a_condition_cannot_probe_channels_carriers_or_restricted_fields(self):
        """A rule is evaluated on every order whoever wrote it: a path into a channel
        (or a carrier, a user, a company) would tell its author, by which orders get
        held, what the secrets of those records start with."""
        Rule = self.env["oms.hold.rule"].with_user(self.oms_manager)
        for domain in (
            "[('oms_channel_id.name', 'like', 'W%')]",
            "[('oms_channel_id', 'any', [('name', 'like', 'W%')])]",
            "[('oms_channel_id', 'ilike', 'Web')]",
            "[('order_line.product_id.company_id.name', 'like', 'a%')]",
            "[('partner_id.user_ids.login', 'like', 'a%')]",
            "[('user_id.login', '=', 'admin')]",
            "[('partner_id.signup_type', '=', 'reset')]",
            "['|', ('amount_total', '>', 0), ('company_id.name', 'like', 'a%')]",
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError) as refused:
                Rule.create({"name": "Probe", "domain": domain})
            self.assertIn("is not valid", str(refused.exception))
            with self.subTest(release=domain), self.assertRaises(ValidationError):
                Rule.create({"name": "Probe", "domain": "[]", "release_domain": domain})
        self.assertFalse(self.env["oms.hold.rule"].search([("name", "=", "Probe")]))
        # The order, its lines, customer and products, and ids of the rest, are fine.
        allowed = Rule.create(
            {
                "name": "Belgian web orders of the product",
                "domain": repr(
                    [
                        ("partner_id.country_id.code", "=", "BE"),
                        ("oms_channel_id", "in", self.channel.ids),
                        ("order_line", "any", [("product_id.default_code", "!=", False)]),
                    ]
                ),
            }
        )
        order = self._order()
        self.assertIn(order, allowed._matching(order))

    @mute_logger("odoo.addons.oms_core.models.oms_hold_rule")
    def test_a_probing_condition_stored_before_the_check_holds_nothing(self):
        rule = self.env["oms.hold.rule"].create(
            {"name": "Probe", "hold_type": "other", "domain": "[('amount_total', '>', 0)]"}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE oms_hold_rule SET domain = %s WHERE id = %s",
            ["[('oms_channel_id.name', 'like', 'W%')]", rule.id],
        )
        rule.invalidate_recordset()
        order = self._order()
        self.assertNotIn(rule, order.oms_hold_ids.rule_id)
        self.assertFalse(rule._matching(order))

    def test_archived_rule_holds_nothing(self):
        self.env.ref("oms_core.oms_hold_rule_fraud").active = False
        self.assertFalse(self._active(self._order(oms_fraud_score=99)))

    def test_rule_of_another_company_holds_nothing(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env.ref("oms_core.oms_hold_rule_fraud").company_id = other
        self.assertFalse(self._active(self._order(oms_fraud_score=99)))

    def test_hold_and_release_are_in_the_timeline(self):
        order = self._order(oms_fraud_score=99)
        self._active(order).with_user(self.oms_manager).action_release("Checked by phone")
        events = order.oms_event_ids.sorted("id")
        kinds = [e.event_type for e in events]
        self.assertIn("hold", kinds)
        self.assertIn("hold_overridden", kinds)
        overridden = events.filtered(lambda e: e.event_type == "hold_overridden")
        self.assertEqual(overridden.reason, "Checked by phone")
        self.assertEqual(overridden.user_id, self.oms_manager)


class TestManualRelease(OmsCoreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env.ref("oms_core.oms_hold_rule_fraud")
        cls.rule.team_id = cls.team
        cls.team.member_ids = cls.oms_user
        cls.outsider = new_test_user(
            cls.env, login="oms_outsider", groups="oms_core.group_oms_user", name="Outsider"
        )

    def test_team_member_releases_with_a_note(self):
        order = self._order(oms_fraud_score=90)
        hold = order.oms_hold_ids
        self.assertEqual(hold.team_id, self.team)
        with self.assertRaisesRegex(UserError, "note is required"):
            hold.with_user(self.oms_user).action_release("  ")
        hold.with_user(self.oms_user).action_release("Known customer")
        self.assertEqual(hold.state, "overridden", "the score is still high: an override")
        self.assertEqual(hold.released_by_id, self.oms_user)
        self.assertEqual(hold.release_note, "Known customer")

    def test_user_outside_the_team_may_not_release(self):
        hold = self._order(oms_fraud_score=90).oms_hold_ids
        self.assertFalse(hold.with_user(self.outsider).can_be_released)
        with self.assertRaises(AccessError):
            hold.with_user(self.outsider).action_release("Not mine")
        self.assertEqual(hold.state, "active")

    def test_manager_releases_any_hold(self):
        hold = self._order(oms_fraud_score=90).oms_hold_ids
        hold.team_id = False
        hold.with_user(self.oms_manager).action_release("Manager decision")
        self.assertEqual(hold.state, "overridden")

    def test_override_is_final(self):
        order = self._order(oms_fraud_score=90)
        order.oms_hold_ids.with_user(self.oms_manager).action_release("Fine")
        order.oms_fraud_score = 95
        self.assertEqual(len(order.oms_hold_ids), 1, "an overridden rule does not hold again")

    def test_the_review_threshold_is_in_the_companys_currency(self):
        rule = self.env.ref("oms_core.oms_hold_rule_review")
        jpy = self.env.ref("base.JPY")
        jpy.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": jpy.id, "rate": 150.0 * self.env.company.currency_id.rate}
        )
        yen = self.env["product.pricelist"].create({"name": "Yen", "currency_id": jpy.id})
        # 9,818 JPY is about 65 in the company's currency: no review.
        small = self._order(qty=1, price=9818, pricelist_id=yen.id)
        self.assertEqual(small.currency_id, jpy)
        self.assertAlmostEqual(small.oms_amount_total_company, small.amount_total / 150, 2)
        self.assertFalse(small.oms_hold_ids.filtered(lambda h: h.rule_id == rule))
        # 900,000 JPY is 6,000: reviewed.
        large = self._order(qty=1, price=900000, pricelist_id=yen.id)
        self.assertTrue(large.oms_hold_ids.filtered(lambda h: h.rule_id == rule))

    def test_the_migration_moves_the_review_threshold_to_the_companys_currency(self):
        rule = self.env.ref("oms_core.oms_hold_rule_review")
        changed = rule.copy({"domain": '[("amount_total", ">", 9000)]'})
        rule.domain = '[("amount_total", ">", 5000)]'  # as databases made before hold it
        self.env.flush_all()
        script = load_script(file_path(MIGRATION), "oms_core_review_threshold")
        script.migrate(self.env.cr, "18.0.1.9.0")
        self.env.invalidate_all()
        self.assertEqual(rule.domain, '[("oms_amount_total_company", ">", 5000)]')
        self.assertEqual(changed.domain, '[("amount_total", ">", 9000)]', "a manager's own")

    def test_release_of_a_gone_condition_is_a_release(self):
        rule = self.env.ref("oms_core.oms_hold_rule_review")
        order = self._order(qty=1, price=6000)
        order.order_line.price_unit = 10
        hold = order.oms_hold_ids.filtered(lambda h: h.rule_id == rule)
        hold.with_user(self.oms_manager).action_release("Price corrected")
        self.assertEqual(hold.state, "released")

    def test_release_wizard(self):
        order = self._order(oms_fraud_score=90)
        wizard = (
            self.env["oms.order.hold.release"]
            .with_user(self.oms_user)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"note": "Verified"})
        )
        self.assertEqual(wizard.hold_ids, order.oms_hold_ids)
        wizard.action_release()
        self.assertEqual(order.oms_hold_ids.state, "overridden")

    def test_overdue_holds(self):
        hold = self._order(oms_fraud_score=90).oms_hold_ids
        self.assertFalse(hold.is_overdue)
        hold.deadline = "2000-01-01 00:00:00"
        self.assertTrue(hold.is_overdue)
        found = self.env["oms.order.hold"].search([("is_overdue", "=", True)])
        self.assertIn(hold, found)
