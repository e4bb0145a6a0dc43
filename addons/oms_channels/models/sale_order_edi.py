"""Orders of EDI channels: the trading partner is the customer, the ship-to
is its delivery address with the partner's location code."""

from odoo import api, models


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
