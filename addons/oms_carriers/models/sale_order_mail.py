from odoo import models


class SaleOrder(models.Model):
    """The customer mails of oms_core (received, shipped, delivered, cancelled) go
    only to customers of channels that Odoo mails (``oms.channel.mail_customers``),
    and the shipped mail links each parcel's tracking page. (The parcels' own mails:
    oms_carrier_shipment_tracking.py; the routing hook: sale_order.py.)"""

    _inherit = "sale.order"

    def _oms_send_stage_mails(self):
        muted = self.filtered(lambda o: o.oms_channel_id and not o.oms_channel_id.mail_customers)
        return super(SaleOrder, self - muted)._oms_send_stage_mails()

    def _oms_mail_parcel(self):
        """The parcel a tracking mail being rendered is about (see
        ``oms.carrier.shipment._oms_mail_customer``)."""
        parcel_id = self.env.context.get("oms_mail_parcel_id")
        return self.env["oms.carrier.shipment"].sudo().browse(parcel_id).exists()

    def _oms_tracking_links(self):
        """Each parcel of the order's deliveries (labels not voided): its carrier,
        tracking number and the public page where the customer follows it."""
        self.ensure_one()
        deliveries = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )
        return super()._oms_tracking_links() + [
            {
                "carrier": parcel.carrier_id.name or "",
                "number": parcel.tracking_number,
                "url": parcel.tracking_url or "",
            }
            for parcel in deliveries.sudo()._oms_active_shipments()
            if parcel.tracking_number
        ]
