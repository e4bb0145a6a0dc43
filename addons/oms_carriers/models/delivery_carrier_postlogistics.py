import requests

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..carrier_clients import (
    CarrierConnectionError,
    CarrierError,
    CarrierResponseError,
    Label,
    PackageLabel,
    PostLogisticsClient,
    Purchase,
    postlogistics_tracking_url,
)
from ..carrier_clients.postlogistics import PRODUCTION_WSDL


class DeliveryCarrier(models.Model):
    """Swiss Post's barcode web service (SOAP: ``GenerateLabel``) behind Odoo's
    carrier hooks: labels for Switzerland and Liechtenstein at the price of the
    carrier's product (prices come from the contract)."""

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("oms_postlogistics", "Swiss Post (PostLogistics)")],
        ondelete={"oms_postlogistics": "set default"},
    )

    def _oms_postlogistics_default_url(self):
        return PRODUCTION_WSDL

    def _oms_postlogistics_client(self, secrets, url, sender):
        if secrets.oms_client_id:
            return PostLogisticsClient(
                secrets.oms_client_id,
                secrets.oms_client_secret,
                secrets.oms_franking_license,
                sender,
                wsdl_url=url,
            )
        return None

    def oms_postlogistics_rate_shipment(self, order):
        # The barcode web service prints labels; prices come from the contract.
        return {
            "success": True,
            "price": self.product_id.list_price,
            "error_message": False,
            "warning_message": _("Swiss Post price from the carrier's product, not quoted."),
        }

    def _oms_check_postlogistics_destination(self, picking):
        """Swiss Post's barcode labels are for parcels within Switzerland and
        Liechtenstein (its service answers E2030 otherwise): an export is refused
        before any call, so that it ships, with its customs data, with a carrier
        that takes it."""
        countries = {partner.country_id.code for partner in self._oms_parties(picking) if partner}
        if not countries <= {"CH", "LI"}:
            raise UserError(
                _(
                    "%(carrier)s labels are for Switzerland and Liechtenstein only: ship "
                    "%(picking)s (to %(country)s) with another carrier.",
                    carrier=self.name,
                    picking=picking.name or _("this delivery"),
                    country=picking.partner_id.country_id.name or "?",
                )
            )

    def oms_postlogistics_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_postlogistics_destination(picking)
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            client = self._oms_get_carrier_client(self._oms_address(self._oms_sender(picking)))
            parcels = self._oms_parcels(picking)
            count = len(parcels)
            purchases = [
                self._oms_postlogistics_label_once(
                    picking,
                    index,
                    client.generate_label,
                    self._oms_address(self._oms_recipient(picking)),
                    services=tuple((self.oms_service_code or "PRI").split(",")),
                    parcel=parcel,
                    image_format=self.oms_label_format or "PDF",
                    item_number=picking.name,
                    parcel_no=index if count > 1 else None,
                    parcel_total=count if count > 1 else None,
                )
                for index, (_package, parcel) in enumerate(parcels, start=1)
            ]
            # recorded once every package has its label: nothing half-recorded
            numbers, labels = [], []
            for purchase in purchases:
                numbers.append(purchase.tracking_number)
                labels += [(p.tracking_number, p.label) for p in purchase.packages]
                picking._oms_record_shipment(purchase.tracking_number, purchase.tracking_number)
            self._oms_attach_labels(picking, labels, numbers)
            results.append(
                {"exact_price": self.product_id.list_price, "tracking_number": ",".join(numbers)}
            )
        return results

    def _oms_postlogistics_label_once(self, picking, index, generate, *args, **kwargs):
        """The label of one package, made once.

        Swiss Post's ``GenerateLabel`` hands out a new barcode on every call and
        nothing can be read back, so the attempt (delivery, package, label
        generation) is kept, committed at once, before the call, and the label it
        gave right after it. A retry (the job rolled back after the label was
        made) reuses that label; an attempt whose answer was lost (the label may
        exist) stops the delivery with what a person must check before releasing
        it (*Shipping > Label Attempts*): never a second barcode made silently."""
        Attempt = self.env["oms.carrier.purchase.attempt"].sudo()
        generation = len(picking.oms_carrier_shipment_ids.filtered("voided"))
        key = f"odoo-{self.env.cr.dbname}-postlogistics-picking-{picking.id}-{index}-{generation}"
        kept = Attempt._oms_start(key, f"{picking.name} #{index}", self, picking)
        if kept and kept["state"] == "done":
            number = kept["reference"]
            picking.message_post(
                body=_(
                    "Swiss Post had already made label %(number)s for package %(index)s "
                    "(the delivery's work was undone after it): reused, no second barcode.",
                    number=number,
                    index=index,
                )
            )
            return Purchase(
                shipment_id=number,
                tracking_number=number,
                packages=(PackageLabel(number, Label(kept["label_format"], kept["label"])),),
                carrier=self.name,
            )
        if kept:
            raise UserError(
                _(
                    "Swiss Post may have made the label of package %(index)s of %(picking)s "
                    "(tried %(when)s UTC): its answer was lost and Swiss Post cannot be asked "
                    "for it again. It is billed only if a parcel carrying it is scanned. Make "
                    "sure no parcel of %(picking)s carries a Swiss Post label that is not on "
                    "the delivery (destroy any such label), then release the attempt in "
                    "Order Management > Shipping > Label Attempts and ship again.",
                    index=index,
                    picking=picking.name,
                    when=fields.Datetime.to_string(kept["create_date"]),
                )
            )
        try:
            purchase = self._oms_call(_("generate the label"), generate, *args, **kwargs)
        except Exception as error:
            Attempt._oms_fail(key, _label_may_exist(error))
            raise
        Attempt._oms_finish(key, purchase.tracking_number, purchase.packages[0].label)
        return purchase

    def oms_postlogistics_get_tracking_link(self, picking):
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_postlogistics_cancel_shipment(self, pickings):
        # Swiss Post bills only scanned parcels: an unused label needs no void call.
        for picking in pickings:
            picking.message_post(
                body=_("Swiss Post label discarded (never scanned, never billed).")
            )
            picking.write({"carrier_tracking_ref": False, "carrier_price": 0.0})

    def _oms_postlogistics_quotes_for_picking(self, picking, parcels, sender, recipient):
        self._oms_check_postlogistics_destination(picking)
        return self._oms_fixed_price_quotes(picking)

    def _oms_postlogistics_parcel_tracking_url(self, shipment):
        return postlogistics_tracking_url(shipment.tracking_number)


def _label_may_exist(error):
    """Whether a failed label call may have made the label: when no answer came
    to the label request (it may have been sent), or an answer came that could
    not be read at all. Not when the carrier refused it, the request never left
    (no connection made, the WSDL not read) or it was refused before sending."""
    cause = error.__cause__ if isinstance(error, UserError) else error
    if isinstance(cause, CarrierConnectionError):
        sent = cause.__cause__
        if isinstance(sent, requests.ConnectTimeout):
            return False
        request = getattr(sent, "request", None)
        return request is None or request.method == "POST"
    if isinstance(cause, CarrierResponseError):
        return cause.__cause__ is not None
    return not isinstance(cause, CarrierError | ValueError | TypeError)
