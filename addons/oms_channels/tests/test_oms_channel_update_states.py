"""Later versions of an order change its state (issue 19, point 3): each rule with
a pair of versions of a documented payload."""

import json

from odoo.tests import Form

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import FixtureChannelsCase, fixture


class TestUpdateStates(FixtureChannelsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopify_order = fixture("shopify", "order_taxes_excluded.json")

    def _import(self, channel, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            channel, "webhook", json.dumps(payload)
        )
        with trap_jobs():
            inbox._oms_process()
        self.assertIn(inbox.state, ("done", "pending"), inbox.error_message)
        return inbox

    def _newer(self, payload, **changes):
        """The Shopify order as orders/updated sends it later."""
        return dict(payload, updated_at="2025-01-11T09:30:00-05:00", **changes)

    def _active(self, order, hold_type=None):
        return order.oms_hold_ids.filtered(
            lambda h: h.state == "active" and (not hold_type or h.hold_type == hold_type)
        )

    def _ship(self, order, partial=False):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        moves = picking.move_ids[:1] if partial else picking.move_ids
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        with trap_jobs():
            result = picking.button_validate()
            if (
                isinstance(result, dict)
                and result.get("res_model") == "stock.backorder.confirmation"
            ):
                Form(
                    self.env["stock.backorder.confirmation"].with_context(**result["context"])
                ).save().process()
        self.assertEqual(picking.state, "done")
        return picking

    def _confirmed(self, channel, payload):
        order = self._import(channel, payload).order_id
        self._active(order).action_release("test: go on")
        self.assertEqual(order.state, "sale")
        return order

    # --- payment --------------------------------------------------------------------
    def test_shopify_payment_captured_lifts_the_payment_hold(self):
        authorized = dict(self.shopify_order, financial_status="authorized")
        order = self._import(self.shopify, authorized).order_id
        self.assertTrue(self._active(order, "payment"))
        self.assertEqual(order.state, "draft")
        self._import(self.shopify, self._newer(authorized, financial_status="paid"))
        self.assertEqual(order.oms_payment_state, "paid")
        self.assertFalse(self._active(order, "payment"), "the payment hold is lifted")
        self.assertEqual(order.state, "sale", "nothing else held it: confirmed")
        self.assertIn("Payment Captured in the channel", order.oms_event_ids.mapped("name"))

    def test_woocommerce_paid_lifts_the_payment_hold(self):
        docs = fixture("woocommerce", "order_docs_example.json")
        on_hold = dict(docs, status="on-hold", date_paid=None, date_paid_gmt=None)
        order = self._import(self.woo, on_hold).order_id
        self.assertTrue(self._active(order, "payment"))
        self._import(self.woo, dict(docs, date_modified_gmt="2017-03-23T08:00:00"))
        self.assertEqual(order.oms_payment_state, "paid")
        self.assertFalse(self._active(order, "payment"))
        self.assertIn("Payment Captured in the channel", order.oms_event_ids.mapped("name"))

    def test_amazon_unshipped_after_pending_is_paid_and_not_held_for_payment(self):
        self._import(self.amazon, fixture("amazon", "order_pending.json"))
        order = self._import(self.amazon, fixture("amazon", "order_us_docs_example.json")).order_id
        self.assertEqual(order.oms_payment_state, "paid")
        self.assertFalse(order.oms_hold_ids.filtered(lambda h: h.hold_type == "payment"))

    # --- refunds and cancellations after confirmation ------------------------------
    def test_shopify_refunded_after_confirmation_cancels_the_order(self):
        order = self._confirmed(self.shopify, self.shopify_order)
        self._import(self.shopify, self._newer(self.shopify_order, financial_status="refunded"))
        self.assertEqual(order.state, "cancel")
        self.assertEqual(set(order.picking_ids.mapped("state")), {"cancel"})
        self.assertIn("Cancelled in the channel", order.oms_event_ids.mapped("name"))

    def test_refunded_after_part_shipped_cancels_the_rest_and_holds(self):
        order = self._confirmed(self.shopify, self.shopify_order)
        shipped = self._ship(order, partial=True)
        rest = order.picking_ids - shipped
        self.assertEqual(rest.state, "assigned", "a backorder waits")
        self._import(self.shopify, self._newer(self.shopify_order, financial_status="refunded"))
        self.assertEqual(order.state, "sale")
        self.assertEqual(rest.state, "cancel", "what had not shipped is cancelled")
        self.assertEqual(shipped.state, "done")
        self.assertIn("after something shipped", self._active(order).reason)

    def test_woocommerce_cancelled_after_confirmation_cancels(self):
        docs = fixture("woocommerce", "order_docs_example.json")
        docs["line_items"] = docs["line_items"][1:]  # the docs' line without a SKU aside
        order = self._import(self.woo, docs).order_id
        self._active(order).action_release("test: go on")
        self.assertEqual(order.state, "sale")
        self._import(
            self.woo, dict(docs, status="cancelled", date_modified_gmt="2017-03-23T08:00:00")
        )
        self.assertEqual(order.state, "cancel")

    # --- address, note, contact -----------------------------------------------------
    def test_note_and_contact_changed_before_shipping_are_applied(self):
        order = self._confirmed(self.shopify, self.shopify_order)
        self._import(
            self.shopify,
            self._newer(
                self.shopify_order,
                note="Ring twice, please.",
                email="bob.n@mail.example.com",
                contact_email="bob.n@mail.example.com",
            ),
        )
        self.assertIn("Ring twice, please.", str(order.note))
        self.assertEqual(order.partner_shipping_id.email, "bob.n@mail.example.com")
        self.assertEqual(order.picking_ids.partner_id, order.partner_shipping_id)
        events = order.oms_event_ids.mapped("name")
        self.assertIn("Note changed in the channel", events)
        self.assertIn("Customer contact changed in the channel", events)

    def test_a_total_changed_in_the_channel_is_held_once_not_taken_as_is(self):
        """An order edited in the channel: its new total is no longer what Odoo's
        lines give. Held for a person (once, whatever versions follow), its payment
        still the channel's amount."""
        order = self._confirmed(self.shopify, self.shopify_order)
        self.assertFalse(self._active(order))
        total = float(self.shopify_order["total_price"]) + 10
        edited = self._newer(
            self.shopify_order, total_price=f"{total:.2f}", current_total_price=f"{total:.2f}"
        )
        self._import(self.shopify, edited)
        (hold,) = self._active(order)
        self.assertIn("Total mismatch after a change in the channel", hold.reason)
        self.assertIn(f"{total:.2f}", hold.reason)
        self.assertEqual(order.oms_channel_amount_total, total)
        # A person accepts the difference; the next version (its total unchanged)
        # does not hold the order again.
        hold.action_release("agreed with the customer")
        self._import(self.shopify, dict(edited, updated_at="2025-01-12T09:30:00-05:00"))
        self.assertFalse(self._active(order), "the same total is not held again")

    def test_a_version_whose_total_is_unchanged_holds_nothing_more(self):
        """An order held at import for its total, released by a person: later
        versions (a note) keep the same total and hold nothing again."""
        total = float(self.shopify_order["total_price"]) + 5
        payload = dict(self.shopify_order, total_price=f"{total:.2f}")
        order = self._import(self.shopify, payload).order_id
        self.assertIn("Total mismatch", " ".join(self._active(order).mapped("reason")))
        self._active(order).action_release("agreed with the customer")
        self._import(self.shopify, self._newer(payload, note="Leave at the door"))
        self.assertFalse(self._active(order))

    def test_changes_after_shipping_are_refused_with_a_hold(self):
        order = self._confirmed(self.shopify, self.shopify_order)
        self._ship(order)
        address = order.partner_shipping_id
        moved = dict(self.shopify_order["shipping_address"], address1="1 New Street")
        self._import(
            self.shopify,
            self._newer(self.shopify_order, shipping_address=moved, note="Ring twice"),
        )
        self.assertEqual(order.partner_shipping_id, address, "not applied")
        self.assertNotIn("Ring twice", str(order.note))
        hold = self._active(order)
        self.assertIn("after something shipped", hold.reason)
        self.assertIn("delivery address", hold.reason)
        self.assertIn("note", hold.reason)
        self.assertIn(
            "Change from the channel refused: already shipped", order.oms_event_ids.mapped("name")
        )

    def test_the_same_change_after_shipping_again_holds_the_order_once(self):
        """A channel that sends the refused change again (a later version, the
        same new address) finds the order held for it already: one hold."""
        order = self._confirmed(self.shopify, self.shopify_order)
        self._ship(order)
        moved = dict(self.shopify_order["shipping_address"], address1="1 New Street")
        for updated_at in ("2025-01-11T09:30:00-05:00", "2025-01-11T10:30:00-05:00"):
            self._import(
                self.shopify,
                dict(self.shopify_order, updated_at=updated_at, shipping_address=moved),
            )
        hold = self._active(order, "manual_review")
        self.assertEqual(len(hold), 1)
        self.assertIn("delivery address", hold.reason)
