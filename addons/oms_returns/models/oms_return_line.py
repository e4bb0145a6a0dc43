from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare


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
