"""The HTTP layer every REST carrier client shares: timeouts, retries, errors, logging.

:class:`HttpClient` sends one request and tries again, as :class:`RetryPolicy`
allows, on connection errors, 429 and 5xx, and only when the call is safe to
repeat: an idempotent method (GET, PUT, DELETE), a call the client declares
idempotent (a quote, a tracking lookup) or a call carrying an idempotency key.
A ``Retry-After`` header is honoured (never waited less, a little jitter more);
otherwise the wait is an exponential backoff with jitter. ``sleep``, ``clock`` and
``rng`` are injectable so that tests run in no time.

Subclasses name their system, say where the request id is and read the carrier's
error body. The log line has the method, the path without query string, the
status, the duration and the request id; never headers, bodies or credentials.
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
    CarrierAuthError,
    CarrierConnectionError,
    CarrierError,
    CarrierNotFoundError,
    CarrierRateLimitError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
EXCERPT = 500


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # first try included
    backoff_base: float = 0.5  # seconds, doubled each attempt
    backoff_max: float = 20.0
    max_retry_after: float = 120.0  # a longer Retry-After is left to the job system
    jitter: float = 0.25  # fraction of each wait

    def wait(self, attempt, retry_after, rng):
        """Seconds to wait before attempt ``attempt + 1``."""
        if retry_after is not None:
            return retry_after * (1 + self.jitter * rng.random())
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return max(0.0, delay * (1 + self.jitter * (2 * rng.random() - 1)))


NO_RETRY = RetryPolicy(max_attempts=1)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    request_id: str | None
    duration: float

    def json(self):
        try:
            return jsonlib.loads(self.body) if self.body else None
        except ValueError as error:
            raise CarrierResponseError(
                "the carrier answered with something that is not JSON",
                status=self.status,
                request_id=self.request_id,
                body_excerpt=excerpt(self.body),
            ) from error


def excerpt(body):
    if isinstance(body, str):
        return body[:EXCERPT]
    return (body or b"")[:EXCERPT].decode("utf-8", "replace")


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


_KINDS = {
    401: (CarrierAuthError, "refused the credentials"),
    403: (CarrierAuthError, "denied access"),
    404: (CarrierNotFoundError, "has no such resource"),
    429: (CarrierRateLimitError, "is throttling the calls"),
}


class HttpClient:
    """Base of the REST carrier clients."""

    system = "carrier"
    request_id_headers = ("X-Request-Id",)

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

    # --- hooks for the subclasses ------------------------------------------------
    def _prepare(self, headers):
        """Add authentication and the like to the headers of each attempt."""
        return headers

    def _renew_auth(self, response):
        """After a 401: return True when new credentials were obtained (once per call)."""
        return False

    def _read_error(self, data):
        """The carrier's (message, code, details) from a parsed error body."""
        return "", None, ()

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
        auth=None,
    ):
        """Send the request, retrying as the policy allows; return an :class:`HttpResponse`.

        Any answer that is not 2xx or 3xx raises a :class:`CarrierError` subclass.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        retryable = idempotent or bool(idempotency_key)
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            call_headers = dict(headers or {})
            if idempotency_key:
                call_headers["Idempotency-Key"] = idempotency_key
            if authenticate:
                call_headers = self._prepare(call_headers)
            try:
                response = self._send(method, path, params, json, data, call_headers, auth)
            except CarrierConnectionError:
                if not retryable or attempt >= self.retry.max_attempts:
                    raise
                self.sleep(self.retry.wait(attempt, None, self.rng))
                continue
            if response.status < 400:
                return response
            if response.status == 401 and authenticate and not renewed:
                renewed = True
                if self._renew_auth(response):
                    attempt -= 1  # a refreshed token does not use up a retry
                    continue
            error = self.error(response)
            transient = response.status == 429 or response.status >= 500
            if (
                transient
                and retryable
                and attempt < self.retry.max_attempts
                and (error.retry_after or 0) <= self.retry.max_retry_after
            ):
                wait = self.retry.wait(attempt, error.retry_after, self.rng)
                self.logger.info(
                    "%s %s: %s answered %s, trying again in %.2f s",
                    method,
                    _path(path),
                    self.system,
                    response.status,
                    wait,
                )
                self.sleep(wait)
                continue
            raise error

    def _send(self, method, path, params, json, data, headers, auth):
        start = self.clock()
        try:
            raw = self.session.request(
                method,
                self.url(path),
                params=params,
                json=json,
                data=data,
                headers=headers,
                auth=auth,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            self.logger.warning(
                "%s %s to %s failed after %.0f ms: %s",
                method,
                _path(path),
                self.system,
                (self.clock() - start) * 1000,
                type(error).__name__,
            )
            raise CarrierConnectionError(
                f"{self.system} could not be reached ({type(error).__name__})"
            ) from error
        duration = self.clock() - start
        request_id = next(
            (raw.headers[name] for name in self.request_id_headers if raw.headers.get(name)),
            headers.get(self.request_id_headers[0]),
        )
        self.logger.info(
            "%s %s → %s %s in %.0f ms (request id %s)",
            method,
            _path(path),
            self.system,
            raw.status_code,
            duration * 1000,
            request_id or "-",
        )
        return HttpResponse(raw.status_code, raw.headers, raw.content, request_id, duration)

    def error(self, response):
        """The typed error for an answer that is not a success."""
        status = response.status
        try:
            data = jsonlib.loads(response.body) if response.body else None
        except ValueError:
            data = None
        message, code, details = self._read_error(data) if data is not None else ("", None, ())
        kind, text = _KINDS.get(status, (None, None))
        if kind is None:
            if status >= 500:
                kind, text = CarrierServerError, "is failing"
            else:
                kind, text = CarrierValidationError, "refused the request"
        return kind(
            f"{self.system} {text}" + (f": {message}" if message else ""),
            status=status,
            request_id=response.request_id,
            body_excerpt=excerpt(response.body),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            code=code,
            details=details,
        )

    def ensure(self, condition, message, response=None):
        """Raise a :class:`CarrierResponseError` when an answer lacks what we need."""
        if not condition:
            raise CarrierResponseError(
                f"{self.system}: {message}",
                status=response.status if response else None,
                request_id=response.request_id if response else None,
                body_excerpt=excerpt(response.body) if response else "",
            )


def _path(path):
    return urlsplit(path).path


__all__ = ["DEFAULT_TIMEOUT", "NO_RETRY", "CarrierError", "HttpClient", "RetryPolicy"]
