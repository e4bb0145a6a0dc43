"""UpsClient against the UPS simulator over real HTTP on 127.0.0.1."""

import base64
import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.simulators.easypost import schema_errors
from tests.simulators.ups import REQUEST_SCHEMAS, UpsSimulator

from .. import (
    Address,
    CarrierAuthError,
    CarrierNotFoundError,
    CarrierRateLimitError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
    CustomsInfo,
    CustomsItem,
    Parcel,
    UpsClient,
)
from .fakes import FakeSleep

FIXTURES = Path(__file__).parent / "fixtures" / "ups"
CLIENT_ID, SECRET, ACCOUNT = "ups-simulator-client", "ups-simulator-secret", "A1B2C3"
KOELN = Address(
    name="Shipping Desk",
    company="OMS Demo GmbH",
    street1="Industriestrasse 12",
    city="Koeln",
    zip="50667",
    country="DE",
    phone="+49221123456",
)
MIA = Address(
    name="Mia Schmidt",
    street1="Hauptstrasse 5",
    city="Berlin",
    state="BE",
    zip="10115",
    country="DE",
    phone="+4915112345678",
)
LOUISVILLE = Address(
    name="OMS US Warehouse",
    street1="100 Main St",
    city="Louisville",
    state="KY",
    zip="40202",
    country="US",
)
BOB = Address(
    name="Bob Norman",
    street1="500 Market St",
    city="San Francisco",
    state="CA",
    zip="94105",
    country="US",
)
BIG = Parcel(Decimal("2.5"), Decimal(40), Decimal(30), Decimal(20))
SMALL = Parcel(Decimal("0.8"))
# What the exports declare to customs.
TSHIRTS = CustomsInfo(
    items=(
        CustomsItem(
            description="Cotton T-shirt",
            quantity=4,
            value=Decimal("60.00"),
            weight_kg=Decimal("0.8"),
            hs_tariff_number="6109.10",
            origin_country="PT",
            currency="EUR",
            code="TS-BLK-M",
        ),
    ),
    incoterm="DAP",
)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def sim():
    with UpsSimulator(CLIENT_ID, SECRET, ACCOUNT) as simulator:
        yield simulator


@pytest.fixture
def sleep():
    return FakeSleep()


def client_for(sim, sleep, secret=SECRET, **kwargs):
    kwargs.setdefault("timeout", (2, 5))
    return UpsClient(CLIENT_ID, secret, ACCOUNT, base_url=sim.url, sleep=sleep, **kwargs)


def test_token_is_fetched_once_with_client_credentials_and_reused(sim, sleep):
    client = client_for(sim, sleep)
    client.rate(KOELN, MIA, [SMALL])
    client.rate(KOELN, MIA, [BIG])

    (token_call,) = sim.requests_to("POST", r"^/security/v1/oauth/token$")
    expected = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    assert token_call.headers["authorization"] == f"Basic {expected}"
    assert token_call.body == b"grant_type=client_credentials"
    assert token_call.headers["x-merchant-id"] == ACCOUNT
    rating = sim.requests_to("POST", r"^/api/rating/")
    assert len(rating) == 2
    assert {r.headers["authorization"] for r in rating} == {f"Bearer {next(iter(sim.tokens))}"}
    assert all(r.headers["transid"] and r.headers["transactionsrc"] == "oms" for r in rating)


def test_a_token_whose_lifetime_is_not_a_number_is_used_and_not_kept(sim, sleep):
    client = client_for(sim, sleep)
    sim.fail_next(
        200,
        path=r"^/security/v1/oauth/token$",
        body={"access_token": "odd", "token_type": "Bearer", "expires_in": "soon"},
    )
    assert client.access_token() == "odd"
    client.rate(KOELN, MIA, [SMALL])  # asks for a token again: the odd one was not kept

    assert len(sim.requests_to("POST", r"^/security/v1/oauth/token$")) == 2
    (rating,) = sim.requests_to("POST", r"^/api/rating/")
    assert rating.headers["authorization"] != "Bearer odd"


