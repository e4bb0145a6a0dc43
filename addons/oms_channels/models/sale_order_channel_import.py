"""Turning an order draft of a channel into an Odoo sales order."""

from decimal import Decimal

from odoo import Command, _, api, fields, models
from odoo.tools import float_compare

from ..channel_mappers import MappingError, OrderPending
from .sale_order_channel_lookups import (
    ChannelLookups,
    lines_only,
    unknown_reason,
)

# A channel's payment status → the order's (also read by the updates).
PAYMENT_STATES = {
    "paid": "paid",
    "authorized": "authorized",
    "refunded": "refunded",
    "partially_refunded": "paid",
    # Invoiced on the customer's terms (wholesale, EDI): not paid upfront.
    "on_terms": "none",
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
    @api.model
    def _oms_channel_order(self, channel, external_ref):
        """The order of ``channel`` whose reference there is ``external_ref``
        (an empty recordset when it has not been imported), read as superuser."""
        return self.sudo().search(
            [("oms_channel_id", "=", channel.id), ("oms_external_ref", "=", external_ref)],
            limit=1,
        )

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
        lookups = ChannelLookups(env, company, channel)
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
        if lookups.connector.keeps_listings:
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
                unknown_holds.append((order, unknown_reason(self.env, line)))
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
            lookups = ChannelLookups(env, company, order.oms_channel_id)
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
                    env, company, lines_only(draft, [line for _n, line in pairs]), lookups
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
        if not record:
            return None
        connector = record.channel_id._oms_connector()
        if not connector.can_map_orders():
            return None
        try:
            return connector.map_order(record.body)
        except (MappingError, OrderPending):
            return None

    def _oms_buyer_cancel_hold_vals(self, draft):
        """The hold of an order whose buyer asked the channel to cancel it: a
        person cancels it (the channel is told, when its kind takes cancellations;
        else the person cancels it in the channel too) or releases it to ship."""
        self.ensure_one()
        channel = self.oms_channel_id
        reason = draft.cancel_request_reason or _("no reason given")
        if channel._oms_connector().pushes_cancellations:
            text = _(
                "The buyer asked %(channel)s to cancel this order (“%(reason)s”). Cancel "
                "it (%(channel)s is told) or release it to ship it all the same.",
                channel=channel.name,
                reason=reason,
            )
        else:
            text = _(
                "The buyer asked %(channel)s to cancel this order (“%(reason)s”). Cancel "
                "it here and in %(channel)s (which Odoo cannot tell), or release it to "
                "ship it all the same.",
                channel=channel.name,
                reason=reason,
            )
        return {"order_id": self.id, "hold_type": "buyer_cancel", "reason": text}

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
