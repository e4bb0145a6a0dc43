from odoo.tests import TransactionCase, new_test_user


class OmsCoreCase(TransactionCase):
    """Base of the OMS tests: its own users and data, no demo data, no tracking."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.oms_user = new_test_user(
            cls.env, login="oms_user", groups="oms_core.group_oms_user", name="OMS User"
        )
        cls.oms_manager = new_test_user(
            cls.env, login="oms_manager", groups="oms_core.group_oms_manager", name="OMS Manager"
        )
