from odoo import fields, models

from ..carrier_clients import Label, OwnLabel, own_label_pdf, own_label_zpl


class DeliveryCarrier(models.Model):
    """Our own fleet: our own 4x6 label (PDF or ZPL), our own tracking page, its
    drivers' status updates (``oms.carrier.driver.update`` and the signed driver
    app route), the price of the carrier's product."""

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("oms_own_fleet", "Own fleet")], ondelete={"oms_own_fleet": "set default"}
    )

    def oms_own_fleet_rate_shipment(self, order):
        return {
            "success": True,
            "price": self.product_id.list_price,
            "error_message": False,
            "warning_message": False,
        }

    def oms_own_fleet_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            parcels = self._oms_parcels(picking)
            marks = tuple(
                dict.fromkeys(
                    mark
                    for product in picking.move_ids.product_id.filtered("oms_is_hazmat")
                    for mark in product.product_tmpl_id._oms_hazmat_marks()
                )
            )
            numbers, labels = [], []
            for index, (_package, parcel) in enumerate(parcels, start=1):
                number = f"{picking.name.replace('/', '')}-{index}"
                label = OwnLabel(
                    tracking_number=number,
                    sender=self._oms_address(self._oms_sender(picking)),
                    recipient=self._oms_address(self._oms_recipient(picking)),
                    weight_kg=parcel.weight_kg,
                    package_no=index,
                    package_count=len(parcels),
                    carrier_name=self.name,
                    reference=picking.origin or picking.name,
                    hazmat_marks=marks,
                )
                numbers.append(number)
                picking._oms_record_shipment(number, number)
                if self.oms_label_format == "ZPL":
                    labels.append((number, Label("ZPL", own_label_zpl(label))))
                else:
                    labels.append((number, Label("PDF", own_label_pdf(label))))
            self._oms_attach_labels(picking, labels, numbers)
            results.append(
                {"exact_price": self.product_id.list_price, "tracking_number": ",".join(numbers)}
            )
        return results

    def oms_own_fleet_get_tracking_link(self, picking):
        # our own page of the parcel, served by Odoo (its unguessable token)
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_own_fleet_cancel_shipment(self, pickings):
        pickings.write({"carrier_tracking_ref": False, "carrier_price": 0.0})

    def _oms_own_fleet_quotes_for_picking(self, picking, parcels, sender, recipient):
        return self._oms_fixed_price_quotes(picking)

    def _oms_own_fleet_parcel_tracking_url(self, shipment):
        return f"{shipment.get_base_url()}/oms/track/{shipment.sudo()._oms_access_token()}"
