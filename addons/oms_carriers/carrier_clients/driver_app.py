"""Status updates our own drivers send from their app (plain Python).

The app signs each request with its carrier's secret: ``X-Oms-Timestamp`` is the
Unix time it was sent, ``X-Oms-Signature`` the hex HMAC-SHA256 over
``<timestamp>.`` followed by the raw body. A request older or newer than the
window is refused, and so is one whose event id was received before (a replay).

Body (JSON)::

    {"event_id": "app-123", "tracking_number": "WHOUT00012-1",
     "status": "out_for_delivery", "description": "Loaded in van 3",
     "occurred_at": "2026-12-05T09:30:00+01:00", "city": "Lausanne"}
"""

import hashlib
import hmac
from datetime import datetime, timezone

from .models import Tracking, TrackingEvent

TIMESTAMP_HEADER = "X-Oms-Timestamp"
SIGNATURE_HEADER = "X-Oms-Signature"
WINDOW_SECONDS = 300
DRIVER_STATUSES = (
    "in_transit",
    "out_for_delivery",
    "delivered",
    "exception",
    "returned",
)


class DriverUpdateError(ValueError):
    """A driver's update that is refused: ``status`` is the HTTP answer to give."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def driver_signature(body, timestamp, secret):
    """The ``X-Oms-Signature`` of ``body`` (bytes) sent at ``timestamp``."""
    message = f"{timestamp}.".encode() + bytes(body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_driver_request(body, timestamp, signature, secret, now, window=WINDOW_SECONDS):
    """Refuse (``DriverUpdateError``) a request not signed by ``secret`` or sent
    outside ``window`` seconds of ``now`` (Unix time); constant time."""
    if not secret:
        raise DriverUpdateError("no secret set for this carrier", 401)
    if not signature or not timestamp or not isinstance(body, (bytes, bytearray)):
        raise DriverUpdateError("signature and timestamp required", 401)
    try:
        sent = int(timestamp)
    except ValueError:
        raise DriverUpdateError("the timestamp is not a Unix time", 401) from None
    expected = driver_signature(body, sent, secret)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise DriverUpdateError("invalid signature", 401)
    if abs(now - sent) > window:
        raise DriverUpdateError("the request is outside the time window", 401)


def parse_driver_update(payload):
    """``(event id, Tracking)`` from a driver's JSON body; ``DriverUpdateError`` if
    it is not one."""
    if not isinstance(payload, dict):
        raise DriverUpdateError("the body is not an object")
    values = {}
    for name in ("event_id", "tracking_number", "status", "occurred_at"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            raise DriverUpdateError(f"{name} is required (a string)")
        values[name] = value.strip()
    for name in ("description", "city"):
        value = payload.get(name, "")
        if not isinstance(value, str):
            raise DriverUpdateError(f"{name} must be a string")
        values[name] = value.strip()[:500]
    if values["status"] not in DRIVER_STATUSES:
        raise DriverUpdateError(f"status must be one of {', '.join(DRIVER_STATUSES)}")
    try:
        moment = datetime.fromisoformat(values["occurred_at"].replace("Z", "+00:00"))
    except ValueError:
        raise DriverUpdateError("occurred_at is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        raise DriverUpdateError("occurred_at needs its time zone")
    event = TrackingEvent(
        status=values["status"],
        carrier_status=values["status"],
        description=values["description"],
        occurred_at=moment.astimezone(timezone.utc).isoformat(),
        city=values["city"],
    )
    tracking = Tracking(
        tracking_number=values["tracking_number"],
        status=values["status"],
        carrier_status=values["status"],
        events=(event,),
        carrier="own_fleet",
    )
    return values["event_id"][:200], tracking
