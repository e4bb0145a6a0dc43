from odoo import _, fields, models
from odoo.exceptions import UserError

from ..carrier_clients import UpsClient, ups_tracking_url
from ..carrier_clients.ups import PRODUCTION_URL


class DeliveryCarrier(models.Model):
    """UPS (REST: OAuth client credentials, Rating, Shipping, Void, Tracking,
    Label Recovery) behind Odoo's carrier hooks."""

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("oms_ups", "UPS")], ondelete={"oms_ups": "set default"}
    )

    def _oms_ups_default_url(self):
        return PRODUCTION_URL

    def _oms_ups_client(self, secrets, url, sender):
        return self._oms_oauth_client(UpsClient, secrets, url)

    def oms_ups_rate_shipment(self, order):
        return self._oms_rate_from_quotes(order, self._oms_ups_quotes)

    def _oms_ups_quotes(self, sender, recipient, parcel):
        return self._oms_rates(sender, recipient, [parcel], service_code=self.oms_service_code)

    def oms_ups_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            service = picking.oms_carrier_service or self.oms_service_code
            if not service:
                raise UserError(_("Choose the UPS service of %s first.", self.name))
            client = self._oms_get_carrier_client()
            parcels = [parcel for _package, parcel in self._oms_parcels(picking)]
            label_format = "ZPL" if self.oms_label_format == "ZPL" else "GIF"
            # Exactly once: UPS takes no idempotency key, so a shipment already made
            # for this delivery (an answer lost to a timeout) is found by its
            # reference and its labels recovered instead of buying again.
            reference = self._oms_shipment_reference(picking)
            known = self._oms_call(_("look the shipment up"), client.find_shipments, reference)
            if known:
                results.append(self._oms_ups_recover(picking, client, known, label_format))
                continue
            purchase = self._oms_call(
                _("buy the labels"),
                client.ship,
                self._oms_address(self._oms_sender(picking)),
                self._oms_address(self._oms_recipient(picking)),
                parcels,
                service,
                label_format=label_format,
                reference=reference,
                customs_info=picking._oms_customs_info() if picking._oms_needs_customs() else None,
            )
            numbers = [p.tracking_number for p in purchase.packages]
            for index, number in enumerate(numbers):
                # the shipment's cost (and the surcharges UPS itemizes) on its first parcel
                picking._oms_record_shipment(
                    purchase.shipment_id, number, purchase=purchase if index == 0 else None
                )
            self._oms_attach_labels(
                picking, [(p.tracking_number, p.label) for p in purchase.packages], numbers
            )
            results.append(
                {
                    "exact_price": self._oms_price_for(picking, purchase.amount, purchase.currency),
                    "tracking_number": ",".join(numbers),
                }
            )
        return results

    def _oms_ups_recover(self, picking, client, tracking_numbers, label_format):
        """The labels of a shipment UPS made for this delivery, recorded as if just
        bought (its price is not known again: the quote's, if any)."""
        labels = [
            (
                number,
                self._oms_call(_("recover the label"), client.recover_label, number, label_format),
            )
            for number in tracking_numbers
        ]
        for number, _label in labels:
            # The first package's number identifies the shipment (what void takes).
            picking._oms_record_shipment(tracking_numbers[0], number)
        self._oms_attach_labels(picking, labels, tracking_numbers)
        picking.message_post(
            body=_(
                "UPS had already made this shipment (an answer lost on the way): its "
                "labels were recovered, nothing bought twice."
            )
        )
        won = picking.oms_shipping_quote_ids.filtered(lambda q: q.state == "won")[:1]
        return {
            "exact_price": won.price_company if won else 0.0,
            "tracking_number": ",".join(tracking_numbers),
        }

    def oms_ups_get_tracking_link(self, picking):
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_ups_cancel_shipment(self, pickings):
        # a shipment's packages share its reference: voided once
        client = self._oms_get_carrier_client()
        self._oms_void_labels(
            pickings, _("void the shipment"), client.void, _("Shipment voided with %s", self.name)
        )

    def _oms_ups_quotes_for_picking(self, picking, parcels, sender, recipient):
        rates = self._oms_rates(sender, recipient, parcels)
        return [self._oms_quote_values(picking, rate) for rate in rates]

    def _oms_ups_parcel_tracking_url(self, shipment):
        return ups_tracking_url(shipment.tracking_number)

    def _oms_ups_poll_tracking(self, shipment):
        return self._oms_get_carrier_client().track(shipment.tracking_number)
