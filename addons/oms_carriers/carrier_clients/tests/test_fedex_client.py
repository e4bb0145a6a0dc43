"""FedExClient against the FedEx simulator over real HTTP on 127.0.0.1, and the
recorded FedEx answers (fixtures/fedex/README.md) through its parsers."""

import json
import logging
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.simulators.easypost import schema_errors
from tests.simulators.fedex import REQUEST_SCHEMAS, FedExSimulator

from .. import (
    Address,
    CarrierAuthError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
    FedExClient,
    Parcel,
)
from ..fedex import STATUS_CODES
from ..models import DELIVERED, EXCEPTION, IN_TRANSIT, OUT_FOR_DELIVERY, PRE_TRANSIT, RETURNED
from .fakes import FakeSleep

FIXTURES = Path(__file__).parent / "fixtures" / "fedex"
CLIENT_ID, SECRET, ACCOUNT = "fedex-simulator-client", "fedex-simulator-secret", "740561073"
MEMPHIS = Address(
    name="Shipping Desk",
    company="OMS Demo Inc",
    street1="3610 Hacks Cross Rd",
    city="Memphis",
    state="TN",
    zip="38125",
    country="US",
    phone="9015551234",
)
BOB = Address(
    name="Bob Norman",
    street1="500 Market St",
    city="San Francisco",
    state="CA",
    zip="94105",
    country="US",
    phone="4155556789",
    email="bob@example.com",
)
TORONTO = Address(
    name="Chloe Tremblay",
    street1="100 Queen St W",
    city="Toronto",
    state="ON",
    zip="M5H2N2",
    country="CA",
    phone="4165551234",
)
PARCEL = Parcel(Decimal("2.0"), Decimal("30"), Decimal("20"), Decimal("10"))


def answer(name):
    return json.loads((FIXTURES / name).read_text())


