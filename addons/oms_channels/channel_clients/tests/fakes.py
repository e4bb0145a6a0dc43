"""Fakes the client tests share: a clock that the clients' ``sleep`` moves forward."""

import threading

from tests.simulators.base import Response, route
from tests.simulators.shopify import ChannelSimulator


class FakeClock:
    """Time that passes only when someone sleeps; the simulators read it too."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def slept(self):
        return sum(self.sleeps)


class WebhookReceiver(ChannelSimulator):
    """Stands for the Odoo webhook endpoint: keeps what was posted, answers 200."""

    def __init__(self):
        super().__init__()
        self.delivered = threading.Event()

    @route("POST", r"/oms/channels/(?P<channel_id>\d+)/webhook")
    def webhook(self, request, channel_id):
        self.delivered.set()
        return Response(200, {"ok": True})
