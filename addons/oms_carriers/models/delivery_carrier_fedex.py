from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..carrier_clients import FedExClient, fedex_tracking_url
from ..carrier_clients.fedex import PRODUCTION_URL

# FedEx tokens of this process, kept between calls (a tracking poll asks about
# many parcels): keyed by API URL and a hash of the credentials.
FEDEX_TOKENS = {}


class DeliveryCarrier(models.Model):
    """FedEx (REST: OAuth, Rate, Ship, Cancel, Track) behind Odoo's carrier hooks.

    The client is built by ``_oms_get_carrier_client`` through
    ``_oms_fedex_client`` (as UPS's, with the client ID, secret and account
    number); quotes and tracking polls go through the shared
    ``_oms_quotes_for_picking`` and ``_oms_poll_tracking``.
    """

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("oms_fedex", "FedEx")], ondelete={"oms_fedex": "set default"}
    )

    def _oms_fedex_default_url(self):
        return PRODUCTION_URL

    def _oms_fedex_client(self, secrets, url, sender):
        return self._oms_oauth_client(FedExClient, secrets, url, token_store=FEDEX_TOKENS)

    def oms_fedex_rate_shipment(self, order):
        return self._oms_rate_from_quotes(order, self._oms_fedex_quotes)

    def _oms_fedex_quotes(self, sender, recipient, parcel):
        return self._oms_rates(sender, recipient, [parcel], service_type=self.oms_service_code)

    def _oms_check_fedex_domestic(self, picking):
        """Customs data is not sent to FedEx yet: an export is refused before any
        call (label or quote), so that rate shopping and the user choose a
        carrier that sends it."""
        if picking._oms_needs_customs():
            raise UserError(
                _(
                    "%(carrier)s labels are not made for exports yet: ship %(picking)s "
                    "with a carrier that sends its customs data (UPS, EasyPost).",
                    carrier=self.name,
                    picking=picking.name or _("this delivery"),
                )
            )

    def _oms_fedex_quotes_for_picking(self, picking, parcels, sender, recipient):
        self._oms_check_fedex_domestic(picking)
        rates = self._oms_rates(sender, recipient, parcels)
        return [self._oms_quote_values(picking, rate) for rate in rates]

    def oms_fedex_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            self._oms_check_fedex_domestic(picking)
            service = picking.oms_carrier_service or self.oms_service_code
            if not service:
                raise UserError(_("Choose the FedEx service of %s first.", self.name))
            sender = self._oms_address(self._oms_sender(picking))
            recipient = self._oms_address(self._oms_recipient(picking))
            for partner, address in zip(
                self._oms_parties(picking), (sender, recipient), strict=True
            ):
                if not address.phone:  # FedEx requires both parties' phone numbers
                    raise UserError(
                        _(
                            "%(carrier)s needs the phone number of %(partner)s to ship "
                            "%(picking)s.",
                            carrier=self.name,
                            partner=partner.display_name or _("the sender"),
                            picking=picking.name,
                        )
                    )
            client = self._oms_get_carrier_client()
            numbers, labels, price = [], [], 0.0
            for index, (package, parcel) in enumerate(self._oms_parcels(picking), start=1):
                purchase = self._oms_fedex_buy_once(
                    picking, client, index, sender, recipient, parcel, service
                )
                numbers.append(purchase.tracking_number)
                labels += [(p.tracking_number, p.label) for p in purchase.packages]
                price += self._oms_price_for(picking, purchase.amount, purchase.currency)
                picking._oms_record_shipment(
                    purchase.shipment_id, purchase.tracking_number, package, purchase=purchase
                )
            self._oms_attach_labels(picking, labels, numbers)
            results.append({"exact_price": price, "tracking_number": ",".join(numbers)})
        return results

    def _oms_fedex_buy_once(self, picking, client, index, sender, recipient, parcel, service):
        """The label of one package, bought once.

        FedEx takes no idempotency key and prints no label again, so each package
        is a shipment of its own whose customer reference (the delivery's name, a
        token of this database, delivery and label generation, and the package's
        index) is kept, committed at once, before the purchase. When a purchase of
        this package was started before (its answer lost, the job rolled back),
        the shipments FedEx made under that reference are looked up and cancelled
        (not billed) before the label is bought again: one label in use, one
        billed."""
        Attempt = self.env["oms.carrier.purchase.attempt"].sudo()
        generation = len(picking.oms_carrier_shipment_ids.filtered("voided"))
        key = f"odoo-{self.env.cr.dbname}-fedex-picking-{picking.id}-{index}-{generation}"
        reference = f"{self._oms_shipment_reference(picking)}-{index}"
        started = Attempt.search([("key", "=", key)], limit=1)
        if started:
            today = fields.Date.context_today(self)
            begin = min(started.create_date.date(), today) - timedelta(days=1)
            lost = self._oms_call(
                _("look the shipment up"),
                client.find_shipments,
                reference,
                begin.isoformat(),
                (today + timedelta(days=1)).isoformat(),
            )
            in_use = set(lost) & set(picking._oms_active_shipments().mapped("reference"))
            if in_use:
                # bought, kept and committed before: a second purchase, not a retry
                raise UserError(
                    _(
                        "%(picking)s already has FedEx label %(numbers)s: cancel it first.",
                        picking=picking.name,
                        numbers=", ".join(sorted(in_use)),
                    )
                )
            for number in lost:
                self._oms_call(_("cancel the shipment"), client.cancel, number)
            if lost:
                picking.message_post(
                    body=_(
                        "FedEx had already made shipment %(numbers)s for this package (an "
                        "answer lost on the way): cancelled, a new label bought.",
                        numbers=", ".join(lost),
                    )
                )
        else:
            Attempt._oms_keep(key, reference, self, picking)
        return self._oms_call(
            _("buy the label"),
            client.ship,
            sender,
            recipient,
            [parcel],
            service,
            label_format=self.oms_label_format or "PDF",
            reference=reference,
        )

    def oms_fedex_get_tracking_link(self, picking):
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_fedex_cancel_shipment(self, pickings):
        client = self._oms_get_carrier_client()
        self._oms_void_labels(
            pickings,
            _("cancel the shipment"),
            client.cancel,
            _("Shipment cancelled with %s", self.name),
        )

    def _oms_fedex_parcel_tracking_url(self, shipment):
        return fedex_tracking_url(shipment.tracking_number)

    def _oms_fedex_poll_tracking(self, shipment):
        return self._oms_get_carrier_client().track(shipment.tracking_number)
