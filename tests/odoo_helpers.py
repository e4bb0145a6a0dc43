"""What Odoo test cases of the project share (imported only under Odoo)."""

from urllib.parse import urlsplit

from odoo import SUPERUSER_ID, api
from odoo.tests.common import _super_send


class CommittedEnvMixin:
    """For tests that run real transactions (several workers at once): ``with
    self._env() as env:`` gives a superuser environment on a cursor of its own
    from ``self.registry``, committed when the block ends without an error,
    rolled back otherwise, and closed. Such tests remove what they made."""

    def _env(self):
        return _CommittedEnv(self.registry)


class _CommittedEnv:
    def __init__(self, registry):
        self.registry = registry

    def __enter__(self):
        self.cr = self.registry.cursor()
        return api.Environment(
            self.cr, SUPERUSER_ID, {"tracking_disable": True, "oms_no_mail": True}
        )

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.cr.commit()
        self.cr.close()


class LocalSimulatorsMixin:
    """Let calls to the local simulators through Odoo's test guard, as sent.

    The guard refuses outgoing HTTP in tests and compares the timeout with a
    number; the project's clients give (connect, read) pairs. Calls to 127.0.0.1
    (the simulators, and Odoo's own test server) go through unchanged.

    A transaction case also puts the registry in test mode, as Odoo does for its
    HTTP cases: what the code keeps on cursors of its own before a remote call
    stays inside the test's transaction instead of being committed to the test
    database (the carrier shipment recorded before a label is bought, the refund attempt
    recorded before a payment provider is asked to refund).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cr = getattr(cls, "cr", None)
        # An HTTP case enters test mode itself, after its bases' set-up.
        if (
            cr is not None
            and cls.registry.test_cr is None
            and not getattr(cls, "registry_test_mode", False)
        ):
            cls.registry.enter_test_mode(cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        if urlsplit(request.url).hostname == "127.0.0.1":
            return _super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)
