"""EDIFACT ORDERS (EANCOM D.96A / D.01B) read with pydifact; CONTRL written."""

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from .. import acknowledgement, read_orders, skeleton
from ..documents import map_purchase_order
from ..edifact import read_interchange, service_characters
from ..errors import EdiError

FIXTURES = Path(__file__).parent / "fixtures" / "edifact"
MOMENT = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)


def fixture(name):
    return (FIXTURES / name).read_text()


def test_orders_with_una():
    interchange, [order] = read_orders("edifact", fixture("orders_d96a_una.edi"))
    assert (interchange.sender_id, interchange.receiver_id) == ("5412345000013", "5400000000007")
    assert interchange.control == "ORD0001"
    assert order.number == "PO-7700001"
    assert order.currency == "EUR"
    assert order.date == "20261205"
    assert [line.ids for line in order.lines] == [
        {"EN": "4000862141404", "SA": "OMS-TSHIRT-M"},
        {"EN": "0036000291452"},
    ]
    assert [(line.quantity, line.unit_price) for line in order.lines] == [
        ("12", "4.25"),
        ("6", "11.50"),
    ]
    delivery = order.party("DP")
    assert (delivery.id_qualifier, delivery.id_code) == ("GLN", "5412345000020")
    assert (delivery.city, delivery.country) == ("Bruxelles", "BE")
    assert order.notes == ("Deliver at the back door",)


def test_without_una_the_default_characters_apply():
    text = fixture("orders_d01b_no_una.edi")
    assert service_characters(text) == ":+.? '"
    _interchange, orders = read_orders("edifact", text)
    assert [o.number for o in orders] == ["PO-7700002", "PO-7700003"]
    assert orders[0].party("DP").name == "Store + Co North", "the release character"
    assert orders[1].lines[0].quantity == "24"


def test_una_declares_other_characters():
    text = fixture("orders_d96a_own_characters.edi")
    assert service_characters(text) == "*|,? ~"
    _interchange, [order] = read_orders("edifact", text)
    assert order.lines[0].unit_price == "4.25", "the decimal comma UNA declares"
    assert order.lines[0].ids["SA"] == "OMS-TSHIRT-M"


def test_draft_of_an_orders_message():
    _interchange, [order] = read_orders("edifact", fixture("orders_d96a_una.edi"))
    draft = map_purchase_order(json.loads(order.as_payload()))
    assert draft.external_id == "PO-7700001"
    assert [(line.sku, line.quantity) for line in draft.lines] == [
        ("OMS-TSHIRT-M", 12),
        ("0036000291452", 6),
    ]
    assert draft.totals.total == Decimal("120.00")
    assert dict(draft.extra)["edi_ship_to"] == "GLN:5412345000020"


@pytest.mark.parametrize(
    "text, tag, words",
    [
        (fixture("bad_unt_count.edi"), "UNT", "UNT01 says '20' segments"),
        (fixture("orders_d96a_una.edi").replace("UNZ+1+", "UNZ+2+"), "UNZ", "UNZ01 says '2'"),
        (
            fixture("orders_d96a_una.edi").replace("UNZ+1+ORD0001", "UNZ+1+ORD9"),
            "UNZ",
            "UNZ02 'ORD9'",
        ),
        (fixture("orders_d96a_una.edi").replace("UNT+21+1", "UNT+21+7"), "UNT", "UNT02 '7'"),
        (fixture("orders_d96a_una.edi").replace("NAD+SU+", "NAD|SU|"), "NAD", "not a segment tag"),
    ],
)
def test_envelope_faults_name_the_segment(text, tag, words):
    with pytest.raises(EdiError, match=words) as caught:
        read_interchange(text)
    assert caught.value.tag.startswith(tag)
    assert caught.value.position > 1
    assert f"at position {caught.value.position}" in str(caught.value)


def test_missing_bgm():
    text = fixture("orders_d96a_una.edi").replace("BGM+220+PO-7700001+9'\n", "")
    text = text.replace("UNT+21+1", "UNT+20+1")
    with pytest.raises(EdiError, match="no BGM segment"):
        read_orders("edifact", text)


def test_contrl_accepts_and_reads_back():
    interchange, _orders = read_orders("edifact", fixture("orders_d96a_una.edi"))
    kind, text = acknowledgement("edifact", interchange, 5, moment=MOMENT)
    assert kind == "CONTRL"
    ack = read_interchange(text)
    assert (ack.sender_id, ack.receiver_id, ack.control) == ("5400000000007", "5412345000013", "5")
    [message] = ack.messages
    assert message.type == "CONTRL"
    rows = {s.tag: s for s in message.segments}
    assert rows["UCI"].get(1) == "ORD0001" and rows["UCI"].get(4) == "7"
    assert rows["UCM"].get(1) == "1" and rows["UCM"].get(3) == "7"


def test_contrl_rejects_naming_segment_and_element():
    interchange, _orders = read_orders("edifact", fixture("orders_d96a_una.edi"))
    error = EdiError(
        "unknown product",
        tag="LIN",
        position=17,
        element=3,
        code="7",
        set_control="1",
        set_position=16,
        value="0036000291452",
    )
    _kind, text = acknowledgement("edifact", interchange, 6, error=error, moment=MOMENT)
    message = read_interchange(text).messages[0]
    rows = [(s.tag, s.elements) for s in message.segments[1:-1]]
    assert rows[0][0] == "UCI" and rows[0][1][3] == "4"
    assert ("UCM", ("1", ["ORDERS", "D", "96A", "UN", "EAN008"], "4", "12")) in rows
    assert ("UCS", ("16", "12")) in rows
    assert ("UCD", ("12", ["3", "1"])) in rows


def test_contrl_of_an_interchange_that_cannot_be_read():
    text = fixture("bad_unt_count.edi")
    with pytest.raises(EdiError) as caught:
        read_interchange(text)
    faulty = skeleton("edifact", text)
    assert faulty.control == "ORD0004"
    _kind, ack = acknowledgement("edifact", faulty, 7, error=caught.value, moment=MOMENT)
    message = read_interchange(ack).messages[0]
    ucm = next(s for s in message.segments if s.tag == "UCM")
    assert (ucm.get(3), ucm.get(4)) == ("4", "29")