def test_shop_quotes_every_service_in_the_units_of_the_shippers_country(sim, sleep):
    rates = client_for(sim, sleep).rate(LOUISVILLE, BOB, [BIG], reference="SO042")

    sent = sim.requests_to("POST", r"^/api/rating/v2409/Shop$")[0].json()["RateRequest"]
    package = sent["Shipment"]["Package"][0]
    assert package["PackageWeight"] == {
        "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
        "Weight": "5.5",
    }
    # whole inches, rounded up: Shipping's schema takes three digits
    assert package["Dimensions"] == {
        "UnitOfMeasurement": {"Code": "IN", "Description": "Inches"},
        "Length": "16",
        "Width": "12",
        "Height": "8",
    }
    assert sent["Request"]["TransactionReference"] == {"CustomerContext": "SO042"}
    assert "Service" not in sent["Shipment"]
    assert [r.service for r in rates] == ["03", "12", "02", "01"]
    ground = rates[0]
    assert (ground.carrier, ground.service_name, ground.currency) == ("UPS", "UPS Ground", "USD")
    assert ground.amount == Decimal("13.94")  # 11.20 + 1.10 x 2.4948 kg
    assert ground.delivery_days == 4


def test_rate_for_one_service_reads_a_bare_rated_shipment(sim, sleep):
    (rate,) = client_for(sim, sleep).rate(KOELN, MIA, [SMALL], service_code="65")
    assert sim.requests_to("POST", r"/Rate$")[0].json()["RateRequest"]["Shipment"]["Service"] == {
        "Code": "65",
        "Description": "UPS Saver",
    }
    assert (rate.service, rate.amount, rate.currency) == ("65", Decimal("22.52"), "EUR")


def test_a_service_that_does_not_serve_the_destination_is_a_validation_error(sim, sleep):
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).rate(KOELN, MIA, [SMALL], service_code="03")
    error = caught.value
    assert (error.status, error.code) == (400, "111210")
    assert "unavailable between the selected locations" in str(error)


def test_ship_two_packages_sends_the_documented_request_and_returns_a_label_each(sim, sleep):
    purchase = client_for(sim, sleep).ship(
        KOELN, MIA, [BIG, SMALL], "11", description="Clothing", reference="WH/OUT/00042"
    )

    (sent,) = sim.requests_to("POST", r"^/api/shipments/v2409/ship$")
    assert sent.json() == json.loads((FIXTURES / "ship_request.json").read_text())
    stored = sim.shipments[purchase.shipment_id]
    assert stored["packages"] == [p.tracking_number for p in purchase.packages]
    assert len(purchase.packages) == 2
    assert purchase.tracking_number == purchase.packages[0].tracking_number
    for package in purchase.packages:
        assert package.tracking_number.startswith("1ZA1B2C311")
        assert package.label.format == "GIF"
        assert package.label.content.startswith(b"GIF89a")
    assert (purchase.amount, purchase.currency) == (Decimal("12.54"), "EUR")  # 9.90 + 0.80 x 3.3 kg


def test_ship_one_package_in_zpl(sim, sleep):
    purchase = client_for(sim, sleep).ship(KOELN, MIA, [SMALL], "11", label_format="ZPL")
    (package,) = purchase.packages
    assert package.label.format == "ZPL"
    zpl = package.label.content.decode()
    assert zpl.startswith("^XA") and zpl.endswith("^XZ")
    assert f"^FD{package.tracking_number}^FS" in zpl
    assert "PKG 1 OF 1" in zpl
    sent = sim.requests_to("POST", r"/ship$")[0].json()["ShipmentRequest"]
    assert sent["LabelSpecification"]["LabelImageFormat"]["Code"] == "ZPL"


def test_pdf_is_not_a_ups_label_format_and_nothing_is_sent(sim, sleep):
    with pytest.raises(ValueError, match="no PDF labels"):
        client_for(sim, sleep).ship(KOELN, MIA, [SMALL], "11", label_format="PDF")
    assert sim.received == []


