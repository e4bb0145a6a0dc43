from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL


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
