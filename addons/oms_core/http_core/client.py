"""The HTTP core every channel and carrier client shares: one session factory,
timeouts, retries as a :class:`~.policy.RetryPolicy` says, token renewal, typed
errors and logging without secrets.

:class:`HttpClient` sends one request and tries again on connection errors and
the policy's retry statuses (429, 5xx) when the call is safe to repeat: an
idempotent method, a call the client declares idempotent (a quote, a lookup) or a
call carrying an idempotency key. A ``Retry-After`` is honoured (never waited
less, a little jitter more); otherwise the wait is an exponential backoff with
jitter. A policy with ``max_throttle_waits`` waits out 429s on any call. After an
answer in the policy's ``auth_statuses`` the client may renew its credentials
(:meth:`HttpClient._renew_auth`) and send the call again. ``sleep``, ``clock`` and
``rng`` are injectable so that tests run in no time.

Subclasses name their system, say where the request id is, add their credentials
(:meth:`HttpClient._prepare`) and read the system's error body. The log line has
the method, the path without query string, the status, the duration and the
request id; never headers, bodies, query strings or credentials.
"""

import json as jsonlib
import logging
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from .errors import REMOTE_ERRORS, ErrorKinds, RemoteResponseError
from .policy import DEFAULT_TIMEOUT, RetryPolicy, parse_retry_after

EXCERPT = 500


def new_session(pool_size=10):
    """The ``requests.Session`` of a client (REST or zeep's transport).

    Its adapters never retry on their own: every retry is the policy's, counted,
    waited and logged by the client.
    """
    session = requests.Session()
    for prefix in ("https://", "http://"):
        session.mount(
            prefix, HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        )
    return session


def excerpt(body):
    """The first characters of an answer's body, for an error or a log reader."""
    if isinstance(body, str):
        return body[:EXCERPT]
    return (body or b"")[:EXCERPT].decode("utf-8", "replace")


def ensure(condition, message, response=None, kind=RemoteResponseError):
    """Raise ``kind`` when an answer does not have the expected shape."""
    if not condition:
        raise kind(
            message,
            status=response.status if response else None,
            request_id=response.request_id if response else None,
            body_excerpt=excerpt(response.body) if response else "",
        )


def path_of(url):
    """What a log line may show of a URL: its path, no query string."""
    return urlsplit(url).path


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    request_id: str | None
    duration: float
    errors: ErrorKinds = field(default=REMOTE_ERRORS, repr=False, compare=False)

    def json(self):
        try:
            return jsonlib.loads(self.body) if self.body else None
        except ValueError as error:
            raise self.errors.response(
                "the answer is not JSON",
                status=self.status,
                request_id=self.request_id,
                body_excerpt=excerpt(self.body),
            ) from error


