from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOmsCoreUi(HttpCase):
    """Real browser (headless Chromium) walks through the backend and the portal."""

    def test_oms_user_opens_order_management(self):
        new_test_user(self.env, login="oms_tour_user", groups="oms_core.group_oms_user")
        partner = self.env["res.partner"].create({"name": "Tour Customer"})
        self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": self._product().id, "product_uom_qty": 1})],
            }
        ).action_confirm()
        self.start_tour("/odoo", "oms_core_open_order_management", login="oms_tour_user")

    def test_portal_user_opens_portal_home(self):
        new_test_user(self.env, login="oms_tour_portal", groups="base.group_portal")
        self.start_tour("/my", "oms_core_portal_home", login="oms_tour_portal")

    def _product(self):
        return self.env["product.product"].create({"name": "Tour product", "list_price": 10.0})
