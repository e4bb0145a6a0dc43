from odoo import _, api, fields, models


class OmsReturn(models.Model):
    """Settlement by exchange: an order of the replacements, paid by what comes
    back; shipped after the return, or before it when the policy allows."""

    _inherit = "oms.return"

    exchange_order_id = fields.Many2one("sale.order", readonly=True)
    can_be_exchanged = fields.Boolean(compute="_compute_can_be_exchanged")
    can_be_exchanged_early = fields.Boolean(compute="_compute_can_be_exchanged")

    @api.depends(
        "state",
        "resolution",
        "line_ids.exchange_product_id",
        "line_ids.quantity_received",
        "exchange_order_id",
        "line_ids.policy_id.allow_exchange",
        "line_ids.policy_id.exchange_before_return",
    )
    def _compute_can_be_exchanged(self):
        for request in self:
            state = request.state
            policies = request.line_ids.policy_id
            request.can_be_exchanged = (
                state == "inspected"
                and request.resolution == "exchange"
                and all(policies.mapped("allow_exchange"))
                and (
                    bool(request.exchange_order_id)
                    or all(
                        line.exchange_product_id
                        for line in request.line_ids
                        if line.quantity_received or line.keep_item
                    )
                )
            )
            request.can_be_exchanged_early = (
                state in ("approved", "label_sent", "in_transit")
                and request.resolution == "exchange"
                and not request.exchange_order_id
                and bool(policies)
                and all(policies.mapped("allow_exchange"))
                and all(policies.mapped("exchange_before_return"))
                and all(request.line_ids.mapped("exchange_product_id"))
            )

    def action_exchange(self):
        """A new order ships the replacements; what came back pays for them (an
        "exchange credit" line); the difference is invoiced with the order, or, when
        the replacements cost less, is left over (``_oms_exchange_leftover``).

        When the replacements left before the return arrived, the order exists
        already: what did not come back is added to it, to be invoiced."""
        self._ensure_can_be("exchanged")
        self._oms_ensure_paid(_("exchange credit"))
        for request in self:
            settled = request._oms_settled_amount()
            order = request.exchange_order_id
            if order:
                missing = request.currency_id.round(request._oms_exchange_credit_used() - settled)
                if missing > 0:
                    request._oms_exchange_credit_line(
                        order, -missing, _("Items of %s not returned", request.name)
                    )
            else:
                order = request._oms_exchange_order(
                    {
                        line: line.quantity if line.keep_item else line.quantity_received
                        for line in request.line_ids
                    },
                    settled,
                )
                request.exchange_order_id = order
            request.state = "exchanged"
            request._oms_log(
                _("Return %(name)s exchanged: order %(order)s", name=request.name, order=order.name)
            )
            left = request.currency_id.round(settled - request._oms_exchange_credit_used())
            if left > 0:
                request._oms_exchange_leftover(left)
        return True

    def _oms_exchange_leftover(self, amount):
        """What came back worth more than the replacements (``amount``, in the
        request's currency): to pay back to the customer by hand, said on the request
        for finance. oms_returns_loyalty puts it on the customer's store credit."""
        self.ensure_one()
        self.message_post(
            body=_(
                "%(amount).2f %(currency)s of %(name)s is left over after the "
                "replacements: to pay back to the customer by hand.",
                amount=amount,
                currency=self.currency_id.name,
                name=self.name,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def action_exchange_early(self):
        """Ship the replacements now, before the return arrives, paid by what the
        customer sends back; the request then goes on as usual."""
        self._ensure_can_be("exchanged_early")
        self._oms_ensure_paid(_("exchange credit"))
        for request in self:
            expected = sum(request.line_ids.mapped("value")) - sum(request.line_ids.mapped("fee"))
            order = request._oms_exchange_order(
                {line: line.quantity for line in request.line_ids},
                request.currency_id.round(expected),
            )
            request.exchange_order_id = order
            request._oms_log(
                _(
                    "Replacements of %(name)s shipped before the return: order %(order)s",
                    name=request.name,
                    order=order.name,
                )
            )
        return True

    def _oms_exchange_credit_product(self):
        return self.env.ref("oms_returns.product_exchange_credit").product_variant_id

    def _oms_exchange_credit_used(self):
        """What the exchange order takes from the return's value."""
        self.ensure_one()
        credit = self._oms_exchange_credit_product()
        return -sum(
            self.exchange_order_id.order_line.filtered(lambda ln: ln.product_id == credit).mapped(
                "price_total"
            )
        )

    def _oms_exchange_credit_line(self, order, amount, label):
        """A line of the exchange order worth ``-amount`` (a credit when positive)."""
        order.write(
            {
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self._oms_exchange_credit_product().id,
                            "name": label,
                            "product_uom_qty": 1,
                            "price_unit": -amount,
                            "tax_id": [(5,)],
                        },
                    )
                ]
            }
        )

    def _oms_exchange_order(self, quantities, credit):
        """The confirmed order of the replacements (``{return line: quantity}``), less
        an exchange credit of at most ``credit``."""
        self.ensure_one()
        original = self.line_ids.order_id[:1]
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_id.id,
                "partner_shipping_id": original.partner_shipping_id.id,
                "pricelist_id": original.pricelist_id.id,
                "company_id": self.company_id.id,
                "oms_channel_id": original.oms_channel_id.id,
                "origin": self.name,
                "order_line": [
                    (0, 0, {"product_id": line.exchange_product_id.id, "product_uom_qty": qty})
                    for line, qty in quantities.items()
                    if qty
                ],
            }
        )
        used = min(credit, order.amount_total)
        if used > 0:
            self._oms_exchange_credit_line(order, used, _("Exchange credit from %s", self.name))
        order.action_confirm()
        return order
