"""EasyPostClient against the EasyPost simulator over real HTTP on 127.0.0.1."""

import base64
import io
import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from PyPDF2 import PdfReader

from tests.simulators.easypost import REQUEST_SCHEMAS as EASYPOST_SCHEMAS
from tests.simulators.easypost import EasyPostSimulator, schema_errors

from .. import (
    Address,
    CarrierAuthError,
    CarrierConnectionError,
    CarrierNotFoundError,
    CarrierRateLimitError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
    CustomsInfo,
    CustomsItem,
    EasyPostClient,
    Parcel,
    RetryPolicy,
    parse_easypost_event,
    verify_easypost_signature,
)
from ..easypost import label_cost, parse_shipment, parse_tracker
from .fakes import FakeSleep, WebhookReceiver, closed_port_url

FIXTURES = Path(__file__).parent / "fixtures" / "easypost"
API_KEY = "EZTK_simulator_test_key"
WAREHOUSE = Address(
    name="OMS Warehouse",
    company="OMS Demo Inc.",
    street1="417 Montgomery Street",
    street2="Floor 5",
    city="San Francisco",
    state="CA",
    zip="94104",
    country="US",
    phone="4155559999",
)
BOB = Address(
    name="Bob Norman",
    street1="Chestnut Street 92",
    city="Louisville",
    state="KY",
    zip="40202",
    country="US",
    phone="+16135551111",
    email="bob.norman@example.com",
)
JEAN = Address(
    name="Jean Dupont", street1="12 rue de Rivoli", city="Paris", zip="75001", country="FR"
)
BOX = Parcel(Decimal("1.25"), Decimal(30), Decimal(20), Decimal(10))
# What the exports declare to customs.
TSHIRTS = CustomsInfo(
    items=(
        CustomsItem(
            description="Organic T-Shirt",
            quantity=2,
            value=Decimal("48.00"),
            weight_kg=Decimal("0.4"),
            hs_tariff_number="610910",
            origin_country="PT",
            code="TSHIRT-BLK-M",
        ),
    ),
    signer="Ops Team",
    incoterm="DAP",
)


@pytest.fixture
def sim():
    with EasyPostSimulator(api_key=API_KEY) as simulator:
        yield simulator


@pytest.fixture
def sleep():
    return FakeSleep()


def client_for(sim, sleep, api_key=API_KEY, **kwargs):
    kwargs.setdefault("timeout", (2, 5))
    return EasyPostClient(api_key, base_url=sim.url, sleep=sleep, **kwargs)


def shipment_for(client, **kwargs):
    return client.create_shipment(
        WAREHOUSE,
        BOB,
        BOX,
        options={"delivery_confirmation": "SIGNATURE"},
        reference="WH/OUT/00042",
        **kwargs,
    )


def cheapest(shipment):
    return min(shipment.rates, key=lambda rate: rate.amount)


def test_create_shipment_sends_the_documented_body_and_returns_the_rates(sim, sleep):
    shipment = shipment_for(client_for(sim, sleep))

    sent = sim.requests_to("POST", r"^/v2/shipments$")
    assert len(sent) == 1
    assert sent[0].json() == json.loads((FIXTURES / "create_shipment_request.json").read_text())
    expected_auth = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert sent[0].headers["authorization"] == expected_auth
    assert shipment.id in sim.shipments
    assert {(r.carrier, r.service) for r in shipment.rates} == {
        ("USPS", "GroundAdvantage"),
        ("USPS", "Priority"),
        ("USPS", "Express"),
        ("UPS", "Ground"),
        ("UPS", "2ndDayAir"),
    }
    ground = next(r for r in shipment.rates if r.service == "GroundAdvantage")
    assert ground.amount == Decimal("9.61")  # 5.20 + 0.10 x 44.1 oz
    assert (ground.currency, ground.delivery_days) == ("USD", 5)
    assert ground.id.startswith("rate_")
    assert not shipment.is_purchased