def call_with_retries(call, policy, sleep, rng, errors=REMOTE_ERRORS):
    """``call()``, tried again after a transient :class:`~.errors.RemoteError`
    (no answer, a 429 or a 5xx it raised) as ``policy`` allows. For calls that are
    safe to repeat only: a zeep client loading its WSDL, a lookup."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except errors.base as error:
            if not error.transient or attempt >= policy.max_attempts:
                raise
            if (error.retry_after or 0) > policy.max_retry_after:
                raise
            sleep(policy.wait(attempt, error.retry_after, rng))


class RemoteClient:
    """What a client of a remote system (REST or SOAP) holds to call it: a session
    from :func:`new_session`, the (connect, read) timeout, the retry policy, and the
    ``sleep``, ``rng`` and ``clock`` a test may replace."""

    retry_policy = RetryPolicy  # the policy a client gets without ``retry=``

    def _set_transport(
        self,
        session=None,
        timeout=DEFAULT_TIMEOUT,
        retry=None,
        sleep=time.sleep,
        rng=None,
        clock=time.monotonic,
    ):
        self.session = session or new_session()
        self.timeout = timeout
        self.retry = retry or self.retry_policy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.clock = clock


class HttpClient(RemoteClient):
    """Base of the REST clients."""

    system = "remote"
    request_id_headers = ("X-Request-Id",)
    errors = REMOTE_ERRORS
    log_system = True  # the log line names the system before the status

    def __init__(self, base_url, **transport):
        """``transport``: ``session``, ``timeout``, ``retry``, ``sleep``, ``rng``,
        ``clock`` (see :class:`RemoteClient`)."""
        self.base_url = base_url.rstrip("/") + "/"
        self._set_transport(**transport)
        self.logger = logging.getLogger(type(self).__module__)

    # --- hooks for the subclasses ------------------------------------------------
    def _prepare(self, headers):
        """Add authentication and the like to the headers of each attempt (change
        them in place, or return new ones)."""

    def _after_response(self, response):
        """Look at every answer (rate-limit headers...)."""

    def _throttle_wait(self, response):
        """Seconds to wait after a 429 without ``Retry-After``."""
        return None

    def _renew_auth(self, response):
        """After an answer in the policy's ``auth_statuses``: True when new
        credentials were obtained and the call may be sent again."""
        return False

    def _retry_auth(self, response, attempt):
        """:meth:`_renew_auth`, for a client whose choice depends on the attempt."""
        return self._renew_auth(response)

    def _read_error(self, data):
        """The system's (message, code, details) from a parsed error body."""
        return "", None, ()

    def _error_details(self, response):
        """The system's (message, code, details) from an error answer."""
        try:
            data = jsonlib.loads(response.body) if response.body else None
        except ValueError:
            data = None
        return self._read_error(data) if data is not None else ("", None, ())

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

        Any answer that is not 2xx or 3xx raises the system's error of its kind.
        """
        method = method.upper()
        policy = self.retry
        repeatable = policy.may_repeat(method, idempotent, idempotency_key)
        attempt = throttled = renewals = 0
        while True:
            attempt += 1
            call_headers = dict(headers or {})
            if idempotency_key:
                call_headers["Idempotency-Key"] = idempotency_key
            if authenticate:
                prepared = self._prepare(call_headers)
                if prepared is not None:
                    call_headers = prepared
            try:
                response = self._send(method, path, params, json, data, call_headers, auth)
            except self.errors.connection:
                if not repeatable or attempt >= policy.max_attempts:
                    raise
                self.sleep(policy.backoff(attempt, self.rng))
                continue
            self._after_response(response)
            status = response.status
            if status < 400:
                return response
            if status == 429 and policy.max_throttle_waits is not None:
                throttled += 1
                attempt -= 1  # a throttled call does not use up a retry
                error = self.error(response)
                self.sleep(self._throttled_wait(method, path, response, error, throttled))
                continue
            if (
                authenticate
                and status in policy.auth_statuses
                and renewals < policy.max_auth_renewals
            ):
                renewals += 1
                if self._retry_auth(response, attempt):
                    if not policy.renewal_uses_attempt:
                        attempt -= 1
                    continue
            error = self.error(response)
            if (
                status in policy.retry_statuses
                and repeatable
                and attempt < policy.max_attempts
                and (error.retry_after or 0) <= policy.max_retry_after
            ):
                wait = policy.wait(attempt, error.retry_after, self.rng)
                self.logger.info(
                    "%s %s: %s answered %s, trying again in %.2f s",
                    method,
                    path_of(path),
                    self.system,
                    status,
                    wait,
                )
                self.sleep(wait)
                continue
            raise error

    def _throttled_wait(self, method, path, response, error, throttled):
        """Seconds to wait after the ``throttled``-th 429 in a row, or raise ``error``."""
        policy = self.retry
        wait = error.retry_after
        if wait is None:
            # A hook: the base answers None, a system's client may know better.
            wait = self._throttle_wait(response)  # pylint: disable=assignment-from-none
        # never earlier than asked, a little later so that callers spread out
        wait = policy.backoff(throttled, self.rng) if wait is None else policy.after(wait, self.rng)
        if throttled > policy.max_throttle_waits or wait > policy.max_retry_after:
            raise error
        self.logger.info(
            "%s %s throttled by %s, waiting %.1f s", method, path_of(path), self.system, wait
        )
        return wait

    def _send(self, method, path, params, json, data, headers, auth=None):
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
                path_of(path),
                self.system,
                (self.clock() - start) * 1000,
                type(error).__name__,
            )
            raise self.errors.connection(
                f"{self.system} could not be reached ({type(error).__name__})"
            ) from error
        duration = self.clock() - start
        request_id = next(
            (raw.headers[name] for name in self.request_id_headers if raw.headers.get(name)),
            headers.get(self.request_id_headers[0]),
        )
        self.logger.info(
            "%s %s → %s in %.0f ms (request id %s)",
            method,
            path_of(path),
            f"{self.system} {raw.status_code}" if self.log_system else raw.status_code,
            duration * 1000,
            request_id or "-",
        )
        return HttpResponse(
            raw.status_code, raw.headers, raw.content, request_id, duration, self.errors
        )

    def error(self, response):
        """The typed error for an answer that is not a success."""
        status = response.status
        message, code, details = self._error_details(response)
        kind, text = self.errors.for_status(status)
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
        """Raise the system's response error when an answer lacks what we need."""
        ensure(condition, f"{self.system}: {message}", response, self.errors.response)
