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


@tagged("post_install", "-at_install")
class TestOmsHoldTour(HttpCase):
    def test_oms_user_releases_a_hold_in_the_browser(self):
        team = self.env["crm.team"].create({"name": "Fraud desk"})
        user = new_test_user(self.env, login="oms_tour_desk", groups="oms_core.group_oms_user")
        team.member_ids = user
        self.env.ref("oms_core.oms_hold_rule_fraud").team_id = team
        partner = self.env["res.partner"].create(
            {
                "name": "Risky Buyer",
                "street": "Main St 1",
                "city": "Springfield",
                "zip": "1000",
                "country_id": self.env.ref("base.be").id,
            }
        )
        product = self.env["product.product"].create({"name": "Lamp", "is_storable": True})
        order = self.env["sale.order"].create(
            {
                "name": "OMS-TOUR-1",
                "partner_id": partner.id,
                "oms_fraud_score": 90,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        self.assertEqual(order.oms_stage, "on_hold")
        self.start_tour("/odoo/oms-holds", "oms_core_release_hold", login="oms_tour_desk")
        order.invalidate_recordset()
        self.assertEqual(order.oms_stage, "routed")
        hold = order.oms_hold_ids
        self.assertEqual(hold.state, "overridden")
        self.assertEqual(hold.release_note, "Customer called back, order is genuine")
        self.assertEqual(hold.released_by_id.login, "oms_tour_desk")


@tagged("post_install", "-at_install")
class TestIntegrationHealthTour(HttpCase):
    def test_manager_opens_the_failed_jobs_from_the_dashboard(self):
        new_test_user(self.env, login="oms_tour_manager", groups="oms_core.group_oms_manager")
        self.env["queue.job"].search([("state", "=", "failed")]).unlink()
        channel = self.env["oms.channel"].create({"name": "Health tour shop"})
        channel.with_delay().action_archive().db_record().write({"state": "failed"})
        self.start_tour("/odoo/oms-health", "oms_core_integration_health", login="oms_tour_manager")
