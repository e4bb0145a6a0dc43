from unittest.mock import patch

from odoo.addons.oms_core.models.sale_order import SaleOrder

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

    def test_no_mail_without_email_or_when_silenced(self):
        no_email = self.customer.copy({"email": False})
        order = self._order(partner=no_email)
        order.action_confirm()
        self.assertEqual(self._mails(order), [])
        silent = self._order().with_context(oms_no_mail=True)
        silent.action_confirm()
        self.assertEqual(self._mails(silent), [])
