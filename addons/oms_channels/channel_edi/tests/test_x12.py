"""X12 interchanges: separators from the ISA, envelope checks, 850, 997."""

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from ...channel_mappers import MappingError
from ..documents import content_version, map_purchase_order
from ..errors import EdiError
from ..x12 import Envelope, read_850, read_interchange, read_separators, skeleton, write_997

FIXTURES = Path(__file__).parent / "fixtures" / "x12"
OURS = Envelope("12", "OMSWHOLESALE", "ZZ", "ACMERETAIL", "OMSWHOLESALE", "ACMERETAIL")
MOMENT = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)


def fixture(name):
    return (FIXTURES / name).read_text()


def orders(name):
    interchange = read_interchange(fixture(name))
    return interchange, [read_850(interchange, s) for s in interchange.sets]


def test_two_orders_in_one_interchange():
    interchange, (first, second) = orders("850_004010_two_orders.edi")
    assert (interchange.sender_id, interchange.receiver_id) == ("ACMERETAIL", "OMSWHOLESALE")
    assert (interchange.control, interchange.version) == ("000000101", "00401")
    assert interchange.separators.repetition is None  # ISA11 is "U" in 004010
    assert (first.number, second.number) == ("PO-4500012", "PO-4500013")
    assert [line.ids["VN"] for line in first.lines] == ["OMS-TSHIRT-M", "OMS-MUG"]
    assert first.lines[1].ids["UP"] == "036000291452"
    assert first.lines[1].description == "MUG WHITE 12OZ"
    assert first.party("ST").id_code == "0042"
    assert second.party("ST").id_code == "0043"
    assert first.raw.startswith("ST*850*0001~") and first.raw.endswith("SE*17*0001~")


@pytest.mark.parametrize(
    "name, element, component, segment, repetition",
    [
        ("850_004010_two_orders.edi", "*", ">", "~", None),
        ("850_005010_pipes.edi", "|", "\\", "~", "^"),
        ("850_004010_newline_terminator.edi", "*", ":", "\n", None),
    ],
)
def test_separators_come_from_the_isa(name, element, component, segment, repetition):
    separators = read_separators(fixture(name))
    assert (separators.element, separators.component) == (element, component)
    assert (separators.segment, separators.repetition) == (segment, repetition)
    _interchange, [order, *_rest] = orders(name)
    assert order.lines[0].ids["VN"] == "OMS-TSHIRT-M"


def test_crlf_after_terminators_is_read():
    text = fixture("850_004010_two_orders.edi").replace("~\n", "~\r\n")
    _interchange, found = orders_from(text)
    assert [o.number for o in found] == ["PO-4500012", "PO-4500013"]


def orders_from(text):
    interchange = read_interchange(text)
    return interchange, [read_850(interchange, s) for s in interchange.sets]


def test_draft_of_an_850():
    _interchange, (first, _second) = orders("850_004010_two_orders.edi")
    draft = map_purchase_order(json_of(first))
    assert draft.external_id == draft.name == "PO-4500012"
    assert draft.currency == "USD"
    assert [(line.sku, line.quantity, line.unit_price) for line in draft.lines] == [
        ("OMS-TSHIRT-M", 12, Decimal("4.25")),
        ("OMS-MUG", 6, Decimal("11.50")),
    ]
    assert draft.totals.total == Decimal("120.00")
    assert draft.shipping_address.name == "ACME STORE 0042"
    assert draft.billing_address.city == "MINNEAPOLIS"
    assert dict(draft.extra)["edi_ship_to"] == "92:0042"


def json_of(order):
    return json.loads(order.as_payload())


def test_same_order_in_another_envelope_is_the_same_version():
    _i, (first, _s) = orders("850_004010_two_orders.edi")
    _j, (again,) = orders("850_005010_pipes.edi")
    payload, other = json_of(first), json_of(again)
    other["number"] = payload["number"]
    assert content_version(payload) == content_version(other)
    other["lines"][0]["quantity"] = "13"
    assert content_version(payload) != content_version(other)


def test_draft_refuses_a_fractional_quantity():
    _i, (first, _s) = orders("850_004010_two_orders.edi")
    payload = json_of(first)
    payload["lines"][0]["quantity"] = "1.5"
    with pytest.raises(MappingError, match="not whole"):
        map_purchase_order(payload)


@pytest.mark.parametrize(
    "name, tag, position, element, words",
    [
        ("bad_se_count.edi", "SE", 17, 1, "SE01 says '14' segments"),
        ("bad_mixed_separators.edi", "N1|", 8, 0, "separators"),
    ],
)
def test_envelope_faults_name_segment_and_position(name, tag, position, element, words):
    with pytest.raises(EdiError) as caught:
        read_interchange(fixture(name))
    assert caught.value.tag == tag
    assert caught.value.position == position
    assert caught.value.element == element
    assert words in str(caught.value)
    assert f"at position {position}" in str(caught.value)