def test_an_export_sends_its_commercial_invoice(sim, sleep):
    customs = TSHIRTS
    client_for(sim, sleep).ship(KOELN, LOUISVILLE, [SMALL], "11", customs_info=customs)
    sent = sim.requests_to("POST", r"/ship$")[0].json()["ShipmentRequest"]["Shipment"]
    forms = sent["ShipmentServiceOptions"]["InternationalForms"]
    assert forms["FormType"] == ["01"]
    assert forms["CurrencyCode"] == "EUR"
    assert forms["TermsOfShipment"] == "DAP"
    assert forms["Contacts"]["SoldTo"]["Address"]["CountryCode"] == "US"
    (product,) = forms["Product"]
    assert product["Unit"] == {
        "Number": "4",
        "Value": "15.00",
        "UnitOfMeasurement": {"Code": "PCS"},  # its Description takes 3 characters
    }
    assert (product["CommodityCode"], product["OriginCountryCode"]) == ("6109.10", "PT")


def test_an_invoice_line_without_origin_is_refused_by_ups(sim, sleep):
    customs = CustomsInfo(
        items=(CustomsItem("Mug", 1, Decimal("9"), Decimal("0.4"), "6912.00", ""),)
    )
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).ship(KOELN, LOUISVILLE, [SMALL], "11", customs_info=customs)
    assert "origin country" in caught.value.message
    assert sim.shipments == {}


def test_ship_without_weight_is_refused_with_the_ups_message(sim, sleep):
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).ship(KOELN, MIA, [Parcel(Decimal(0))], "11")
    assert caught.value.code == "111035"
    assert "package weight" in caught.value.message
    assert sim.shipments == {}


def test_void_cancels_the_shipment_once(sim, sleep):
    client = client_for(sim, sleep)
    purchase = client.ship(KOELN, MIA, [SMALL], "11")

    result = client.void(purchase.shipment_id)

    assert (result.status, result.message) == ("voided", "Voided")
    assert sim.shipments[purchase.shipment_id]["voided"]
    assert sim.requests_to("DELETE", rf"/void/cancel/{purchase.shipment_id}$")
    with pytest.raises(CarrierValidationError) as caught:
        client.void(purchase.shipment_id)
    assert caught.value.code == "190117"


