from odoo.tests import TransactionCase, new_test_user


class TestOmsChannelsInstall(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.oms_user = new_test_user(cls.env, login="ch_user", groups="oms_core.group_oms_user")
        cls.oms_manager = new_test_user(
            cls.env, login="ch_manager", groups="oms_core.group_oms_manager"
        )

    def test_integration_menu_hangs_under_order_management(self):
        menu = self.env.ref("oms_channels.queue_job_menu")
        self.assertEqual(menu.parent_id.parent_id, self.env.ref("oms_core.oms_menu_root"))
        self.assertEqual(menu.action, self.env.ref("queue_job.action_queue_job"))

    def test_oms_manager_manages_background_jobs(self):
        self.assertTrue(self.oms_manager.has_group("queue_job.group_queue_job_manager"))
        self.assertFalse(self.oms_user.has_group("queue_job.group_queue_job_manager"))

    def test_oms_user_reads_background_jobs(self):
        jobs = self.env["queue.job"].with_user(self.oms_user)
        self.assertTrue(jobs.has_access("read"))
        self.assertFalse(jobs.has_access("write"))
