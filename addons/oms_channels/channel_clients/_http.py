"""The HTTP layer every channel client shares: timeouts, retries, errors, logging.

:class:`HttpClient` sends one request and, depending on :class:`RetryPolicy`,
tries again on connection errors, 429 and 5xx:

- a 429 is tried again on any call (the channel refused it before doing anything),
  waiting ``Retry-After`` when given, up to ``max_throttle_waits`` times;
- connection errors and 5xx are tried again only on idempotent calls (GET, PUT,
  DELETE, calls the client declares idempotent, calls with an idempotency key),
  up to ``max_attempts`` attempts, with exponential backoff and jitter.

Subclasses name their system and say how to read the request id and the error
message of their channel's answers. Nothing here logs credentials: the log line
has the method, the path without query string, the status, the duration and the
request id.
"""

import email.utils
import json as jsonlib
import logging
import random
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

from .errors import (
    ChannelAuthError,
    ChannelConnectionError,
    ChannelError,
    ChannelNotFoundError,
    ChannelPaginationError,
    ChannelRateLimitError,
    ChannelServerError,
    ChannelValidationError,
)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
# Pages one walk may read (orders of a pull, items of an order, a catalogue):
# far above a real shop's (1,000 pages of 100-250 orders), low enough to stop a loop.
MAX_PAGES = 1000
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_EXCERPT = 500


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # connection errors and 5xx, first try included
    max_throttle_waits: int = 10  # 429s waited out before giving up
    backoff_base: float = 0.5  # seconds, doubled each attempt
    backoff_max: float = 30.0
    max_retry_after: float = 300.0  # a longer Retry-After is left to the job system
    jitter: float = 0.25  # +/- fraction of each wait

    def backoff(self, attempt, rng):
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return self.jittered(delay, rng)

    def jittered(self, delay, rng):
        return max(0.0, delay * (1 + self.jitter * (2 * rng.random() - 1)))


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    request_id: str | None
    duration: float

    def json(self):
        return jsonlib.loads(self.body) if self.body else None


def parse_retry_after(value):
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