def test_tracking_is_read_oldest_first_and_normalised(sim, sleep):
    client = client_for(sim, sleep)
    number = client.ship(KOELN, MIA, [SMALL], "11").tracking_number
    sim.add_activity(number, "M", "Shipper created a label", code="MP", status_code="003")
    sim.add_activity(number, "P", "Pickup Scan", code="PU", status_code="038", city="KOELN")
    sim.add_activity(number, "I", "Arrived at Facility", code="AR", status_code="005")
    sim.add_activity(number, "I", "Out For Delivery Today", code="OT", status_code="021")
    sim.add_activity(number, "D", "DELIVERED", code="FS", status_code="011", city="BERLIN")

    tracking = client.track(number)

    assert [e.status for e in tracking.events] == [
        "pre_transit",
        "in_transit",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert tracking.status == "delivered"
    assert tracking.carrier_status == "DELIVERED"
    assert tracking.events[1].city == "KOELN"
    assert tracking.events[0].occurred_at < tracking.events[-1].occurred_at
    # local 08:00 in Louisville (-05:00): stored as 13:00 UTC
    assert tracking.events[0].occurred_at == "2025-03-03T13:00:00+00:00"
    assert number in tracking.public_url
    assert sim.requests_to("GET", rf"/track/v1/details/{number}$")[0].query["locale"] == "en_US"


def test_unknown_tracking_number_is_not_found(sim, sleep):
    with pytest.raises(CarrierNotFoundError) as caught:
        client_for(sim, sleep).track("1Z999AA10123456784")
    assert caught.value.code == "TW0001"


def test_an_expired_token_is_refreshed_once_and_the_call_repeated(sim, sleep):
    client = client_for(sim, sleep)
    client.rate(KOELN, MIA, [SMALL])
    sim.expire_tokens()

    rates = client.rate(KOELN, MIA, [SMALL])

    assert rates
    assert len(sim.requests_to("POST", r"/oauth/token$")) == 2
    statuses = [r.path for r in sim.received]
    assert statuses.count("/api/rating/v2409/Shop") == 3  # ok, 401, ok
    assert sleep.waits == []


def test_a_token_near_its_expiry_is_renewed_before_the_call(sim, sleep):
    clock = FakeClock()
    client = client_for(sim, sleep, clock=clock)
    client.rate(KOELN, MIA, [SMALL])
    clock.now += 14399 - 30  # within the renewal margin

    client.rate(KOELN, MIA, [SMALL])

    assert len(sim.requests_to("POST", r"/oauth/token$")) == 2
    assert len(sim.requests_to("POST", r"^/api/rating/")) == 2, "no 401 on the way"


def test_a_401_that_persists_after_the_refresh_is_an_auth_error(sim, sleep):
    sim.fail_next(
        401,
        times=5,
        path=r"^/api/",
        body={"response": {"errors": [{"code": "250003", "message": "Invalid Access License"}]}},
    )
    with pytest.raises(CarrierAuthError) as caught:
        client_for(sim, sleep).rate(KOELN, MIA, [SMALL])
    assert caught.value.code == "250003"
    assert len(sim.requests_to("POST", r"^/api/rating/")) == 2
    assert len(sim.requests_to("POST", r"/oauth/token$")) == 2


def test_wrong_client_secret_is_an_auth_error_without_retries(sim, sleep):
    with pytest.raises(CarrierAuthError) as caught:
        client_for(sim, sleep, secret="wrong").rate(KOELN, MIA, [SMALL])
    assert (caught.value.status, caught.value.code) == (401, "10401")
    assert len(sim.received) == 1
    assert sim.tokens == {}


def test_429_on_rating_is_waited_out(sim, sleep):
    sim.fail_next(
        429,
        path=r"^/api/rating/",
        headers={"Retry-After": "2"},
        body={"response": {"errors": [{"code": "429", "message": "Too Many Requests"}]}},
    )
    assert client_for(sim, sleep).rate(KOELN, MIA, [SMALL])
    assert len(sim.requests_to("POST", r"^/api/rating/")) == 2
    (wait,) = sleep.waits
    assert 2 <= wait <= 2.5


def test_5xx_on_rating_is_retried(sim, sleep):
    sim.fail_next(503, times=2, path=r"^/api/rating/")
    assert client_for(sim, sleep).rate(KOELN, MIA, [SMALL])
    assert len(sim.requests_to("POST", r"^/api/rating/")) == 3


def test_ship_is_never_repeated_by_the_client(sim, sleep):
    sim.fail_next(503, path=r"/ship$")
    client = client_for(sim, sleep)
    with pytest.raises(CarrierServerError) as caught:
        client.ship(KOELN, MIA, [SMALL], "11")
    assert caught.value.transient
    sim.fail_next(429, path=r"/ship$", headers={"Retry-After": "30"})
    with pytest.raises(CarrierRateLimitError) as caught:
        client.ship(KOELN, MIA, [SMALL], "11")
    assert caught.value.retry_after == 30
    assert len(sim.requests_to("POST", r"/ship$")) == 2
    assert sim.shipments == {}
    assert sleep.waits == []


def test_trans_id_is_the_logged_request_id_and_no_secret_is_logged(sim, sleep, caplog):
    # Under Odoo the client logger sits below "odoo", whose level Odoo sets.
    caplog.set_level(logging.INFO, logger=UpsClient.__module__)
    client_for(sim, sleep).rate(KOELN, MIA, [SMALL])
    trans_id = sim.requests_to("POST", r"^/api/rating/")[0].headers["transid"]
    assert f"(request id {trans_id})" in caplog.text
    assert SECRET not in caplog.text
    assert next(iter(sim.tokens)) not in caplog.text


def test_a_shipment_is_found_by_its_reference_and_its_label_recovered(sim, sleep):
    client = client_for(sim, sleep)
    assert client.find_shipments("WH/OUT/00077") == []
    purchase = client.ship(KOELN, MIA, [SMALL], "11", reference="WH/OUT/00077")
    assert client.find_shipments("WH/OUT/00077") == [purchase.tracking_number]
    label = client.recover_label(purchase.tracking_number)
    assert label.format == "GIF"
    assert label.content == purchase.packages[0].label.content
    client.void(purchase.shipment_id)
    assert client.find_shipments("WH/OUT/00077") == [], "a voided shipment is not found"


def test_a_label_not_scanned_yet_is_no_news_not_an_error(sim, sleep):
    client = client_for(sim, sleep)
    number = client.ship(KOELN, MIA, [SMALL], "11").tracking_number

    tracking = client.track(number)

    assert tracking.found is False
    assert tracking.tracking_number == number
    assert tracking.events == ()
    assert tracking.carrier_status == "TW0001 Tracking Information Not Found"
    sim.add_activity(number, "M", "Shipper created a label", code="MP", status_code="003")
    scanned = client.track(number)
    assert scanned.found is True
    assert scanned.status == "pre_transit"


def test_the_documented_not_found_answer_is_no_news(sim, sleep):
    body = json.loads((FIXTURES / "track_not_found.json").read_text())
    sim.fail_next(200, path=r"/track/v1/details/", body=body)
    tracking = client_for(sim, sleep).track("1Z023E2X0214323462")
    assert tracking.found is False
    assert "TW0001" in tracking.carrier_status


def test_the_documented_answer_is_read_with_its_current_status(sim, sleep):
    body = json.loads((FIXTURES / "track_in_transit.json").read_text())
    sim.fail_next(200, path=r"/track/v1/details/", body=body)
    tracking = client_for(sim, sleep).track("1Z023E2X0214323462")
    assert tracking.found is True
    assert tracking.status == "exception"  # currentStatus.type X
    # the scan with GMT fields in UTC (its gmtTime, 74700, as documented); the
    # one without (older answers) in its local time, without a zone
    assert [(e.status, e.carrier_status, e.occurred_at) for e in tracking.events] == [
        ("pre_transit", "MP", "2021-02-09T09:15:19"),
        ("exception", "SR", "2021-02-10T07:47:00+00:00"),
    ]
    assert (tracking.events[-1].city, tracking.events[-1].country) == ("Wayne", "US")
    assert tracking.estimated_delivery == "2021-02-12"


@pytest.mark.parametrize(
    ("gmt", "expected"),
    [
        # what UPS answers: GMT date and time beside the local ones
        (
            {"gmtDate": "20251203", "gmtTime": "15:15:00", "gmtOffset": "-05:00"},
            "2025-12-03T15:15:00+00:00",
        ),
        # Tracking.yaml's own example: gmtTime 74700, its leading zero dropped
        (
            {"gmtDate": "20251204", "gmtTime": "74700", "gmtOffset": "-05:00"},
            "2025-12-04T07:47:00+00:00",
        ),
        # the GMT day is not the local one (late in the evening west of Greenwich)
        (
            {"gmtDate": "20251204", "gmtTime": "011500", "gmtOffset": "-09:00"},
            "2025-12-04T01:15:00+00:00",
        ),
        # only the offset: the local time less the offset
        ({"gmtOffset": "-05:00"}, "2025-12-03T15:15:00+00:00"),
        ({"gmtOffset": "+01:00"}, "2025-12-03T09:15:00+00:00"),
        # a GMT time that is not one: the local time less the offset, logged
        (
            {"gmtDate": "20251203", "gmtTime": "noon", "gmtOffset": "+05:30"},
            "2025-12-03T04:45:00+00:00",
        ),
        # nothing but the local time: kept as it is, without a zone (assumed UTC)
        ({}, "2025-12-03T10:15:00"),
        ({"gmtOffset": "EST"}, "2025-12-03T10:15:00"),
    ],
)
def test_activity_times_are_read_in_utc(sim, sleep, gmt, expected):
    """UPS gives the scan's local date and time plus gmtDate / gmtTime / gmtOffset
    (Tracking.yaml's Activity): the moment is read in UTC (issue 26 point 5)."""
    client = client_for(sim, sleep)
    number = client.ship(KOELN, MIA, [SMALL], "11").tracking_number
    sim.add_activity(number, "I", "Arrived", code="AR", date="20251203", time="101500", gmt=gmt)
    (event,) = client.track(number).events
    assert event.occurred_at == expected


# Every status type UPS documents (Track API appendix, "Status Types"), normalised.
DOCUMENTED_STATUS_TYPES = [
    ("D", "FS", "011", "delivered"),
    ("I", "AR", "005", "in_transit"),
    ("I", "OT", "021", "out_for_delivery"),
    ("M", "MP", "003", "pre_transit"),
    ("MV", "VD", "004", "exception"),
    ("P", "PU", "038", "in_transit"),
    ("X", "SR", "003", "exception"),
    ("RS", "RS", "012", "returned"),
    ("DO", "DO", "", "in_transit"),
    ("DD", "DD", "", "in_transit"),
    ("W", "W", "", "in_transit"),
    ("NA", "NA", "", "unknown"),
    ("O", "OF", "", "out_for_delivery"),
]


@pytest.mark.parametrize(("kind", "code", "status_code", "expected"), DOCUMENTED_STATUS_TYPES)
def test_each_documented_status_type(sim, sleep, kind, code, status_code, expected):
    client = client_for(sim, sleep)
    number = client.ship(KOELN, MIA, [SMALL], "11").tracking_number
    sim.add_activity(number, kind, f"status {kind}", code=code, status_code=status_code)
    tracking = client.track(number)
    assert tracking.status == expected
    assert [e.status for e in tracking.events] == [expected]


def test_dates_that_are_not_dates_are_dropped_with_a_log_line(sim, sleep, caplog):
    caplog.set_level(logging.INFO, logger=UpsClient.__module__)
    client = client_for(sim, sleep)
    number = client.ship(KOELN, MIA, [SMALL], "11").tracking_number
    sim.add_activity(number, "P", "Pickup Scan", code="PU", date="20251399")
    sim.add_activity(number, "I", "Arrived", code="AR", date="20251201", time="256199")
    sim.add_activity(number, "I", "Departed", code="DP", date="2025-12-02", time="101500")
    sim.add_activity(number, "I", "Arrived", code="AR", date="20251203", time="101500")

    tracking = client.track(number)

    assert [e.occurred_at for e in tracking.events] == ["", "", "", "2025-12-03T10:15:00"]
    assert tracking.status == "in_transit"
    assert "date '20251399' time '080000' is not a moment" in caplog.text
    assert "time '256199' is not a moment" in caplog.text

    body = json.loads((FIXTURES / "track_in_transit.json").read_text())
    body["trackResponse"]["shipment"][0]["package"][0]["deliveryDate"][0]["date"] = "2021-02-12"
    body["trackResponse"]["shipment"][0]["inquiryNumber"] = number
    body["trackResponse"]["shipment"][0]["package"][0]["trackingNumber"] = number
    sim.fail_next(200, path=r"/track/v1/details/", body=body)
    assert client.track(number).estimated_delivery is None
    assert "'2021-02-12' is not a date" in caplog.text


@pytest.mark.parametrize("where", ["package", "inquiry"])
def test_a_tracking_answer_about_another_parcel_is_refused(sim, sleep, where):
    """The documented answer for 1Z023E2X0214323462, given when another number
    was asked for: refused (a carrier error), not applied to the parcel asked."""
    body = json.loads((FIXTURES / "track_in_transit.json").read_text())
    shipment = body["trackResponse"]["shipment"][0]
    if where == "package":
        shipment["inquiryNumber"] = "1Z023E2X0214323499"  # only the package says it
    sim.fail_next(200, path=r"/track/v1/details/", body=body)
    with pytest.raises(CarrierResponseError, match="not 1Z023E2X0214323499") as caught:
        client_for(sim, sleep).track("1Z023E2X0214323499")
    assert "1Z023E2X0214323462" in str(caught.value)


def test_the_package_asked_for_is_read_among_several(sim, sleep):
    body = json.loads((FIXTURES / "track_in_transit.json").read_text())
    shipment = body["trackResponse"]["shipment"][0]
    other = json.loads(json.dumps(shipment["package"][0]))
    other["trackingNumber"] = "1Z023E2X0214323470"
    other["currentStatus"] = {"type": "D", "code": "FS", "description": "Delivered"}
    shipment["package"].insert(0, other)
    sim.fail_next(200, path=r"/track/v1/details/", body=body)
    tracking = client_for(sim, sleep).track("1z023e2x0214323462")
    assert tracking.tracking_number == "1Z023E2X0214323462"
    assert tracking.status == "exception"  # its own status, not the other's delivery


def test_a_not_found_answer_with_the_warning_alone_is_no_news(sim, sleep):
    # the shipment may carry nothing but the warning (no inquiry number, no package)
    body = json.loads((FIXTURES / "track_not_found.json").read_text())
    body["trackResponse"]["shipment"] = [
        {"warnings": body["trackResponse"]["shipment"][0]["warnings"][0]}
    ]
    sim.fail_next(200, path=r"/track/v1/details/", body=body)
    tracking = client_for(sim, sleep).track("1Z023E2X0214323462")
    assert tracking.found is False
    assert tracking.tracking_number == "1Z023E2X0214323462"


def test_another_warning_without_a_package_is_still_an_error_that_names_it(sim, sleep):
    body = {"trackResponse": {"shipment": [{"warnings": [{"code": "TW0099", "message": "?"}]}]}}
    sim.fail_next(200, path=r"/track/v1/details/", body=body)
    with pytest.raises(CarrierResponseError, match="TW0099"):
        client_for(sim, sleep).track("1Z023E2X0214323462")


def test_the_documented_error_body_is_a_typed_error(sim, sleep):
    body = json.loads((FIXTURES / "error_invalid_inquiry_number.json").read_text())
    sim.fail_next(400, path=r"/track/v1/details/", body=body)
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).track("1Z")
    assert caught.value.code == "TV1002"
    assert "Invalid inquiry number" in str(caught.value)


