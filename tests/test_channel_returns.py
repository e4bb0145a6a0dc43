"""A return of a channel order, refunded by finance: the money goes back through
the channel where the customer paid (oms_channels sends the credit note's refund to
Shopify), never also through a provider or "by hand" (oms_returns)."""

from odoo.addons.oms_channels.tests.test_oms_channel_refund_push import RefundPushCase
from odoo.addons.queue_job.tests.common import trap_jobs

from tests.simulators.shopify import generate_orders


class TestChannelOrderReturnRefund(RefundPushCase):
    def setUp(self):
        super().setUp()
        self.channel = self.shopify_channel(invoice_policy="never")
        (self.remote,) = self.sim.add_orders(
            [dict(o, financial_status="paid") for o in generate_orders(1, seed=52, lines=2)]
        )

    def test_a_returned_channel_order_is_refunded_in_the_channel_only(self):
        order = self.paid_and_invoiced(self.channel)
        line = order.order_line.filtered("product_id.default_code")[0]
        request = self.env["oms.return"].create(
            {
                "partner_id": order.partner_id.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "sale_line_id": line.id,
                            "quantity": 1,
                            "reason_id": self.env.ref("oms_returns.reason_too_small").id,
                        },
                    )
                ],
            }
        )
        request._oms_submit()
        receipt = request.picking_ids
        receipt.move_ids.picked = True
        receipt.button_validate()
        request.action_receive()
        request.line_ids.write({"condition": "new", "disposition": "restock"})
        request.action_inspect()
        with trap_jobs() as trap:
            request.action_refund()
            pushes = [j for j in trap.enqueued_jobs if j.method_name == "_oms_push_channel_refund"]
        note = request.credit_note_ids
        self.assertEqual((note.state, note.oms_channel_push_state), ("posted", "pending"))
        self.assertEqual(len(pushes), 1, "one refund sent to Shopify")
        bodies = " ".join(request.message_ids.mapped("body"))
        self.assertNotIn("by hand", bodies, "finance is not told to pay it a second time")
        self.assertIn("through Shopify (simulator)", " ".join(order.oms_event_ids.mapped("name")))
        pushes[0].perform()
        (refund,) = self.sim.orders[self.remote["id"]]["refunds"]
        self.assertEqual(refund["note"], f"Odoo {note.name}")
        self.assertEqual(note.oms_channel_push_state, "done")
