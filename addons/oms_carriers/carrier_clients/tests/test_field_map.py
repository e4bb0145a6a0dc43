"""Every field of the carriers' documented example objects is in the field map
(issue 26): mapped, ignored (why) or refused; a new field with a value fails."""

import json
from pathlib import Path

import pytest
from lxml import etree

from tests.simulators.ups import REQUEST_SCHEMAS

from ..field_map import DISPOSITIONS, disposition, leaves, tables, unmapped

FIXTURES = Path(__file__).parent / "fixtures"

EXAMPLES = [
    ("EasyPost Shipment", "easypost/shipment_created.json"),
    ("EasyPost Shipment", "easypost/shipment_bought.json"),
    ("EasyPost Shipment", "easypost/shipment_bought_carbon_offset.json"),
    ("EasyPost Shipment", "easypost/shipment_insured.json"),
    ("EasyPost Tracker", "easypost/tracker.json"),
    ("EasyPost Event", "easypost/tracker_updated_event.json"),
    ("UPS Track API v1", "ups/track_in_transit.json"),
    ("UPS Track API v1", "ups/track_not_found.json"),
    ("UPS Track API v1", "ups/track_schema_example.json"),
    ("UPS errors", "ups/error_invalid_inquiry_number.json"),
    ("UPS errors", "ups/error_invalid_access_license.json"),
    ("UPS Rating API", "ups/rate_shop_ca_negotiated.json"),
    ("UPS Rating API", "ups/rate_shop_ca_itemized.json"),
    ("UPS Rating API", "ups/rate_shop_ca_saturday.json"),
    ("UPS Rating API", "ups/rate_shop_fr_single_objects.json"),
    ("UPS Shipping API", "ups/ship_ca_png.json"),
    ("UPS Shipping API", "ups/ship_gb_negotiated_invoice.json"),
    ("UPS Void API", "ups/void_success.json"),
    ("Swiss Post barcode v2.4 GenerateLabel", "postlogistics/generate_label_response.xml"),
    ("Swiss Post barcode v2.4 GenerateLabel", "postlogistics/generate_label_response_errors.xml"),
    ("FedEx OAuth", "fedex/oauth_token.json"),
    ("FedEx Rate API", "fedex/rate_ca_account_preferred.json"),
    ("FedEx Rate API", "fedex/rate_ca_us_intl.json"),
    ("FedEx Ship API", "fedex/ship_documented_example.json"),
    ("FedEx Cancel API", "fedex/cancel_success.json"),
    ("FedEx Track API", "fedex/track_documented_example.json"),
    ("FedEx Track API", "fedex/track_reused_number_delivered.json"),
    ("FedEx Track API", "fedex/track_delivered_date_without_offset.json"),
    ("FedEx errors", "fedex/error_tracking_number_empty.json"),
]
# Every field UPS's published answer schemas name (tests/simulators/ups_request_schemas.json,
# from Rating.yaml and Shipping.yaml), each given a value: none may be left out of the map.
PUBLISHED = [
    ("UPS Rating API", "rate_response"),
    ("UPS Shipping API", "ship_response"),
    ("UPS Void API", "void_response"),
    ("UPS Label Recovery API", "label_recovery_response"),
]


def example(name):
    if name.endswith(".xml"):
        return xml_answer(FIXTURES / name)
    return json.loads((FIXTURES / name).read_text())


def xml_answer(path):
    """A SOAP answer's body element as nested dicts (lists where an element
    repeats, as the schema allows), from below ``GenerateLabelResponse``."""

    def convert(node):
        children = list(node)
        if not children:
            return (node.text or "").strip()
        result = {}
        for child in children:
            result.setdefault(etree.QName(child).localname, []).append(convert(child))
        return result

    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    (answer,) = root.iter("{*}GenerateLabelResponse")
    data = convert(answer)
    # a list of one is the element itself, except where the schema repeats it
    return _unwrap(data, repeated={"Item", "Error", "Warning"})


def _unwrap(value, repeated, name=""):
    if isinstance(value, dict):
        return {key: _unwrap(item, repeated, key) for key, item in value.items()}
    if isinstance(value, list):
        items = [_unwrap(item, repeated, name) for item in value]
        return items if name in repeated or len(items) > 1 else items[0]
    return value


def skeleton(operation):
    """A document with every leaf of UPS's published answer schema set to "x"."""
    root = REQUEST_SCHEMAS["roots"][operation]
    components = REQUEST_SCHEMAS["components"][root["file"]]

    def build(schema, seen):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return None if name in seen else build(components[name], seen | {name})
        if schema.get("type") == "object" or "properties" in schema:
            return {k: build(v, seen) for k, v in (schema.get("properties") or {}).items()}
        if schema.get("type") == "array":
            return [build(schema.get("items") or {}, seen)]
        return "x"

    return build(components[root["schema"]], frozenset())


def fields_not_in_the_map(obj, data):
    if obj == "EasyPost Event":
        # an event's result is a Tracker, read with the Tracker's map
        result = data.get("result") or {}
        rest = {key: value for key, value in data.items() if key != "result"}
        return unmapped(obj, rest) + unmapped("EasyPost Tracker", result)
    return unmapped(obj, data)


@pytest.mark.parametrize(("obj", "name"), EXAMPLES)
def test_every_field_of_the_documented_examples_is_in_the_map(obj, name):
    assert fields_not_in_the_map(obj, example(name)) == []


@pytest.mark.parametrize(("obj", "operation"), PUBLISHED)
def test_every_field_of_the_published_answer_schemas_is_in_the_map(obj, operation):
    document = skeleton(operation)
    assert len(list(leaves(document))) > 5
    assert fields_not_in_the_map(obj, document) == []