def test_international_shipment_needs_customs_info(sim, sleep):
    client = client_for(sim, sleep)
    without = client.create_shipment(WAREHOUSE, JEAN, BOX)
    assert without.rates == ()
    assert without.messages[0].message.startswith("Customs information is required")

    customs = TSHIRTS
    with_customs = client.create_shipment(WAREHOUSE, JEAN, BOX, customs_info=customs)
    assert {r.service for r in with_customs.rates} == {
        "PriorityMailInternational",
        "ExpressWorldwideNondoc",
    }
    sent = sim.requests_to("POST", r"^/v2/shipments$")[-1].json()["shipment"]["customs_info"]
    assert sent["customs_items"] == [
        {
            "description": "Organic T-Shirt",
            "quantity": 2,
            "value": "48.00",
            "currency": "USD",
            "weight": 14.1,
            "hs_tariff_number": "610910",
            "origin_country": "PT",
            "code": "TSHIRT-BLK-M",
        }
    ]
    assert (sent["customs_signer"], sent["declaration"]) == ("Ops Team", "Incoterm DAP")


def test_validation_error_carries_the_carriers_message_and_fields(sim, sleep):
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).create_shipment(WAREHOUSE, BOB, Parcel(Decimal(0)))
    error = caught.value
    assert error.status == 422
    assert error.code == "SHIPMENT.INVALID_PARAMS"
    assert "parcel.weight: must be greater than 0" in error.message
    assert error.details == ("parcel.weight: must be greater than 0",)
    assert error.request_id
    assert not error.transient
    assert sim.shipments == {}


def test_wrong_api_key_is_an_auth_error(sim, sleep):
    with pytest.raises(CarrierAuthError) as caught:
        shipment_for(client_for(sim, sleep, api_key="EZTK_revoked"))
    assert caught.value.status == 401
    assert caught.value.code == "APIKEY.INACTIVE"
    assert "no longer active" in str(caught.value)
    assert len(sim.received) == 1, "a refused key is not tried again"


def test_buy_returns_the_pdf_label_without_an_idempotency_header(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    rate = cheapest(shipment)

    purchase = client.buy(shipment.id, rate.id)

    assert sim.purchases == [(shipment.id, rate.id)]
    buy = sim.requests_to("POST", r"/buy$")[0]
    assert buy.json() == {"rate": {"id": rate.id}}
    # EasyPost's public documentation describes no Idempotency-Key: none is sent
    assert not [r for r in sim.received if "idempotency-key" in r.headers]
    assert purchase.tracking_number == sim.shipments[shipment.id]["tracking_code"]
    assert (purchase.carrier, purchase.service, purchase.amount) == (
        rate.carrier,
        rate.service,
        rate.amount,
    )
    (package,) = purchase.packages
    assert package.label.format == "PDF"
    assert package.label.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(package.label.content)).pages[0].extract_text()
    assert purchase.tracking_number in text
    assert client.get_shipment(shipment.id).is_purchased


