"""Jobs run as whoever asked for them: what a person's click queues must still
finish when that person may not write what the job writes (the inbox, the
channel's secrets). queue_job keeps the asker as the job's user and whether it
ran as superuser: the work a click hands to the channels is queued as
superuser, on the asker's behalf."""

from odoo.tests import new_test_user

from odoo.addons.queue_job.tests.common import trap_jobs

from tests.simulators.shopify import generate_orders

from .test_oms_channel_push import ChannelFlowCase


class TestJobsQueuedByPeople(ChannelFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="jobs_channel_manager", groups="oms_core.group_oms_manager"
        )
        cls.storekeeper = new_test_user(
            cls.env,
            login="jobs_storekeeper",
            groups="oms_core.group_oms_user,stock.group_stock_user",
        )

    def setUp(self):
        super().setUp()
        self.channel = self.shopify_channel()

    def test_a_managers_pull_now_imports_what_it_pulled(self):
        self.sim.add_orders(generate_orders(2, seed=31, start_id=8800000))
        with trap_jobs() as trap:
            self.channel.with_user(self.manager).action_pull_orders()
            trap.perform_enqueued_jobs()
        inbox = self.env["oms.channel.inbox"].search([("channel_id", "=", self.channel.id)])
        self.assertEqual(len(inbox), 2)
        self.assertEqual(set(inbox.mapped("state")), {"done"}, inbox.mapped("error_message"))
        self.assertEqual(
            self.env["sale.order"].search_count([("oms_channel_id", "=", self.channel.id)]), 2
        )

    def test_a_storekeepers_delivery_is_told_to_the_channel(self):
        self.stock_everything(10)
        self.sim.add_orders(generate_orders(1, seed=32, start_id=8810000))
        (order,) = self._import_all(self.channel)
        self._release(order)
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            picking.with_user(self.storekeeper).with_context(cancel_backorder=False)._action_done()
            trap.perform_enqueued_jobs()
        self.assertEqual(picking.oms_channel_push_state, "done", picking.oms_channel_push_error)
        self.assertEqual(len(self.sim.fulfillments), 1)
