from .common import OmsCoreCase


class TestOmsCoreSecurity(OmsCoreCase):
    def _visible_menu_xmlids(self, user):
        """The OMS menus the web client shows to ``user``: visible ones whose
        parents up to the app's root are visible too."""
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        root = self.env.ref("oms_core.oms_menu_root")
        shown = self.env["ir.ui.menu"]
        todo = root if root.id in visible else shown
        while todo:
            shown |= todo
            todo = todo.child_id.filtered(lambda menu: menu.id in visible)
        return set(shown.get_external_id().values())

    def test_manager_implies_user(self):
        self.assertTrue(self.oms_manager.has_group("oms_core.group_oms_user"))
        self.assertFalse(self.oms_user.has_group("oms_core.group_oms_manager"))

    def test_oms_user_works_sales_and_stock(self):
        self.assertTrue(self.oms_user.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertTrue(self.oms_user.has_group("stock.group_stock_user"))

    def test_admin_is_oms_manager(self):
        self.assertTrue(self.env.ref("base.user_admin").has_group("oms_core.group_oms_manager"))

    def test_user_sees_orders_not_configuration(self):
        visible = self._visible_menu_xmlids(self.oms_user)
        self.assertIn("oms_core.sale_order_menu", visible)
        self.assertNotIn("oms_core.oms_channel_menu", visible)

    def test_manager_sees_configuration(self):
        visible = self._visible_menu_xmlids(self.oms_manager)
        self.assertIn("oms_core.oms_channel_menu", visible)

    def test_employee_without_oms_group_sees_no_app(self):
        employee = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "clerk",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        self.assertFalse(self._visible_menu_xmlids(employee))