class RecordingSession(requests.Session):
    """A real session that keeps the keyword arguments of every request."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        return super().request(method, url, **kwargs)


@pytest.fixture
def sim():
    with FedExSimulator(CLIENT_ID, SECRET, ACCOUNT) as simulator:
        yield simulator


@pytest.fixture
def session():
    return RecordingSession()


@pytest.fixture
def client(sim, session):
    return FedExClient(
        CLIENT_ID,
        SECRET,
        ACCOUNT,
        base_url=sim.url,
        session=session,
        sleep=FakeSleep(),
        timeout=(2, 5),
    )


# --- OAuth ---------------------------------------------------------------------------------
def test_the_token_is_fetched_once_with_the_credentials_in_the_form(sim, client, session):
    client.rate(MEMPHIS, BOB, [PARCEL])
    client.rate(MEMPHIS, BOB, [PARCEL])
    (token_call,) = sim.requests_to("POST", r"^/oauth/token$")
    assert token_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(p.split("=") for p in token_call.body.decode().split("&")) == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
    }
    assert "authorization" not in token_call.headers
    quotes = sim.requests_to("POST", r"^/rate/v1/rates/quotes$")
    assert len(quotes) == 2
    assert quotes[0].headers["authorization"] == quotes[1].headers["authorization"]
    # every call has its own transaction id, and a (connect, read) timeout
    assert len({q.headers["x-customer-transaction-id"] for q in quotes}) == 2
    assert all(q.headers["x-locale"] == "en_US" for q in quotes)
    assert {kwargs["timeout"] for _m, _u, kwargs in session.calls} == {(2, 5)}


def test_an_expired_token_is_renewed_once_on_401(sim, client):
    client.rate(MEMPHIS, BOB, [PARCEL])
    sim.expire_tokens()
    assert client.rate(MEMPHIS, BOB, [PARCEL])
    assert len(sim.requests_to("POST", r"^/oauth/token$")) == 2
    statuses = [r.path for r in sim.received]
    assert statuses.count("/rate/v1/rates/quotes") == 3  # refused once, then answered


def test_a_token_near_its_expiry_is_fetched_again_before_the_call(sim):
    now = [1000.0]
    client = FedExClient(
        CLIENT_ID, SECRET, ACCOUNT, base_url=sim.url, sleep=FakeSleep(), clock=lambda: now[0]
    )
    client.rate(MEMPHIS, BOB, [PARCEL])
    now[0] += 3599 - 30  # within the margin before the token's expiry
    client.rate(MEMPHIS, BOB, [PARCEL])
    assert len(sim.requests_to("POST", r"^/oauth/token$")) == 2
    assert len(sim.requests_to("POST", r"^/rate/")) == 2  # no 401 on the way


def test_wrong_credentials_are_an_auth_error_with_fedex_code(sim):
    client = FedExClient(CLIENT_ID, "wrong", ACCOUNT, base_url=sim.url, sleep=FakeSleep())
    with pytest.raises(CarrierAuthError) as caught:
        client.rate(MEMPHIS, BOB, [PARCEL])
    assert caught.value.code == "NOT.AUTHORIZED.ERROR"
    assert caught.value.status == 401
    assert not sim.requests_to("POST", r"^/rate/")


def test_the_recorded_token_answer_is_read(sim, client):
    sim.fail_next(200, path=r"^/oauth/token$", body=answer("oauth_token.json"))
    assert client.access_token() == "access_token"
    ((token, expires),) = client._tokens.values()
    assert token == "access_token"
    assert expires - client.clock() == pytest.approx(3599, abs=5)


def test_clients_sharing_a_token_store_ask_for_one_token(sim):
    store = {}
    for _call in range(3):
        client = FedExClient(
            CLIENT_ID, SECRET, ACCOUNT, base_url=sim.url, sleep=FakeSleep(), token_store=store
        )
        client.rate(MEMPHIS, BOB, [PARCEL])
    assert len(sim.requests_to("POST", r"^/oauth/token$")) == 1
    assert SECRET not in repr(store)
    # other credentials (or another server) have a token of their own
    other = FedExClient("someone", "else", ACCOUNT, base_url=sim.url, token_store=store)
    with pytest.raises(CarrierAuthError):
        other.access_token()
    sim.expire_tokens()
    client.rate(MEMPHIS, BOB, [PARCEL])  # the shared token is renewed once
    assert len(sim.requests_to("POST", r"^/oauth/token$")) == 3  # +1 refused, +1 renewed


# --- Rate -----------------------------------------------------------------------------------
def test_rates_are_the_accounts_net_charges_with_transit_days(sim, client):
    rates = client.rate(MEMPHIS, BOB, [PARCEL])
    assert [(r.service, r.amount, r.currency, r.delivery_days) for r in rates] == [
        # 4.4 lb = 1.996 kg at the simulator's account prices (85 % of its list)
        ("FEDEX_GROUND", Decimal("10.62"), "USD", 4),
        ("FEDEX_EXPRESS_SAVER", Decimal("19.71"), "USD", 3),
        ("FEDEX_2_DAY", Decimal("25.07"), "USD", 2),
        ("STANDARD_OVERNIGHT", Decimal("43.77"), "USD", 1),
    ]
    assert rates[0].carrier == "FedEx" and rates[0].service_name == "FedEx Ground"
    body = sim.requests_to("POST", r"^/rate/")[0].json()
    package = body["requestedShipment"]["requestedPackageLineItems"][0]
    # a US shipper: pounds and inches, whole inches rounded up
    assert package["weight"] == {"units": "LB", "value": 4.4}
    assert package["dimensions"] == {"units": "IN", "length": 12, "width": 8, "height": 4}
    assert body["accountNumber"] == {"value": ACCOUNT}


def test_one_service_is_quoted_when_asked_and_a_refusal_is_a_validation_error(sim, client):
    (rate,) = client.rate(MEMPHIS, BOB, [PARCEL], service_type="FEDEX_2_DAY")
    assert rate.service == "FEDEX_2_DAY"
    with pytest.raises(CarrierValidationError) as caught:
        client.rate(MEMPHIS, BOB, [PARCEL], service_type="INTERNATIONAL_ECONOMY")
    assert caught.value.code == "SERVICE.UNAVAILABLE.ERROR"
    assert caught.value.request_id  # our x-customer-transaction-id


def test_quotes_are_retried_on_503_and_ships_are_not(sim, client):
    sim.fail_next(503, path=r"^/rate/")
    assert client.rate(MEMPHIS, BOB, [PARCEL])
    assert len(sim.requests_to("POST", r"^/rate/")) == 2
    sim.fail_next(503, path=r"^/ship/v1/shipments$")
    with pytest.raises(CarrierServerError):
        client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND")
    assert len(sim.requests_to("POST", r"^/ship/v1/shipments$")) == 1
    assert not sim.shipments


def test_metric_shippers_send_kilograms_and_centimetres(sim, client):
    client.rate(TORONTO, TORONTO, [PARCEL])
    package = sim.requests_to("POST", r"^/rate/")[0].json()["requestedShipment"][
        "requestedPackageLineItems"
    ][0]
    assert package["weight"] == {"units": "KG", "value": 2.0}
    assert package["dimensions"] == {"units": "CM", "length": 30, "width": 20, "height": 10}


# --- Ship -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("label_format", "magic"), [("PDF", b"%PDF"), ("ZPL", b"^XA")])
def test_a_shipment_gives_a_label_per_package_and_its_net_charge(sim, client, label_format, magic):
    purchase = client.ship(
        MEMPHIS,
        BOB,
        [PARCEL, Parcel(Decimal("1.0"))],
        "FEDEX_2_DAY",
        label_format=label_format,
        reference="WH/OUT/00042 1a2b3c4d",
    )
    numbers = [p.tracking_number for p in purchase.packages]
    assert purchase.shipment_id == numbers[0] == purchase.tracking_number
    assert sim.shipments[numbers[0]]["packages"] == numbers
    assert all(p.label.format == label_format for p in purchase.packages)
    assert all(p.label.content.startswith(magic) for p in purchase.packages)
    assert (purchase.amount, purchase.currency) == (sim.shipments[numbers[0]]["net"], "USD")
    body = sim.requests_to("POST", r"^/ship/v1/shipments$")[0].json()
    assert body["labelResponseOptions"] == "LABEL"
    spec = body["requestedShipment"]["labelSpecification"]
    assert spec["imageType"] == {"PDF": "PDF", "ZPL": "ZPLII"}[label_format]
    assert [
        p["customerReferences"][0]["value"]
        for p in body["requestedShipment"]["requestedPackageLineItems"]
    ] == ["WH/OUT/00042 1a2b3c4d"] * 2


def test_a_service_fedex_does_not_offer_is_refused_with_its_reason(sim, client):
    with pytest.raises(CarrierValidationError, match="Service is not allowed"):
        client.ship(MEMPHIS, TORONTO, [PARCEL], "FEDEX_GROUND")
    assert not sim.shipments


def test_a_label_format_fedex_is_not_asked_for_is_refused_before_any_call(sim, client):
    with pytest.raises(ValueError):
        client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND", label_format="GIF")
    assert not sim.received


def test_every_request_the_client_builds_fits_the_documented_objects(sim, client):
    purchase = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND", reference="R1")
    client.rate(MEMPHIS, TORONTO, [PARCEL, Parcel(Decimal("0.3"))])
    client.track(purchase.tracking_number)
    client.find_shipments("R1", "2026-12-01", "2026-12-05")
    client.cancel(purchase.shipment_id)
    operations = {
        "/rate/v1/rates/quotes": "rate",
        "/ship/v1/shipments": "ship",
        "/ship/v1/shipments/cancel": "cancel",
        "/track/v1/trackingnumbers": "track",
        "/track/v1/referencenumbers": "track_reference",
    }
    checked = set()
    for request in sim.received:
        if request.path in operations:
            operation = operations[request.path]
            assert schema_errors(REQUEST_SCHEMAS[operation], request.json()) == [], operation
            checked.add(operation)
    assert checked == set(operations.values())


def test_a_request_off_the_contract_is_refused_by_the_simulator(sim, client):
    client.access_token()
    response = requests.post(
        f"{sim.url}/ship/v1/shipments",
        json={"accountNumber": {"value": ACCOUNT}, "requestedShipment": {"weight": 1}},
        headers={"Authorization": f"Bearer {client.access_token()}"},
        timeout=5,
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "INVALID.INPUT.EXCEPTION"
    assert "requestedShipment.weight: is not in the contract" in error["message"]
    assert "labelResponseOptions: is required" in error["message"]
    assert response.json()["transactionId"]


# --- Cancel ---------------------------------------------------------------------------------
def test_a_shipment_is_cancelled_once(sim, client):
    purchase = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND")
    result = client.cancel(purchase.shipment_id)
    assert (result.status, result.message) == ("voided", "Shipment is successfully cancelled")
    assert sim.shipments[purchase.shipment_id]["cancelled"]
    body = sim.requests_to("PUT", r"/cancel$")[0].json()
    assert body == {
        "accountNumber": {"value": ACCOUNT},
        "deletionControl": "DELETE_ALL_PACKAGES",
        "trackingNumber": purchase.shipment_id,
    }
    with pytest.raises(CarrierValidationError) as caught:
        client.cancel(purchase.shipment_id)
    assert caught.value.code == "SHIPMENT.ALREADY.CANCELLED"


def test_the_recorded_cancel_answer_is_read(sim, client):
    sim.fail_next(200, path=r"/cancel$", body=answer("cancel_success.json"))
    result = client.cancel("794953555571")
    assert (result.status, result.message) == ("voided", "Success")


# --- Track ----------------------------------------------------------------------------------
def test_a_label_just_bought_is_pre_transit_and_scans_come_in_utc(sim, client):
    purchase = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND")
    number = purchase.tracking_number
    tracking = client.track(number)
    assert (tracking.status, tracking.found) == (PRE_TRANSIT, True)
    sim.add_scan(number, "PU", "Picked up", date="2026-12-05T17:30:00-06:00")
    sim.add_scan(number, "OD", "On FedEx vehicle for delivery", date="2026-12-06T07:10:00-08:00")
    tracking = client.track(number)
    assert tracking.status == OUT_FOR_DELIVERY
    assert [(e.carrier_status, e.status, e.occurred_at) for e in tracking.events[1:]] == [
        ("PU", IN_TRANSIT, "2026-12-05T23:30:00+00:00"),
        ("OD", OUT_FOR_DELIVERY, "2026-12-06T15:10:00+00:00"),
    ]
    assert tracking.public_url.endswith(number)
    sim.add_scan(number, "DL", "Delivered", date="2026-12-06T11:00:00-08:00")
    assert client.track(number).status == DELIVERED


@pytest.mark.parametrize(
    ("event_type", "status"),
    [("DE", EXCEPTION), ("SE", EXCEPTION), ("RS", RETURNED), ("AR", IN_TRANSIT)],
)
def test_exceptions_and_returns_are_normalised(sim, client, event_type, status):
    number = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND").tracking_number
    sim.add_scan(number, event_type, "A scan")
    assert client.track(number).status == status


def test_a_number_fedex_does_not_know_is_no_news_not_an_error(sim, client):
    number = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND").tracking_number
    sim.forget(number)
    tracking = client.track(number)
    assert (tracking.found, tracking.status, tracking.events) == (False, "unknown", ())
    assert "TRACKING.TRACKINGNUMBER.NOTFOUND" in tracking.carrier_status


def test_an_answer_about_another_number_is_refused(sim, client):
    mine = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND").tracking_number
    other = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND").tracking_number
    sim.add_scan(other, "DL", "Delivered")
    body = sim._track_result(other)
    sim.fail_next(
        200,
        path=r"/trackingnumbers$",
        body={
            "output": {"completeTrackResults": [{"trackingNumber": mine, "trackResults": [body]}]}
        },
    )
    with pytest.raises(CarrierResponseError, match=f"about package {other}, not {mine}"):
        client.track(mine)


def test_a_date_that_is_not_a_date_is_dropped_with_a_log_line(sim, client, caplog):
    number = client.ship(MEMPHIS, BOB, [PARCEL], "FEDEX_GROUND").tracking_number
    sim.add_scan(number, "AR", "Arrived", date="yesterday")
    # Under Odoo the client logger sits below "odoo", whose level Odoo sets.
    caplog.set_level(logging.INFO, logger=FedExClient.__module__)
    tracking = client.track(number)
    assert tracking.events[-1].occurred_at == ""
    assert "'yesterday' is not an ISO 8601 time" in caplog.text


def test_every_listed_status_code_is_normalised():
    """The status codes of FedEx's Track API reference each map to one of ours."""
    assert {STATUS_CODES[c] for c in ("DL",)} == {DELIVERED}
    assert {STATUS_CODES[c] for c in ("OD", "AD", "ED")} == {OUT_FOR_DELIVERY}
    assert {STATUS_CODES[c] for c in ("DE", "SE", "CA")} == {EXCEPTION}
    assert {STATUS_CODES[c] for c in ("IN", "OC", "OX", "EP", "MD")} == {PRE_TRANSIT}
    assert STATUS_CODES["RS"] == RETURNED
    assert {STATUS_CODES[c] for c in ("PU", "IT", "AR", "DP", "FD", "HL", "DY")} == {IN_TRANSIT}


