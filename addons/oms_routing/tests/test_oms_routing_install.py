from odoo.tests import TransactionCase, new_test_user


class TestOmsRoutingInstall(TransactionCase):
    def test_routing_menu_hangs_under_order_management(self):
        menu = self.env.ref("oms_routing.stock_warehouse_menu")
        self.assertEqual(menu.parent_id.parent_id, self.env.ref("oms_core.oms_menu_root"))

    def test_oms_users_work_with_several_warehouses(self):
        user = new_test_user(self.env, login="rt_user", groups="oms_core.group_oms_user")
        self.assertTrue(user.has_group("stock.group_stock_multi_warehouses"))
        self.assertTrue(user.has_group("stock.group_stock_multi_locations"))

    def test_dropship_route_is_available(self):
        self.assertTrue(self.env.ref("stock_dropshipping.route_drop_shipping").active)
