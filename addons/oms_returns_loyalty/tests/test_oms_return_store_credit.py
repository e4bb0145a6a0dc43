"""Store credit: a request settled on the customer's eWallet, what a cheaper
exchange leaves over, only for orders paid, only by OMS managers."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.oms_returns.tests.test_oms_return_flow import ReturnFlowCase


@tagged("post_install", "-at_install")
class TestStoreCredit(ReturnFlowCase):
    def inspected(self, resolution, paid=True):
        if paid:
            self.pay()
        request = self.request()
        request.resolution = resolution
        self.receive_and_inspect(request)
        return request

    def test_store_credit_on_the_ewallet(self):
        request = self.inspected("credit")
        self.assertFalse(request.can_be_refunded)
        request.action_credit()
        self.assertEqual(request.state, "credited")
        self.assertTrue(request.settled_date, "credited is settled")
        self.assertTrue(request.can_be_closed)
        card = request.loyalty_card_id
        self.assertEqual(card.partner_id, self.customer)
        self.assertEqual(card.program_id.program_type, "ewallet")
        self.assertAlmostEqual(card.points, 54.0 - 5.40, places=2)
        self.assertFalse(request.credit_note_ids)
        history = card.history_ids
        self.assertEqual(history.issued, 48.6)
        self.assertIn(request.name, history.description)
        again = self.request()
        again.resolution = "credit"
        self.receive_and_inspect(again)
        again.action_credit()
        self.assertEqual(again.loyalty_card_id, card, "one card per customer")
        self.assertAlmostEqual(card.points, 2 * (54.0 - 5.40), places=2)

    def test_only_when_every_policy_allows_it(self):
        self.policy.allow_credit = False
        request = self.inspected("credit")
        with self.assertRaisesRegex(UserError, "cannot be credited now"):
            request.action_credit()
        self.assertEqual(request.state, "inspected")
        self.assertFalse(request.loyalty_card_id)
        self.policy.allow_refund = False
        with self.assertRaisesRegex(ValidationError, "at least one resolution"):
            self.policy.allow_exchange = False
        self.policy.allow_credit = True
        self.policy.allow_exchange = False
        self.assertEqual(self.policy._oms_resolutions_allowed(), ["credit"])

    def test_cheaper_exchange_leaves_the_rest_as_store_credit(self):
        smaller = self.env["product.product"].create(
            {"name": "Shirt XS", "is_storable": True, "list_price": 30.0, "taxes_id": self.tax.ids}
        )
        self.env["stock.quant"]._update_available_quantity(smaller, self.warehouse.lot_stock_id, 5)
        request = self.inspected("exchange")
        request.line_ids.exchange_product_id = smaller
        request.action_exchange()
        self.assertEqual(request.state, "exchanged")
        self.assertAlmostEqual(request.exchange_order_id.amount_total, 0.0, places=2)
        self.assertAlmostEqual(request.loyalty_card_id.points, 48.60 - 36.0, places=2)

    def test_store_credit_only_for_an_order_paid(self):
        request = self.inspected("credit", paid=False)
        self.assertEqual(self.invoice.payment_state, "not_paid")
        with self.assertRaisesRegex(UserError, "not paid yet"):
            request.action_credit()
        self.assertFalse(request.loyalty_card_id)
        self.assertFalse(self.env["loyalty.card"].search([("partner_id", "=", self.customer.id)]))
        self.pay()
        request.action_credit()
        self.assertAlmostEqual(request.loyalty_card_id.points, 48.60, places=2)

    def test_store_credit_is_for_managers_whatever_the_view(self):
        clerk = new_test_user(
            self.env,
            login="credit_clerk",
            groups="oms_core.group_oms_user,stock.group_stock_user,account.group_account_invoice",
        )
        request = self.inspected("credit")
        with self.assertRaisesRegex(AccessError, "Only OMS managers"):
            request.with_user(clerk).action_credit()
        form = request.with_user(clerk).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("action_credit", form, "nor the button")
        self.assertFalse(request.loyalty_card_id)
        manager = new_test_user(self.env, login="credit_boss", groups="oms_core.group_oms_manager")
        form = request.with_user(manager).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_credit", form)
        self.assertIn("loyalty_card_id", form)
        request.with_user(manager).action_credit()
        self.assertEqual(request.state, "credited")
        self.assertAlmostEqual(request.loyalty_card_id.points, 48.60, places=2)