# --- the published contract (UPS's OpenAPI Rating.yaml / Shipping.yaml, MIT) ------------
def _published(operation):
    root = REQUEST_SCHEMAS["roots"][operation]
    components = REQUEST_SCHEMAS["components"][root["file"]]
    return components[root["schema"]], components


def test_every_request_the_client_builds_fits_the_published_schemas(sim, sleep):
    """Quotes (Shop and Rate), a domestic and an export label with dimensions,
    phones and a reference, and a label recovery: each body validates against
    UPS's published request schema (names, nesting, types, lengths, required)."""
    client = client_for(sim, sleep)
    client.rate(LOUISVILLE, BOB, [BIG, SMALL], reference="SO042")
    client.rate(KOELN, MIA, [SMALL], service_code="11")
    purchase = client.ship(KOELN, MIA, [BIG, SMALL], "11", description="Clothing", reference="X")
    customs = TSHIRTS
    client.ship(KOELN, LOUISVILLE, [SMALL], "11", customs_info=customs, reference="WH/OUT/7")
    client.recover_label(purchase.tracking_number)
    checked = 0
    for operation, path in (
        ("rate", r"^/api/rating/"),
        ("ship", r"/ship$"),
        ("label_recovery", r"/recovery$"),
    ):
        schema, components = _published(operation)
        for sent in sim.requests_to("POST", path):
            assert schema_errors(schema, sent.json(), components) == []
            checked += 1
    assert checked == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # a name the contract does not have
        (lambda s: s["Package"][0].update(Weight="2"), "Package[0].Weight: is not in the contract"),
        # a number where the contract wants a string
        (
            lambda s: s["Package"][0]["PackageWeight"].update(Weight=2.5),
            "PackageWeight.Weight: must be a string, not float",
        ),
        # a required element left out
        (lambda s: s.pop("Shipper"), "Shipment.Shipper: is required"),
        # the wrong nesting: the address's fields one level up
        (
            lambda s: s["ShipTo"].update(s["ShipTo"].pop("Address")),
            "ShipTo.AddressLine: is not in the contract",
        ),
    ],
)
def test_the_simulator_refuses_a_request_off_the_published_schema(sim, sleep, change, message):
    client = client_for(sim, sleep)
    client.ship(KOELN, MIA, [SMALL], "11", reference="X")
    body = sim.requests_to("POST", r"/ship$")[0].json()
    change(body["ShipmentRequest"]["Shipment"])
    answer = requests.post(
        f"{sim.url}/api/shipments/v2409/ship",
        json=body,
        headers={"Authorization": f"Bearer {client.access_token()}"},
        timeout=5,
    )
    assert answer.status_code == 400
    (error,) = answer.json()["response"]["errors"]
    assert error["code"] == "SCHEMA"
    assert message in error["message"]


