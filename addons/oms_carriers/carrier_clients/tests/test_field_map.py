"""Every field of the carriers' documented example objects is in the field map
(issue 26): mapped, ignored (why) or refused; a new field with a value fails."""

import json
from pathlib import Path

import pytest

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
]


def example(name):
    return json.loads((FIXTURES / name).read_text())


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
    assert [path for path, _v in leaves({"a": [{"b": 1}], "c": None})] == ["a[].b"]
