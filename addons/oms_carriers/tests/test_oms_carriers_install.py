from odoo.tests import TransactionCase, new_test_user


class TestOmsCarriersInstall(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.oms_user = new_test_user(cls.env, login="cr_user", groups="oms_core.group_oms_user")

    def test_shipping_menu_hangs_under_order_management(self):
        root = self.env.ref("oms_core.oms_menu_root")
        for xmlid in (
            "oms_carriers.stock_picking_menu_outgoing",
            "oms_carriers.delivery_carrier_menu",
        ):
            self.assertEqual(self.env.ref(xmlid).parent_id.parent_id, root, xmlid)

    def test_oms_user_packs_and_reads_carriers(self):
        self.assertTrue(self.oms_user.has_group("stock.group_tracking_lot"))
        self.assertTrue(self.env["delivery.carrier"].with_user(self.oms_user).has_access("read"))
        self.assertFalse(self.env["delivery.carrier"].with_user(self.oms_user).has_access("write"))
