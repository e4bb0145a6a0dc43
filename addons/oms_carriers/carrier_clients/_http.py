"""The carriers' side of oms_core's HTTP core: their retry policy and errors.

The core (``oms_core/http_core``) sends, retries, renews tokens, types errors and
logs. A carrier call is tried again on connection errors, 429 and 5xx only when it
is safe to repeat (an idempotent method, a quote or a lookup the client declares
idempotent, a call with an idempotency key); a 401 may be cured once by a new
token (``_renew_auth``) without using up an attempt.
"""

try:
    from ...oms_core import http_core
except ImportError:  # imported on its own by the unit tests (addons/ on sys.path)
    from oms_core import http_core

from .errors import CARRIER_ERRORS, CarrierError

DEFAULT_TIMEOUT = http_core.DEFAULT_TIMEOUT
RetryPolicy = http_core.RetryPolicy  # the core's defaults are the carriers'
excerpt = http_core.excerpt
new_session = http_core.new_session
RemoteClient = http_core.RemoteClient
NO_RETRY = RetryPolicy(max_attempts=1)


class HttpClient(http_core.HttpClient):
    """Base of the REST carrier clients."""

    system = "carrier"
    errors = CARRIER_ERRORS


def call_with_retries(call, policy, sleep, rng):
    """``call()`` (raising carrier errors), tried again as ``policy`` allows."""
    return http_core.call_with_retries(call, policy, sleep, rng, CARRIER_ERRORS)


__all__ = [
    "DEFAULT_TIMEOUT",
    "NO_RETRY",
    "CarrierError",
    "HttpClient",
    "RemoteClient",
    "RetryPolicy",
    "call_with_retries",
    "excerpt",
    "new_session",
]