def test_the_simulators_answers_fit_the_published_schemas(sim, sleep):
    """What the client reads (Rating, Shipping, Void, Label Recovery answers)
    has the names, nesting and types of UPS's published answer schemas."""
    client = client_for(sim, sleep)
    bodies = []
    original = client.request

    def keep(*args, **kwargs):
        response = original(*args, **kwargs)
        bodies.append((args[1], response.json()))
        return response

    client.request = keep
    client.rate(LOUISVILLE, BOB, [BIG, SMALL], reference="SO042")
    client.rate(KOELN, MIA, [SMALL], service_code="11")
    purchase = client.ship(KOELN, MIA, [BIG, SMALL], "11", description="Clothing", reference="X")
    client.recover_label(purchase.tracking_number)
    client.void(purchase.shipment_id)
    checked = 0
    for path, body in bodies:
        operation = (
            "rate_response"
            if "/rating/" in path
            else "ship_response"
            if path.endswith("/ship")
            else "label_recovery_response"
            if path.endswith("/recovery")
            else "void_response"
            if "/void/cancel/" in path
            else None
        )
        if operation:
            schema, components = _published(operation)
            assert schema_errors(schema, body, components) == [], path
            checked += 1
    assert checked == 5


def test_a_single_value_for_a_one_item_array_is_taken(sim, sleep):
    """As UPS's JSON APIs and its published examples do: AddressLine "Main St 1"
    for ["Main St 1"]."""
    client = client_for(sim, sleep)
    client.ship(KOELN, MIA, [SMALL], "11", reference="X")
    body = sim.requests_to("POST", r"/ship$")[0].json()
    address = body["ShipmentRequest"]["Shipment"]["ShipTo"]["Address"]
    address["AddressLine"] = address["AddressLine"][0]
    answer = requests.post(
        f"{sim.url}/api/shipments/v2409/ship",
        json=body,
        headers={"Authorization": f"Bearer {client.access_token()}"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["ShipmentResponse"]["ShipmentResults"]["PackageResults"]


def test_the_token_call_is_a_form_as_published(sim, sleep):
    """OAuthClientCredentials.yaml: the client's token call is a form with its
    grant; a body of another content type is refused by the simulator."""
    client_for(sim, sleep).access_token()
    (sent,) = sim.requests_to("POST", r"/oauth/token$")
    assert sent.headers["content-type"].startswith("application/x-www-form-urlencoded")
    answer = requests.post(
        f"{sim.url}/security/v1/oauth/token",
        data=b"grant_type=client_credentials",
        headers={"Content-Type": "text/plain"},
        auth=(CLIENT_ID, SECRET),
        timeout=5,
    )
    assert answer.status_code == 400
    assert "x-www-form-urlencoded" in answer.text
