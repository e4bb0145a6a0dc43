"""Typed errors of the channel clients: oms_core's HTTP core kinds under the
channels' names.

Every error carries the HTTP status (None when no answer came), the channel's
request id and an excerpt of the answer's body (shown by ``str()``), so that a
user or a log reader can follow it up with the channel. ``transient`` tells the
job system whether trying again later may help.
"""

try:
    from ...oms_core import http_core
except ImportError:  # imported on its own by the unit tests (addons/ on sys.path)
    from oms_core import http_core

core = http_core.errors


class ChannelError(core.RemoteError):
    show_excerpt = True


class ChannelConnectionError(ChannelError, core.RemoteConnectionError):
    """No answer: refused, reset, DNS, TLS or timeout."""


class ChannelAuthError(ChannelError, core.RemoteAuthError):
    """401 / 403: wrong, expired or insufficient credentials."""


class ChannelRateLimitError(ChannelError, core.RemoteRateLimitError):
    """429 that kept coming after the waits the client allows itself."""


class ChannelValidationError(ChannelError, core.RemoteValidationError):
    """400 / 409 / 422: the channel refused what was sent."""


class ChannelNotFoundError(ChannelError, core.RemoteNotFoundError):
    """404: no such order, product, location..."""


class ChannelServerError(ChannelError, core.RemoteServerError):
    """5xx after the retries."""


class ChannelResponseError(ChannelError, core.RemoteResponseError, ValueError):
    """An answer that is not JSON (still a ``ValueError``, as it was before it was
    typed)."""


class ChannelPaginationError(ChannelError):
    """The channel's pages do not end: a next-page token or cursor came back a
    second time, or a walk went past the client's page limit. Not retried: the
    same pull would loop the same way."""


CHANNEL_ERRORS = core.ErrorKinds.of(ChannelError)
