"""oms_returns 18.0.3.0.0's pre-migration: a database from before the bridge keeps
its store credit. Its fields, values and foreign key, recorded as oms_returns'
before, become the bridge's (so the update's clean-up of oms_returns deletes none
of them), and the bridge is marked to be installed in the same update."""

from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

SCRIPT = "oms_returns/migrations/18.0.3.0.0/pre-migration.py"


@tagged("post_install", "-at_install")
class TestStoreCreditMigration(TransactionCase):
    def owners(self, names):
        self.env.cr.execute(
            "SELECT name, module FROM ir_model_data WHERE name IN %s AND model LIKE 'ir.model.%%'",
            [tuple(names)],
        )
        return dict(self.env.cr.fetchall())

    def constraint_owner(self):
        self.env.cr.execute(
            """SELECT m.name FROM ir_model_constraint c JOIN ir_module_module m ON m.id = c.module
               WHERE c.name = 'oms_return_loyalty_card_id_fkey'"""
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_store_credit_stays_through_the_update(self):
        script = load_script(file_path(SCRIPT), "oms_returns_pre_migration_18_0_3_0_0")
        names = script.MOVED_XMLIDS
        bridge = self.env["ir.module.module"]._get("oms_returns_loyalty")
        returns = self.env["ir.module.module"]._get("oms_returns")
        self.assertNotIn("sale_loyalty", returns.dependencies_id.mapped("name"))
        self.assertEqual(self.owners(names), dict.fromkeys(names, "oms_returns_loyalty"))
        self.assertEqual(
            self.env["ir.model.fields"]._get("oms.return", "loyalty_card_id").modules,
            "oms_returns_loyalty",
        )
        # A database of oms_returns 18.0.2: all of it oms_returns', no bridge yet.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_model_data SET module = 'oms_returns' WHERE module = %s AND name IN %s",
            [bridge.name, tuple(names)],
        )
        self.env.cr.execute(
            """UPDATE ir_model_constraint SET module = (SELECT id FROM ir_module_module
                                                       WHERE name = 'oms_returns')
               WHERE name = 'oms_return_loyalty_card_id_fkey'"""
        )
        self.env.cr.execute(
            "UPDATE ir_module_module SET state = 'uninstalled' WHERE id = %s", [bridge.id]
        )
        self.assertEqual(self.owners(names), dict.fromkeys(names, "oms_returns"))
        self.assertEqual(self.constraint_owner(), ["oms_returns"])

        self.assertCountEqual(script.move_to_bridge(self.env.cr), names)
        self.assertTrue(script.install_bridge(self.env.cr))

        self.assertEqual(self.owners(names), dict.fromkeys(names, "oms_returns_loyalty"))
        self.assertEqual(self.constraint_owner(), ["oms_returns_loyalty"])
        bridge.invalidate_recordset(["state"])
        self.assertEqual(bridge.state, "to install")
        # Run again: nothing left to move or mark.
        self.assertEqual(script.move_to_bridge(self.env.cr), [])
        self.assertFalse(script.install_bridge(self.env.cr))
