"""A later version of a channel's order applied to its sales order."""

from decimal import Decimal

from odoo import _, models
from odoo.tools import float_compare, html2plaintext

from .sale_order_channel_import import PAYMENT_STATES
from .sale_order_channel_lookups import ChannelLookups, email_key, lines_only, unknown_reason


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _oms_apply_draft_update(self, draft):
        """Apply a newer version of the order: its payment, a cancellation or a
        refund, its quantities, delivery address, note and contact. Returns False
        when the draft is not newer (stale)."""
        self.ensure_one()
        updated = draft.updated_at.replace(tzinfo=None) if draft.updated_at else None
        if not updated or (self.oms_channel_updated_at and updated <= self.oms_channel_updated_at):
            return False
        order = self.sudo()
        shipped = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        order.with_context(oms_skip_holds=True).oms_channel_updated_at = updated
        if order.state == "cancel":
            return True
        if draft.cancelled or draft.payment_status == "refunded":
            order._oms_cancel_from_channel(draft, shipped)
            return True
        order._oms_apply_draft_payment(draft)
        order._oms_apply_cancel_request(draft)
        order._oms_apply_draft_quantities(draft, shipped)
        order._oms_apply_draft_contact(draft, shipped)
        order._oms_check_draft_total(draft)
        return True

    def _oms_check_draft_total(self, draft):
        """A newer version whose total Odoo's order no longer computes (an order
        edited in the channel: a discount, a price, a shipping charge changed) is
        held for a person, as a new order would be: its payment is the channel's
        amount, and finance must not find the difference at reconciliation."""
        self.ensure_one()
        expected = float(Decimal(draft.totals.total))
        before = self.oms_channel_amount_total
        self.oms_channel_amount_total = expected
        # Unchanged in the channel: a difference was seen at import (held, and a
        # person accepted it) or there is none. Unknown before (orders imported
        # before the total was kept): nothing to compare with.
        if not before or not float_compare(before, expected, precision_digits=2):
            return
        if float_compare(abs(self.amount_total - expected), 0.01, precision_digits=6) <= 0:
            return
        reason = _(
            "Total mismatch after a change in the channel: the channel says %(channel)s, "
            "Odoo computes %(odoo)s. Adjust the order, then release.",
            channel=f"{expected:.2f} {draft.currency}",
            odoo=f"{self.amount_total:.2f} {draft.currency}",
        )
        self._oms_hold_for_review(reason)

    def _oms_hold_for_review(self, reason):
        """Hold the order for a person, saying why; an active hold saying the same
        already does."""
        if reason in self.oms_hold_ids.filtered(lambda h: h.state == "active").mapped("reason"):
            return
        self.env["oms.order.hold"].sudo().create(
            {"order_id": self.id, "hold_type": "manual_review", "reason": reason}
        )

    def _oms_cancel_from_channel(self, draft, shipped):
        """Cancelled or refunded in the channel: cancel the order while nothing has
        shipped; after that, cancel what has not shipped and hold the order for a
        person (return, refund)."""
        self.ensure_one()
        what = _("refunded") if draft.payment_status == "refunded" else _("cancelled")
        reason = draft.cancel_reason or draft.channel_status or _("no reason given")
        if not shipped:
            self._oms_log_event("note", _("Cancelled in the channel"), reason=f"{what}: {reason}")
            self.with_context(oms_channel_cancelled=True)._action_cancel()
            return
        unshipped = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        if unshipped:
            unshipped.action_cancel()
            self._oms_log_event(
                "note",
                _("What had not shipped is cancelled (%s in the channel)", what),
                reason=", ".join(unshipped.mapped("name")),
            )
        self._oms_hold_for_review(
            _(
                "%(what)s in the channel (%(reason)s) after something shipped: decide "
                "with the customer (return, refund).",
                what=what.capitalize(),
                reason=reason,
            )
        )

    def _oms_apply_draft_payment(self, draft):
        """Follow the channel's payment state: a payment captured since lifts the
        payment hold (oms_core's rule releases it when the state is paid)."""
        self.ensure_one()
        state = PAYMENT_STATES.get(draft.payment_status, "pending")
        if state == self.oms_payment_state:
            return
        before = self.oms_payment_state
        self.oms_payment_state = state  # hold rules evaluated again (oms_core)
        if state == "paid":
            self._oms_channel_paid(draft.totals.total - draft.withheld_tax)
        label = dict(self._fields["oms_payment_state"].selection)[state]
        self._oms_log_event(
            "note",
            _("Payment %s in the channel", label),
            reason=_("was %s", before or _("unknown")),
        )

    def _oms_draft_contact_changes(self, draft):
        """What a newer version changes of the delivery address (address values),
        the customer contact (email, phone), the note (None: unchanged), and the
        names of these changes."""
        env = self.env
        address = self.partner_shipping_id
        changes, vals = [], {}
        if draft.shipping_address:
            vals = self._oms_address_vals(env, draft.shipping_address)
            if self._oms_same_address(address, vals):
                vals = {}
            else:
                changes.append(_("delivery address"))
        contact = {}
        # The order's contact is the delivery contact's, else the customer's.
        emails = {email_key(address.email), email_key(self.partner_id.email)} - {""}
        if draft.email and email_key(draft.email) not in emails:
            contact["email"] = draft.email
        if draft.phone and draft.phone not in {address.phone, self.partner_id.phone}:
            contact["phone"] = draft.phone
        if contact:
            changes.append(_("customer contact"))
        note = (draft.note or "").strip()
        if note == (html2plaintext(self.note).strip() if self.note else ""):
            note = None
        else:
            changes.append(_("note"))
        return vals, contact, note, changes

    def _oms_apply_draft_contact(self, draft, shipped):
        """A new delivery address, note or customer contact: applied while nothing
        has shipped; after that refused, with a hold naming what changed."""
        self.ensure_one()
        env = self.env
        address = self.partner_shipping_id
        vals, contact, note, changes = self._oms_draft_contact_changes(draft)
        if not changes:
            return
        if shipped:
            self._oms_hold_for_review(
                _(
                    "Changed in the channel after something shipped (%s): not applied. "
                    "Check with the customer, then release.",
                    ", ".join(changes),
                )
            )
            self._oms_log_event(
                "note",
                _("Change from the channel refused: already shipped"),
                reason=", ".join(changes),
            )
            return
        if vals or contact:
            # A delivery contact of the order's own, with the channel's details.
            place = vals or {
                key: address[key].id if key.endswith("_id") else address[key]
                for key in ("street", "street2", "city", "zip", "country_id", "state_id")
            }
            new_address = env["res.partner"].create(
                {
                    **place,
                    "parent_id": self.partner_id.id,
                    "type": "delivery",
                    "name": (draft.shipping_address and draft.shipping_address.name)
                    or address.name
                    or self.partner_id.name,
                    "email": contact.get("email", address.email) or False,
                    "phone": contact.get("phone", address.phone) or False,
                }
            )
            # Its deliveries (none shipped yet) go to the new contact too.
            self.with_context(
                update_delivery_shipping_partner=True
            ).partner_shipping_id = new_address
            if vals:
                self._oms_log_event(
                    "note",
                    _("Delivery address changed in the channel"),
                    reason=new_address.contact_address,
                )
            if contact:
                self._oms_log_event(
                    "note",
                    _("Customer contact changed in the channel"),
                    reason=", ".join(contact.values()),
                )
        if note is not None:
            self.note = note or False
            self._oms_log_event("note", _("Note changed in the channel"), reason=note or None)

    def _oms_apply_draft_quantities(self, draft, shipped):
        """Follow the channel's quantities (lines changed, added or removed) while
        nothing has shipped; after that, a person decides."""
        self.ensure_one()
        charges = self.oms_channel_id._oms_charge_products()
        lines = self.order_line.filtered(
            lambda ol: not ol.display_type and ol.product_id not in charges
        )
        by_id = {line.oms_external_line_id: line for line in lines if line.oms_external_line_id}
        # Items no product matched are note lines: not added again on each version.
        noted = set(
            self.order_line.filtered(
                lambda ol: ol.display_type == "line_note" and ol.oms_external_line_id
            ).mapped("oms_external_line_id")
        )
        wanted, added, seen = {}, [], self.env["sale.order.line"]
        for draft_line in draft.lines:
            if draft_line.external_id and draft_line.external_id in noted:
                continue
            line = by_id.get(draft_line.external_id) if draft_line.external_id else None
            if line is None:
                line = (lines - seen).filtered(
                    lambda ol, s=draft_line.sku: s and ol.product_id.default_code == s
                )[:1]
            if line:
                seen |= line
                wanted[line] = wanted.get(line, 0) + draft_line.quantity
            else:
                added.append(draft_line)
        for line in lines - seen:
            wanted[line] = 0
        changes = [
            (line, wanted[line])
            for line in lines
            if float_compare(
                line.product_uom_qty, wanted[line], precision_rounding=line.product_uom.rounding
            )
        ]
        if not changes and not added:
            return
        summary = [
            f"{line.product_id.default_code or line.name}: {line.product_uom_qty:g} → {qty:g}"
            for line, qty in changes
        ] + [f"{line.sku or line.name}: 0 → {line.quantity}" for line in added]
        if shipped:
            self._oms_hold_for_review(
                _(
                    "Quantities changed in the channel after something shipped (%s): "
                    "adjust the order with the customer, then release.",
                    "; ".join(summary),
                )
            )
            return
        for line, quantity in changes:
            line.product_uom_qty = quantity
        if added:
            new_lines, unknown = self._oms_order_lines(
                self.env,
                self.company_id,
                lines_only(draft, added),
                ChannelLookups(self.env, self.company_id, self.oms_channel_id),
            )
            self.write({"order_line": [(0, 0, values) for values in new_lines]})
            if unknown:
                self.env["oms.order.hold"].sudo().create(
                    [
                        {
                            "order_id": self.id,
                            "hold_type": "unknown_product",
                            "reason": _("Added in the channel: %s", unknown_reason(self.env, line)),
                        }
                        for line in unknown
                    ]
                )
        self._oms_log_event(
            "note", _("Quantities changed in the channel"), reason="; ".join(summary)
        )
