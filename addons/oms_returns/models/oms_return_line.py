from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, float_compare


class OmsReturnLine(models.Model):
    _name = "oms.return.line"
    _description = "Return Line"

    return_id = fields.Many2one("oms.return", required=True, index=True, ondelete="cascade")
    sale_line_id = fields.Many2one("sale.order.line", required=True, index=True)
    order_id = fields.Many2one(related="sale_line_id.order_id", store=True, index=True)
    product_id = fields.Many2one(related="sale_line_id.product_id", store=True)
    currency_id = fields.Many2one(related="sale_line_id.currency_id")
    quantity = fields.Float(required=True, digits="Product Unit of Measure")
    reason_id = fields.Many2one("oms.return.reason", required=True)
    comment = fields.Char()
    policy_id = fields.Many2one("oms.return.policy", compute="_compute_verdict", store=True)
    delivered_date = fields.Datetime(compute="_compute_verdict", store=True)
    deadline = fields.Date(string="Returnable Until", compute="_compute_verdict", store=True)
    value = fields.Monetary(compute="_compute_verdict", store=True, help="Paid for these units.")
    fee = fields.Monetary(string="Restocking Fee", compute="_compute_verdict", store=True)
    refund_estimate = fields.Monetary(compute="_compute_verdict", store=True)
    keep_item = fields.Boolean(
        compute="_compute_verdict", store=True, help="Refunded without coming back."
    )
    quantity_received = fields.Float(digits="Product Unit of Measure", readonly=True)
    condition = fields.Selection([("new", "As new"), ("opened", "Opened"), ("damaged", "Damaged")])
    exchange_product_id = fields.Many2one(
        "product.product",
        string="Exchange For",
        domain=[("sale_ok", "=", True)],
        help="The product the customer gets instead (another size, colour...).",
    )
    disposition = fields.Selection(
        [("restock", "Back to stock"), ("scrap", "Scrap"), ("quarantine", "Quarantine")]
    )

    @api.depends("sale_line_id", "quantity", "reason_id")
    def _compute_verdict(self):
        Policy = self.env["oms.return.policy"]
        for line in self:
            sale_line = line.sale_line_id
            policy = (
                Policy._oms_for(sale_line.order_id, sale_line.product_id) if sale_line else Policy
            )
            delivered = sale_line._oms_delivered_date() if sale_line else False
            value = sale_line.price_reduce_taxinc * line.quantity if sale_line else 0.0
            line.policy_id = policy
            line.delivered_date = delivered
            line.deadline = (
                (delivered + timedelta(days=policy.window_days)).date()
                if delivered and policy
                else False
            )
            line.value = value
            line.fee = (
                policy._oms_fee(value, line.reason_id, sale_line.currency_id)
                if policy and line.reason_id
                else 0.0
            )
            line.refund_estimate = value - line.fee
            line.keep_item = bool(
                policy
                and policy.keep_item_below
                and value < policy._oms_amount_in(policy.keep_item_below, sale_line.currency_id)
            )

    # The policy's verdict on a line: computed, never set by hand except by a manager.
    _oms_verdict_fields = frozenset(
        ("policy_id", "delivered_date", "deadline", "value", "fee", "refund_estimate", "keep_item")
    )

    def write(self, vals):
        if self._oms_verdict_fields & set(vals) and not (
            self.env.su or self.env.user.has_group("oms_core.group_oms_manager")
        ):
            raise AccessError(self.env._("Only OMS managers may override a return policy."))
        return super().write(vals)

    @api.constrains("quantity", "quantity_received")
    def _check_quantity_received(self):
        for line in self:
            rounding = line.sale_line_id.product_uom.rounding or 0.001
            received, requested = line.quantity_received, line.quantity
            if float_compare(received, requested, precision_rounding=rounding) > 0:
                raise ValidationError(
                    _(
                        "%(product)s: %(received)s received, more than the %(requested)s "
                        "requested.",
                        product=line.product_id.display_name,
                        received=line.quantity_received,
                        requested=line.quantity,
                    )
                )

    def _oms_invoice_parts(self, quantity):
        """``[(invoice line, quantity)]`` to credit for ``quantity`` of this line:
        a line invoiced in several invoices (one per delivery) is credited on each
        for what it invoiced less what credit notes already took back from it, the
        oldest first; what is left over goes on the last one."""
        self.ensure_one()
        posted = self.sale_line_id.invoice_lines.filtered(lambda il: il.move_id.state == "posted")
        invoiced = posted.filtered(lambda il: il.move_id.move_type == "out_invoice").sorted(
            lambda il: (il.move_id.id, il.id)
        )
        credited = posted.filtered(lambda il: il.move_id.move_type == "out_refund")
        rounding = self.sale_line_id.product_uom.rounding or 0.001
        parts = []
        left = quantity
        for invoice_line in invoiced:
            if float_compare(left, 0.0, precision_rounding=rounding) <= 0:
                break
            if invoice_line == invoiced[-1]:
                part = left
            else:
                taken_back = sum(
                    credited.filtered(
                        lambda il, inv=invoice_line.move_id: il.move_id.reversed_entry_id == inv
                    ).mapped("quantity")
                )
                part = min(left, max(0.0, invoice_line.quantity - taken_back))
            if float_compare(part, 0.0, precision_rounding=rounding) > 0:
                parts.append((invoice_line, part))
                left -= part
        return parts

    @api.constrains("quantity", "sale_line_id", "reason_id")
    def _check_returnable(self):
        today = fields.Date.context_today(self)
        self.sale_line_id._oms_lock_for_return()
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    _("Return at least one unit of %s.", line.product_id.display_name)
                )
            if not line.policy_id:
                raise ValidationError(_("%s cannot be returned.", line.product_id.display_name))
            if line.reason_id not in line.policy_id.reason_ids:
                raise ValidationError(
                    _(
                        "“%(reason)s” is not a reason to return %(product)s.",
                        reason=line.reason_id.name,
                        product=line.product_id.display_name,
                    )
                )
            if not line.deadline or line.deadline < today:
                raise ValidationError(
                    _(
                        "%(product)s can no longer be returned (until %(deadline)s).",
                        product=line.product_id.display_name,
                        deadline=line.deadline or _("delivery"),
                    )
                )
            returnable = line.sale_line_id._oms_returnable_quantity(exclude=line)
            if line.quantity > returnable:
                raise ValidationError(
                    _(
                        "At most %(quantity)s of %(product)s can be returned.",
                        quantity=returnable,
                        product=line.product_id.display_name,
                    )
                )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    oms_return_line_ids = fields.One2many("oms.return.line", "sale_line_id")

    def _oms_lock_for_return(self):
        """Serialize the requests that take these lines back.

        Two customers' tabs (or a customer and an agent) may request the last units
        of a line at once; each transaction sees the other's request only once it
        has committed, so both would pass the quantity check. This writes a new row
        version of each line: the second transaction then fails to serialize when
        it does the same, Odoo runs it again, and the check sees the first request."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE sale_order_line SET write_date = write_date WHERE id IN %s",
                    tuple(self.ids),
                )
            )

    def _oms_shipped(self):
        """``{line id: (quantity shipped to the customer in the line's unit, when
        it last left)}`` for the lines that shipped, read for all lines at once.

        The quantity is counted from the deliveries themselves (done moves into a
        customer location from elsewhere), not from Odoo's delivered quantity,
        which already deducts the returns received: a return is not deducted twice."""
        if not self:
            return {}
        groups = (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [
                    ("sale_line_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("location_id.usage", "!=", "customer"),
                ],
                ["sale_line_id", "product_uom"],
                ["quantity:sum", "date:max"],
            )
        )
        shipped = {}
        for line, uom, quantity, date in groups:
            total, last = shipped.get(line.id, (0.0, date))
            if uom == line.product_uom:
                in_line_unit = quantity
            else:
                in_line_unit = uom._compute_quantity(quantity, line.product_uom)
            shipped[line.id] = (total + in_line_unit, max(last, date))
        return shipped

    def _oms_taken(self, exclude=None):
        """``{line id: quantity}`` that requests (not rejected) take back, for all
        lines at once; ``exclude``: return lines not to count. A request rejected
        takes nothing back, closed afterwards too."""
        domain = [
            ("sale_line_id", "in", self.ids),
            ("return_id.state", "!=", "rejected"),
            ("return_id.rejected_date", "=", False),
        ]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        groups = (
            self.env["oms.return.line"]
            .sudo()
            ._read_group(domain, ["sale_line_id"], ["quantity:sum"])
        )
        return {line.id: quantity for line, quantity in groups}

    def _oms_delivered_date(self, shipped=None):
        """When the line's goods reached the customer (tracking), else when they left.
        ``shipped``: what :meth:`_oms_shipped` returned for these lines, if known."""
        self.ensure_one()
        if self.order_id.oms_delivered_date:
            return self.order_id.oms_delivered_date
        shipped = self._oms_shipped() if shipped is None else shipped
        return shipped.get(self.id, (0.0, False))[1]

    def _oms_returnable_quantity(self, exclude=None):
        """Shipped to the customer, less what requests (not rejected) take back."""
        self.ensure_one()
        shipped = self._oms_shipped().get(self.id, (0.0, False))[0]
        return max(0.0, shipped - self._oms_taken(exclude).get(self.id, 0.0))

    def _oms_portal_returnable(self):
        """The lines a customer may still return today."""
        return self.browse([line.id for line in self._oms_portal_verdicts()])

    def _oms_portal_verdicts(self):
        """What the customer sees before submitting, for each line still returnable
        today: ``{line: {policy, deadline, days_left, returnable, fee_unit,
        refund_unit, keep_item}}``. The policy, delivery date and quantity are read
        once per line for both the choice of lines and the verdict."""
        today = fields.Date.context_today(self)
        Policy = self.env["oms.return.policy"]
        no_reason = self.env["oms.return.reason"]
        verdicts = {}
        # Only goods shipped to the customer: never a service, a section or a note.
        shipped = self._oms_shipped()
        lines = self.filtered(lambda line: line.id in shipped)
        taken = lines._oms_taken() if lines else {}
        for line in lines:
            policy = Policy._oms_for(line.order_id, line.product_id)
            delivered = policy and line._oms_delivered_date(shipped)
            if not delivered:
                continue
            deadline = (delivered + timedelta(days=policy.window_days)).date()
            if deadline < today:
                continue
            returnable = max(0.0, shipped[line.id][0] - taken.get(line.id, 0.0))
            if returnable <= 0:
                continue
            unit = line.price_reduce_taxinc
            fee = policy._oms_fee(unit, no_reason, line.currency_id)
            verdicts[line] = {
                "policy": policy,
                "deadline": deadline,
                "days_left": (deadline - today).days,
                "returnable": returnable,
                "fee_unit": fee,
                "refund_unit": unit - fee,
                "keep_item": bool(
                    policy.keep_item_below
                    and unit < policy._oms_amount_in(policy.keep_item_below, line.currency_id)
                ),
            }
        return verdicts
