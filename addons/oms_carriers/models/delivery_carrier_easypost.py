import hashlib
from decimal import Decimal

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..carrier_clients import EasyPostClient, Parcel
from ..carrier_clients.easypost import PRODUCTION_URL


class DeliveryCarrier(models.Model):
    """EasyPost (REST: shipments, rates, labels, refunds, trackers, ScanForms,
    address verification) behind Odoo's carrier hooks."""

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("oms_easypost", "EasyPost")], ondelete={"oms_easypost": "set default"}
    )

    def _oms_easypost_default_url(self):
        return PRODUCTION_URL

    def _oms_easypost_client(self, secrets, url, sender):
        if secrets.oms_api_key:
            return EasyPostClient(secrets.oms_api_key, base_url=url)
        return None

    def oms_easypost_rate_shipment(self, order):
        return self._oms_rate_from_quotes(order, self._oms_easypost_quotes)

    def _oms_easypost_quotes(self, sender, recipient, parcel):
        client = self._oms_get_carrier_client()
        shipment = self._oms_call(
            _("quote"), client.create_shipment, sender, recipient, parcel, label_format="PDF"
        )
        return shipment.rates

    def _oms_easypost_pick_rate(self, rates, service=None):
        wanted = (service or self.oms_service_code or "").split("/")
        matching = [
            rate
            for rate in rates
            if len(wanted) != 2
            or (
                rate.carrier.lower() == wanted[0].lower()
                and rate.service.lower() == wanted[1].lower()
            )
        ]
        if not matching:
            raise UserError(
                _(
                    "%(carrier)s offers no %(service)s here.",
                    carrier=self.name,
                    service=self.oms_service_code,
                )
            )
        return min(matching, key=lambda rate: rate.amount)

    def _oms_easypost_quote_service(self, rate):
        return f"{rate.carrier}/{rate.service}"

    def _oms_easypost_quotes_for_picking(self, picking, parcels, sender, recipient):
        client = self._oms_get_carrier_client()
        total = Parcel(weight_kg=sum((p.weight_kg for p in parcels), Decimal(0)))
        customs = picking._oms_customs_info() if picking._oms_needs_customs() else None
        shipment = self._oms_call(
            _("quote"), client.create_shipment, sender, recipient, total, customs_info=customs
        )
        return [self._oms_quote_values(picking, rate) for rate in shipment.rates]

    def _oms_easypost_options(self, picking, hazmat):
        options = {}
        if hazmat:
            options["hazmat"] = hazmat
        if picking.picking_type_code == "incoming":
            options["is_return"] = True
        return options or None

    def _oms_easypost_hazmat_option(self, picking):
        """EasyPost's ``hazmat`` shipment option for the delivery's goods, or None."""
        products = picking.move_ids.product_id
        batteries = set(products.mapped("oms_lithium_battery")) - {False}
        if batteries:
            if batteries & {"ion_alone", "metal_alone"}:
                return "PRIMARY"
            if batteries & {"ion_with_equipment", "metal_with_equipment"}:
                return "PRIMARY_PACKED"
            return "PRIMARY_CONTAINED"
        if any(products.mapped("oms_limited_quantity")):
            return "LIMITED_QUANTITY"
        return None

    def oms_easypost_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            client = self._oms_get_carrier_client()
            hazmat = self._oms_easypost_hazmat_option(picking)
            customs = picking._oms_customs_info() if picking._oms_needs_customs() else None
            sender, recipient = (
                self._oms_address(self._oms_sender(picking)),
                self._oms_address(self._oms_recipient(picking)),
            )
            numbers, labels, price = [], [], 0.0
            label_format = self.oms_label_format or "PDF"
            Attempt = self.env["oms.carrier.purchase.attempt"]
            for index, (_package, parcel) in enumerate(self._oms_parcels(picking), start=1):
                # Exactly once without an idempotency header: the shipment made for
                # this package is kept (committed at once) before its label is bought;
                # a retry (an answer lost, the job rolled back) reads it back and
                # reuses its label, or buys that same shipment, which EasyPost sells
                # once. After a void, a new generation makes a new shipment.
                generation = len(picking.oms_carrier_shipment_ids.filtered("voided"))
                key = f"odoo-{self.env.cr.dbname}-picking-{picking.id}-{index}-{generation}"
                shipment, purchase = None, None
                known = Attempt._oms_find(key)
                if known:
                    shipment = self._oms_call(
                        _("read the shipment back"), client.get_shipment, known
                    )
                    if shipment.is_purchased:
                        purchase = self._oms_call(
                            _("recover the label"), client.purchased, known, label_format
                        )
                        picking.message_post(
                            body=_(
                                "%(carrier)s had already sold the label of shipment "
                                "%(shipment)s (an answer lost on the way): reused, "
                                "nothing bought twice.",
                                carrier=self.name,
                                shipment=known,
                            )
                        )
                if shipment is None:
                    shipment = self._oms_call(
                        _("create the shipment"),
                        client.create_shipment,
                        sender,
                        recipient,
                        parcel,
                        customs_info=customs,
                        reference=picking.name,
                        options=self._oms_easypost_options(picking, hazmat),
                        label_format=label_format,
                    )
                    Attempt._oms_keep(key, shipment.id, self, picking)
                if purchase is None:
                    rate = self._oms_easypost_pick_rate(shipment.rates, picking.oms_carrier_service)
                    purchase = self._oms_call(
                        _("buy the label"),
                        client.buy,
                        shipment.id,
                        rate.id,
                        label_format=label_format,
                    )
                numbers.append(purchase.tracking_number)
                labels += [(p.tracking_number, p.label) for p in purchase.packages]
                price += self._oms_price_for(picking, purchase.amount, purchase.currency)
                picking._oms_record_shipment(
                    shipment.id, purchase.tracking_number, purchase=purchase
                )
            self._oms_attach_labels(picking, labels, numbers)
            results.append({"exact_price": price, "tracking_number": ",".join(numbers)})
        return results

    def oms_easypost_get_tracking_link(self, picking):
        # EasyPost's public tracker page, given with the label (and by its trackers)
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_easypost_cancel_shipment(self, pickings):
        client = self._oms_get_carrier_client()
        self._oms_void_labels(
            pickings, _("void the label"), client.refund, _("Labels voided with %s", self.name)
        )

    def _oms_easypost_poll_tracking(self, shipment):
        client = self._oms_get_carrier_client()
        # the client refuses a tracker about another parcel than this one
        if shipment.tracker_ref:
            return client.get_tracker(shipment.tracker_ref, shipment.tracking_number)
        return client.create_tracker(shipment.tracking_number)

    def _oms_easypost_verify_address(self, picking):
        client = self._oms_get_carrier_client()
        return self._oms_call(
            _("verify the address"), client.verify_address, self._oms_address(picking.partner_id)
        )

    # --- end of day ----------------------------------------------------------------------------
    def _oms_easypost_manifest_document(self, manifest, parcels):
        """EasyPost's ScanForm of the parcels: its PDF (the manifest keeps its id)."""
        form = self._oms_easypost_scan_form(sorted(set(parcels.mapped("reference"))))
        client = self._oms_get_carrier_client()
        content = self._oms_call(_("fetch the manifest"), client.get_scan_form_pdf, form)
        manifest.reference = form.id
        return content

    def _oms_easypost_scan_form(self, shipment_ids):
        """EasyPost's scan form for these shipments, made once without an
        idempotency header (EasyPost documents none for scan forms).

        The attempt is kept (committed at once) before the POST; a retry of the
        same parcels (an answer lost, Close the Day rolled back) finds it and reads
        the shipments back first, reusing the scan form they are on. The client
        never repeats the POST and reads back itself when its answer is lost.
        """
        client = self._oms_get_carrier_client()
        Attempt = self.env["oms.carrier.purchase.attempt"]
        digest = hashlib.sha256(",".join(shipment_ids).encode()).hexdigest()[:24]
        key = f"odoo-{self.env.cr.dbname}-scan-form-{self.id}-{digest}"
        if Attempt._oms_find(key):
            form = self._oms_call(_("read the manifest back"), client.scan_form_of, shipment_ids)
            if form:
                return form
        else:
            Attempt._oms_keep(key, shipment_ids[0], self)
        return self._oms_call(_("make the manifest"), client.create_scan_form, shipment_ids)
