"""Typed errors of the carrier clients: oms_core's HTTP core kinds under the
carriers' names.

Every error carries the HTTP status (None when no answer came), the carrier's
request id, the carrier's own error code and field errors when it gave them, and
an excerpt of the answer's body, so that a user or a log reader can follow it up
with the carrier. ``transient`` tells the job system whether trying again later
may help.
"""

try:
    from ...oms_core import http_core
except ImportError:  # imported on its own by the unit tests (addons/ on sys.path)
    from oms_core import http_core

core = http_core.errors


class CarrierError(core.RemoteError):
    pass


class CarrierConnectionError(CarrierError, core.RemoteConnectionError):
    """No answer: refused, reset, DNS, TLS or timeout."""


class CarrierAuthError(CarrierError, core.RemoteAuthError):
    """401 / 403: wrong, expired or insufficient credentials."""


class CarrierRateLimitError(CarrierError, core.RemoteRateLimitError):
    """429 that kept coming after the waits the client allows itself (or may not retry)."""


class CarrierValidationError(CarrierError, core.RemoteValidationError):
    """400 / 409 / 422 or a refused item: the carrier refused what was sent."""


class CarrierNotFoundError(CarrierError, core.RemoteNotFoundError):
    """404: no such shipment, tracking number..."""


class CarrierServerError(CarrierError, core.RemoteServerError):
    """5xx (or a SOAP server fault) after the retries."""


class CarrierResponseError(CarrierError, core.RemoteResponseError):
    """A 2xx answer whose content does not have the documented shape."""


CARRIER_ERRORS = core.ErrorKinds.of(CarrierError)
