from pathlib import Path

from odoo.tests import TransactionCase
from odoo.tools import convert_file

ADDON = Path(__file__).parent.parent


class TestOmsReturnDemo(TransactionCase):
    """The demo journey is demo data, not a model, and stands on oms_returns'
    dependencies alone."""

    def test_no_demo_model_on_install(self):
        self.assertNotIn("oms.demo", self.env.registry)
        self.assertFalse(self.env["ir.model"].search([("model", "=", "oms.demo")]))

    def test_demo_data_needs_nothing_of_oms_channels(self):
        # The test database has no demo data: oms_channels' demo records are not
        # there, as in a database without oms_channels. Load oms_returns' demo as
        # an install with demo data does, after its dependencies' demo.
        for module, path in (
            ("oms_carriers", "demo/oms_carriers_demo.xml"),
            ("oms_returns", "demo/oms_returns_demo.xml"),
        ):
            convert_file(self.env, module, path, {}, mode="init", kind="demo")
        customer = self.env.ref("oms_returns.demo_portal_customer").partner_id
        order = self.env["sale.order"].search([("partner_id", "=", customer.id)])
        self.assertEqual(order.client_order_ref, "DEMO-PORTAL")
        self.assertEqual(
            order.order_line.product_id,
            self.env.ref("oms_returns.demo_product_linen_shirt")
            | self.env.ref("oms_returns.demo_product_wool_scarf"),
        )
        self.assertEqual(order.picking_ids.state, "done")
        self.assertTrue(order.oms_delivered_date, "delivered, by its tracking")
        returnable = order.order_line._oms_portal_returnable()
        self.assertEqual(returnable, order.order_line, "a delivered order to return")
        for path in ("demo/oms_returns_demo.xml", "models/oms_return_demo.py"):
            self.assertNotIn("oms_channels.", (ADDON / path).read_text(), path)
