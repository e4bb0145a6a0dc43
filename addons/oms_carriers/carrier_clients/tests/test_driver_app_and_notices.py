"""Our drivers' signed status updates, and what an exception means for the customer."""

import json

import pytest

from ..driver_app import (
    DriverUpdateError,
    driver_signature,
    parse_driver_update,
    verify_driver_request,
)
from ..notices import exception_kind

SECRET = "driver-secret"
NOW = 1_796_400_000
BODY = json.dumps(
    {
        "event_id": "app-1",
        "tracking_number": "WHOUT00012-1",
        "status": "out_for_delivery",
        "description": "Loaded in van 3",
        "occurred_at": "2026-12-05T09:30:00+01:00",
        "city": "Lausanne",
    }
).encode()


def test_a_signed_request_in_the_window_passes():
    verify_driver_request(BODY, str(NOW), driver_signature(BODY, NOW, SECRET), SECRET, NOW + 10)


@pytest.mark.parametrize(
    "timestamp, signature, secret, now, why",
    [
        (str(NOW), "0" * 64, SECRET, NOW, "invalid signature"),
        (str(NOW), driver_signature(BODY, NOW, "other"), SECRET, NOW, "invalid signature"),
        (str(NOW), driver_signature(BODY, NOW, SECRET), SECRET, NOW + 301, "time window"),
        (str(NOW), driver_signature(BODY, NOW, SECRET), SECRET, NOW - 301, "time window"),
        ("yesterday", "x", SECRET, NOW, "Unix time"),
        (str(NOW), "", SECRET, NOW, "required"),
        (str(NOW), driver_signature(BODY, NOW, SECRET), "", NOW, "no secret"),
    ],
)
def test_refused_requests(timestamp, signature, secret, now, why):
    with pytest.raises(DriverUpdateError, match=why) as caught:
        verify_driver_request(BODY, timestamp, signature, secret, now)
    assert caught.value.status == 401


def test_a_signature_of_another_timestamp_is_refused():
    """The timestamp is signed: moving it into the window breaks the signature."""
    old = driver_signature(BODY, NOW - 3600, SECRET)
    with pytest.raises(DriverUpdateError, match="invalid signature"):
        verify_driver_request(BODY, str(NOW), old, SECRET, NOW)


def test_the_update_is_parsed_into_a_tracking_in_utc():
    event_id, tracking = parse_driver_update(json.loads(BODY))
    assert event_id == "app-1"
    assert tracking.tracking_number == "WHOUT00012-1"
    assert tracking.status == "out_for_delivery"
    (event,) = tracking.events
    assert event.occurred_at == "2026-12-05T08:30:00+00:00"
    assert event.city == "Lausanne"


@pytest.mark.parametrize(
    "change, why",
    [
        ({"status": "teleported"}, "status must be one of"),
        ({"occurred_at": "2026-12-05T09:30:00"}, "time zone"),
        ({"occurred_at": "soon"}, "ISO 8601"),
        ({"tracking_number": ""}, "tracking_number is required"),
        ({"city": 3}, "city must be a string"),
    ],
)
def test_bad_updates_are_refused(change, why):
    payload = {**json.loads(BODY), **change}
    with pytest.raises(DriverUpdateError, match=why) as caught:
        parse_driver_update(payload)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "status, carrier_status, description, kind",
    [
        ("exception", "X", "The receiver was not available for delivery", "failed_attempt"),
        ("exception", "DE", "Delivery attempted - no one home", "failed_attempt"),
        ("exception", "X", "The address is incorrect", "address"),
        ("exception", "SE", "Clearance delay - held at customs", "customs"),
        ("exception", "X", "Package damaged", "other"),
        ("returned", "RS", "Returned to shipper", "returned"),
        ("exception", "X", "Returning to sender", "returned"),
        ("in_transit", "I", "Arrived", None),
    ],
)
def test_exception_kinds(status, carrier_status, description, kind):
    assert exception_kind(status, carrier_status, description) == kind
