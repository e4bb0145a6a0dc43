from odoo.tests import TransactionCase, new_test_user
from odoo.tools.safe_eval import safe_eval


class TestOmsReturnsInstall(TransactionCase):
    def test_returns_menu_hangs_under_order_management(self):
        root = self.env.ref("oms_core.oms_menu_root")
        for xmlid in (
            "oms_returns.stock_picking_menu_returns",
            "oms_returns.account_move_menu_refunds",
        ):
            self.assertEqual(self.env.ref(xmlid).parent_id.parent_id, root, xmlid)

    def test_oms_manager_issues_credit_notes(self):
        manager = new_test_user(self.env, login="rt_manager", groups="oms_core.group_oms_manager")
        self.assertTrue(manager.has_group("account.group_account_invoice"))
        self.assertTrue(self.env["account.move"].with_user(manager).has_access("create"))

    def test_return_receipts_lists_only_returns(self):
        warehouse = self.env.ref("stock.warehouse0")
        partner = self.env["res.partner"].create({"name": "Returning customer"})
        product = self.env["product.product"].create({"name": "Mug", "is_storable": True})
        delivery = self.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": warehouse.out_type_id.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Mug",
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        },
                    ),
                ],
            }
        )
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1)
        delivery.action_confirm()
        delivery.action_assign()
        delivery.move_ids.quantity = 1
        delivery.button_validate()
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        receipt = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        action = self.env.ref("oms_returns.stock_picking_action_returns")
        found = self.env["stock.picking"].search(safe_eval(action.domain))
        self.assertEqual(found, receipt)