def test_zpl_label_is_converted_by_easypost(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    purchase = client.buy(shipment.id, cheapest(shipment).id)

    label = client.get_label(shipment.id, "ZPL")

    convert = sim.requests_to("GET", r"/label$")
    assert [r.query for r in convert] == [{"file_format": "ZPL"}]
    assert label.format == "ZPL"
    assert label.content.startswith(b"^XA") and label.content.rstrip().endswith(b"^XZ")
    assert f"^FD{purchase.tracking_number}^FS".encode() in label.content
    assert sim.shipments[shipment.id]["postage_label"]["label_zpl_url"] == label.url


def test_buy_with_an_unknown_rate_is_refused(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    with pytest.raises(CarrierValidationError) as caught:
        client.buy(shipment.id, "rate_unknown")
    assert caught.value.code == "SHIPMENT.RATE.INVALID"
    assert sim.purchases == []


def test_refund_voids_the_label(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    client.buy(shipment.id, cheapest(shipment).id)

    result = client.refund(shipment.id)

    assert (result.shipment_id, result.status) == (shipment.id, "submitted")
    assert sim.shipments[shipment.id]["refund_status"] == "submitted"


def test_refund_after_the_first_scan_is_refused(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    client.buy(shipment.id, cheapest(shipment).id)
    sim.advance_tracker(sim.shipments[shipment.id]["tracker"]["id"])
    with pytest.raises(CarrierValidationError, match="has been scanned"):
        client.refund(shipment.id)


def test_trackers_are_created_once_and_read(sim, sleep):
    client = client_for(sim, sleep)
    tracker = client.create_tracker("9400100000000000000042", carrier="USPS")
    again = client.create_tracker("9400100000000000000042", carrier="USPS")
    assert again.id == tracker.id
    assert len(sim.trackers) == 1
    assert sim.requests_to("POST", r"^/v2/trackers$")[0].json() == {
        "tracker": {"tracking_code": "9400100000000000000042", "carrier": "USPS"}
    }
    assert (tracker.status, tracker.carrier_status) == ("pre_transit", "pre_transit")

    sim.advance_tracker(tracker.id)
    sim.advance_tracker(tracker.id)
    read = client.get_tracker(tracker.id)
    assert read.status == "out_for_delivery"
    assert [e.status for e in read.events] == ["pre_transit", "in_transit", "out_for_delivery"]
    assert read.events[-1].description == "Out for Delivery"
    assert read.events[-1].city == "LOUISVILLE"


def test_a_tracker_about_another_parcel_is_refused(sim, sleep):
    """A tracker whose tracking_code is not the one asked for (issue 26 point 5):
    a carrier error, never news about the parcel asked for."""
    client = client_for(sim, sleep)
    tracker = client.create_tracker("9400100000000000000042", carrier="USPS")
    other = dict(sim.trackers[tracker.id], tracking_code="9400100000000000000099")
    sim.fail_next(200, method="GET", path=r"^/v2/trackers/", body=other)
    with pytest.raises(CarrierResponseError, match="about 9400100000000000000099, not 94001"):
        client.get_tracker(tracker.id, "9400100000000000000042")
    sim.fail_next(200, method="POST", path=r"^/v2/trackers$", body=other)
    with pytest.raises(CarrierResponseError, match="not 9400100000000000000042"):
        client.create_tracker("9400100000000000000042", carrier="USPS")
    # another tracker than the one read
    sim.fail_next(200, method="GET", path=r"^/v2/trackers/", body=dict(other, id="trk_other"))
    with pytest.raises(CarrierResponseError, match="tracker trk_other"):
        client.get_tracker(tracker.id)
    # the number asked for, spaces and case aside, is the parcel's
    assert client.get_tracker(tracker.id, " 94001000 00000000000042").id == tracker.id


def test_a_shipment_read_back_as_another_is_refused(sim, sleep):
    """Reading a shipment back (exactly once: reuse its label) must not take
    another shipment's label for this one's."""
    client = client_for(sim, sleep)
    sim.fail_next(200, method="GET", path=r"^/v2/shipments/", body=fixture("shipment_bought.json"))
    with pytest.raises(CarrierResponseError, match=r"about shp_\w+, not shp_mine"):
        client.purchased("shp_mine")


def test_tracker_times_are_read_in_utc():
    data = fixture("tracker.json")
    data["tracking_details"][0]["datetime"] = "2025-02-06T21:48:26+02:00"
    data["tracking_details"][1]["datetime"] = "2025-02-06T19:50:00"  # no zone: UTC
    tracking = parse_tracker(data)
    assert [e.occurred_at for e in tracking.events] == [
        "2025-02-06T19:48:26+00:00",
        "2025-02-06T19:50:00+00:00",
    ]


def test_unknown_tracker_is_not_found(sim, sleep):
    with pytest.raises(CarrierNotFoundError):
        client_for(sim, sleep).get_tracker("trk_missing")


def test_scan_form_closes_the_days_shipments(sim, sleep):
    client = client_for(sim, sleep)
    bought = []
    for _ in range(2):
        shipment = shipment_for(client)
        bought.append(client.buy(shipment.id, cheapest(shipment).id))

    form = client.create_scan_form([p.shipment_id for p in bought])

    assert form.status == "created"
    assert form.tracking_codes == tuple(p.tracking_number for p in bought)
    assert form.id in sim.scan_forms
    assert requests.get(form.form_url, timeout=5).content.startswith(b"%PDF")
    with pytest.raises(CarrierValidationError) as caught:
        client.create_scan_form([bought[0].shipment_id])
    assert caught.value.code == "SCAN_FORM.VALIDATION.ALREADY_MANIFESTED"


def test_address_verification_suggests_or_refuses(sim, sleep):
    client = client_for(sim, sleep)
    check = client.verify_address(BOB)
    assert check.deliverable
    assert check.address.street1 == "CHESTNUT STREET 92"
    assert check.address.zip == "40202-1234"
    assert sim.requests_to("POST", r"^/v2/addresses$")[0].json()["verify"] is True

    bad = client.verify_address(
        Address(name="X", street1="1 Undeliverable Rd", city="Nowhere", zip="00000", country="US")
    )
    assert not bad.deliverable
    assert bad.messages == ("Address not found",)


def test_429_on_an_idempotent_call_waits_retry_after_then_succeeds(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    sim.fail_next(
        429,
        times=2,
        method="GET",
        headers={"Retry-After": "3"},
        body={"error": {"code": "RATE_LIMITED", "message": "Too many requests", "errors": []}},
    )

    read = client.get_shipment(shipment.id)

    assert read.id == shipment.id
    assert len(sim.requests_to("GET", r"^/v2/shipments/")) == 3
    assert len(sleep.waits) == 2
    assert all(3 <= wait <= 3 * 1.25 for wait in sleep.waits)


def test_429_on_a_create_without_key_is_not_retried(sim, sleep):
    sim.fail_next(
        429,
        path=r"^/v2/shipments$",
        headers={"Retry-After": "7"},
        body={"error": {"code": "RATE_LIMITED", "message": "Too many requests", "errors": []}},
    )
    with pytest.raises(CarrierRateLimitError) as caught:
        shipment_for(client_for(sim, sleep))
    assert caught.value.retry_after == 7
    assert caught.value.transient
    assert len(sim.received) == 1
    assert sleep.waits == []


def test_5xx_on_a_create_without_key_is_not_retried(sim, sleep):
    sim.fail_next(503, path=r"^/v2/shipments$")
    with pytest.raises(CarrierServerError):
        shipment_for(client_for(sim, sleep))
    assert len(sim.received) == 1
    assert sim.shipments == {}


def test_5xx_gives_up_after_the_bounded_attempts(sim, sleep):
    sim.fail_next(500, times=10, method="GET")
    client = client_for(sim, sleep, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(CarrierServerError) as caught:
        client.get_tracker("trk_any")
    assert caught.value.status == 500
    assert len(sim.received) == 3
    assert len(sleep.waits) == 2


def test_connection_error_is_typed_and_retried_only_when_safe(sleep):
    client = EasyPostClient(API_KEY, base_url=closed_port_url(), sleep=sleep, timeout=(0.5, 0.5))
    with pytest.raises(CarrierConnectionError):
        client.get_tracker("trk_any")
    assert len(sleep.waits) == 3  # four attempts
    with pytest.raises(CarrierConnectionError):
        client.create_shipment(WAREHOUSE, BOB, BOX)
    assert len(sleep.waits) == 3


def test_the_log_names_request_id_and_duration_never_the_key(sim, sleep, caplog):
    # Under Odoo the client logger sits below "odoo", whose level Odoo sets.
    caplog.set_level(logging.DEBUG, logger=EasyPostClient.__module__)
    shipment_for(client_for(sim, sleep))
    text = caplog.text
    assert "POST /v2/shipments → EasyPost 201" in text
    assert "request id " in text and "request id -" not in text
    assert API_KEY not in text
    assert base64.b64encode(f"{API_KEY}:".encode()).decode() not in text


def test_an_answer_lost_after_easypost_bought_is_read_back_not_bought_again(sim, sleep):
    client = client_for(sim, sleep, timeout=(1, 0.3))
    shipment = shipment_for(client)
    rate = cheapest(shipment)
    sim.delay_next(0.8, path=r"/buy$")

    purchase = client.buy(shipment.id, rate.id)

    assert len(sim.requests_to("POST", r"/buy$")) == 1, "a buy is never repeated"
    assert sim.requests_to("GET", rf"^/v2/shipments/{shipment.id}$"), "read back"
    assert sim.purchases == [(shipment.id, rate.id)]
    assert purchase.tracking_number == sim.shipments[shipment.id]["tracking_code"]
    assert purchase.packages[0].label.content.startswith(b"%PDF")


def test_a_buy_easypost_did_not_make_is_an_error_to_retry(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    sim.fail_next(503, path=r"/buy$")
    with pytest.raises(CarrierServerError):
        client.buy(shipment.id, cheapest(shipment).id)
    assert sim.purchases == []
    assert client.purchased(shipment.id) is None
    # the job's retry buys that same shipment, once
    purchase = client.buy(shipment.id, cheapest(shipment).id)
    assert sim.purchases == [(shipment.id, cheapest(shipment).id)]
    assert client.purchased(shipment.id).tracking_number == purchase.tracking_number


def test_a_second_buy_of_a_shipment_gets_the_label_bought_before(sim, sleep):
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    rate = cheapest(shipment)
    first = client.buy(shipment.id, rate.id)

    again = client.buy(shipment.id, rate.id)  # EasyPost: SHIPMENT.POSTAGE.EXISTS

    assert sim.purchases == [(shipment.id, rate.id)]
    assert again.tracking_number == first.tracking_number
    assert again.packages[0].label.content.startswith(b"%PDF")


def test_the_simulator_ignores_an_idempotency_header(sim, sleep):
    """As EasyPost documents none: the same key twice makes two shipments."""
    session = requests.Session()
    session.headers["Idempotency-Key"] = "same"
    client = client_for(sim, sleep, session=session)
    shipment_for(client)
    shipment_for(client)
    assert all(r.headers["idempotency-key"] == "same" for r in sim.received)
    assert len(sim.shipments) == 2


def test_webhook_event_signature_is_verified_on_the_raw_body(sim, sleep):
    client = client_for(sim, sleep)
    tracker = client.create_tracker("9400100000000000000042", carrier="USPS")
    event = sim.advance_tracker(tracker.id)

    with WebhookReceiver() as odoo:
        answer = sim.send_event(f"{odoo.url}/oms/carriers/7/webhook", event)
    assert answer.status_code == 200
    (posted,) = odoo.received
    signature = posted.headers["x-hmac-signature"]
    assert signature.startswith("hmac-sha256-hex=")
    assert verify_easypost_signature(posted.body, signature, sim.webhook_secret)
    assert not verify_easypost_signature(posted.body, signature, "another-secret")
    assert not verify_easypost_signature(posted.body + b" ", signature, sim.webhook_secret)
    assert not verify_easypost_signature(posted.body, "", sim.webhook_secret)
    assert not verify_easypost_signature(posted.body, signature, "")

    parsed = parse_easypost_event(json.loads(posted.body))
    assert parsed.description == "tracker.updated"
    assert parsed.tracking.id == tracker.id
    assert parsed.tracking.status == "in_transit"


def test_webhook_event_golden_payload_is_normalised():
    event = parse_easypost_event(json.loads((FIXTURES / "tracker_updated_event.json").read_text()))
    tracking = event.tracking
    assert (event.id, event.result_type) == ("evt_1d5f4dbc4aee11ef9e2b8b6a2d3a2a11", "Tracker")
    assert tracking.tracking_number == "9400100000000000000042"
    assert tracking.status == "out_for_delivery"
    assert [(e.status, e.city) for e in tracking.events] == [
        ("pre_transit", "SAN FRANCISCO"),
        ("in_transit", "OAKLAND"),
        ("out_for_delivery", "LOUISVILLE"),
    ]
    assert tracking.estimated_delivery == "2025-03-05T20:00:00Z"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda event: [event],
        lambda event: event["result"].update(tracking_details={"not": "a list"}),
        lambda event: event["result"]["tracking_details"][0].update(datetime="yesterday"),
        lambda event: event["result"]["tracking_details"][0].update(datetime=20250305),
        lambda event: event["result"]["tracking_details"][0].update(
            datetime="0001-01-01T00:00:00+05:00"
        ),
        lambda event: event["result"].update(tracking_code=["9400100000000000000042"]),
        lambda event: event["result"].update(status={"delivered": True}),
        lambda event: event["result"]["tracking_details"][0].update(tracking_location="SF"),
    ],
)
def test_a_malformed_webhook_event_is_a_value_error(mutate):
    event = json.loads((FIXTURES / "tracker_updated_event.json").read_text())
    event = mutate(event) or event
    with pytest.raises(ValueError):
        parse_easypost_event(event)


# --- EasyPost's own recorded answers (fixtures/easypost/README.md) -------------------
def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def test_a_recorded_shipment_gives_its_rates():
    shipment = parse_shipment(fixture("shipment_created.json"))
    assert shipment.id == "shp_16578f588f9546ec914afd2474e24ff5"
    assert not shipment.is_purchased
    assert sorted((r.service, r.amount) for r in shipment.rates) == [
        ("Express", Decimal("34.15")),
        ("GroundAdvantage", Decimal("6.07")),
        ("Priority", Decimal("7.42")),
    ]
    assert {(r.carrier, r.currency) for r in shipment.rates} == {("USPS", "USD")}
    assert all(r.id.startswith("rate_") for r in shipment.rates)


def test_a_recorded_purchase_gives_its_label_rate_and_tracking_code():
    shipment = parse_shipment(fixture("shipment_bought.json"))
    assert shipment.is_purchased
    assert shipment.tracking_code == "9400100208303109505657"
    assert (shipment.selected_rate.service, shipment.selected_rate.amount) == (
        "GroundAdvantage",
        Decimal("6.07"),
    )
    assert shipment.label_url("PNG").endswith(".png")
    assert shipment.label_url("PDF") is None
    assert shipment.tracker_id.startswith("trk_")


@pytest.mark.parametrize(
    ("name", "cost", "fees"),
    [
        # a label bought with a carbon offset: postage 6.07 + offset 0.11
        (
            "shipment_bought_carbon_offset.json",
            "6.18",
            {"LabelFee": "0", "PostageFee": "6.07", "CarbonOffsetFee": "0.11"},
        ),
        # a bought label insured for 100.00: postage 6.07 + premium 1.00
        (
            "shipment_insured.json",
            "7.07",
            {"LabelFee": "0", "PostageFee": "6.07", "InsuranceFee": "1"},
        ),
    ],
)
def test_the_recorded_fees_make_the_label_cost(name, cost, fees):
    shipment = parse_shipment(fixture(name))
    assert shipment.selected_rate.amount == Decimal("6.07")
    amount, billed = label_cost(shipment)
    assert amount == Decimal(cost)
    assert {fee.type: fee.amount for fee in billed} == {k: Decimal(v) for k, v in fees.items()}


def test_refunded_fees_are_not_billed_and_carrier_billed_postage_is_the_rate():
    bought = fixture("shipment_bought_carbon_offset.json")
    # a carrier account billed by the carrier: no PostageFee, the rate is the postage
    bought["fees"] = [
        {"object": "Fee", "type": "LabelFee", "amount": "0.05000", "charged": True},
        {"object": "Fee", "type": "InsuranceFee", "amount": "1.00000", "refunded": True},
    ]
    assert label_cost(parse_shipment(bought))[0] == Decimal("6.12")


def test_a_fee_that_is_not_an_amount_is_refused():
    bought = fixture("shipment_insured.json")
    bought["fees"][0]["amount"] = "lots"
    with pytest.raises(CarrierResponseError, match="fee amount"):
        parse_shipment(bought)


def test_buy_returns_the_label_cost_easypost_bills(sim, sleep):
    """Postage, EasyPost's label fee and the insurance premium, as the buy's
    answer itemises them in ``fees``."""
    sim.label_fee = Decimal("0.05")
    client = client_for(sim, sleep)
    shipment = shipment_for(client)
    rate = cheapest(shipment)
    purchase = client.buy(shipment.id, rate.id, insurance=Decimal("150.00"))
    assert purchase.amount == rate.amount + Decimal("0.05") + Decimal("1.50")
    assert [(fee.type, fee.amount) for fee in purchase.fees] == [
        ("LabelFee", Decimal("0.05")),
        ("PostageFee", rate.amount),
        ("InsuranceFee", Decimal("1.5")),
    ]


def test_a_recorded_purchase_read_back_is_seen_as_bought(sim, sleep):
    """What a retry reads back (GET /v2/shipments/:id) of a shipment EasyPost sold."""
    bought = fixture("shipment_bought.json")
    sim.fail_next(200, path=r"^/v2/shipments/shp_\w+$", body=bought)
    shipment = client_for(sim, sleep).get_shipment(bought["id"])
    assert shipment.is_purchased
    assert shipment.label_url("PNG") == bought["postage_label"]["label_url"]


def test_a_recorded_tracker_is_read():
    tracking = parse_tracker(fixture("tracker.json"))
    assert (tracking.tracking_number, tracking.carrier) == ("EZ1000000001", "USPS")
    assert tracking.status == "pre_transit"
    assert [(e.description, e.city) for e in tracking.events] == [
        ("Pre-Shipment Info Sent to USPS", ""),
        ("Shipping Label Created", "HOUSTON"),
    ]
    assert tracking.events[0].occurred_at.startswith("2025-02-06T19:48:26")
    assert tracking.public_url.startswith("https://track.easypost.com/")


# Every Tracker.status EasyPost documents, normalised.
EASYPOST_STATUSES = [
    ("unknown", "unknown"),
    ("pre_transit", "pre_transit"),
    ("in_transit", "in_transit"),
    ("out_for_delivery", "out_for_delivery"),
    ("delivered", "delivered"),
    ("available_for_pickup", "out_for_delivery"),
    ("return_to_sender", "returned"),
    ("failure", "exception"),
    ("cancelled", "exception"),
    ("error", "exception"),
]


@pytest.mark.parametrize(("documented", "expected"), EASYPOST_STATUSES)
def test_each_documented_tracker_status(documented, expected):
    data = fixture("tracker.json")
    data["status"] = documented
    data["tracking_details"][-1]["status"] = documented
    tracking = parse_tracker(data)
    assert tracking.status == expected
    assert tracking.events[-1].status == expected
    assert tracking.carrier_status == documented


def test_recorded_errors_become_typed_errors_with_their_details(sim, sleep):
    client = client_for(sim, sleep)
    sim.fail_next(422, path=r"^/v2/shipments$", body=fixture("error_parameter_required.json"))
    with pytest.raises(CarrierValidationError) as caught:
        shipment_for(client)
    assert caught.value.code == "PARAMETER.REQUIRED"
    assert caught.value.details == ("shipment: cannot be blank",)

    body = fixture("error_not_found_alternative_format.json")
    sim.fail_next(404, method="GET", path=r"^/v2/trackers/", body=body)
    with pytest.raises(CarrierNotFoundError) as caught:
        client.get_tracker("trk_any")
    assert caught.value.code == "NOT_FOUND"
    assert caught.value.details == ("No eligible insurance found with provided tracking code.",)


# --- the documented objects (our schema of EasyPost's API reference) -------------------
def test_every_request_the_client_builds_fits_the_documented_objects(sim, sleep):
    client = client_for(sim, sleep)
    customs = TSHIRTS
    client.create_shipment(WAREHOUSE, JEAN, BOX, customs_info=customs)
    shipment = shipment_for(client, carrier_accounts=["ca_usps"])
    purchase = client.buy(shipment.id, cheapest(shipment).id, insurance=Decimal("100.00"))
    client.create_scan_form([purchase.shipment_id])
    client.create_tracker(purchase.tracking_number, carrier="USPS")
    client.verify_address(BOB)
    checked = 0
    for operation, path in (
        ("create_shipment", r"^/v2/shipments$"),
        ("buy", r"/buy$"),
        ("create_scan_form", r"^/v2/scan_forms$"),
        ("create_tracker", r"^/v2/trackers$"),
        ("create_address", r"^/v2/addresses$"),
    ):
        for sent in sim.requests_to("POST", path):
            assert schema_errors(EASYPOST_SCHEMAS[operation], sent.json()) == []
            checked += 1
    assert checked == 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s["parcel"].update(weight_oz=12), "shipment.parcel.weight_oz"),  # name
        (lambda s: s["parcel"].update(weight=[12]), "shipment.parcel.weight"),  # type
        (lambda s: s.pop("to_address"), "shipment.to_address"),  # required
        (lambda s: s.update(s.pop("from_address")), "shipment.street1"),  # nesting
    ],
)
def test_the_simulator_refuses_a_request_off_the_documented_objects(sim, sleep, change, field):
    client = client_for(sim, sleep)
    shipment_for(client)
    body = sim.requests_to("POST", r"^/v2/shipments$")[0].json()
    change(body["shipment"])
    answer = requests.post(f"{sim.url}/v2/shipments", json=body, auth=(API_KEY, ""), timeout=5)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "PARAMETER.INVALID"
    assert field in [e["field"] for e in error["errors"]]
    assert len(sim.shipments) == 1, "nothing made of the refused request"
