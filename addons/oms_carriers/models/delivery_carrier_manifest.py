import base64

from odoo import _, fields, models
from odoo.exceptions import UserError


class DeliveryCarrier(models.Model):
    """Close the Day: the day's parcels of a carrier on a manifest per warehouse,
    the carrier's own document (its kind's ``_<delivery_type>_manifest_document``
    hook, EasyPost's ScanForm) or our own PDF."""

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
        hook = self._oms_hook("manifest_document")
        if hook:
            content = hook(manifest, parcels)
        else:
            content, _type = self.env["ir.actions.report"]._render_qweb_pdf(
                "oms_carriers.report_oms_manifest", manifest.ids
            )
        manifest.write(
            {"document": base64.b64encode(content), "document_name": f"{manifest.name}.pdf"}
        )
        return manifest