def test_shipments_are_found_by_reference_except_cancelled_ones(sim, client):
    first = client.ship(MEMPHIS, BOB, [PARCEL, PARCEL], "FEDEX_GROUND", reference="R-1")
    assert client.find_shipments("R-1", "2026-12-01", "2026-12-05") == [
        p.tracking_number for p in first.packages
    ]
    assert client.find_shipments("R-2", "2026-12-01", "2026-12-05") == []
    client.cancel(first.shipment_id)
    assert client.find_shipments("R-1", "2026-12-01", "2026-12-05") == []


# --- recorded answers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rate_ca_account_preferred.json", [("FEDEX_EXPRESS_SAVER", "33.51", "USD")]),
        (
            "rate_ca_us_intl.json",
            [
                ("INTERNATIONAL_ECONOMY", "954.17", "USD"),
                ("INTERNATIONAL_FIRST", "1338.5", "USD"),
                ("FEDEX_GROUND", "535.68", "CAD"),
                ("FEDEX_INTERNATIONAL_PRIORITY_EXPRESS", "1276.76", "USD"),
                ("FEDEX_INTERNATIONAL_CONNECT_PLUS", "932.27", "USD"),
                ("FEDEX_INTERNATIONAL_PRIORITY", "1775.61", "USD"),
            ],
        ),
    ],
)
def test_recorded_rates_are_the_account_net_charges_before_taxes(sim, client, name, expected):
    """The ACCOUNT rate (not LIST, not the PREFERRED_* conversions), net of the
    taxes FedEx adds (``totalNetFedExCharge``: 33.51, not 38.54 with HST)."""
    sim.fail_next(200, path=r"^/rate/", body=answer(name))
    rates = client.rate(MEMPHIS, TORONTO, [PARCEL])
    assert [(r.service, r.amount, r.currency) for r in rates] == [
        (s, Decimal(a), c) for s, a, c in expected
    ]


