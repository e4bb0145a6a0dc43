from unittest.mock import patch

from odoo.addons.oms_core.models.sale_order_mail import SaleOrder

from .common import OmsCoreCase


class TestCustomerMails(OmsCoreCase):
    def _mails(self, order):
        """Subjects of the customer mails posted on the order."""
        messages = order.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.partner_ids == order.partner_id
        )
        return sorted(messages.mapped("subject"))

    def test_received_shipped_delivered(self):
        order = self._order()
        self.assertEqual(self._mails(order), [], "no mail for a quotation")
        order.action_confirm()
        self.assertEqual(len(self._mails(order)), 1)
        self.assertIn("we received your order", self._mails(order)[0])
        self._ship(order)
        order.oms_delivered_date = "2026-01-05 10:00:00"
        subjects = " | ".join(self._mails(order))
        self.assertIn("is on its way", subjects)
        self.assertIn("was delivered", subjects)
        self.assertEqual(len(self._mails(order)), 3)
        self.assertEqual(order.oms_mails_sent, "delivered,received,shipped")
        notes = order.oms_event_ids.filtered(lambda e: e.event_type == "note")
        self.assertEqual(len(notes), 3, "each mail is in the timeline")

    def test_mail_is_queued_to_the_customer(self):
        order = self._order()
        order.action_confirm()
        mail = self.env["mail.mail"].search(
            [("model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(len(mail), 1, mail.mapped("subject"))
        self.assertEqual(mail.state, "outgoing", "queued, not sent in the transaction")
        self.assertIn(self.customer, mail.recipient_ids)

    def test_body_has_the_order(self):
        order = self._order(qty=3, oms_external_ref="#1001")
        template = self.env.ref("oms_core.mail_template_order_received")
        body = template._render_field("body_html", order.ids)[order.id]
        self.assertIn("Ada Customer", body)
        self.assertIn("#1001", body)
        self.assertIn("Blue mug", body)
        self.assertIn("36.00", body)

    def _render(self, kind, order):
        template = self.env.ref(f"oms_core.mail_template_order_{kind}")
        subject = template._render_field("subject", order.ids)[order.id]
        body = template._render_field("body_html", order.ids)[order.id]
        return subject, body

    def test_each_mail_names_the_order_and_the_customer(self):
        order = self._order(oms_external_ref="#1002")
        order.oms_delivered_date = "2026-01-05 10:00:00"
        expected = {
            "received": "we received your order #1002",
            "shipped": "your order #1002 is on its way",
            "delivered": "your order #1002 was delivered",
            "cancelled": "your order #1002 was cancelled",
        }
        for kind, subject_text in expected.items():
            with self.subTest(kind=kind):
                subject, body = self._render(kind, order)
                self.assertEqual(subject, f"{self.company.name}: {subject_text}")
                self.assertIn("Hello Ada Customer,", body)
                self.assertIn("#1002", body)
        self.assertIn("01/05/2026", self._render("delivered", order)[1])

    def test_order_name_when_no_channel_reference(self):
        order = self._order()
        subject, body = self._render("shipped", order)
        self.assertIn(order.name, subject)
        self.assertIn(order.name, body)

    def test_queued_mail_wears_the_company_layout(self):
        self.company.email = "shop@example.com"
        order = self._order(oms_external_ref="#1003")
        order.action_confirm()
        mail = self.env["mail.mail"].search(
            [("model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("#1003", mail.body_html)
        self.assertIn("Blue mug", mail.body_html)
        # mail.mail_notification_light: the order in the header, the company in
        # the footer.
        self.assertIn("Your Sales Order", mail.body_html)
        self.assertIn(f"<b>{self.company.name}</b>", mail.body_html)
        self.assertIn("mailto:shop@example.com", mail.body_html)

    def test_shipped_mail_lists_tracking_links(self):
        order = self._order()
        links = [{"carrier": "UPS", "number": "1Z999AA1", "url": "https://track.example/1Z999AA1"}]
        template = self.env.ref("oms_core.mail_template_order_shipped")
        # _oms_tracking_links is the hook carrier addons implement.
        with patch.object(SaleOrder, "_oms_tracking_links", lambda self: links):
            body = template._render_field("body_html", order.ids)[order.id]
        self.assertIn('href="https://track.example/1Z999AA1"', body)
        self.assertIn("UPS", body)
        body = template._render_field("body_html", order.ids)[order.id]
        self.assertNotIn("1Z999AA1", body)

    def test_channel_switch_off(self):
        self.channel.mail_order_received = False
        order = self._order()
        order.action_confirm()
        self.assertEqual(self._mails(order), [])

    def test_no_double_mail(self):
        order = self._order(qty=4)
        order.action_confirm()
        self._ship(order, qty=1)
        self._ship(order)
        shipped = [s for s in self._mails(order) if "on its way" in s]
        self.assertEqual(len(shipped), 1, "partially shipped then shipped: one mail")

    def test_cancelled_only_when_confirmed_before(self):
        quotation = self._order()
        quotation._action_cancel()
        self.assertEqual(self._mails(quotation), [])
        order = self._order()
        order.action_confirm()
        order._action_cancel()
        self.assertTrue(any("was cancelled" in s for s in self._mails(order)))
        self.assertEqual(order.oms_mails_sent, "cancelled,received")

    def test_held_order_cancelled_is_told(self):
        order = self._order(oms_fraud_score=90)
        order.action_confirm()
        self.assertEqual(order.oms_stage, "on_hold")
        self.assertEqual(self._mails(order), [], "no received mail while on hold")
        order._action_cancel()
        subjects = self._mails(order)
        self.assertEqual(len(subjects), 1, subjects)
        self.assertIn("was cancelled", subjects[0])

    def test_received_when_the_hold_is_released(self):
        order = self._order(oms_fraud_score=90)
        order.action_confirm()
        self.assertEqual(self._mails(order), [])
        order.oms_hold_ids.with_user(self.oms_manager).action_release("Customer called back")
        self.assertEqual(order.oms_stage, "routed")
        self.assertEqual(len(self._mails(order)), 1)
        self.assertIn("we received your order", self._mails(order)[0])

    def test_oms_user_shipping_mails_the_customer(self):
        order = self._order()
        order.action_confirm()
        self._ship(order.with_user(self.oms_user))
        self.assertEqual(order.oms_stage, "shipped")
        self.assertTrue(any("is on its way" in s for s in self._mails(order)))

    def test_stage_back_and_forth_mails_once(self):
        order = self._order()
        order.action_confirm()
        self._ship(order)
        order.oms_delivered_date = "2026-01-05 10:00:00"
        order.oms_delivered_date = False
        self.assertEqual(order.oms_stage, "shipped")
        order.oms_delivered_date = "2026-01-06 10:00:00"
        self.assertEqual(order.oms_stage, "delivered")
        delivered = [s for s in self._mails(order) if "was delivered" in s]
        self.assertEqual(len(delivered), 1)
        notes = order.oms_event_ids.filtered(lambda e: e.event_type == "note")
        self.assertEqual(len(notes), 3, notes.mapped("name"))

    def test_no_mail_without_email_or_when_silenced(self):
        no_email = self.customer.copy({"email": False})
        order = self._order(partner=no_email)
        order.action_confirm()
        self.assertEqual(self._mails(order), [])
        silent = self._order().with_context(oms_no_mail=True)
        silent.action_confirm()
        self.assertEqual(self._mails(silent), [])
