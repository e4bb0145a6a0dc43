"""Typed errors of the carrier clients.

Every error carries the HTTP status (None when no answer came), the carrier's
request id, the carrier's own error code and field errors when it gave them, and
an excerpt of the answer's body, so that a user or a log reader can follow it up
with the carrier. ``transient`` tells the job system whether trying again later
may help.
"""


class CarrierError(Exception):
    transient = False

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
        return " · ".join(parts)


class CarrierConnectionError(CarrierError):
    """No answer: refused, reset, DNS, TLS or timeout."""

    transient = True


class CarrierAuthError(CarrierError):
    """401 / 403: wrong, expired or insufficient credentials."""


class CarrierRateLimitError(CarrierError):
    """429 that kept coming after the waits the client allows itself (or may not retry)."""

    transient = True


class CarrierValidationError(CarrierError):
    """400 / 409 / 422 or a refused item: the carrier refused what was sent."""


class CarrierNotFoundError(CarrierError):
    """404: no such shipment, tracking number..."""


class CarrierServerError(CarrierError):
    """5xx (or a SOAP server fault) after the retries."""

    transient = True


class CarrierResponseError(CarrierError):
    """A 2xx answer whose content does not have the documented shape."""