class HttpClient:
    """Base of the channel clients."""

    system = "channel"
    request_id_headers = ("X-Request-Id",)
    max_pages = MAX_PAGES  # per walk over pages (PageGuard)

    def __init__(
        self,
        base_url,
        session=None,
        timeout=DEFAULT_TIMEOUT,
        retry=None,
        sleep=time.sleep,
        rng=None,
        clock=time.monotonic,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.session = session or requests.Session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.logger = logging.getLogger(type(self).__module__)

    def _pages(self, what):
        """A :class:`PageGuard` for one walk over ``what`` (orders, items...)."""
        return PageGuard(self.system, what, self.max_pages)

    # --- hooks for the subclasses ------------------------------------------------
    def _prepare(self, headers):
        """Add authentication and the like to the headers of each attempt."""

    def _after_response(self, response):
        """Look at every answer (rate-limit headers...)."""

    def _throttle_wait(self, response):
        """Seconds to wait after a 429 without ``Retry-After``."""
        return None

    def _error_message(self, response):
        """The channel's own words from an error answer."""
        data = _json_or_none(response.body)
        if isinstance(data, dict):
            for key in ("message", "errors", "error_description", "error"):
                if data.get(key):
                    return str(data[key])
        return ""

    # --- the request ---------------------------------------------------------------
    def url(self, path):
        if urlsplit(path).scheme:
            return path
        return urljoin(self.base_url, path.lstrip("/"))

    def request(
        self,
        method,
        path,
        params=None,
        json=None,
        data=None,
        headers=None,
        idempotent=None,
        idempotency_key=None,
        authenticate=True,
    ):
        """Send the request, retrying as the policy allows; return an :class:`HttpResponse`.

        Any answer that is not 2xx raises a :class:`ChannelError` subclass.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        retryable = idempotent or bool(idempotency_key)
        attempt = throttled = 0
        while True:
            attempt += 1
            call_headers = dict(headers or {})
            if idempotency_key:
                call_headers["Idempotency-Key"] = idempotency_key
            if authenticate:
                self._prepare(call_headers)
            try:
                response = self._send(method, path, params, json, data, call_headers)
            except ChannelConnectionError:
                if not retryable or attempt >= self.retry.max_attempts:
                    raise
                self.sleep(self.retry.backoff(attempt, self.rng))
                continue
            self._after_response(response)
            if response.status < 400:
                return response
            error = self._error(response)
            if response.status == 429:
                throttled += 1
                attempt -= 1  # a throttled call does not use up a retry
                self.sleep(self._throttled_wait(method, path, response, error, throttled))
            elif self._should_retry_auth(response, attempt):
                continue
            elif (
                response.status >= 500
                and retryable
                and attempt < self.retry.max_attempts
                and (error.retry_after or 0) <= self.retry.max_retry_after
            ):
                wait = error.retry_after
                self.sleep(wait if wait is not None else self.retry.backoff(attempt, self.rng))
            else:
                raise error

    def _throttled_wait(self, method, path, response, error, throttled):
        """Seconds to wait after the ``throttled``-th 429 in a row, or raise ``error``."""
        wait = error.retry_after
        if wait is None:
            wait = self._throttle_wait(response)
        if wait is None:
            wait = self.retry.backoff(throttled, self.rng)
        else:  # never earlier than asked, a little later so that callers spread out
            wait *= 1 + self.retry.jitter * self.rng.random()
        if throttled > self.retry.max_throttle_waits or wait > self.retry.max_retry_after:
            raise error
        self.logger.info(
            "%s %s throttled by %s, waiting %.1f s", method, _path(path), self.system, wait
        )
        return wait

    def _should_retry_auth(self, response, attempt):
        """Whether an auth error may be cured by new credentials (a token refresh)."""
        return False

    def _send(self, method, path, params, json, data, headers):
        start = self.clock()
        url = self.url(path)
        try:
            raw = self.session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            duration = self.clock() - start
            self.logger.warning(
                "%s %s to %s failed after %.0f ms: %s",
                method,
                _path(path),
                self.system,
                duration * 1000,
                type(error).__name__,
            )
            raise ChannelConnectionError(
                f"{self.system} could not be reached ({type(error).__name__})"
            ) from error
        duration = self.clock() - start
        request_id = next(
            (raw.headers[name] for name in self.request_id_headers if raw.headers.get(name)), None
        )
        self.logger.info(
            "%s %s → %s in %.0f ms (request id %s)",
            method,
            _path(path),
            raw.status_code,
            duration * 1000,
            request_id or "-",
        )
        return HttpResponse(raw.status_code, raw.headers, raw.content, request_id, duration)

    def _error(self, response):
        status = response.status
        message = self._error_message(response)
        excerpt = response.body[:_EXCERPT].decode("utf-8", "replace")
        kind, text = _ERRORS.get(status, (None, None))
        if kind is None:
            if status >= 500:
                kind, text = ChannelServerError, "is failing"
            elif status >= 400:
                kind, text = ChannelValidationError, "refused the request"
            else:
                kind, text = ChannelError, "answered unexpectedly"
        return kind(
            f"{self.system} {text}" + (f": {message}" if message else ""),
            status=status,
            request_id=response.request_id,
            body_excerpt=excerpt,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )


_ERRORS = {
    401: (ChannelAuthError, "refused the credentials"),
    403: (ChannelAuthError, "denied access"),
    404: (ChannelNotFoundError, "has no such resource"),
    429: (ChannelRateLimitError, "is throttling the calls"),
}


def _path(path):
    return urlsplit(path).path


def _json_or_none(body):
    try:
        return jsonlib.loads(body) if body else None
    except ValueError:
        return None


def ensure(condition, message, response=None):
    """Raise a :class:`ChannelError` when an answer does not have the expected shape."""
    if not condition:
        raise ChannelError(
            message,
            status=response.status if response else None,
            request_id=response.request_id if response else None,
            body_excerpt=response.body[:_EXCERPT].decode("utf-8", "replace") if response else "",
        )


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
