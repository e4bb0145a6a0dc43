"""The channels' side of oms_core's HTTP core: their retry policy, their errors,
their page guard.

The core (``oms_core/http_core``) sends, retries, renews tokens, types errors and
logs. Here the channels say how: a 429 is waited out on any call (the channel
refused it before doing anything), up to ``max_throttle_waits`` times, without
using up an attempt; connection errors and 5xx are tried again only on calls safe
to repeat, up to ``max_attempts``. A 401 or 403 may be cured by new credentials
(``_should_retry_auth``, twice at most, each using up an attempt).
"""

import json
from dataclasses import dataclass, field

try:
    from ...oms_core import http_core
except ImportError:  # imported on its own by the unit tests (addons/ on sys.path)
    from oms_core import http_core

from .errors import (
    CHANNEL_ERRORS,
    ChannelAuthError,
    ChannelError,
    ChannelPaginationError,
    ChannelValidationError,
)

# Pages one walk may read (orders of a pull, items of an order, a catalogue):
# far above a real shop's (1,000 pages of 100-250 orders), low enough to stop a loop.
MAX_PAGES = 1000
DEFAULT_TIMEOUT = http_core.DEFAULT_TIMEOUT
parse_retry_after = http_core.parse_retry_after

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_PAGES",
    "AccessToken",
    "HttpClient",
    "PageGuard",
    "RefreshTokenClient",
    "RetryPolicy",
    "ensure",
    "parse_retry_after",
]


@dataclass(frozen=True)
class RetryPolicy(http_core.RetryPolicy):
    max_throttle_waits: int | None = 10  # 429s waited out before giving up
    backoff_max: float = 30.0
    max_retry_after: float = 300.0
    auth_statuses: frozenset = field(default=frozenset({401, 403}))
    max_auth_renewals: int = 2
    renewal_uses_attempt: bool = True


class HttpClient(http_core.HttpClient):
    """Base of the channel clients."""

    system = "channel"
    errors = CHANNEL_ERRORS
    retry_policy = RetryPolicy
    log_system = False
    max_pages = MAX_PAGES  # per walk over pages (PageGuard)

    def _pages(self, what):
        """A :class:`PageGuard` for one walk over ``what`` (orders, items...)."""
        return PageGuard(self.system, what, self.max_pages)

    # --- hooks for the subclasses ------------------------------------------------
    def _should_retry_auth(self, response, attempt):
        """Whether an auth error may be cured by new credentials (a token refresh)."""
        return False

    def _retry_auth(self, response, attempt):
        return self._should_retry_auth(response, attempt)

    def _error_message(self, response):
        """The channel's own words from an error answer."""
        data = _json_or_none(response.body)
        if isinstance(data, dict):
            for key in ("message", "errors", "error_description", "error"):
                if data.get(key):
                    return str(data[key])
        return ""

    def _error_details(self, response):
        return self._error_message(response), None, ()

    def _error(self, response):
        return self.error(response)


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # on the client's clock


class RefreshTokenClient(HttpClient):
    """Base of the channel clients whose calls carry an OAuth access token that a
    long-lived refresh token buys (Login with Amazon, eBay): kept until a minute
    before it expires, counted in ``token_refreshes``. The token call is safe to
    repeat (a new token each time, nothing else changes); a refusal of the
    refresh token (400: invalid_grant, invalid_client...) is an auth error. A
    subclass says where and how the token is asked for (:meth:`_token_request`)
    and drops ``_token`` when a call says it expired."""

    token_issuer = "The channel"  # who refuses the refresh token, in messages
    token_lifetime = 3600  # seconds, when the answer does not say
    _token = None
    token_refreshes = 0

    def _token_request(self):
        """The keywords of the token call (``path``, ``data``, ``headers``)."""
        raise NotImplementedError

    def access_token(self):
        if self._token is None or self.clock() >= self._token.expires_at - 60:
            self._token = self._fetch_token()
        return self._token.value

    def _fetch_token(self):
        try:
            response = self.request(
                "POST", idempotent=True, authenticate=False, **self._token_request()
            )
        except ChannelValidationError as error:
            raise ChannelAuthError(
                f"{self.token_issuer} refused the refresh token: {error.message}",
                status=error.status,
                request_id=error.request_id,
                body_excerpt=error.body_excerpt,
            ) from error
        data = response.json() or {}
        ensure(data.get("access_token"), f"{self.token_issuer} answered without a token", response)
        self.token_refreshes += 1
        lifetime = float(data.get("expires_in", self.token_lifetime))
        return AccessToken(data["access_token"], self.clock() + lifetime)


def _json_or_none(body):
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def ensure(condition, message, response=None):
    """Raise a :class:`ChannelError` when an answer does not have the expected shape."""
    http_core.ensure(condition, message, response, ChannelError)


class PageGuard:
    """Stops a walk over a channel's pages that would never end.

    ``follow(token)`` is called with each next-page token (cursor, page number or
    anything hashable that names the page) before it is read. It raises
    :class:`ChannelPaginationError` when the token was followed before in the
    same walk (the channel sends the same page again and again) or when more than
    ``limit`` pages would be read (the channel keeps inventing pages). The caller
    stops there; the pull keeps its cursor where it was.
    """

    def __init__(self, system, what, limit=MAX_PAGES):
        self.system = system
        self.what = what
        self.limit = limit
        self.pages = 1  # the first page is read without a token
        self._seen = set()

    def follow(self, token):
        if token in self._seen:
            raise ChannelPaginationError(
                f"{self.system} sent the same next page of {self.what} twice "
                f"({_short(token)}) after {self.pages} pages: the pull stops instead of looping"
            )
        if self.pages >= self.limit:
            raise ChannelPaginationError(
                f"{self.system} still had more pages of {self.what} after {self.limit} pages: "
                "the pull stops instead of reading on (a later import date, or a later "
                "cursor, makes the walk shorter)"
            )
        self._seen.add(token)
        self.pages += 1
        return token


def _short(token):
    text = str(token)
    return text if len(text) <= 40 else f"{text[:37]}..."