def test_missing_beg_names_the_set():
    interchange = read_interchange(fixture("bad_missing_beg.edi"))
    with pytest.raises(EdiError, match="no BEG segment") as caught:
        read_850(interchange, interchange.sets[0])
    assert (caught.value.set_control, caught.value.code) == ("0001", "3")


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "complete ISA"),
        ("ISA*00*short~", "complete ISA"),
        (
            fixture("850_004010_two_orders.edi").replace("IEA*1*000000101~\n", ""),
            "no IEA trailer",
        ),
        (fixture("850_004010_two_orders.edi").replace("GE*2*101", "GE*3*101"), "GE01 says '3'"),
        (fixture("850_004010_two_orders.edi").replace("GE*2*101", "GE*2*102"), "GE02 '102'"),
        (
            fixture("850_004010_two_orders.edi").replace("IEA*1*000000101", "IEA*1*000000109"),
            "IEA02",
        ),
        (fixture("850_004010_two_orders.edi").replace("IEA*1*", "IEA*2*"), "IEA01 says '2'"),
        (
            fixture("850_004010_two_orders.edi").replace("SE*15*0002", "SE*15*0003"),
            "SE02 '0003'",
        ),
        (
            fixture("850_004010_two_orders.edi").replace("*00*          *ZZ*", "*00*        *ZZ*"),
            "fixed width",
        ),
    ],
)
def test_envelope_faults(text, words):
    with pytest.raises(EdiError, match=words):
        read_interchange(text)


def test_997_accepts_every_set_and_reads_back():
    interchange, _orders = orders("850_004010_two_orders.edi")
    text = write_997(interchange, OURS, 7, moment=MOMENT)
    ack = read_interchange(text)
    assert (ack.sender_id, ack.receiver_id, ack.control) == (
        "OMSWHOLESALE",
        "ACMERETAIL",
        "000000007",
    )
    assert ack.separators.element == "*" and ack.separators.segment == "~"
    [transaction] = ack.sets
    assert transaction.code == "997"
    rows = [s.elements for s in transaction.segments[1:-1]]
    assert rows == [
        ("AK1", "PO", "101"),
        ("AK2", "850", "0001"),
        ("AK5", "A"),
        ("AK2", "850", "0002"),
        ("AK5", "A"),
        ("AK9", "A", "2", "2", "2"),
    ]


def test_997_rejects_naming_segment_and_element():
    interchange = read_interchange(fixture("850_004010_two_orders.edi"))
    error = EdiError(
        "unknown product",
        tag="PO1",
        position=16,
        element=7,
        code="7",
        set_control="0001",
        set_position=14,
        value="OMS-MUG",
    )
    ack = read_interchange(write_997(interchange, OURS, 8, error=error, moment=MOMENT))
    rows = [s.elements for s in ack.sets[0].segments[1:-1]]
    assert rows == [
        ("AK1", "PO", "101"),
        ("AK2", "850", "0001"),
        ("AK3", "PO1", "14", "", "8"),
        ("AK4", "7", "", "7", "OMS-MUG"),
        ("AK5", "R", "5"),
        ("AK2", "850", "0002"),
        ("AK5", "R"),
        ("AK9", "R", "2", "2", "0"),
    ]


def test_997_keeps_the_partner_separators():
    interchange = read_interchange(fixture("850_005010_pipes.edi"))
    text = write_997(interchange, OURS, 9, moment=MOMENT)
    assert text.startswith("ISA|00|")
    ack = read_interchange(text)
    assert ack.separators.repetition == "^"
    assert ack.groups[0].code == "FA"


@pytest.mark.parametrize(
    "name, rows",
    [
        (
            "bad_se_count.edi",
            [
                ("AK1", "PO", "404"),
                ("AK2", "850", "0001"),
                ("AK5", "R", "4"),
                ("AK9", "R", "1", "1", "0"),
            ],
        ),
        (
            "bad_mixed_separators.edi",
            [
                ("AK1", "PO", "404"),
                ("AK2", "850", "0001"),
                ("AK5", "R"),
                ("AK9", "R", "1", "1", "0"),
            ],
        ),
    ],
)
def test_negative_997_of_an_interchange_that_cannot_be_read(name, rows):
    text = fixture(name)
    with pytest.raises(EdiError) as caught:
        read_interchange(text)
    faulty = skeleton(text)
    assert faulty.control.startswith("00000040")
    ack = read_interchange(write_997(faulty, OURS, 10, error=caught.value, moment=MOMENT))
    assert [s.elements for s in ack.sets[0].segments[1:-1]] == rows


def test_skeleton_of_no_isa_is_none():
    assert skeleton("UNB+UNOA:1+X+Y'") is None
