"""Issue 22: the customer hears that their return arrived and how much was refunded
where; the return's page shows its parcel and the refund."""

from odoo.tests import HttpCase, tagged

from odoo.addons.oms_carriers.carrier_clients import parse_easypost_event

from . import test_oms_return_flow as flow


class MailingCase(flow.ReturnFlowCase):
    def setUp(self):
        super().setUp()
        self.env = self.env(context=dict(self.env.context, oms_no_mail=False))

    def mails(self, request):
        """Subjects of the mails posted to the customer on the request, oldest first."""
        messages = request.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.customer in m.partner_ids
        )
        return messages.sorted("id").mapped("subject")

    def last_body(self, request):
        messages = request.message_ids.filtered(lambda m: m.message_type == "comment")
        return str(messages.sorted("id")[-1].body)


class TestReturnMails(MailingCase):
    def test_received_then_refunded_with_where_the_money_went(self):
        request = self.request().with_env(self.env)
        self.receive_and_inspect(request)
        self.assertEqual(len(self.mails(request)), 1)
        self.assertIn("we received your return", self.mails(request)[0])
        request.action_refund()
        self.assertEqual(len(self.mails(request)), 2)
        self.assertIn("is refunded", self.mails(request)[1])
        body = self.last_body(request)
        self.assertAlmostEqual(request.refund_amount, 48.60, places=2)
        self.assertIn("48.60", body)
        # the invoice was not paid: the refund reduced what is due
        self.assertIn(f"deducted from invoice {self.invoice.name}", request.refund_destination)
        self.assertIn(f"deducted from invoice {self.invoice.name}", body)
        events = self.order.oms_event_ids.mapped("name")
        self.assertTrue(any("received" in name for name in events))

    def test_the_channel_switch_stops_the_mail_not_the_log(self):
        request = self.request().with_env(self.env)
        request.channel_id.mail_return_received = False
        self.receive_and_inspect(request)
        self.assertEqual(self.mails(request), [])
        self.assertTrue(any("received" in body for body in request.message_ids.mapped("body")))

    def test_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["oms_returns"], ["fr_FR"])
        self.customer.lang = "fr_FR"
        request = self.request().with_env(self.env)
        self.receive_and_inspect(request)
        self.assertIn("nous avons reçu votre retour", self.mails(request)[0])
        self.assertIn("est arrivé à notre entrepôt", self.last_body(request))


@tagged("post_install", "-at_install")
class TestReturnPage(HttpCase, flow.ReturnLabelCase):
    """A return label from the EasyPost simulator (as in TestReturnLabel)."""

    def test_the_return_page_shows_the_parcel_and_the_refund(self):
        request = self.request()
        self.run_label_job(request)
        receipt = request.picking_ids
        tracker_id = next(
            tid
            for tid, tracker in self.sim.trackers.items()
            if tracker["tracking_code"] == receipt.carrier_tracking_ref
        )
        event = self.sim.advance_tracker(tracker_id, "in_transit")
        self.env["oms.carrier.shipment"]._oms_apply_tracking(parse_easypost_event(event).tracking)
        url = f"/my/returns/{request.id}?access_token={request._portal_ensure_token()}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_oms_return_parcels", page.text)
        self.assertIn(receipt.carrier_tracking_ref, page.text)
        self.assertIn(self.sim.trackers[tracker_id]["public_url"], page.text)
        self.assertNotIn("o_oms_return_refund", page.text, "no refund yet")
        event = self.sim.advance_tracker(tracker_id, "delivered")
        self.env["oms.carrier.shipment"]._oms_apply_tracking(parse_easypost_event(event).tracking)
        request.line_ids.write({"condition": "new", "disposition": "restock"})
        request.action_inspect()
        request.action_refund()
        page = self.url_open(url)
        self.assertIn("o_oms_return_refund", page.text)
        self.assertIn("48.60", page.text)
        self.assertIn(f"deducted from invoice {self.invoice.name}", page.text)
        self.start_tour(url, "oms_returns_portal_parcel_and_refund")
        self.assertNotIn(
            receipt.carrier_tracking_ref, self.url_open(f"/my/returns/{request.id}").text
        )
