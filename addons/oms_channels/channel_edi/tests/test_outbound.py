"""855 / 856 / 810 and ORDRSP / DESADV / INVOIC, written and read back."""

from datetime import datetime, timezone

import pytest

from .. import edifact, x12
from ..outbound import (
    Carton,
    Invoice,
    Line,
    OrderAck,
    ShipNotice,
    check_digit,
    sscc,
    write_document,
)

MOMENT = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)
X12_OURS = x12.Envelope("ZZ", "OMSWHOLESALE", "ZZ", "ACMERETAIL", "OMSWHOLESALE", "ACMERETAIL")
EDIFACT_OURS = edifact.Envelope("5400000000007", "14", "5412345000013", "14")
TSHIRT = Line("1", "12", "4.25", "12", "OMS-TSHIRT-M", "", "T-shirt")
MUG = Line("2", "5", "11.50", "6", "", "036000291452", "Mug")


def test_sscc_has_the_gs1_check_digit():
    assert check_digit("10614141123456789") == "7"  # GS1 General Specifications' example
    assert check_digit("629104150021") == "3"  # an EAN-13's
    code = sscc("0614141", 42)
    assert len(code) == 18 and code.startswith("00614141")
    assert code[-1] == check_digit(code[:-1])
    with pytest.raises(ValueError):
        sscc("12", 1)
    with pytest.raises(ValueError):
        sscc("0614141", 10**10)


def read_x12(kind, document):
    code, text = write_document("x12", kind, document, X12_OURS, 12, MOMENT)
    interchange = x12.read_interchange(text)
    [transaction] = interchange.sets
    assert transaction.code == code
    return interchange, [s.elements for s in transaction.segments]


def test_855_says_accepted_with_changes():
    ack = OrderAck("S00042", "PO-4500012", "20261205", "20261206", (TSHIRT, MUG))
    interchange, rows = read_x12("order_ack", ack)
    assert interchange.groups[0].code == "PR"
    assert rows[1][:4] == ("BAK", "00", "AC", "PO-4500012")
    assert ("ACK", "IA", "12", "EA") in rows
    assert ("ACK", "IQ", "5", "EA") in rows
    assert ("PO1", "2", "6", "EA", "11.50", "", "UP", "036000291452") in rows


def test_856_has_cartons_with_their_sscc_and_tracking():
    cartons = (Carton(sscc("0614141", 1), (TSHIRT,)), Carton(sscc("0614141", 2), (MUG,)))
    notice = ShipNotice(
        "WH/OUT/00007",
        "PO-4500012",
        "20261206",
        "0800",
        "UPS",
        "1Z999",
        "0042",
        "Store 42",
        cartons,
    )
    _interchange, rows = read_x12("ship_notice", notice)
    assert ("REF", "CN", "1Z999") in rows
    assert ("PRF", "PO-4500012") in rows
    assert [row[2] for row in rows if row[0] == "MAN"] == [c.sscc for c in cartons]
    assert ("SN1", "", "5", "EA") in rows
    hl = [row for row in rows if row[0] == "HL"]
    assert [row[3] for row in hl] == ["S", "O", "P", "I", "P", "I"]
    assert rows[-2] == ("CTT", "6")


def test_810_totals():
    invoice = Invoice(
        "INV/2026/00001", "20261206", "PO-4500012", "USD", (TSHIRT, MUG), "108.50", "8.95", "117.45"
    )
    interchange, rows = read_x12("invoice", invoice)
    assert interchange.groups[0].code == "IN"
    assert rows[1] == ("BIG", "20261206", "INV/2026/00001", "", "PO-4500012")
    assert ("TDS", "11745") in rows
    assert len([row for row in rows if row[0] == "IT1"]) == 2


@pytest.mark.parametrize(
    "kind, document, message, check",
    [
        (
            "order_ack",
            OrderAck("S00042", "PO-7700001", "20261205", "20261206", (TSHIRT,)),
            "ORDRSP",
            lambda rows: ("BGM", ("231", "S00042", "29")) in rows,
        ),
        (
            "ship_notice",
            ShipNotice(
                "WH/OUT/7",
                "PO-7700001",
                "20261206",
                "0800",
                "DHL",
                "JD0001",
                "5412345000020",
                "Store",
                (Carton(sscc("5400000", 7), (TSHIRT,)),),
            ),
            "DESADV",
            lambda rows: ("GIN", ("BJ", sscc("5400000", 7))) in rows,
        ),
        (
            "invoice",
            Invoice("INV/1", "20261206", "PO-7700001", "EUR", (MUG,), "57.50", "0.00", "57.50"),
            "INVOIC",
            lambda rows: ("MOA", (["77", "57.50"],)) in rows,
        ),
    ],
)
def test_edifact_documents_read_back(kind, document, message, check):
    name, text = write_document("edifact", kind, document, EDIFACT_OURS, 3, MOMENT)
    assert name == message
    interchange = edifact.read_interchange(text)
    [found] = interchange.messages
    assert found.type == message
    assert interchange.receiver_id == "5412345000013"
    assert check([(s.tag, s.elements) for s in found.segments]), found.segments
