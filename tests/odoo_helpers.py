"""What Odoo test cases of the project share (imported only under Odoo)."""

from urllib.parse import urlsplit

from odoo.tests.common import _super_send


class LocalSimulatorsMixin:
    """Let calls to the local simulators through Odoo's test guard, as sent.

    The guard refuses outgoing HTTP in tests and compares the timeout with a
    number; the project's clients give (connect, read) pairs. Calls to 127.0.0.1
    (the simulators, and Odoo's own test server) go through unchanged.
    """

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        if urlsplit(request.url).hostname == "127.0.0.1":
            return _super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)
