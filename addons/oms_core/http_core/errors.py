"""Typed errors of a remote system, one subclass per kind of failure.

Every error carries the HTTP status (None when no answer came), the system's
request id, its own error code and field errors when it gave them, an excerpt of
the answer's body and the ``Retry-After`` it asked for, so that a user or a log
reader can follow it up with the system. ``transient`` tells the job system
whether trying again later may help.

Each system keeps its own names (``ChannelError``, ``CarrierAuthError``...): a
system's classes derive from its base error and from the kind here, and an
:class:`ErrorKinds` tells the HTTP core which of them to raise.
"""

from dataclasses import dataclass, fields


class RemoteError(Exception):
    transient = False
    # whether ``str()`` ends with the body excerpt (the channels' errors do)
    show_excerpt = False

    def __init__(
        self,
        message,
        status=None,
        request_id=None,
        body_excerpt="",
        retry_after=None,
        code=None,
        details=(),
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.body_excerpt = body_excerpt
        self.retry_after = retry_after
        self.code = code
        self.details = tuple(details)

    def __str__(self):
        parts = [self.message]
        if self.code:
            parts.append(f"code {self.code}")
        if self.status:
            parts.append(f"HTTP {self.status}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        text = " · ".join(parts)
        if self.show_excerpt and self.body_excerpt:
            return f"{text}: {self.body_excerpt}"
        return text


class RemoteConnectionError(RemoteError):
    """No answer: refused, reset, DNS, TLS or timeout."""

    transient = True


class RemoteAuthError(RemoteError):
    """401 / 403: wrong, expired or insufficient credentials."""


class RemoteRateLimitError(RemoteError):
    """429 that kept coming after the waits the client allows itself (or may not retry)."""

    transient = True


class RemoteValidationError(RemoteError):
    """400 / 409 / 422 and other 4xx: the system refused what was sent."""


class RemoteNotFoundError(RemoteError):
    """404: no such resource."""


class RemoteServerError(RemoteError):
    """5xx after the retries."""

    transient = True


class RemoteResponseError(RemoteError):
    """A success whose content is not what the system documents (not JSON, a field missing)."""


@dataclass(frozen=True)
class ErrorKinds:
    """A system's error class for each kind of failure."""

    base: type = RemoteError
    connection: type = RemoteConnectionError
    auth: type = RemoteAuthError
    rate_limit: type = RemoteRateLimitError
    validation: type = RemoteValidationError
    not_found: type = RemoteNotFoundError
    server: type = RemoteServerError
    response: type = RemoteResponseError

    @classmethod
    def of(cls, base):
        """The kinds of a system whose errors derive from ``base``: for each kind, the
        subclass of ``base`` that is also that kind of :class:`RemoteError`."""
        found = {"base": base}
        for kind in fields(cls):
            if kind.name == "base":
                continue
            matching = [sub for sub in base.__subclasses__() if issubclass(sub, kind.default)]
            if len(matching) > 1:
                raise TypeError(f"{base.__name__} has several {kind.default.__name__}s")
            found[kind.name] = matching[0] if matching else base
        return cls(**found)

    def for_status(self, status):
        """The class and the words of an answer with ``status`` (not a success)."""
        if status in (401, 403):
            return self.auth, ("refused the credentials" if status == 401 else "denied access")
        if status == 404:
            return self.not_found, "has no such resource"
        if status == 429:
            return self.rate_limit, "is throttling the calls"
        if status >= 500:
            return self.server, "is failing"
        if status >= 400:
            return self.validation, "refused the request"
        return self.base, "answered unexpectedly"


REMOTE_ERRORS = ErrorKinds()
