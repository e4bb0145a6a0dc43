import base64
import hashlib

from odoo import _, fields, models
from odoo.exceptions import UserError


class OmsCarrierManifest(models.Model):
    """The end of a day's shipping with a carrier from a warehouse: the parcels
    handed over, on EasyPost's ScanForm or on our own PDF manifest."""

    _name = "oms.carrier.manifest"
    _description = "Carrier Manifest"
    _order = "date desc, id desc"

    name = fields.Char(required=True)
    carrier_id = fields.Many2one("delivery.carrier", required=True, readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", required=True, readonly=True)
    company_id = fields.Many2one(related="warehouse_id.company_id", store=True, index=True)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    shipment_ids = fields.Many2many("oms.carrier.shipment", string="Parcels", readonly=True)
    reference = fields.Char(string="Carrier Reference", readonly=True)
    document = fields.Binary(readonly=True, attachment=True)
    document_name = fields.Char()

    def _oms_total_weight(self):
        return sum(self.shipment_ids.picking_id.mapped("shipping_weight"))


class OmsCarrierShipment(models.Model):
    _inherit = "oms.carrier.shipment"

    manifest_ids = fields.Many2many("oms.carrier.manifest", string="Manifests")


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    def action_oms_close_day(self):
        """Close the day: one manifest per warehouse for the parcels of deliveries
        done and not on a manifest yet."""
        manifests = self.env["oms.carrier.manifest"]
        for carrier in self:
            shipments = self.env["oms.carrier.shipment"].search(
                [
                    ("picking_id.carrier_id", "=", carrier.id),
                    ("picking_id.state", "=", "done"),
                    ("picking_id.picking_type_code", "=", "outgoing"),
                    ("manifest_ids", "=", False),
                    ("voided", "=", False),
                ]
            )
            if not shipments:
                continue
            for warehouse in shipments.picking_id.picking_type_id.warehouse_id:
                parcels = shipments.filtered(
                    lambda s, w=warehouse: s.picking_id.picking_type_id.warehouse_id == w
                )
                manifests |= carrier._oms_make_manifest(warehouse, parcels)
        if not manifests:
            raise UserError(_("No parcel left to put on a manifest."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "oms.carrier.manifest",
            "view_mode": "list,form",
            "domain": [("id", "in", manifests.ids)],
            "name": _("Manifests"),
        }

    def _oms_make_manifest(self, warehouse, parcels):
        self.ensure_one()
        today = fields.Date.context_today(self)
        manifest = self.env["oms.carrier.manifest"].create(
            {
                "name": f"{self.name} - {warehouse.code} - {today}",
                "carrier_id": self.id,
                "warehouse_id": warehouse.id,
                "shipment_ids": [(6, 0, parcels.ids)],
            }
        )
        if self.delivery_type == "oms_easypost":
            form = self._oms_easypost_scan_form(sorted(set(parcels.mapped("reference"))))
            client = self._oms_get_carrier_client()
            content = self._oms_call(_("fetch the manifest"), client.get_scan_form_pdf, form)
            manifest.reference = form.id
        else:
            content, _type = self.env["ir.actions.report"]._render_qweb_pdf(
                "oms_carriers.report_oms_manifest", manifest.ids
            )
        manifest.write(
            {"document": base64.b64encode(content), "document_name": f"{manifest.name}.pdf"}
        )
        return manifest

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