def test_the_swiss_post_answer_is_walked_field_by_field():
    data = example("postlogistics/generate_label_response.xml")
    paths = {path for path, _value in leaves(data)}
    assert "Envelope.Data.Provider.Sending.Item[].IdentCode" in paths
    assert "Envelope.Data.Provider.Sending.Item[].Warnings.Warning[].Code" in paths


@pytest.mark.parametrize(
    ("obj", "name", "where", "field"),
    [
        ("EasyPost Shipment", "easypost/shipment_bought.json", [], "duties_fee"),
        ("EasyPost Shipment", "easypost/shipment_bought.json", ["selected_rate"], None),
        ("EasyPost Tracker", "easypost/tracker.json", [], "surcharge"),
        ("EasyPost Event", "easypost/tracker_updated_event.json", ["result"], "cod_amount"),
        (
            "UPS Track API v1",
            "ups/track_in_transit.json",
            ["trackResponse", "shipment", 0, "package", 0],
            "codAmount",
        ),
        (
            "UPS Rating API",
            "ups/rate_shop_ca_negotiated.json",
            ["RateResponse", "RatedShipment", 0],
            "DutiesCharges",
        ),
        (
            "UPS Shipping API",
            "ups/ship_ca_png.json",
            ["ShipmentResponse", "ShipmentResults", "ShipmentCharges"],
            "SurchargeTotal",
        ),
        ("UPS Void API", "ups/void_success.json", ["VoidShipmentResponse"], "RefundAmount"),
        (
            "Swiss Post barcode v2.4 GenerateLabel",
            "postlogistics/generate_label_response.xml",
            ["Envelope", "Data", "Provider", "Sending", "Item", 0],
            "Price",
        ),
        (
            "FedEx Rate API",
            "fedex/rate_ca_account_preferred.json",
            ["output", "rateReplyDetails", 0, "ratedShipmentDetails", 0],
            "totalFreightSurcharge",
        ),
        (
            "FedEx Ship API",
            "fedex/ship_documented_example.json",
            ["output", "transactionShipments", 0, "completedShipmentDetail", "shipmentRating"],
            "totalCarbonFee",
        ),
        (
            "FedEx Track API",
            "fedex/track_reused_number_delivered.json",
            ["output", "completeTrackResults", 0, "trackResults", 0],
            "codAmount",
        ),
        ("FedEx Cancel API", "fedex/cancel_success.json", ["output"], "refundAmount"),
    ],
)
def test_a_new_field_with_a_value_is_noticed(obj, name, where, field):
    data = example(name)
    target = data
    for step in where:
        target = target[step]
    if field is None:  # a new field inside the bought rate (read as a rate)
        field = "duties"
    target[field] = "12.50"
    assert fields_not_in_the_map(obj, data) != []


def test_an_empty_new_field_is_not_noise():
    data = example("easypost/shipment_bought.json")
    data["duties_fee"] = None
    assert fields_not_in_the_map("EasyPost Shipment", data) == []


def test_the_map_is_well_formed_and_names_every_money_field():
    for obj, rows in tables().items():
        assert rows, obj
        for pattern, kind, how, note in rows:
            assert how in DISPOSITIONS, (obj, pattern)
            assert kind in ("money", "quantity", "status", "flag", "id"), (obj, pattern)
            assert note, (obj, pattern)
    # the money of a purchase is mapped one by one, not swept by a pattern
    for path in ("fees[].amount", "rates[].rate", "selected_rate.rate"):
        row = disposition("EasyPost Shipment", path)
        assert (row[0], row[1], row[2]) == (path, "money", "mapped")
    for obj, path in (
        (
            "UPS Rating API",
            "RateResponse.RatedShipment[].NegotiatedRateCharges.TotalCharge.MonetaryValue",
        ),
        ("UPS Rating API", "RateResponse.RatedShipment[].TotalCharges.MonetaryValue"),
        (
            "UPS Shipping API",
            "ShipmentResponse.ShipmentResults.NegotiatedRateCharges.TotalCharge.MonetaryValue",
        ),
        (
            "UPS Shipping API",
            "ShipmentResponse.ShipmentResults.ShipmentCharges.TotalCharges.MonetaryValue",
        ),
        (
            "UPS Shipping API",
            "ShipmentResponse.ShipmentResults.ShipmentCharges.ItemizedCharges[].MonetaryValue",
        ),
    ):
        row = disposition(obj, path)
        assert (row[0], row[1], row[2]) == (path, "money", "mapped")
    rated = "output.rateReplyDetails[].ratedShipmentDetails[]."
    shipped = "output.transactionShipments[].completedShipmentDetail.shipmentRating."
    for obj, path in (
        ("FedEx Rate API", rated + "totalNetFedExCharge"),
        ("FedEx Rate API", rated + "totalNetCharge"),
        ("FedEx Rate API", rated + "currency"),
        ("FedEx Ship API", shipped + "shipmentRateDetails[].totalNetFedExCharge"),
        ("FedEx Ship API", shipped + "shipmentRateDetails[].totalNetCharge"),
        ("FedEx Ship API", shipped + "shipmentRateDetails[].currency"),
    ):
        row = disposition(obj, path)
        assert (row[0], row[1], row[2]) == (path, "money", "mapped")
    # UPS's list of one as a bare object is read with the same row
    bare = "RateResponse.RatedShipment.NegotiatedRateCharges.TotalCharge.MonetaryValue"
    assert disposition("UPS Rating API", bare)[2] == "mapped"
    assert [path for path, _v in leaves({"a": [{"b": 1}], "c": None})] == ["a[].b"]
