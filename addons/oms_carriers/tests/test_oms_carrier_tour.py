"""A warehouse user ships a delivery in the browser (headless Chromium): quotes from
the EasyPost and UPS simulators, validation buys the label, Print Labels."""

from odoo.tests import HttpCase, new_test_user, tagged

from tests.simulators.easypost import EasyPostSimulator
from tests.simulators.ups import UpsSimulator

from .common import CarrierCase


@tagged("post_install", "-at_install")
class TestCarrierTour(HttpCase, CarrierCase):
    def test_warehouse_user_shops_rates_validates_and_prints_the_label(self):
        easypost_sim = EasyPostSimulator().start()
        ups_sim = UpsSimulator().start()
        self.addCleanup(easypost_sim.stop)
        self.addCleanup(ups_sim.stop)
        easypost = self.make_carrier(
            "oms_easypost",
            name="EasyPost",
            oms_api_base_url=easypost_sim.url,
            oms_api_key=easypost_sim.api_key,
        )
        ups = self.make_carrier(
            "oms_ups",
            name="UPS direct",
            oms_api_base_url=ups_sim.url,
            oms_client_id=ups_sim.client_id,
            oms_client_secret=ups_sim.client_secret,
            oms_account_number=ups_sim.account_number,
        )
        self.env["oms.shipping.policy"].search([("is_default", "=", True)]).is_default = False
        self.env["oms.shipping.policy"].create(
            {"name": "Cheapest", "is_default": True, "carrier_ids": (easypost | ups).ids}
        )
        new_test_user(
            self.env,
            login="tour_packer",
            groups="stock.group_stock_user,oms_core.group_oms_user",
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_assign()
        delivery.move_ids.picked = True
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{delivery.id}",
            "oms_carriers_ship_a_delivery",
            login="tour_packer",
        )
        self.assertEqual(delivery.state, "done")
        self.assertTrue(delivery.carrier_tracking_ref)
        self.assertEqual(delivery.carrier_id, easypost, "the cheapest quote won")
        printable = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "=", delivery.id),
                ("name", "=like", "Labels-%"),
            ]
        )
        self.assertEqual(len(printable), 1)
        self.assertTrue(printable.raw.startswith(b"%PDF"))
