"""UPS's real answers (fixtures/ups/README.md: UPS's published examples and
karrio's recorded UPS answers, each with its source) run through the client's
parsers over HTTP: rates, labels, voids, errors (issue 25 point 5), and the
money they carry read as the field map says (issue 26)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.simulators.ups import UpsSimulator

from .. import (
    Address,
    CarrierAuthError,
    CarrierNotFoundError,
    CarrierResponseError,
    CarrierValidationError,
    Parcel,
    UpsClient,
)
from .fakes import FakeSleep

FIXTURES = Path(__file__).parent / "fixtures" / "ups"
CLIENT_ID, SECRET, ACCOUNT = "ups-simulator-client", "ups-simulator-secret", "A1B2C3"
VANCOUVER = Address(
    name="Shipping", street1="5840 Oak St", city="Vancouver", state="BC", zip="V6M2V9", country="CA"
)
MONCTON = Address(
    name="Receiving",
    street1="125 Church St",
    city="Moncton",
    state="NB",
    zip="E1C4Z8",
    country="CA",
)
PARCEL = Parcel(Decimal("0.5"))


def answer(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def sim():
    with UpsSimulator(CLIENT_ID, SECRET, ACCOUNT) as simulator:
        yield simulator


@pytest.fixture
def client(sim):
    return UpsClient(
        CLIENT_ID, SECRET, ACCOUNT, base_url=sim.url, sleep=FakeSleep(), timeout=(2, 5)
    )


# (service, amount, currency, business days in transit): the negotiated total of
# each rated shipment, what the merchant pays, never the published one beside it
RECORDED_SHOPS = {
    "rate_shop_ca_negotiated.json": [
        ("14", "321.03", "CAD", 1),
        ("01", "282.45", "CAD", 1),
        ("13", "251.58", "CAD", 1),
        ("02", "238.57", "CAD", None),
        ("11", "119.93", "CAD", None),
    ],
    "rate_shop_fr_single_objects.json": [
        ("07", "15.11", "EUR", None),
        ("65", "12.47", "EUR", None),
        ("11", "9.38", "EUR", None),
    ],
    "rate_shop_ca_itemized.json": [
        ("14", "66.23", "CAD", None),
        ("07", "31.35", "CAD", None),
        ("65", "17.39", "CAD", None),
        ("08", "15.07", "CAD", None),
        ("12", "22.65", "CAD", None),
        ("11", "13.54", "CAD", None),
    ],
    "rate_shop_ca_saturday.json": [
        ("14", "98.39", "CAD", None),
        ("07", "63.44", "CAD", None),
        ("14", "66.37", "CAD", None),
        ("07", "31.42", "CAD", None),
        ("65", "17.42", "CAD", None),
        ("08", "15.10", "CAD", None),
        ("12", "22.69", "CAD", None),
        ("11", "13.54", "CAD", None),
    ],
}


@pytest.mark.parametrize("name", sorted(RECORDED_SHOPS))
def test_recorded_shop_answers_give_the_negotiated_rates(sim, client, name):
    sim.fail_next(200, path=r"/api/rating/", body=answer(name))
    rates = client.rate(VANCOUVER, MONCTON, [PARCEL])
    assert [(r.service, r.amount, r.currency, r.delivery_days) for r in rates] == [
        (s, Decimal(a), c, d) for s, a, c, d in RECORDED_SHOPS[name]
    ]
    assert all(r.carrier == "UPS" for r in rates)


def test_a_rated_shipment_without_an_amount_is_left_out_not_quoted_at_zero(sim, client):
    """A rated shipment whose totals hold no amount would be a free quote, the
    cheapest of all: it is left out (logged); a negotiated total that is not a
    number falls back to the published one."""
    body = answer("rate_shop_fr_single_objects.json")
    express, saver, _standard = body["RateResponse"]["RatedShipment"]
    del express["NegotiatedRateCharges"]["TotalCharge"]["MonetaryValue"]
    express["TotalCharges"]["MonetaryValue"] = ""
    saver["NegotiatedRateCharges"]["TotalCharge"]["MonetaryValue"] = "n/a"
    sim.fail_next(200, path=r"/api/rating/", body=body)
    rates = client.rate(VANCOUVER, MONCTON, [PARCEL])
    assert [(r.service, r.amount) for r in rates] == [
        ("65", Decimal("58.21")),  # its published total
        ("11", Decimal("9.38")),
    ]


def test_a_recorded_label_gives_its_cost_and_itemized_surcharges(sim, client):
    sim.fail_next(200, path=r"/ship$", body=answer("ship_ca_png.json"))
    purchase = client.ship(VANCOUVER, MONCTON, [PARCEL], "11")
    assert purchase.shipment_id == "1ZXXXXXXXXXXXXXXXX"
    assert [p.tracking_number for p in purchase.packages] == ["1ZXXXXXXXXXXXXXXXX"]
    label = purchase.packages[0].label
    assert label.format == "PNG" and label.content.startswith(b"\x89PNG")
    # the published total (no negotiated rates), without the HST of TotalChargesWithTaxes
    assert (purchase.amount, purchase.currency) == (Decimal("135.15"), "CAD")
    # the fuel surcharge (375) UPS itemizes; the zero charges are not listed
    assert [(f.type, f.amount) for f in purchase.fees] == [("UPS 375", Decimal("21.10"))]


def test_a_recorded_label_with_negotiated_rates_costs_the_negotiated_total(sim, client):
    sim.fail_next(200, path=r"/ship$", body=answer("ship_gb_negotiated_invoice.json"))
    purchase = client.ship(VANCOUVER, MONCTON, [PARCEL], "11")
    assert purchase.tracking_number == "1Z0FH3446831744085"
    assert (purchase.amount, purchase.currency) == (Decimal("20.22"), "GBP")  # not 21.01
    assert [(f.type, f.amount) for f in purchase.fees] == [("UPS 378", Decimal("7.77"))]


def test_a_label_whose_total_is_not_an_amount_is_kept_without_a_cost(sim, client):
    body = answer("ship_gb_negotiated_invoice.json")
    results = body["ShipmentResponse"]["ShipmentResults"]
    results["NegotiatedRateCharges"]["TotalCharge"]["MonetaryValue"] = "twenty"
    results["ShipmentCharges"]["TotalCharges"]["MonetaryValue"] = "NaN"
    sim.fail_next(200, path=r"/ship$", body=body)
    purchase = client.ship(VANCOUVER, MONCTON, [PARCEL], "11")
    assert purchase.tracking_number == "1Z0FH3446831744085"  # bought: never dropped
    assert (purchase.amount, purchase.currency, purchase.fees) == (None, "", ())


def test_the_recorded_void_answer_is_read(sim, client):
    sim.fail_next(200, path=r"/void/cancel/", body=answer("void_success.json"))
    result = client.void("1ZWA82900191640782")
    assert (result.status, result.message) == ("voided", "Success")


@pytest.mark.parametrize(
    ("name", "status", "error", "code"),
    [
        ("error_invalid_access_license.json", 401, CarrierAuthError, "250003"),
        ("error_invalid_inquiry_number.json", 400, CarrierValidationError, "TV1002"),
        ("error_invalid_access_license.json", 404, CarrierNotFoundError, "250003"),
    ],
)
def test_recorded_error_answers_become_typed_errors(sim, client, name, status, error, code):
    sim.fail_next(status, times=2, path=r"/api/rating/", body=answer(name))
    with pytest.raises(error) as caught:
        client.rate(VANCOUVER, MONCTON, [PARCEL])
    assert caught.value.code == code
    assert answer(name)["response"]["errors"][0]["message"] in str(caught.value)


def test_the_published_tracking_example_is_about_another_package(sim, client):
    """Tracking.yaml's example answer (as karrio keeps it) names the inquiry
    1Z023E2X0214323462 and a package "string": not the parcel asked for."""
    sim.fail_next(200, path=r"/track/v1/details/", body=answer("track_schema_example.json"))
    with pytest.raises(CarrierResponseError, match="about package string"):
        client.track("1Z023E2X0214323462")


def test_a_recovered_label_of_another_package_is_refused(sim, client):
    """Label Recovery answers the label of another package than the one asked
    for: refused, never kept as this parcel's label."""
    body = {
        "LabelRecoveryResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "LabelResults": {
                "TrackingNumber": "1Z0FH3446831744085",
                "LabelImage": {"LabelImageFormat": {"Code": "GIF"}, "GraphicImage": "R0lGODlh"},
            },
        }
    }
    sim.fail_next(200, path=r"/recovery$", body=body)
    with pytest.raises(CarrierResponseError, match="about package 1Z0FH3446831744085, not 1Z9"):
        client.recover_label("1Z999AA10123456784")
    sim.fail_next(200, path=r"/recovery$", body=body)
    assert client.recover_label("1z0fh3446831744085").content.startswith(b"GIF8")


def test_shipments_found_under_another_reference_are_refused(sim, client):
    """The lookup before buying again (exactly once) must not take another
    reference's shipment for ours."""
    body = {
        "trackResponse": {
            "shipment": [
                {"inquiryNumber": "WH/OUT/00099 1a2b3c4d", "package": [{"trackingNumber": "1ZX"}]}
            ]
        }
    }
    sim.fail_next(200, path=r"/track/v1/reference/", body=body)
    with pytest.raises(CarrierResponseError, match="about WH/OUT/00099 1a2b3c4d, not WH/OUT/00042"):
        client.find_shipments("WH/OUT/00042 1a2b3c4d")
