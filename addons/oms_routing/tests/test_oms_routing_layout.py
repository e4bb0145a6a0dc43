from pathlib import Path

from odoo.tests import TransactionCase

from odoo.addons.oms_core.tests.layout import layout_problems


class TestOmsRoutingLayout(TransactionCase):
    def test_one_model_per_file(self):
        """Decisions, candidates, allocations, sources, their rates and the
        backtest's lines each in their own file, named after the model."""
        self.assertEqual(layout_problems(Path(__file__).parents[1]), [])