def test_a_rate_without_an_amount_is_left_out_not_quoted_at_zero(sim, client):
    body = answer("rate_ca_account_preferred.json")
    for detail in body["output"]["rateReplyDetails"][0]["ratedShipmentDetails"]:
        detail["totalNetFedExCharge"] = "n/a"
        detail["totalNetCharge"] = None
    sim.fail_next(200, path=r"^/rate/", body=body)
    assert client.rate(MEMPHIS, TORONTO, [PARCEL]) == ()


def test_the_documented_ship_answer_gives_its_label_and_charge(sim, client):
    sim.fail_next(200, path=r"^/ship/v1/shipments$", body=answer("ship_documented_example.json"))
    purchase = client.ship(MEMPHIS, BOB, [PARCEL], "STANDARD_OVERNIGHT")
    assert purchase.shipment_id == purchase.tracking_number == "794953535000"
    assert purchase.packages[0].label.content == b"%PDF-1.4\n"
    # the account's rated detail, net of taxes
    assert (purchase.amount, purchase.currency) == (Decimal("88.56"), "USD")


def test_the_documented_tracking_example_is_about_another_number(sim, client):
    """FedEx's documented example answers 123456789012 with a result about
    128667043726 (and 39936862321 beside it): not the parcel asked for."""
    sim.fail_next(200, path=r"/trackingnumbers$", body=answer("track_documented_example.json"))
    with pytest.raises(CarrierResponseError, match="about package 128667043726"):
        client.track("123456789012")


