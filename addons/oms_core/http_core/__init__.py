"""The HTTP core of the OMS's API clients (pure Python: it never imports ``odoo``).

oms_channels' ``channel_clients`` and oms_carriers' ``carrier_clients`` build on
it: one session factory, the retry policy as data, typed errors per kind of
failure that each system names its own way. And the other way (``inbound``):
what every webhook route checks before it reads a body.
"""

from .errors import (
    REMOTE_ERRORS,
    ErrorKinds,
    RemoteAuthError,
    RemoteConnectionError,
    RemoteError,
    RemoteNotFoundError,
    RemoteRateLimitError,
    RemoteResponseError,
    RemoteServerError,
    RemoteValidationError,
)
from .policy import (
    DEFAULT_TIMEOUT,
    IDEMPOTENT_METHODS,
    NO_RETRY,
    RETRY_STATUSES,
    RetryPolicy,
    parse_retry_after,
)
from .inbound import WEBHOOK_ROUTE, refusal
from .client import (
    EXCERPT,
    HttpClient,
    HttpResponse,
    RemoteClient,
    call_with_retries,
    ensure,
    excerpt,
    new_session,
    path_of,
)
