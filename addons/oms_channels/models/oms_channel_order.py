"""Turning an order draft of a channel into an Odoo sales order."""

from dataclasses import replace
from decimal import Decimal

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import email_normalize, float_compare, html2plaintext

from odoo.addons.queue_job.exception import RetryableJobError

from ..channel_clients import ChannelError
from ..channel_connectors import Cancellation
from ..channel_mappers import MappingError, OrderPending
from .oms_channel import API_KINDS
from .oms_channel_product import TRANSIENT_ERRORS

# The tax group of the taxes a channel creates for rates Odoo has no tax for.
CHANNEL_TAX_GROUP = "Channel Taxes"
ZERO = Decimal("0")
PAYMENT_STATES = {
    "paid": "paid",
    "authorized": "authorized",
    "refunded": "refunded",
    "partially_refunded": "paid",
}
FRAUD_SCORES = {"high": 90.0, "medium": 60.0, "low": 10.0}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    oms_channel_updated_at = fields.Datetime(
        string="Channel Version",
        copy=False,
        readonly=True,
        help="The channel's update time of the version of the order applied last.",
    )
    oms_gift_note = fields.Text(
        string="Gift Note",
        copy=False,
        readonly=True,
        help="What the buyer asked for the items sent as gifts (Amazon IsGift, gift "
        "message, gift wrap level): written on the order's deliveries for the packer.",
    )

    oms_channel_lines_waiting = fields.Integer(
        string="Channel Lines Without Product",
        compute="_compute_oms_channel_lines_waiting",
        help="Lines of the channel's order no product matched yet (note lines).",
    )

    @api.depends("order_line.display_type", "order_line.oms_external_line_id")
    def _compute_oms_channel_lines_waiting(self):
        for order in self:
            order.oms_channel_lines_waiting = len(
                order.order_line.filtered(
                    lambda ol: ol.display_type == "line_note" and ol.oms_external_line_id
                )
            )

    def action_oms_match_channel_lines(self):
        """Match again the lines no product matched (after mapping their listings
        or creating their products); says what is still waiting."""
        self._oms_fix_channel_lines()
        waiting = sum(self.mapped("oms_channel_lines_waiting"))
        if not waiting:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": _("Lines still without product"),
                "message": _(
                    "%s line(s) still match no product: map their listings (Listings to Map) "
                    "or create their products.",
                    waiting,
                ),
            },
        }

    @api.model
    def _oms_create_from_draft(self, channel, draft):
        """Create the sales order of a channel's order draft and submit it to the
        hold rules; returns the order. Raises UserError with a message a user can
        act on when the draft cannot become an order (nothing is left behind)."""
        return self._oms_create_from_drafts(channel, [draft])

    @api.model
    def _oms_create_from_drafts(self, channel, drafts):
        """Create the orders of many drafts of one channel at once (customers,
        products and taxes read in bulk, one create, one confirmation), submit them
        to the hold rules and return them, in the drafts' order. All or nothing:
        a draft that cannot become an order raises UserError naming it."""
        company = channel.company_id
        env = self.with_company(company).sudo().env
        lookups = _Lookups(env, company, channel)
        lookups.load_products([line for draft in drafts for line in draft.lines])
        customers = self._oms_customers(env, company, drafts)
        vals_list, problems = [], []
        # What each customer paid for: its service level, ship-by and deliver-by
        # dates (oms_core), resolved for the whole batch at once.
        service_vals = env["sale.order"]._oms_service_level_vals_many(
            channel,
            [
                (
                    draft.shipping_methods,
                    draft.latest_ship_date,
                    draft.latest_delivery_date,
                    draft.is_prime,
                )
                for draft in drafts
            ],
        )
        for draft, (partner, shipping), service in zip(
            drafts, customers, service_vals, strict=True
        ):
            currency = lookups.currency(draft.currency)
            lines, unknown = self._oms_order_lines(env, company, draft, lookups)
            values = {
                "partner_id": partner.id,
                "partner_invoice_id": partner.id,
                "partner_shipping_id": shipping.id,
                "company_id": company.id,
                "oms_channel_id": channel.id,
                "oms_external_ref": draft.external_id,
                "client_order_ref": draft.name,
                "oms_payment_state": PAYMENT_STATES.get(draft.payment_status, "pending"),
                # No assessment from the channel is not a score of 0: said so.
                "oms_fraud_assessed": draft.fraud_assessed,
                "oms_fraud_score": max(
                    (FRAUD_SCORES.get(h.level, 0.0) for h in draft.fraud_hints), default=0.0
                )
                if draft.fraud_assessed
                else 0.0,
                "note": draft.note or False,
                "oms_gift_note": self._oms_gift_note(draft) or False,
                "oms_channel_withheld_tax": float(draft.withheld_tax),
                "oms_channel_amount_total": float(draft.totals.total),
                # What the channel pays out for it (the marketplace keeps the tax it
                # remits): its payment is posted by a job (sale_order.py).
                "oms_channel_paid_amount": float(draft.totals.total - draft.withheld_tax)
                if PAYMENT_STATES.get(draft.payment_status) == "paid" and not draft.cancelled
                else 0.0,
                "order_line": [(0, 0, line) for line in lines],
                **service,
            }
            if channel.pricelist_id and channel.pricelist_id.currency_id == currency:
                values["pricelist_id"] = channel.pricelist_id.id
            else:
                values["pricelist_id"] = lookups.pricelist(currency).id
            if channel.warehouse_id:
                values["warehouse_id"] = channel.warehouse_id.id
            if channel.team_id:
                values["team_id"] = channel.team_id.id
            if draft.created_at:
                values["date_order"] = draft.created_at.replace(tzinfo=None)
            if draft.updated_at:
                values["oms_channel_updated_at"] = draft.updated_at.replace(tzinfo=None)
            vals_list.append(values)
            problems.append(unknown)
        # The order's timeline records its capture: no "created" chatter message, and
        # the technical user that imports is not made a follower.
        orders = (
            env["sale.order"]
            .with_context(oms_skip_holds=True, mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(vals_list)
        )
        if channel.channel_type in API_KINDS:
            lookups.map_matched_listings()
            env["oms.channel.product"]._oms_ensure(channel, orders.order_line.product_id)
        cancelled = orders.browse(
            [order.id for order, draft in zip(orders, drafts, strict=True) if draft.cancelled]
        )
        fulfilled = orders.browse(
            [
                order.id
                for order, draft in zip(orders, drafts, strict=True)
                if draft.fulfilled_by_channel and not draft.cancelled
            ]
        )
        # A cancelled order never goes on: nothing to hold.
        self._oms_import_holds(
            [
                triple
                for triple in zip(orders, drafts, problems, strict=True)
                if triple[0] not in cancelled
            ],
            unmapped=lookups.unmapped,
        )
        for order, draft in zip(orders, drafts, strict=True):
            if order in cancelled:
                order._oms_log_event(
                    "note",
                    _("Cancelled in the channel before import"),
                    reason=draft.cancel_reason or draft.channel_status or None,
                )
            order._oms_log_points(draft)
        if cancelled:
            # Never confirmed, routed or reserved; the channel knows already.
            cancelled.with_context(oms_channel_cancelled=True)._action_cancel()
        fulfilled._oms_deliver_by_channel(channel)
        going = orders - cancelled - fulfilled
        going._oms_deliver_part_by_channel(
            channel, {order.id: draft for order, draft in zip(orders, drafts, strict=True)}
        )
        going._oms_submit()
        orders._oms_queue_channel_payments()
        return orders

    @api.model
    def _oms_import_holds(self, triples, unmapped=None):
        """Hold each new order (``triples``: order, its draft, its lines no product
        matches) whose products are unknown or whose total differs from the
        channel's; ``unmapped``: per draft (by ``id``), the channel taxes no Odoo
        tax matched, named in the total-mismatch hold."""
        unmapped = unmapped or {}
        holds = []
        unknown_holds = []
        for order, draft, unknown in triples:
            for line in unknown:
                unknown_holds.append((order, _unknown_reason(self.env, line)))
            expected = float(Decimal(draft.totals.total))
            # Channels round taxes their own way: a cent apart is the same total.
            if float_compare(abs(order.amount_total - expected), 0.01, precision_digits=6) > 0:
                holds.append(
                    (
                        order,
                        _(
                            "Total mismatch: the channel says %(channel)s, Odoo computes "
                            "%(odoo)s. Check the taxes and discounts, then release.",
                            channel=f"{expected:.2f} {draft.currency}",
                            odoo=f"{order.amount_total:.2f} {draft.currency}",
                        )
                        + (
                            " "
                            + _(
                                "No Odoo sales tax matches the channel's %s.",
                                ", ".join(dict.fromkeys(unmapped[id(draft)])),
                            )
                            if unmapped.get(id(draft))
                            else ""
                        ),
                    )
                )
        vals_list = [
            {"order_id": order.id, "hold_type": "unknown_product", "reason": reason}
            for order, reason in unknown_holds
        ]
        vals_list += [
            {"order_id": order.id, "hold_type": "manual_review", "reason": reason}
            for order, reason in holds
        ]
        vals_list += [
            order._oms_buyer_cancel_hold_vals(draft)
            for order, draft, _unknown in triples
            if draft.cancel_requested and not draft.fulfilled_by_channel
        ]
        if vals_list:
            self.env["oms.order.hold"].sudo().create(vals_list)

    def _oms_fix_channel_lines(self):
        """Turn the note lines of channel items no product matched into lines of
        their product, now that one matches (a listing mapped, a product created):
        the order's latest channel version is mapped again and those lines are made
        as the import makes them (price, discount, taxes). Only orders not
        confirmed yet (held). An order left without such notes has its
        unknown-product holds released."""
        for held in self.filtered(
            lambda o: o.state in ("draft", "sent") and o.oms_channel_id and o.oms_external_ref
        ):
            notes = held.order_line.filtered(
                lambda ol: ol.display_type == "line_note" and ol.oms_external_line_id
            )
            if not notes:
                continue
            # Who may change the order may have its lines matched; the matching
            # reads and writes as the import does (products, taxes, analytics).
            held.check_access("write")
            order = held.with_company(held.company_id).sudo()
            notes = notes.with_env(order.env)
            draft = order._oms_channel_draft()
            if draft is None:
                continue
            by_id = {line.external_id: line for line in draft.lines if line.external_id}
            env, company = order.env, order.company_id
            lookups = _Lookups(env, company, order.oms_channel_id)
            pairs = [
                (note, by_id[note.oms_external_line_id])
                for note in notes
                if note.oms_external_line_id in by_id
            ]
            lookups.load_products([line for _note, line in pairs])
            pairs = [(note, line) for note, line in pairs if lookups.product(line)]
            lookups.map_matched_listings()
            if pairs:
                values, _unknown = self._oms_order_lines(
                    env, company, _lines_only(draft, [line for _n, line in pairs]), lookups
                )
                order.write(
                    {
                        "order_line": [Command.unlink(note.id) for note, _line in pairs]
                        + [
                            Command.create({**vals, "sequence": note.sequence})
                            for (note, _line), vals in zip(pairs, values, strict=True)
                        ]
                    }
                )
                order._oms_log_event(
                    "note",
                    _("Channel lines matched to their products"),
                    reason="; ".join(
                        f"{line.sku or line.name} → {lookups.product(line).display_name}"
                        for _note, line in pairs
                    ),
                )
            if not order.order_line.filtered(
                lambda ol: ol.display_type == "line_note" and ol.oms_external_line_id
            ):
                order.oms_hold_ids.filtered(
                    lambda h: h.hold_type == "unknown_product" and h.state == "active"
                ).with_context(oms_fixing_lines=True)._oms_end(
                    "released", _("Every line of the channel has its product now.")
                )
        return True

    def _oms_channel_draft(self):
        """The order's draft from its latest version in the inbox (None if none)."""
        self.ensure_one()
        record = (
            self.env["oms.channel.inbox"]
            .sudo()
            .search(
                [
                    ("channel_id", "=", self.oms_channel_id.id),
                    ("external_id", "=", self.oms_external_ref),
                    ("state", "=", "done"),
                ],
                order="id desc",
                limit=1,
            )
        )
        connector = self.oms_channel_id._oms_connector()
        if not record or not connector.can_map_orders():
            return None
        try:
            return connector.map_order(record.body)
        except (MappingError, OrderPending):
            return None

    def _oms_buyer_cancel_hold_vals(self, draft):
        """The hold of an order whose buyer asked the channel to cancel it: a
        person cancels it (the channel is told) or releases it to ship."""
        self.ensure_one()
        return {
            "order_id": self.id,
            "hold_type": "buyer_cancel",
            "reason": _(
                "The buyer asked %(channel)s to cancel this order (“%(reason)s”). Cancel "
                "it (%(channel)s is told) or release it to ship it all the same.",
                channel=self.oms_channel_id.name,
                reason=draft.cancel_request_reason or _("no reason given"),
            ),
        }

    def _oms_apply_cancel_request(self, draft):
        """A newer version says the buyer asked to cancel: hold the order, once.
        A request already held (still active, or released by a person who chose to
        ship) is not held again; one the channel no longer lists is noted."""
        self.ensure_one()
        held = self.oms_hold_ids.filtered(lambda h: h.hold_type == "buyer_cancel")
        if draft.cancel_requested and not held and not draft.fulfilled_by_channel:
            self.env["oms.order.hold"].sudo().create(self._oms_buyer_cancel_hold_vals(draft))
        elif not draft.cancel_requested and held.filtered(lambda h: h.state == "active"):
            self._oms_log_event(
                "note",
                _("The channel no longer lists the buyer's cancel request"),
                reason=_("The hold stays until a person releases it or cancels the order."),
            )

    def _oms_log_points(self, draft):
        """Loyalty points the channel grants (Amazon Points): the channel's money,
        recorded in the timeline, never in the order's amounts."""
        self.ensure_one()
        if not draft.points_granted and not draft.points_value:
            return
        self._oms_log_event(
            "note",
            _("%s grants the buyer points", self.oms_channel_id.name),
            reason=_(
                "%(points)s points worth %(value)s %(currency)s, paid by the channel: "
                "not part of the order's total.",
                points=draft.points_granted,
                value=draft.points_value,
                currency=draft.currency,
            ),
        )

    @api.model
    def _oms_gift_note(self, draft):
        """The deliveries' note for the draft's gifts: one line per item sent as a
        gift, with its wrapping and the buyer's message ("" without gifts)."""
        notes = []
        for line, gift in draft.gifts:
            note = _("Gift: %(qty)s x %(name)s", qty=line.quantity, name=line.name)
            if line.sku:
                note += f" ({line.sku})"
            if gift.wrap_level:
                note += _(", gift wrap %s", gift.wrap_level)
            if gift.message:
                note += _(", message: “%s”", gift.message)
            notes.append(note)
        return "\n".join(notes)

    def _oms_deliver_by_channel(self, channel):
        """Confirm orders the channel shipped itself (fulfilled outside Odoo, Amazon
        FBA) without procuring them from a warehouse, and record their goods as
        delivered from the channel's "fulfilled by channel" location: the delivered
        quantities are set, stock and valuation move from that location, and no
        delivery waits in a warehouse to be shipped twice. Their holds (an unknown
        product, a total that differs) stay, for a person, but hold nothing back."""
        if not self:
            return
        # Confirmed without procurement: Odoo's rules would make a warehouse delivery.
        self.with_context(oms_skip_holds=True, skip_procurement=True).action_confirm()
        for order in self:
            goods = order.order_line.filtered(
                lambda ol: not ol.display_type and ol.product_id.type == "consu"
            )
            order._oms_delivered_by_channel(
                channel, {line: line.product_uom_qty for line in goods}, _("The channel shipped it")
            )
        self._oms_sync_stage()

    def _oms_deliver_part_by_channel(self, channel, drafts):
        """Record the units the channel says it shipped already (``drafts``: {order
        id: its draft}, whose lines' ``shipped_quantity`` are a Shopify line
        fulfilled or partly fulfilled, an Amazon item's ``QuantityShipped``) as
        delivered from the channel's "fulfilled by channel" location, before the
        orders are confirmed: Odoo's procurement then asks the warehouses for the
        rest only, so nothing the channel shipped is shipped again."""
        for order in self:
            shipped = {line.external_id: line.shipped_quantity for line in drafts[order.id].lines}
            if not any(shipped.values()):
                continue
            by_ref = {
                line.oms_external_line_id: line
                for line in order.order_line
                if line.oms_external_line_id
                and not line.display_type
                and line.product_id.type == "consu"
            }
            quantities = {
                by_ref[ref]: min(quantity, by_ref[ref].product_uom_qty)
                for ref, quantity in shipped.items()
                if ref in by_ref and quantity > 0
            }
            order._oms_delivered_by_channel(
                channel, quantities, _("The channel shipped part of it before the import")
            )

    def _oms_delivered_by_channel(self, channel, quantities, reason):
        """A done delivery of ``quantities`` ({order line: quantity in its unit})
        from the channel's "fulfilled by channel" location, with the order's
        timeline saying so. The moves are done as Odoo's validation does them, but
        not through the delivery's validation: no carrier is chosen, no label
        bought, nothing told to the channel, which shipped them."""
        self.ensure_one()
        if not quantities:
            return
        channel._oms_fulfilled_by_channel_setup()
        channel = channel.sudo()
        location = channel.fulfilled_location_id
        order = self
        if not order.procurement_group_id:
            order.procurement_group_id = self.env["procurement.group"].create(
                order.order_line[:1]._prepare_procurement_group_vals()
            )
        customer = order.partner_shipping_id.property_stock_customer
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": channel.fulfilled_picking_type_id.id,
                    "location_id": location.id,
                    "location_dest_id": customer.id,
                    "partner_id": order.partner_shipping_id.id,
                    "origin": order.name,
                    "group_id": order.procurement_group_id.id,
                    "company_id": order.company_id.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": line.name,
                                "product_id": line.product_id.id,
                                "product_uom_qty": quantity,
                                "product_uom": line.product_uom.id,
                                "location_id": location.id,
                                "location_dest_id": customer.id,
                                "sale_line_id": line.id,
                                "group_id": order.procurement_group_id.id,
                                "company_id": order.company_id.id,
                            },
                        )
                        for line, quantity in quantities.items()
                    ],
                }
            )
        )
        picking.action_confirm()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.move_ids._action_done()
        picking.date_done = fields.Datetime.now()
        order._oms_log_event(
            "note",
            _("Fulfilled by %s", channel.name),
            reason=_(
                "%(reason)s: delivered from %(location)s (%(picking)s).",
                reason=reason,
                location=location.display_name,
                picking=picking.name,
            ),
        )

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
        self.env["oms.order.hold"].sudo().create(
            {
                "order_id": self.id,
                "hold_type": "manual_review",
                "reason": _(
                    "%(what)s in the channel (%(reason)s) after something shipped: decide "
                    "with the customer (return, refund).",
                    what=what.capitalize(),
                    reason=reason,
                ),
            }
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
        emails = {_email_key(address.email), _email_key(self.partner_id.email)} - {""}
        if draft.email and _email_key(draft.email) not in emails:
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
            self.env["oms.order.hold"].sudo().create(
                {
                    "order_id": self.id,
                    "hold_type": "manual_review",
                    "reason": _(
                        "Changed in the channel after something shipped (%s): not applied. "
                        "Check with the customer, then release.",
                        ", ".join(changes),
                    ),
                }
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
            self.env["oms.order.hold"].sudo().create(
                {
                    "order_id": self.id,
                    "hold_type": "manual_review",
                    "reason": _(
                        "Quantities changed in the channel after something shipped (%s): "
                        "adjust the order with the customer, then release.",
                        "; ".join(summary),
                    ),
                }
            )
            return
        for line, quantity in changes:
            line.product_uom_qty = quantity
        if added:
            new_lines, unknown = self._oms_order_lines(
                self.env,
                self.company_id,
                _lines_only(draft, added),
                _Lookups(self.env, self.company_id, self.oms_channel_id),
            )
            self.write({"order_line": [(0, 0, values) for values in new_lines]})
            if unknown:
                self.env["oms.order.hold"].sudo().create(
                    [
                        {
                            "order_id": self.id,
                            "hold_type": "unknown_product",
                            "reason": _(
                                "Added in the channel: %s", _unknown_reason(self.env, line)
                            ),
                        }
                        for line in unknown
                    ]
                )
        self._oms_log_event(
            "note", _("Quantities changed in the channel"), reason="; ".join(summary)
        )

    def _action_cancel(self):
        """An order cancelled in Odoo is cancelled in its channel too (not when the
        channel is where the cancellation came from)."""
        to_tell = self.filtered(
            lambda o: o.state != "cancel"
            and o.oms_external_ref
            and o.oms_channel_id.channel_type in API_KINDS
        )
        result = super()._action_cancel()
        if not self.env.context.get("oms_channel_cancelled"):
            for order in to_tell.filtered(lambda o: o.state == "cancel"):
                order.with_delay(
                    description=_("Cancel %s in its channel", order.name)
                )._oms_push_cancellation()
        return result

    def _oms_push_cancellation(self):
        """Cancel the order in its channel; a refusal goes into the timeline."""
        self.ensure_one()
        channel = self.oms_channel_id
        connector = channel._oms_connector()
        if connector.cancels_unshipped_only:
            refusal = self._oms_amazon_cannot_cancel()
            if refusal:
                self._oms_log_event(
                    "note", _("Cancel it in Amazon Seller Central too"), reason=refusal
                )
                return False
        try:
            client = channel._oms_get_channel_client()
            asked = self.oms_hold_ids.filtered(lambda h: h.hold_type == "buyer_cancel")
            sent = connector.cancel_order(
                client,
                Cancellation(
                    order_id=self.oms_external_ref,
                    item_ids=tuple(
                        i
                        for i in dict.fromkeys(self.order_line.mapped("oms_external_line_id"))
                        if i
                    ),
                    buyer_asked=bool(asked),
                ),
            )
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error)) from error
            raise UserError(_("The channel could not be reached: %s", error)) from error
        except (ChannelError, UserError) as error:
            self._oms_log_event(
                "note", _("The channel refused the cancellation"), reason=str(error)
            )
            return False
        if sent:
            # A feed the channel processes later (Amazon's acknowledgement feed).
            self._oms_log_event(
                "note",
                _("Cancellation sent to %s", channel.name),
                reason=_(
                    "Order acknowledgement feed %(feed)s, reason %(reason)s: Amazon lists the "
                    "order Canceled once it has processed the feed.",
                    feed=sent.reference,
                    reason=sent.reason,
                ),
            )
            return True
        self._oms_log_event("note", _("Cancelled in %s too", channel.name))
        return True

    def _oms_amazon_cannot_cancel(self):
        """Why the seller cannot cancel this Amazon order (None when he can): Amazon
        fulfils it (FBA), or part of it has shipped (the acknowledgement feed
        would refund the whole order), or the channel has no seller id."""
        self.ensure_one()
        channel = self.oms_channel_id.sudo()
        shipped = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        if channel.fulfilled_picking_type_id and (
            shipped.picking_type_id & channel.fulfilled_picking_type_id
        ):
            return _(
                "Amazon fulfils this order (FBA or shipped before import): the seller "
                "cannot cancel it through the SP-API."
            )
        if shipped:
            return _(
                "Part of the order has shipped: Amazon's order acknowledgement feed "
                "would refund all of it. Refund what did not ship in Seller Central."
            )
        if not channel.amazon_seller_id:
            return _("%s has no Seller ID to send the cancellation with.", channel.name)
        if not self.order_line.filtered("oms_external_line_id"):
            return _("The order has no Amazon item ids to cancel.")
        return None

    @api.model
    def _oms_customers(self, env, company, drafts):
        """(customer, delivery address) of each draft; customers known by email are
        read in one query, the others found or created one by one."""
        emails = {_email_key(d.email) for d in drafts} - {""}
        known = {}
        if emails:
            for partner in env["res.partner"].search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("parent_id", "=", False),
                    ("email_normalized", "in", list(emails)),
                ],
                order="id",
            ):
                known.setdefault(partner.email_normalized, partner)
        result, places = [], {}
        for draft in drafts:
            email = _email_key(draft.email)
            partner, shipping = self._oms_customer(
                env, company, draft, known.get(email), places=places
            )
            if email:
                known.setdefault(email, partner)
            result.append((partner, shipping))
        return result

    @api.model
    def _oms_customer(self, env, company, draft, partner=None, places=None):
        """The customer (same email, or same phone and postcode, in the company),
        created when new, and its delivery address. Emails are compared exactly,
        normalised (``_email_key``), never as a pattern."""
        Partner = env["res.partner"]
        billing = draft.billing_address or draft.shipping_address
        ship = draft.shipping_address or billing
        company_domain = [("company_id", "in", (company.id, False)), ("parent_id", "=", False)]
        partner = partner or Partner
        email = _email_key(draft.email)
        if not partner and email:
            partner = Partner.search(
                [*company_domain, ("email_normalized", "=", email)], order="id", limit=1
            )
        phone = draft.phone or (billing.phone if billing else "")
        if not partner and phone and ship and ship.zip:
            partner = Partner.search(
                [*company_domain, ("phone", "=", phone), ("zip", "=", ship.zip)], limit=1
            )
        if not partner:
            partner = Partner.create(
                {
                    **self._oms_address_vals(env, billing, places),
                    "name": draft.customer_name
                    or (billing and billing.name)
                    or draft.email
                    or _("Customer of %s", draft.name),
                    "email": draft.email or False,
                    "phone": phone or False,
                    "company_id": company.id,
                }
            )
        shipping = partner
        if ship:
            vals = self._oms_address_vals(env, ship, places)
            if not self._oms_same_address(partner, vals):
                shipping = Partner.search(
                    [("parent_id", "=", partner.id), ("type", "=", "delivery")]
                    + [(key, "=", value) for key, value in vals.items()],
                    limit=1,
                ) or Partner.create(
                    {
                        **vals,
                        "parent_id": partner.id,
                        "type": "delivery",
                        "name": ship.name or partner.name,
                        "phone": ship.phone or False,
                    }
                )
        return partner, shipping

    @api.model
    def _oms_same_address(self, partner, vals):
        """True when ``partner`` already has the address ``vals``."""
        for key, value in vals.items():
            current = partner[key]
            current = current.id if isinstance(current, models.BaseModel) else current
            if (current or False) != (value or False):
                return False
        return True

    @api.model
    def _oms_address_vals(self, env, address, places=None):
        if not address:
            return {}
        # ``places``: countries and states already read in this batch, by code.
        places = {} if places is None else places
        country_id = state_id = False
        if address.country_code:
            key = address.country_code.upper()
            if key not in places:
                places[key] = env["res.country"].search([("code", "=", key)], limit=1).id
            country_id = places[key]
        if country_id and address.state_code:
            key = (country_id, address.state_code)
            if key not in places:
                places[key] = (
                    env["res.country.state"]
                    .search(
                        [("country_id", "=", country_id), ("code", "=", address.state_code)],
                        limit=1,
                    )
                    .id
                )
            state_id = places[key]
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country_id,
            "state_id": state_id,
        }

    @api.model
    def _oms_order_lines(self, env, company, draft, lookups=None):
        """Order line values, and the draft's lines no product matches (each a note
        line tied to the channel's listing of it, made "to map" if new)."""
        lookups = lookups or _Lookups(env, company)
        lookups.ensure_listings(draft.lines)
        lines, unknown = [], []
        for line in draft.lines:
            product = lookups.product(line)
            if not product:
                unknown.append(line)
                listing = lookups.listing(line)
                lines.append(
                    {
                        "display_type": "line_note",
                        "name": _(
                            "%(qty)s x %(name)s (%(what)s, %(price)s each): no such product",
                            qty=line.quantity,
                            name=line.name,
                            what=_describe_line(env, line, with_name=False),
                            price=line.unit_price,
                        ),
                        # Still the channel's item: a cancellation names it too.
                        "oms_external_line_id": line.external_id or False,
                        "oms_channel_product_id": listing.id if listing else False,
                    }
                )
                continue
            gross = line.unit_price * line.quantity
            discount = float(line.discount_total / gross * 100) if gross else 0.0
            lines.append(
                {
                    "product_id": product.id,
                    "name": line.name or product.display_name,
                    "product_uom_qty": line.quantity,
                    "price_unit": float(line.unit_price),
                    "discount": discount,
                    "tax_id": [(6, 0, lookups.taxes(draft, line.taxes, _base(draft, line)).ids)],
                    "oms_external_line_id": line.external_id or False,
                    **lookups.analytic_preset(),
                }
            )
        # Shipping is a delivery line, as Odoo's own (invoiced, reported as shipping);
        # a fee is a line of its kind's product (gift wrap, COD fee), its discount
        # the line's discount; an order discount a negative charge.
        extras = [
            (s.title or s.method, s.subtotal, ZERO, s.taxes, _base(draft, s), True, "")
            for s in draft.shipping_lines
        ]
        extras += [
            (f.name, f.amount, f.discount_total, f.taxes, _base(draft, f), False, f.kind)
            for f in draft.fees
        ]
        extras += [
            (d.code or _("Discount"), -d.amount, ZERO, (), None, False, "")
            for d in draft.order_discounts
        ]
        for name, amount, discount, taxes, base, is_delivery, kind in extras:
            lines.append(
                {
                    "product_id": lookups.service(kind).id,
                    "name": name,
                    "product_uom_qty": 1,
                    "price_unit": float(amount),
                    "discount": float(discount / amount * 100) if discount and amount else 0.0,
                    "tax_id": [(6, 0, lookups.taxes(draft, taxes, base).ids)],
                    "is_delivery": is_delivery,
                    **lookups.analytic_preset(),
                }
            )
        return lines, unknown


