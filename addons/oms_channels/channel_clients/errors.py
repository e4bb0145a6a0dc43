"""Typed errors of the channel clients.

Every error carries the HTTP status (None when no answer came), the channel's
request id and an excerpt of the answer's body, so that a user or a log reader
can follow it up with the channel. ``transient`` tells the job system whether
trying again later may help.
"""


class ChannelError(Exception):
    transient = False

    def __init__(self, message, status=None, request_id=None, body_excerpt="", retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.body_excerpt = body_excerpt
        self.retry_after = retry_after

    def __str__(self):
        parts = [self.message]
        if self.status:
            parts.append(f"HTTP {self.status}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        text = " · ".join(parts)
        return f"{text}: {self.body_excerpt}" if self.body_excerpt else text


class ChannelConnectionError(ChannelError):
    """No answer: refused, reset, DNS, TLS or timeout."""

    transient = True


class ChannelAuthError(ChannelError):
    """401 / 403: wrong, expired or insufficient credentials."""


class ChannelRateLimitError(ChannelError):
    """429 that kept coming after the waits the client allows itself."""

    transient = True


class ChannelValidationError(ChannelError):
    """400 / 409 / 422: the channel refused what was sent."""


class ChannelNotFoundError(ChannelError):
    """404: no such order, product, location..."""


class ChannelServerError(ChannelError):
    """5xx after the retries."""

    transient = True


class ChannelPaginationError(ChannelError):
    """The channel's pages do not end: a next-page token or cursor came back a
    second time, or a walk went past the client's page limit. Not retried: the
    same pull would loop the same way."""
