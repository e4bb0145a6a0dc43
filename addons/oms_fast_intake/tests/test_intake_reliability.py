"""The webhook intake under concurrent deliveries, with real transactions (see
oms_channels' test_oms_channel_reliability)."""

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

from odoo.tests.common import get_db_name, tagged
from odoo.tools import config

from odoo.addons.oms_channels.tests.test_oms_channel_reliability import ReliabilityCase
from odoo.addons.oms_fast_intake import intake

from tests.simulators.shopify import generate_orders

from .common import intake_answers


@tagged("post_install", "-at_install")
class TestIntakeReliability(ReliabilityCase):
    def test_webhook_intake_stores_on_its_own_connections(self):
        orders = generate_orders(9, seed=35, lines=1)
        bodies = [json.dumps(order).encode() for order in orders]
        with intake_answers() as answered:
            first = self._post(bodies[0])
            with ThreadPoolExecutor(max_workers=8) as pool:
                others = list(pool.map(self._post, bodies[1:]))
        self.assertEqual([r.status_code for r in [first, *others]], [200] * 9)
        self.assertEqual(answered, [True] * 9, "the intake answered every delivery")
        self.assertTrue(intake._pools[get_db_name()]._idle, "on connections of its own")
        inbox_ids, jobs = self._counts()
        self.assertEqual(len(inbox_ids), 9)
        self.assertEqual(sorted(r.json()["inbox_id"] for r in [first, *others]), sorted(inbox_ids))
        self.assertEqual(jobs, 1, "queued by the first delivery, joined by the others")
        self.assertEqual(self._process_all(), sorted(str(order["id"]) for order in orders))

    def test_beyond_the_intake_cap_a_delivery_takes_odoos_route(self):
        first, second, third = (
            json.dumps(o).encode() for o in generate_orders(3, seed=36, lines=1)
        )
        pool = intake.pool_for(self.registry)
        with intake_answers() as answered:
            responses = [self._post(first)]
            with patch.object(intake, "POOL_WAIT", 0.05), contextlib.ExitStack() as busy:
                for _slot in range(pool.size):
                    busy.enter_context(pool.cursor())  # every intake connection busy
                responses.append(self._post(second))
            with patch.dict(config.options, {"oms_intake_max_connections": 0}):
                responses.append(self._post(third))  # the intake turned off
        self.assertEqual([r.status_code for r in responses], [200, 200, 200])
        self.assertEqual(answered, [True, False, False], "the second and third by Odoo's route")
        inbox_ids, _jobs = self._counts()
        self.assertEqual(sorted(inbox_ids), sorted(r.json()["inbox_id"] for r in responses))
