import json
from pathlib import Path

from odoo.tests import TransactionCase

from odoo.addons.queue_job.tests.common import trap_jobs

FIXTURES = Path(__file__).parent.parent / "channel_mappers" / "tests" / "fixtures"


class TestImport(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        cls.env.ref("base.USD").active = True
        cls.channel = cls.env["oms.channel"].create(
            {"name": "Shopify US", "channel_type": "shopify", "webhook_secret": "s"}
        )
        cls.tax = cls.env["account.tax"].create(
            {
                "name": "Sales tax 6%",
                "amount": 6.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        cls.green, cls.red = cls.env["product.product"].create(
            [
                {"name": "iPod green", "default_code": "IPOD2008GREEN", "is_storable": True},
                {"name": "iPod red", "default_code": "IPOD2008RED", "is_storable": True},
            ]
        )
        cls.payload = json.loads((FIXTURES / "shopify" / "order_taxes_excluded.json").read_text())

    def _import(self, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.channel, "webhook", json.dumps(payload)
        )
        inbox._oms_process()
        return inbox

    def test_shopify_order_becomes_a_sales_order(self):
        inbox = self._import(self.payload)
        self.assertEqual(inbox.state, "done", inbox.error_message)
        order = inbox.order_id
        self.assertEqual(order.oms_channel_id, self.channel)
        self.assertEqual(order.oms_external_ref, str(self.payload["id"]))
        self.assertEqual(order.client_order_ref, self.payload["name"])
        self.assertEqual(order.partner_id.email, "bob.norman@mail.example.com")
        products = order.order_line.filtered(lambda line: line.product_id.is_storable)
        self.assertEqual(products.product_id, self.green | self.red)
        self.assertEqual(products.tax_id, self.tax)
        self.assertAlmostEqual(order.amount_total, float(self.payload["total_price"]), delta=0.01)
        self.assertFalse(
            order.oms_hold_ids.filtered(lambda h: "mismatch" in h.reason),
            "Odoo's total equals the channel's",
        )
        shipping = order.order_line.filtered("is_delivery")
        self.assertEqual(len(shipping), len(self.payload["shipping_lines"]), "delivery lines")
        self.assertAlmostEqual(
            sum(shipping.mapped("price_unit")),
            sum(float(s["price"]) for s in self.payload["shipping_lines"]),
        )

    def test_an_order_from_no_channel_has_no_channel_draft(self):
        """Asking an order entered in Odoo (no channel) for its channel draft
        reads nothing and fails nowhere."""
        partner = self.env["res.partner"].create({"name": "Walk-in"})
        order = self.env["sale.order"].create({"partner_id": partner.id, "oms_channel_id": False})
        self.assertFalse(order.oms_channel_id)
        self.assertIsNone(order._oms_channel_draft())
        # A channel order's draft is its latest imported version's.
        imported = self._import(self.payload).order_id
        self.assertEqual(imported._oms_channel_draft().external_id, str(self.payload["id"]))

    def test_customer_is_found_again_by_email(self):
        first = self._import(self.payload).order_id
        second_payload = dict(self.payload, id=self.payload["id"] + 1)
        second = self._import(second_payload).order_id
        self.assertEqual(first.partner_id, second.partner_id)

    def test_customer_email_is_matched_exactly_never_as_a_pattern(self):
        john = self.env["res.partner"].create({"name": "John Doe", "email": "john.doe@x.com"})
        found = {}
        for offset, email in enumerate(("john_doe@x.com", "%@x.com", " John.Doe@X.com "), 1):
            # Each its own phone: only the email can match them.
            phone = f"+1555000{offset}"
            payload = dict(self.payload, id=self.payload["id"] + offset, email=email, phone=phone)
            payload["contact_email"] = email
            payload["customer"] = dict(payload["customer"], email=email)
            inbox = self._import(payload)
            self.assertEqual(inbox.state, "done", inbox.error_message)
            found[email] = inbox.order_id.partner_id
        self.assertNotEqual(found["john_doe@x.com"], john, "_ is a plain character")
        self.assertEqual(found["john_doe@x.com"].email, "john_doe@x.com")
        self.assertNotIn(found["%@x.com"], john | found["john_doe@x.com"], "% too")
        self.assertEqual(found[" John.Doe@X.com "], john, "case and spaces do not count")

    def test_unknown_sku_holds_the_order_and_names_it(self):
        self.green.default_code = "SOMETHING-ELSE"
        inbox = self._import(self.payload)
        self.assertEqual(inbox.state, "done")
        order = inbox.order_id
        reasons = " ".join(
            order.oms_hold_ids.filtered(lambda h: h.state == "active").mapped("reason")
        )
        self.assertIn("IPOD2008GREEN", reasons)
        self.assertIn(order.state, ("draft", "sent"), "a held order is not confirmed")

    def test_total_mismatch_holds_with_both_figures(self):
        self.tax.active = False  # Odoo then computes no tax
        order = self._import(self.payload).order_id
        reason = order.oms_hold_ids.filtered(lambda h: "mismatch" in h.reason).reason
        self.assertIn("626.46", reason)

    def test_bad_payload_ends_in_error_without_an_order(self):
        payload = dict(self.payload, currency="XXX")
        inbox = self._import(payload)
        self.assertEqual(inbox.state, "error")
        self.assertTrue(inbox.error_message)
        self.assertFalse(inbox.order_id)
        self.assertFalse(
            self.env["sale.order"].search([("oms_external_ref", "=", str(payload["id"]))])
        )

    def _newer(self, **changes):
        return dict(self.payload, updated_at="2099-01-01T00:00:00Z", **changes)

    def test_older_version_is_stale_and_changes_nothing(self):
        first = self._import(self.payload)
        older = self._import(
            dict(
                self.payload, updated_at="2000-01-01T00:00:00Z", cancelled_at="2000-01-01T00:00:00Z"
            )
        )
        self.assertEqual(older.state, "stale")
        self.assertEqual(older.order_id, first.order_id)
        self.assertNotEqual(first.order_id.state, "cancel")
        self.assertEqual(
            self.env["sale.order"].search_count(
                [
                    ("oms_channel_id", "=", self.channel.id),
                    ("oms_external_ref", "=", str(self.payload["id"])),
                ]
            ),
            1,
        )

    def test_cancellation_before_shipping_cancels(self):
        order = self._import(self.payload).order_id
        update = self._import(
            self._newer(cancelled_at="2099-01-01T00:00:00Z", cancel_reason="customer")
        )
        self.assertEqual(update.state, "done", update.error_message)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.oms_stage, "cancelled")
        self.assertIn("Cancelled in the channel", order.oms_event_ids.mapped("name"))

    def test_cancellation_after_shipping_is_held_for_a_person(self):
        order = self._import(self.payload).order_id
        order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release("ok")
        if order.state != "sale":
            order.action_confirm()
        for product in order.order_line.product_id.filtered("is_storable"):
            self.env["stock.quant"]._update_available_quantity(
                product, order.warehouse_id.lot_stock_id, 10
            )
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self._import(self._newer(cancelled_at="2099-01-01T00:00:00Z"))
        self.assertNotEqual(order.state, "cancel")
        hold = order.oms_hold_ids.filtered(lambda h: h.state == "active")
        self.assertIn("after something shipped", hold.reason)

    def test_new_delivery_address_is_applied(self):
        order = self._import(self.payload).order_id
        address = dict(self.payload["shipping_address"], address1="1 New Street", city="Ottawa")
        self._import(self._newer(shipping_address=address))
        self.assertEqual(order.partner_shipping_id.street, "1 New Street")
        self.assertEqual(order.partner_shipping_id.city, "Ottawa")
        self.assertIn("Delivery address changed in the channel", order.oms_event_ids.mapped("name"))

    def test_reprocess_after_fixing_the_cause(self):
        payload = dict(self.payload, currency="EUR")
        self.env.ref("base.EUR").active = False
        inbox = self._import(payload)
        self.assertEqual(inbox.state, "error")
        self.assertIn("EUR", inbox.error_message)
        self.env.ref("base.EUR").active = True
        with trap_jobs() as trap:
            inbox.action_reprocess()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        self.assertEqual(inbox.attempts, 2)
        self.assertEqual(inbox.order_id.currency_id.name, "EUR")

    def test_same_billing_and_shipping_address_needs_no_delivery_contact(self):
        payload = dict(self.payload, shipping_address=self.payload["billing_address"])
        order = self._import(payload).order_id
        self.assertEqual(order.partner_shipping_id, order.partner_id)
        self.assertEqual(
            order.partner_id.country_id.code, payload["billing_address"]["country_code"]
        )

    def test_batch_imports_the_good_orders_when_one_cannot_be_made(self):
        Inbox = self.env["oms.channel.inbox"]
        payloads = [
            dict(self.payload, id=1),
            dict(self.payload, id=2, currency="JPY", presentment_currency="JPY"),
            dict(self.payload, id=3),
            dict(self.payload, id=1, updated_at="2099-01-01T00:00:00Z", note="second version"),
        ]
        self.env.ref("base.JPY").active = False
        records = Inbox
        for payload in payloads:
            records |= Inbox._oms_store(self.channel, "pull", json.dumps(payload))[0]
        records._oms_process()
        first, bad, third, newer = records
        self.assertEqual((first.state, third.state, newer.state), ("done", "done", "done"))
        self.assertEqual(bad.state, "error")
        self.assertIn("JPY", bad.error_message)
        self.assertFalse(bad.order_id)
        self.assertEqual(newer.order_id, first.order_id, "the second version updates the first")
        self.assertEqual(
            self.env["sale.order"].search_count([("oms_channel_id", "=", self.channel.id)]), 2
        )

    def test_a_batch_gives_each_order_its_own_capture_and_address(self):
        """Orders made together share their lookups (countries, states) and their
        timeline inserts, never each other's addresses or events."""
        canada = dict(
            self.payload["shipping_address"],
            city="Ottawa",
            province_code="ON",
            country_code="CA",
            zip="K1A 0B1",
        )
        payloads = [
            dict(self.payload, id=11),
            dict(self.payload, id=12, email="ada@example.com", shipping_address=canada),
            dict(self.payload, id=13, email="eve@example.com"),
        ]
        Inbox = self.env["oms.channel.inbox"]
        records = Inbox
        for payload in payloads:
            records |= Inbox._oms_store(self.channel, "pull", json.dumps(payload))[0]
        records._oms_process()
        self.assertEqual(records.mapped("state"), ["done"] * 3, records.mapped("error_message"))
        orders = records.order_id
        self.assertEqual(len(orders), 3)
        shipping = [
            (o.partner_shipping_id.country_id.code, o.partner_shipping_id.state_id.code)
            for o in records.mapped("order_id")
        ]
        self.assertEqual(shipping, [("US", "KY"), ("CA", "ON"), ("US", "KY")])
        for order in orders:
            captured = order.oms_event_ids.filtered(lambda e: e.event_type == "captured")
            self.assertEqual(len(captured), 1, order.name)
            self.assertEqual(captured.order_id, order)

    def test_analytic_distribution_models_still_apply_to_imported_lines(self):
        plan = self.env["account.analytic.plan"].create({"name": "Channels"})
        account = self.env["account.analytic.account"].create(
            {"name": "Web shop", "plan_id": plan.id}
        )
        self.env["account.analytic.distribution.model"].create(
            {"product_id": self.green.id, "analytic_distribution": {str(account.id): 100}}
        )
        order = self._import(self.payload).order_id
        green = order.order_line.filtered(lambda line: line.product_id == self.green)
        red = order.order_line.filtered(lambda line: line.product_id == self.red)
        self.assertEqual(green.analytic_distribution, {str(account.id): 100})
        self.assertFalse(red.analytic_distribution, "the model is for the green one only")

    def test_without_distribution_models_lines_have_no_analytic_distribution(self):
        self.env["account.analytic.distribution.model"].search([]).unlink()
        order = self._import(self.payload).order_id
        self.assertTrue(order.order_line)
        self.assertFalse(any(order.order_line.mapped("analytic_distribution")))
