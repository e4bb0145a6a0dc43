"""The reconciliation report per channel and day (issue 19, point 4): orders,
invoiced, paid, refunded, difference, each figure opening its records."""

import json

from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import fixture
from .test_oms_channel_money import ChannelMoneyCase


class TestChannelMoneyReport(ChannelMoneyCase):
    def rows(self, channel, env=None):
        env = env or self.env
        env.flush_all()
        return env["oms.channel.money.report"].search([("channel_id", "=", channel.id)])

    def opened(self, row, method):
        action = getattr(row, method)()
        return self.env[action["res_model"]].search(action["domain"])

    def test_a_day_of_orders_invoices_payments_and_refunds(self):
        self.shopify.invoice_policy = "confirm"
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        self.ship(order)
        self.run_money_jobs()
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.shopify,
            "webhook",
            json.dumps(fixture("shopify", "refund_return_and_shipping.json")),
            topic="refunds/create",
        )
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        invoice = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        credit_note = order.invoice_ids - invoice
        payments = self.payments(order)
        rows = self.rows(self.shopify)
        ordered = rows.filtered(lambda r: r.order_count)
        self.assertEqual(ordered.day, order.date_order.date(), "the order's date (confirmed)")
        self.assertEqual(ordered.order_count, 1)
        self.assertAlmostEqual(ordered.order_amount, order.amount_total, places=2)
        self.assertEqual(self.opened(ordered, "action_open_orders"), order)
        money = rows.filtered(lambda r: r.invoiced)
        self.assertEqual(money.day, invoice.invoice_date)
        self.assertAlmostEqual(money.invoiced, invoice.amount_total, places=2)
        self.assertAlmostEqual(money.paid, 626.46, places=2)
        self.assertAlmostEqual(money.refunded, 211.65, places=2)
        self.assertAlmostEqual(money.credited, 211.65, places=2)
        self.assertAlmostEqual(
            money.difference, invoice.amount_total - 211.65 - 626.46 + 211.65, places=2
        )
        self.assertEqual(money.currency_id.name, "USD")
        self.assertEqual(self.opened(money, "action_open_invoices"), invoice)
        self.assertEqual(self.opened(money, "action_open_payments"), payments)
        self.assertEqual(len(payments), 2, "the payment and the refund")
        self.assertEqual(self.opened(money, "action_open_credit_notes"), credit_note)

    def test_a_payment_without_invoice_shows_as_a_difference(self):
        order = self.store(self.shopify, self.shopify_order).order_id
        self.release(order)
        self.run_money_jobs()
        money = self.rows(self.shopify).filtered(lambda r: r.paid)
        self.assertAlmostEqual(money.paid, 626.46, places=2)
        self.assertAlmostEqual(money.difference, -626.46, places=2)

    def test_managers_read_it_users_do_not(self):
        self.store(self.shopify, self.shopify_order)
        manager = new_test_user(self.env, "money_manager", groups="oms_core.group_oms_manager")
        self.assertTrue(self.rows(self.shopify, self.env(user=manager)))
        user = new_test_user(self.env, "money_user", groups="oms_core.group_oms_user")
        with self.assertRaises(AccessError):
            self.rows(self.shopify, self.env(user=user)).mapped("paid")
