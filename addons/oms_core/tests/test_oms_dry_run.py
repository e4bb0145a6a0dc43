from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form

from .common import OmsCoreCase


class TestDryRun(OmsCoreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Orders already in the database, captured before the rules were switched
        # on: created without hold evaluation, as a dry run meets them.
        quiet = cls.env["sale.order"].with_context(oms_skip_holds=True)
        line = [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": 100})]
        big = [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": 7000})]
        base = {"partner_id": cls.customer.id, "oms_channel_id": cls.channel.id}
        cls.risky = quiet.create(
            {
                **base,
                "order_line": line,
                "oms_fraud_score": 90,
                "oms_order_date": "2026-02-10 10:00:00",
            }
        )
        cls.risky_big = quiet.create(
            {
                **base,
                "order_line": big,
                "oms_fraud_score": 80,
                "oms_order_date": "2026-02-11 10:00:00",
            }
        )
        cls.fine = quiet.create(
            {**base, "order_line": line, "oms_order_date": "2026-02-12 10:00:00"}
        )
        cls.outside = quiet.create(
            {
                **base,
                "order_line": line,
                "oms_fraud_score": 99,
                "oms_order_date": "2026-03-20 10:00:00",
            }
        )
        cls.fraud = cls.env.ref("oms_core.oms_hold_rule_fraud")
        cls.review = cls.env.ref("oms_core.oms_hold_rule_review")

    def _run(self, **values):
        wizard = (
            self.env["oms.hold.rule.dry.run"]
            .with_user(self.oms_manager)
            .create(
                {
                    "date_from": "2026-02-01",
                    "date_to": "2026-02-28",
                    "rule_ids": [(6, 0, (self.fraud | self.review).ids)],
                    **values,
                }
            )
        )
        wizard.action_run()
        return wizard

    def test_counts_orders_and_value_per_rule(self):
        wizard = self._run()
        by_rule = {line.rule_id: line for line in wizard.line_ids}
        self.assertEqual(wizard.order_count, 3)
        self.assertEqual(by_rule[self.fraud].order_ids, self.risky | self.risky_big)
        self.assertEqual(by_rule[self.fraud].order_count, 2)
        self.assertAlmostEqual(by_rule[self.fraud].amount, 7100.0)
        self.assertEqual(by_rule[self.review].order_ids, self.risky_big)
        self.assertAlmostEqual(by_rule[self.review].amount, 7000.0)
        self.assertEqual(wizard.held_order_count, 2, "an order held by two rules counts once")
        self.assertAlmostEqual(wizard.held_amount, 7100.0)

    def test_channel_filter(self):
        other = self.env["oms.channel"].create({"name": "Other"})
        self.assertEqual(self._run(channel_ids=[(6, 0, other.ids)]).order_count, 0)

    def test_nothing_is_written(self):
        orders = self.risky | self.risky_big | self.fine
        self.env.flush_all()
        holds = self.env["oms.order.hold"].search_count([])
        events = self.env["oms.order.event"].search_count([])
        messages = self.env["mail.message"].search_count([("model", "=", "sale.order")])
        mails = self.env["mail.mail"].search_count([])
        write_dates = orders.mapped("write_date")
        self._run()
        self.env.flush_all()
        self.assertEqual(self.env["oms.order.hold"].search_count([]), holds)
        self.assertEqual(self.env["oms.order.event"].search_count([]), events)
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "sale.order")]), messages
        )
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        orders.invalidate_recordset()
        self.assertEqual(orders.mapped("write_date"), write_dates)
        self.assertEqual(set(orders.mapped("oms_stage")), {"new"})

    def test_view_orders_of_a_rule(self):
        line = self._run().line_ids.filtered(lambda rule_line: rule_line.rule_id == self.fraud)
        action = line.action_view_orders()
        self.assertEqual(
            self.env["sale.order"].search(action["domain"]), self.risky | self.risky_big
        )

    def test_inactive_rule_can_be_tried(self):
        trial = self.fraud.copy({"name": "Fraud score above 85", "active": False})
        trial.domain = '[("oms_fraud_score", ">", 85)]'
        wizard = self._run(rule_ids=[(6, 0, trial.ids)])
        self.assertEqual(wizard.line_ids.order_ids, self.risky)
        self.assertAlmostEqual(wizard.held_amount, 100.0)
        self.assertFalse(self.risky.oms_hold_ids, "trying a rule holds nothing")

    def test_period_is_whole_days_of_the_user(self):
        self.oms_manager.tz = "Europe/Brussels"
        # 23:30 UTC on 31 January is 00:30 on 1 February in Brussels.
        self.risky.oms_order_date = "2026-01-31 23:30:00"
        # 23:30 UTC on 28 February is 00:30 on 1 March in Brussels.
        self.fine.oms_order_date = "2026-02-28 23:30:00"
        wizard = self._run()
        self.assertEqual(wizard.order_count, 2)
        by_rule = {line.rule_id: line for line in wizard.line_ids}
        self.assertEqual(by_rule[self.fraud].order_ids, self.risky | self.risky_big)

    @freeze_time("2026-02-20 12:00:00")
    def test_form_defaults_and_results(self):
        active_rules = self.env["oms.hold.rule"].search([])
        form = Form(self.env["oms.hold.rule.dry.run"].with_user(self.oms_manager))
        self.assertEqual(form.date_from, date(2026, 1, 21))
        self.assertEqual(form.date_to, date(2026, 2, 20))
        self.assertEqual(form.rule_ids.ids, active_rules.ids)
        wizard = form.save()
        action = wizard.action_run()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        self.assertEqual(action["target"], "new", "the wizard reopens with its results")
        self.assertTrue(wizard.done)
        self.assertEqual(len(wizard.line_ids), len(active_rules), "a line per rule")
        self.assertEqual(wizard.order_count, 3)
        self.assertEqual(wizard.held_order_count, 2)

    def test_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["oms.hold.rule.dry.run"].with_user(self.oms_user).create({})