def _describe_line(env, line, with_name=True):
    """What the channel says of a line: its product and variant ids, its SKU and
    (``with_name``) its title, to find it in the channel."""
    parts = []
    if line.product_external_id:
        parts.append(env._("product id %s", line.product_external_id))
    if line.variant_external_id:
        parts.append(env._("variant id %s", line.variant_external_id))
    parts.append(env._("SKU “%s”", line.sku) if line.sku else env._("no SKU"))
    if with_name:
        parts.append(env._("title “%s”", line.name))
    return ", ".join(parts)


def _unknown_reason(env, line):
    return env._(
        "Unknown product: the channel's %s matches no mapped listing and no product by "
        "SKU or barcode (lines are never matched by title). Map the listing (Listings to "
        "Map) or create the product: the line then gets its product and this hold is "
        "released.",
        _describe_line(env, line),
    )


def _email_key(email):
    """The email as Odoo normalises it (``res.partner.email_normalized``: no name,
    no surrounding spaces, lower case), the text it is compared on: ``_`` and
    ``%`` are plain characters."""
    if not email or not email.strip():
        return ""
    return email_normalize(email) or email.strip().lower()


def _base(draft, line):
    """The amount a line's taxes were computed on: its subtotal without tax."""
    subtotal = line.subtotal if hasattr(line, "subtotal") else line.amount
    return subtotal - line.tax_total if draft.taxes_included else subtotal