def test_a_reused_number_reads_its_latest_shipment(sim, client):
    """A number FedEx gave out twice has two results: the latest (delivered on
    2024-04-26) is the parcel's, its scans in UTC, oldest first."""
    sim.fail_next(200, path=r"/trackingnumbers$", body=answer("track_reused_number_delivered.json"))
    tracking = client.track("776094337676")
    assert tracking.status == DELIVERED
    assert tracking.events[-1].occurred_at == "2024-04-26T16:26:00+00:00"
    assert tracking.events[-1].status == DELIVERED
    assert [e.status for e in tracking.events].count(EXCEPTION) == 2  # the two DE scans
    assert tracking.estimated_delivery == "2024-04-26"
    occurred = [datetime.fromisoformat(e.occurred_at) for e in tracking.events]
    assert occurred == sorted(occurred)
    assert all(moment.tzinfo == timezone.utc for moment in occurred)


def test_a_scan_without_an_offset_is_kept_as_given(sim, client):
    sim.fail_next(
        200, path=r"/trackingnumbers$", body=answer("track_delivered_date_without_offset.json")
    )
    tracking = client.track("738488882438")
    assert tracking.status == DELIVERED
    assert tracking.events[0].occurred_at == "2024-08-15T00:00:00"  # no offset given
    assert tracking.events[1].occurred_at == "2024-08-15T15:36:00+00:00"  # 10:36 -05:00
    assert tracking.events[-1].occurred_at == "2024-08-20T16:41:57+00:00"


def test_the_recorded_error_answer_becomes_a_typed_error(sim, client):
    sim.fail_next(400, path=r"/trackingnumbers$", body=answer("error_tracking_number_empty.json"))
    with pytest.raises(CarrierValidationError) as caught:
        client.track("")
    assert caught.value.code == "TRACKING.TRACKINGNUMBER.EMPTY"
    assert "Please provide tracking number." in str(caught.value)
