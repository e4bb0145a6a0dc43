"""Closing the day: one manifest per carrier and warehouse, each parcel once."""

import base64

from odoo.exceptions import UserError

from tests.simulators.easypost import EasyPostSimulator

from .common import CarrierCase


class TestManifest(CarrierCase):
    def _shipped(self, carrier, count):
        pickings = self.env["stock.picking"]
        for _index in range(count):
            picking = self.make_delivery(carrier, quantity=1)
            picking._action_done()
            result = carrier.send_shipping(picking)[0]
            picking.carrier_tracking_ref = result["tracking_number"]
            pickings |= picking
        return pickings

    def test_easypost_scan_form_for_the_day(self):
        sim = EasyPostSimulator().start()
        self.addCleanup(sim.stop)
        carrier = self.make_carrier(
            "oms_easypost", name="EasyPost", oms_api_base_url=sim.url, oms_api_key=sim.api_key
        )
        pickings = self._shipped(carrier, 2)
        action = carrier.action_oms_close_day()
        manifest = self.env["oms.carrier.manifest"].browse(action["domain"][0][2])
        self.assertEqual(len(manifest), 1)
        self.assertEqual(manifest.shipment_ids, pickings.oms_carrier_shipment_ids)
        self.assertEqual(manifest.reference, next(iter(sim.scan_forms)))
        self.assertTrue(base64.b64decode(manifest.document).startswith(b"%PDF"))
        with self.assertRaisesRegex(UserError, "No parcel left"):
            carrier.action_oms_close_day()

    def test_own_manifest_for_carriers_without_one(self):
        carrier = self.make_carrier("oms_own_fleet", name="Our vans")
        pickings = self._shipped(carrier, 3)
        # Odoo's tests render reports as HTML unless asked for the real PDF.
        action = carrier.with_context(force_report_rendering=True).action_oms_close_day()
        manifest = self.env["oms.carrier.manifest"].browse(action["domain"][0][2])
        self.assertEqual(len(manifest.shipment_ids), 3)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("oms_carriers.report_oms_manifest", manifest.ids)[0]
            .decode()
        )
        for number in pickings.mapped("carrier_tracking_ref"):
            self.assertIn(number, html)
        self.assertTrue(base64.b64decode(manifest.document).startswith(b"%PDF"))
