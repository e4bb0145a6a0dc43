"""Closing the day: one manifest per carrier and warehouse, each parcel once."""

import base64
from unittest.mock import patch

from odoo.exceptions import UserError

from odoo.addons.oms_carriers.carrier_clients import NO_RETRY, EasyPostClient

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

    def _easypost(self):
        sim = EasyPostSimulator().start()
        self.addCleanup(sim.stop)
        carrier = self.make_carrier(
            "oms_easypost", name="EasyPost", oms_api_base_url=sim.url, oms_api_key=sim.api_key
        )
        return sim, carrier

    def _impatient(self, sim, retry=None):
        # Times out before the delayed answer; retries (when any) do not wait.
        return EasyPostClient(
            sim.api_key, base_url=sim.url, timeout=(1, 0.3), retry=retry, sleep=lambda _s: None
        )

    def _assert_one_scan_form(self, sim, manifest):
        self.assertEqual(len(sim.scan_forms), 1, "EasyPost made one scan form")
        self.assertEqual(len(sim.requests_to("POST", r"^/v2/scan_forms$")), 1)
        self.assertEqual(manifest.reference, next(iter(sim.scan_forms)))
        self.assertTrue(base64.b64decode(manifest.document).startswith(b"%PDF"))
        self.assertFalse([r for r in sim.received if "idempotency-key" in r.headers])

    def test_a_scan_form_whose_answer_was_lost_is_read_back_not_made_twice(self):
        """EasyPost made the scan form, its answer came too late: the client does
        not repeat the POST (EasyPost documents no idempotency for it) but reads
        the shipments back and takes the scan form they are on."""
        sim, carrier = self._easypost()
        self._shipped(carrier, 2)
        sim.delay_next(0.8, method="POST", path=r"^/v2/scan_forms$")
        with patch.object(
            type(carrier), "_oms_get_carrier_client", return_value=self._impatient(sim)
        ):
            action = carrier.action_oms_close_day()
        manifest = self.env["oms.carrier.manifest"].browse(action["domain"][0][2])
        self._assert_one_scan_form(sim, manifest)

    def test_close_the_day_again_after_a_lost_scan_form_reuses_it(self):
        """The answer and the read-back are lost: Close the Day fails, its second
        run finds the attempt kept before the POST, reads the shipments back and
        reuses their scan form; nothing is posted twice."""
        sim, carrier = self._easypost()
        pickings = self._shipped(carrier, 2)
        sim.delay_next(0.8, method="POST", path=r"^/v2/scan_forms$")
        sim.fail_next(503, method="GET", path=r"^/v2/shipments/shp_\w+$")
        with patch.object(
            type(carrier), "_oms_get_carrier_client", return_value=self._impatient(sim, NO_RETRY)
        ):
            with self.assertRaisesRegex(UserError, "could not make the manifest"):
                carrier.action_oms_close_day()
            self.assertEqual(len(sim.scan_forms), 1)
            # Close the Day rolled back (the kept attempt, committed apart, stays).
            self.env["oms.carrier.manifest"].search([("carrier_id", "=", carrier.id)]).unlink()
            action = carrier.action_oms_close_day()  # the user tries again
        manifest = self.env["oms.carrier.manifest"].browse(action["domain"][0][2])
        self.assertEqual(manifest.shipment_ids, pickings.oms_carrier_shipment_ids)
        self._assert_one_scan_form(sim, manifest)

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