def _lines_only(draft, lines):
    """The draft with only ``lines`` and no shipping, fees or order discounts."""
    return replace(draft, lines=tuple(lines), shipping_lines=(), fees=(), order_discounts=())


class _Lookups:
    """What a batch of drafts needs, each read once: the channel's listings by its
    variant and product ids (Amazon: seller SKU) and by SKU, products by SKU (then
    barcode), taxes by rate, currencies and pricelists."""

    def __init__(self, env, company, channel=None):
        self.env, self.company, self.channel = env, company, channel
        self.connector = channel._oms_connector() if channel else None
        self._products, self._taxes, self._currencies, self._pricelists = {}, {}, {}, {}
        self._tax_candidates = {}
        # Per draft (by id): the channel taxes no Odoo tax matched, described.
        self.unmapped = {}
        self._services, self._analytic = {}, None
        # The channel's listings, read once per id asked for.
        self._asked = set()
        self._by_variant, self._by_product, self._by_sku = {}, {}, {}
        # Listings to map whose lines matched a product by SKU or barcode.
        self.matched_listings = {}

    def load_products(self, lines):
        """Read at once what ``lines`` (draft order lines) need: their listings,
        and products by their SKUs."""
        lines = list(lines)
        self._load_listings(lines)
        self._load_skus(line.sku for line in lines)

    def _load_listings(self, lines):
        if not self.channel:
            return
        asked = set()
        for line in lines:
            asked |= {
                ("variant", line.variant_external_id),
                ("product", line.product_external_id),
                ("sku", line.sku),
            }
        asked = {pair for pair in asked if pair[1]} - self._asked
        if not asked:
            return
        self._asked |= asked
        ids = {kind: [value for k, value in asked if k == kind] for kind in ("variant", "product")}
        skus = [value for kind, value in asked if kind == "sku"]
        terms = []
        if ids["variant"]:
            terms.append([("channel_variant_ref", "in", ids["variant"])])
        if ids["product"]:
            terms.append([("channel_product_ref", "in", ids["product"])])
        if skus:
            terms.append([("sku", "in", skus)])
        listings = (
            self.env["oms.channel.product"]
            .with_context(active_test=False)
            .search(
                expression.AND([[("channel_id", "=", self.channel.id)], expression.OR(terms)]),
                order="active desc, id",
            )
        )
        self._remember(listings)

    def _remember(self, listings):
        for listing in listings:
            if listing.channel_variant_ref:
                self._by_variant.setdefault(listing.channel_variant_ref, listing)
            elif listing.channel_product_ref:
                known = self._by_product.setdefault(listing.channel_product_ref, [])
                if listing not in known:
                    known.append(listing)
            if listing.sku:
                known = self._by_sku.setdefault(listing.sku, [])
                if listing not in known:
                    known.append(listing)

    def listing(self, line):
        """The channel's listing of a draft line by the channel's own ids: its
        variant, else its product (when the listing has no variants); on Amazon its
        seller SKU (an ASIN may be sold under several). None when there is none."""
        if not self.channel:
            return None
        self._load_listings([line])
        if self.connector.listings_by_sku:
            return next(
                (lst for lst in self._by_sku.get(line.sku, ()) if lst.channel_key == line.sku),
                None,
            )
        if line.variant_external_id and line.variant_external_id in self._by_variant:
            return self._by_variant[line.variant_external_id]
        candidates = self._by_product.get(line.product_external_id or None, ())
        if len(candidates) > 1:
            candidates = [lst for lst in candidates if lst.sku == line.sku]
        return candidates[0] if len(candidates) == 1 else None

    def product(self, line):
        """The product of a draft line: its listing's, when mapped (the channel's
        id is the truth, whatever the SKU says); else by SKU (a mapped listing
        with that SKU, then the product's internal reference), then barcode. Never
        by the line's title."""
        Product = self.env["product.product"]
        listing = self.listing(line)
        if listing and listing.state == "mapped" and listing.product_id.active:
            return listing.product_id
        if not line.sku:
            return Product
        found = next(
            (
                known.product_id
                for known in self._by_sku.get(line.sku, ())
                if known.active and known.state == "mapped" and known.product_id.active
            ),
            None,
        )
        if found is None:
            self._load_skus([line.sku])
            found = self._products[line.sku]
        if found and listing and listing.state == "to_map":
            # The line's listing was waiting for a product: its SKU says which.
            self.matched_listings.setdefault(listing, found)
        return found

    def map_matched_listings(self):
        """Map the listings to map whose lines a product matched by SKU or barcode."""
        for listing, product in self.matched_listings.items():
            if listing.state == "to_map" and product.is_storable:
                # the SKU decided it, not the user: listings are managers' to edit
                listing.sudo().product_id = product
        self.matched_listings = {}

    def ensure_listings(self, lines):
        """Make a listing "to map" for each line of an API channel that matches no
        product and has no listing yet, so that it can be mapped; one create."""
        if not self.channel or self.channel.channel_type not in API_KINDS:
            return
        amazon = self.connector.listings_by_sku
        new = {}
        for line in lines:
            key = line.sku if amazon else (line.variant_external_id or line.product_external_id)
            if not key or key in new or self.listing(line) or self.product(line):
                continue
            new[key] = {
                "channel_id": self.channel.id,
                "channel_product_ref": line.product_external_id or False,
                "channel_variant_ref": line.variant_external_id or False,
                "sku": line.sku or False,
                "name": line.name or False,
                "list_price": float(line.unit_price),
            }
        if new:
            self._remember(self.env["oms.channel.product"].create(list(new.values())))

    def _load_skus(self, skus):
        Product = self.env["product.product"]
        missing = list({sku for sku in skus if sku and sku not in self._products})
        if not missing:
            return
        for product in Product.search([("default_code", "in", missing)]):
            self._products.setdefault(product.default_code, product)
        rest = [sku for sku in missing if sku not in self._products]
        if rest:
            for product in Product.search([("barcode", "in", rest)]):
                self._products.setdefault(product.barcode, product)
        for sku in missing:
            self._products.setdefault(sku, Product)

    def analytic_preset(self):
        """Line values that spare Odoo a search for analytic distribution models per
        line, each time amounts are computed, when the company has none: the
        distribution Odoo would compute then is empty."""
        if self._analytic is None:
            Model = self.env["account.analytic.distribution.model"]
            has_models = Model.search_count(
                [("company_id", "in", (self.company.id, False))], limit=1
            )
            self._analytic = {} if has_models else {"analytic_distribution": False}
        return self._analytic

    def service(self, kind=""):
        """The service product of a line that is not goods: the channel's product
        of the fee's kind, else the generic *Channel charge*."""
        if kind not in self._services:
            if kind and self.channel:
                self._services[kind] = self.channel._oms_fee_product(kind)
            else:
                self._services[kind] = self.env.ref(
                    "oms_channels.product_channel_charge"
                ).product_variant_id
        return self._services[kind]

    def currency(self, code):
        if code not in self._currencies:
            self._currencies[code] = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code)], limit=1)
            )
        currency = self._currencies[code]
        if not currency or not currency.active:
            raise UserError(_("The currency %s of the order is not active in Odoo.", code))
        return currency

    def pricelist(self, currency):
        if currency not in self._pricelists:
            Pricelist = self.env["product.pricelist"]
            self._pricelists[currency] = Pricelist.search(
                [
                    ("currency_id", "=", currency.id),
                    ("company_id", "in", (self.company.id, False)),
                ],
                limit=1,
            ) or Pricelist.create(
                {
                    "name": f"Channel orders ({currency.name})",
                    "currency_id": currency.id,
                    "company_id": self.company.id,
                }
            )
        return self._pricelists[currency]

    def taxes(self, draft, tax_lines, base=None):
        """Odoo sales taxes of the company matching the channel's rates and its
        taxes-included setting. A tax line without a rate (older WooCommerce) gets
        it from its amount and ``base`` (the line without tax): the Odoo tax whose
        rate gives that amount to the cent. Tax lines no tax matches are noted in
        ``unmapped``."""
        taxes = self.env["account.tax"]
        for tax_line in tax_lines:
            tax = self._tax_of(draft, tax_line, base)
            if tax:
                taxes |= tax
            elif tax_line.amount:
                self.unmapped.setdefault(id(draft), []).append(_describe(tax_line, base))
        return taxes

    def _tax_of(self, draft, tax_line, base):
        """The channel's tax mapping first (rate code or title, and rate), then the
        search by rate, then, when the channel allows it, a new tax."""
        rate = tax_line.rate
        if rate is None and base:
            rate = tax_line.amount / base
        mapped = self._mapped(tax_line, base)
        if mapped:
            return mapped
        found = self._tax_by_rate(draft, tax_line, base)
        if not found and self.channel and self.channel.create_missing_taxes:
            found = self._create_tax(draft, tax_line, rate, base)
        return found

    def _mapped(self, tax_line, base):
        if not self.channel or not self.channel.sudo().tax_map_ids:
            return self.env["account.tax"]
        names = {tax_line.code.strip().lower(), tax_line.title.strip().lower()} - {""}
        for line in self.channel.sudo().tax_map_ids:
            if line.name.strip().lower() not in names or not line.tax_id.active:
                continue
            if line.rate and tax_line.rate is not None:
                if abs(line.rate - float(tax_line.rate * 100)) > 0.0001:
                    continue
            elif line.rate and base:
                if abs(Decimal(str(line.rate)) / 100 * base - tax_line.amount) > Decimal("0.01"):
                    continue
            elif line.rate:
                continue
            return line.tax_id
        return self.env["account.tax"]

    def _create_tax(self, draft, tax_line, rate, base):
        """A tax of the channel's rate in the company's "Channel Taxes" group; a
        rate known only from amounts is rounded to 0.01 % and used only when it
        gives the channel's amount to the cent."""
        if rate is None:
            return self.env["account.tax"]
        percent = round(float(rate * 100), 4 if tax_line.rate is not None else 2)
        if tax_line.rate is None and (
            abs(Decimal(str(percent)) / 100 * base - tax_line.amount) > Decimal("0.01")
        ):
            return self.env["account.tax"]
        Group = self.env["account.tax.group"].sudo()
        group = Group.search(
            [("name", "=", CHANNEL_TAX_GROUP), ("company_id", "=", self.company.id)], limit=1
        ) or Group.create({"name": CHANNEL_TAX_GROUP, "company_id": self.company.id})
        label = tax_line.title or tax_line.code or self.channel.name
        tax = (
            self.env["account.tax"]
            .sudo()
            .create(
                {
                    "name": f"{label} {percent:g}%" + (" incl." if draft.taxes_included else ""),
                    "amount": percent,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": self.company.id,
                    "tax_group_id": group.id,
                    "price_include_override": "tax_included"
                    if draft.taxes_included
                    else "tax_excluded",
                }
            )
        )
        self._tax_candidates.pop(bool(draft.taxes_included), None)
        self._taxes.clear()
        return tax

    def _tax_by_rate(self, draft, tax_line, base):
        if tax_line.rate is None:
            if not base:
                return self.env["account.tax"]
            rate = tax_line.amount / base  # closest Odoo tax within a cent, below
            candidates = self._candidates(draft.taxes_included)
            fits = [
                tax
                for tax in candidates
                if abs(Decimal(str(tax.amount)) / 100 * base - tax_line.amount) <= Decimal("0.01")
            ]
            return min(
                fits,
                key=lambda tax: abs(Decimal(str(tax.amount)) / 100 - rate),
                default=self.env["account.tax"],
            )
        percent = float(tax_line.rate * 100)
        key = (round(percent, 4), bool(draft.taxes_included))
        if key not in self._taxes:
            self._taxes[key] = self.env["account.tax"].search(
                [
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("company_id", "=", self.company.id),
                    ("price_include", "=", draft.taxes_included),
                    ("amount", ">=", percent - 0.0001),
                    ("amount", "<=", percent + 0.0001),
                ],
                limit=1,
            )
        return self._taxes[key]

    def _candidates(self, included):
        if included not in self._tax_candidates:
            self._tax_candidates[included] = self.env["account.tax"].search(
                [
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("company_id", "=", self.company.id),
                    ("price_include", "=", bool(included)),
                    ("amount", ">", 0),
                ]
            )
        return self._tax_candidates[included]


def _describe(tax_line, base):
    """A channel tax as a person finds it in the channel: its title and rate."""
    title = f"“{tax_line.title}”" if tax_line.title else "tax"
    if tax_line.rate is not None:
        return f"{title} {tax_line.rate * 100:g} %"
    return f"{title} {tax_line.amount} on {base if base is not None else '?'} (no rate)"
