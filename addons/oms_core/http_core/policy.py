"""The retry policy of a remote system, as data.

One frozen :class:`RetryPolicy` says which calls are tried again, on which
answers, how often and how long the client waits in between. A system gives its
own defaults by subclassing it (``ChannelRetryPolicy``...); a client takes one
as ``retry=`` so that a test or a setting can change it.
"""

import contextlib
import email.utils
import time
from dataclasses import dataclass, field

# (connect, read) seconds on every call
DEFAULT_TIMEOUT = (5.0, 30.0)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# 429 and every 5xx: the system did not do it, or may not have
RETRY_STATUSES = frozenset({429, *range(500, 600)})


@dataclass(frozen=True)
class RetryPolicy:
    # connection errors and ``retry_statuses``, first try included
    max_attempts: int = 4
    # the answers tried again (on calls that are safe to repeat)
    retry_statuses: frozenset = RETRY_STATUSES
    # the methods safe to repeat; a call may also say it is idempotent or carry an
    # idempotency key
    idempotent_methods: frozenset = IDEMPOTENT_METHODS
    # None: a 429 is one more retry status. A number: a 429 is waited out on any
    # call, POSTs included (the system refused it before doing anything), that many
    # times at most, and does not use up an attempt.
    max_throttle_waits: int | None = None
    backoff_base: float = 0.5  # seconds, doubled each attempt
    backoff_max: float = 20.0
    # a longer Retry-After is left to the job system
    max_retry_after: float = 120.0
    # +/- fraction of each backoff; a Retry-After is never waited less, up to this more
    jitter: float = 0.25
    # the answers after which the client may renew its credentials (a token) and
    # send the call again, how many times in one call, and whether a renewal uses
    # up an attempt
    auth_statuses: frozenset = field(default=frozenset({401}))
    max_auth_renewals: int = 1
    renewal_uses_attempt: bool = False

    def may_repeat(self, method, idempotent=None, idempotency_key=None):
        """Whether a call may be sent again after a connection error or a retry status."""
        if idempotent is None:
            idempotent = method.upper() in self.idempotent_methods
        return bool(idempotent or idempotency_key)

    def backoff(self, attempt, rng):
        """Seconds before attempt ``attempt + 1`` when the system did not say."""
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return self.jittered(delay, rng)

    def jittered(self, delay, rng):
        return max(0.0, delay * (1 + self.jitter * (2 * rng.random() - 1)))

    def after(self, retry_after, rng):
        """Seconds to wait for a ``Retry-After``: never earlier than asked, a little
        later so that callers spread out."""
        return retry_after * (1 + self.jitter * rng.random())

    def wait(self, attempt, retry_after, rng):
        """Seconds to wait before attempt ``attempt + 1``."""
        if retry_after is not None:
            return self.after(retry_after, rng)
        return self.backoff(attempt, rng)


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(value):
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
