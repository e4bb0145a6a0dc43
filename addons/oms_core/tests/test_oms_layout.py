from pathlib import Path

from odoo.tests import TransactionCase

from .layout import layout_problems


class TestOmsCoreLayout(TransactionCase):
    def test_one_model_per_file_and_no_orm_internals(self):
        """One model or inherit per file, named after it and under 500 lines (the
        order's concerns each in their sale_order_<concern>.py); the stage
        timeline rides on the stage's compute, not on an ORM internal."""
        self.assertEqual(layout_problems(Path(__file__).parents[1]), [])
