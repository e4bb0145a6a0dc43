"""Orders of EDI channels: the trading partner is the customer, the ship-to
is its delivery address with the partner's location code."""

import json

from odoo import api, fields, models

from ..channel_edi.outbound import Line, OrderAck


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _oms_create_from_drafts(self, channel, drafts):
        orders = self
        if channel.channel_type == "edi" and channel.edi_partner_id:
            orders = self.with_context(oms_edi_channel_id=channel.id)
        return super(SaleOrder, orders)._oms_create_from_drafts(channel, drafts)

    @api.model
    def _oms_customers(self, env, company, drafts):
        channel_id = self.env.context.get("oms_edi_channel_id")
        if not channel_id:
            return super()._oms_customers(env, company, drafts)
        channel = env["oms.channel"].browse(channel_id)
        partner = channel.edi_partner_id
        return [(partner, self._oms_edi_location(env, partner, draft)) for draft in drafts]

    @api.model
    def _oms_edi_location(self, env, partner, draft):
        """The partner's delivery address whose reference is the draft's ship-to
        code (N1*ST / NAD+DP), made from the draft's address when new."""
        code = dict(draft.extra).get("edi_ship_to", "").split(":", 1)[-1]
        if not code:
            return partner
        Partner = env["res.partner"]
        found = Partner.search(
            [("parent_id", "=", partner.id), ("ref", "=", code)], order="id", limit=1
        )
        if found:
            return found
        values = self._oms_address_vals(env, draft.shipping_address, {})
        return Partner.create(
            {
                **values,
                "name": draft.shipping_address.name if draft.shipping_address else code,
                "parent_id": partner.id,
                "type": "delivery",
                "ref": code,
            }
        )

    def _action_confirm(self):
        result = super()._action_confirm()
        for order in self.filtered(
            lambda o: o.oms_channel_id.channel_type == "edi" and o.oms_external_ref
        ):
            order._oms_edi_send_order_ack()
        return result

    def _oms_edi_po_lines(self):
        """``{line no: PO line payload}`` of the purchase order the order came from."""
        inbox = (
            self.env["oms.channel.inbox"]
            .sudo()
            .search([("order_id", "=", self.id)], order="id desc", limit=1)
        )
        try:
            payload = json.loads(inbox.body) if inbox else {}
        except ValueError:
            payload = {}
        return {line["line_no"]: line for line in payload.get("lines", ())}, payload

    def _oms_edi_send_order_ack(self):
        """The 855 / ORDRSP of the confirmed order: each line as confirmed, the
        quantity the partner ordered beside it."""
        ordered, payload = self._oms_edi_po_lines()
        lines = []
        for line in self.order_line.filtered(lambda ol: ol.oms_external_line_id):
            po_line = ordered.get(line.oms_external_line_id, {})
            lines.append(edi_line(line, line.product_uom_qty, po_line.get("quantity", "")))
        today = fields.Date.context_today(self).strftime("%Y%m%d")
        document = OrderAck(
            number=self.name,
            po_number=self.oms_external_ref,
            po_date=payload.get("date") or today,
            date=today,
            lines=tuple(lines),
        )
        return self.oms_channel_id.sudo()._oms_edi_send("order_ack", document, self)


def edi_line(sale_line, quantity, ordered=""):
    """The outbound line of a sales order line (its PO line number, our codes)."""
    product = sale_line.product_id
    return Line(
        line_no=sale_line.oms_external_line_id or str(sale_line.id),
        quantity=_number(quantity),
        unit_price=_number(sale_line.price_unit),
        ordered=_number(ordered) if ordered not in ("", None) else "",
        vendor_code=product.default_code or "",
        barcode=product.barcode or "",
        description=product.name or "",
    )


def _number(value):
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return text or "0"
