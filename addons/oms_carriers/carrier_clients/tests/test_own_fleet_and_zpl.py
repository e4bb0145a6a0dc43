"""Our own labels (PDF and ZPL) and the ZPL → PDF fallback renderer."""

import io
import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from PyPDF2 import PdfReader

from tests.simulators.easypost import zpl_label

from .. import Address, OwnLabel, own_label_pdf, own_label_zpl, zpl_to_pdf

SENDER = Address(
    name="OMS Warehouse Nord",
    street1="Industriestrasse",
    house_no="12",
    city="Koeln",
    zip="50667",
    country="DE",
)
RECIPIENT = Address(
    name="Mia Schmidt",
    company="Schmidt Design",
    street1="Hauptstrasse 5",
    city="Berlin",
    zip="10115",
    country="DE",
)
LABEL = OwnLabel(
    tracking_number="OMS0000042001",
    sender=SENDER,
    recipient=RECIPIENT,
    weight_kg=Decimal("1.25"),
    package_no=2,
    package_count=3,
    service="Same day",
    reference="WH/OUT/00042",
    hazmat_marks=("UN3481 LITHIUM ION BATTERIES", "LIMITED QUANTITY"),
)


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_own_pdf_label_is_4x6_with_every_field():
    content = own_label_pdf(LABEL)
    assert content.startswith(b"%PDF")
    reader, text = pdf_text(content)
    (page,) = reader.pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (288.0, 432.0)
    for expected in (
        "OMS0000042001",
        "Own fleet Same day",
        "OMS Warehouse Nord",
        "Industriestrasse 12",
        "Mia Schmidt",
        "Schmidt Design",
        "10115 Berlin",
        "Package 2 of 3",
        "1.25 kg",
        "Ref: WH/OUT/00042",
        "UN3481 LITHIUM ION BATTERIES",
        "LIMITED QUANTITY",
    ):
        assert expected in text


def test_own_zpl_label_has_the_barcode_and_every_field():
    zpl = own_label_zpl(LABEL).decode()
    assert zpl.startswith("^XA") and zpl.endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert "^BY3,3,200" in zpl
    assert re.search(r"\^FO\d+,\d+\^BCN,200,Y,N,N\^FDOMS0000042001\^FS", zpl)
    for expected in ("^FDPackage 2 of 3^FS", "^FD1.25 kg^FS", "^FDMia Schmidt^FS"):
        assert expected in zpl
    assert "^FDUN3481 LITHIUM ION BATTERIES^FS" in zpl
    assert zpl.count("^FO") == zpl.count("^FS")


def test_own_zpl_renders_to_pdf_with_nothing_skipped():
    rendered = zpl_to_pdf(own_label_zpl(LABEL))
    assert rendered.skipped == ()
    assert rendered.pages == 1
    reader, text = pdf_text(rendered.pdf)
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 288 and round(float(page.mediabox.height)) == 432
    for expected in ("OMS0000042001", "Package 2 of 3", "1.25 kg", "LIMITED QUANTITY"):
        assert expected in text
    stream = page.get_contents().get_data().decode("latin-1")
    assert stream.count(" re") > 40, "the Code 128 bars and the boxes are drawn"


def test_carrier_style_zpl_with_two_labels_renders_two_pages():
    first = zpl_label("9400100000000000000042", ["USPS Priority", "BOB NORMAN"])
    second = zpl_label("9400100000000000000043", ["USPS Priority", "ANA SILVA"])
    rendered = zpl_to_pdf(first + b"\n" + second)
    assert rendered.pages == 2
    assert rendered.skipped == ()
    _reader, text = pdf_text(rendered.pdf)
    assert "9400100000000000000042" in text and "ANA SILVA" in text


def test_graphics_it_cannot_draw_are_skipped_and_named():
    zpl = (
        b"^XA^FO50,50^GFA,8,8,1,FFFFFFFFFFFFFFFF^FS"
        b"^FO50,200^BD2,1,1^FDmaxicode data^FS"
        b"^CF0,40^FO50,400^FDSHIP TO: BOB^FS"
        b"^FT50,600^A0N,30,30^FB400,2,0,C^FDA centred block that wraps onto a second line^FS"
        b"^XZ"
    )
    rendered = zpl_to_pdf(zpl)
    assert rendered.skipped == ("graphic field (^GF)", "MaxiCode barcode (^BD)")
    _reader, text = pdf_text(rendered.pdf)
    assert "SHIP TO: BOB" in text
    assert "maxicode data" not in text
    assert "A centred block" in text


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(min_size=1, max_size=30),
    city=st.text(max_size=20),
    tracking=st.from_regex(r"[A-Z0-9]{8,20}", fullmatch=True),
    count=st.integers(min_value=1, max_value=20),
)
def test_any_address_gives_a_well_formed_zpl_label_that_renders(name, city, tracking, count):
    label = OwnLabel(
        tracking_number=tracking,
        sender=SENDER,
        recipient=Address(name=name, street1="x", city=city, zip="1", country="CH"),
        weight_kg=Decimal("0.5"),
        package_no=count,
        package_count=count,
    )
    zpl = own_label_zpl(label).decode()
    assert zpl.count("^XA") == zpl.count("^XZ") == 1, "field data never opens or ends a label"
    assert zpl.count("^FO") == zpl.count("^FS")
    assert "\n^FD" not in zpl and all(line.startswith("^") for line in zpl.splitlines())
    rendered = zpl_to_pdf(zpl)
    assert rendered.pages == 1 and rendered.skipped == ()
