"""Fakes the client tests share."""

import socket

from tests.simulators.base import Response, Simulator, route


class FakeSleep:
    """Records the waits instead of sleeping them."""

    def __init__(self):
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)


class WebhookReceiver(Simulator):
    """Stands for the Odoo webhook endpoint: keeps what was posted, answers 200."""

    @route("POST", r"/oms/carriers/(?P<carrier_id>\d+)/webhook")
    def webhook(self, request, carrier_id):
        return Response(200, {"ok": True})


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
