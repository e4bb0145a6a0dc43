"""PostLogisticsClient (zeep) against the barcode web service simulator on 127.0.0.1."""

import io
import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from PyPDF2 import PdfReader

from tests.simulators.postlogistics import (
    SERVICE_PATH,
    WSDL_PATH,
    PostLogisticsSimulator,
    soap_fault,
)

from .. import (
    Address,
    CarrierAuthError,
    CarrierConnectionError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
    Parcel,
    PostLogisticsClient,
)
from .fakes import FakeSleep, closed_port_url

FIXTURES = Path(__file__).parent / "fixtures" / "postlogistics"
USER, PASSWORD, LICENSE = "TU_simulator", "simulator-pass", "60000001"
SENDER = Address(
    name="Lager",
    company="OMS AG",
    street1="Bahnhofstrasse",
    house_no="1",
    city="Bern",
    zip="3000",
    country="CH",
)
ANNA = Address(
    name="Anna Muster",
    street1="Rue du Lac",
    house_no="5",
    city="Lausanne",
    zip="1003",
    country="CH",
    phone="+41791234567",
)
T = {"t": "https://wsbc.post.ch/wsbc/barcode/v2_4/types"}


@pytest.fixture
def sim():
    with PostLogisticsSimulator(USER, PASSWORD, {LICENSE}) as simulator:
        yield simulator


@pytest.fixture
def sleep():
    return FakeSleep()


def client_for(sim, sleep, password=PASSWORD, license_=LICENSE, **kwargs):
    kwargs.setdefault("wsdl_url", f"{sim.url}{SERVICE_PATH}?wsdl")
    return PostLogisticsClient(
        USER, password, license_, SENDER, sleep=sleep, timeout=(2, 5), **kwargs
    )


def sent_call(sim, index=0):
    return etree.fromstring(sim.requests_to("POST", SERVICE_PATH)[index].body)


def test_generate_label_sends_the_documented_request_and_returns_the_pdf(sim, sleep):
    purchase = client_for(sim, sleep).generate_label(
        ANNA,
        services=("PRI", "SI"),
        parcel=Parcel(Decimal("1.2")),
        item_number="WH-OUT-00042",
        parcel_no=1,
        parcel_total=2,
        free_text="Fragile",
    )

    parser = etree.XMLParser(remove_blank_text=True)
    golden = etree.parse(str(FIXTURES / "generate_label_request.xml"), parser).getroot()
    assert etree.tostring(sent_call(sim), method="c14n") == etree.tostring(golden, method="c14n")
    post = sim.requests_to("POST", SERVICE_PATH)[0]
    assert post.headers["authorization"].startswith("Basic ")
    assert "GenerateLabel" in post.headers["soapaction"]
    (stored,) = sim.labels
    assert stored["services"] == ["PRI", "SI"]
    assert purchase.tracking_number == stored["ident_code"]
    assert purchase.tracking_number.startswith("9900600000")  # 18 digits, the v2.4 type
    assert len(purchase.tracking_number) == 18
    assert (purchase.carrier, purchase.service) == ("Swiss Post", "PRI+SI")
    (package,) = purchase.packages
    assert package.label.format == "PDF"
    text = PdfReader(io.BytesIO(package.label.content)).pages[0].extract_text()
    assert purchase.tracking_number in text
    assert "Anna Muster" in text


def test_zpl_label_with_economy_service_and_layout(sim, sleep):
    purchase = client_for(sim, sleep).generate_label(
        ANNA, services=("ECO",), image_format="ZPL", label_layout="A7", resolution=200
    )
    definition = sent_call(sim).find(".//t:LabelDefinition", T)
    assert definition.findtext("t:ImageFileType", namespaces=T) == "ZPL2"
    assert definition.findtext("t:LabelLayout", namespaces=T) == "A7"
    assert definition.findtext("t:ImageResolution", namespaces=T) == "200"
    label = purchase.packages[0].label
    assert label.format == "ZPL"
    assert label.content.startswith(b"^XA") and b"^BC" in label.content
    assert purchase.tracking_number.startswith("9960")


def test_item_errors_become_a_validation_error_with_the_carriers_words(sim, sleep):
    abroad = Address(
        name="Jean Dupont", street1="12 rue de Rivoli", city="Paris", zip="75001", country="FR"
    )
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(abroad, services=("PRI", "XYZ"))
    error = caught.value
    assert error.code == "E2010"
    assert "Unknown service code XYZ." in error.message
    assert "E2030: The service is not available for country FR." in error.details
    assert sim.labels == []


def test_two_basic_services_are_refused(sim, sleep):
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(ANNA, services=("PRI", "ECO"))
    assert caught.value.code == "E2015"


def test_a_franking_license_the_user_may_not_use_is_a_client_fault(sim, sleep):
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep, license_="69999999").generate_label(ANNA)
    assert caught.value.code == "E2001"
    assert "Franking license 69999999 is not authorised" in str(caught.value)


def test_wrong_password_is_an_auth_error(sim, sleep):
    with pytest.raises(CarrierAuthError) as caught:
        client_for(sim, sleep, password="wrong").generate_label(ANNA)
    assert caught.value.status == 401
    assert "401 Unauthorized" in caught.value.body_excerpt


def test_a_server_fault_is_transient_and_generate_label_is_not_repeated(sim, sleep):
    client = client_for(sim, sleep)
    sim.fail_next(500, method="POST", body=soap_fault("soap:Server", "Internal processing error"))
    with pytest.raises(CarrierServerError) as caught:
        client.generate_label(ANNA)
    assert caught.value.transient
    assert "Internal processing error" in str(caught.value)
    assert len(sim.requests_to("POST", SERVICE_PATH)) == 1
    assert sleep.waits == []
    assert client.generate_label(ANNA).tracking_number


def test_wsdl_is_loaded_once_and_retried_on_5xx(sim, sleep):
    sim.fail_next(503, method="GET")
    client = client_for(sim, sleep)
    client.generate_label(ANNA)
    client.generate_label(ANNA)
    assert len(sim.requests_to("GET", SERVICE_PATH)) == 2  # a 503, then the WSDL
    assert len(sleep.waits) == 1
    assert len(sim.labels) == 2


def test_calls_go_to_the_service_url_when_one_is_given(sim, sleep):
    with PostLogisticsSimulator(USER, PASSWORD, {LICENSE}) as integration:
        client = client_for(sim, sleep, service_url=f"{integration.url}{SERVICE_PATH}")
        client.generate_label(ANNA)
    assert sim.requests_to("POST", ".*") == []
    assert len(integration.labels) == 1


def test_credentials_go_only_to_the_server_the_wsdl_came_from(sim, sleep):
    with PostLogisticsSimulator(USER, PASSWORD, {LICENSE}) as elsewhere:
        for location in (
            f"{elsewhere.url}{SERVICE_PATH}",  # another server (port)
            f"https://{sim.url.split('//')[1]}{SERVICE_PATH}",  # same host, other scheme
        ):
            sim.service_location = location
            client = client_for(sim, sleep)
            with pytest.raises(CarrierResponseError, match="not to the server it came from"):
                client.generate_label(ANNA)
        assert elsewhere.received == []
    assert sim.requests_to("POST", ".*") == []


def test_no_answer_is_a_connection_error(sleep):
    client = PostLogisticsClient(
        USER,
        PASSWORD,
        LICENSE,
        SENDER,
        wsdl_url=f"{closed_port_url()}{SERVICE_PATH}?wsdl",
        sleep=sleep,
        timeout=(0.5, 0.5),
    )
    with pytest.raises(CarrierConnectionError):
        client.generate_label(ANNA)
    assert len(sleep.waits) == 3


def test_no_password_in_the_log(sim, sleep, caplog):
    # Under Odoo the client logger sits below "odoo", whose level Odoo sets.
    caplog.set_level(logging.DEBUG, logger=PostLogisticsClient.__module__)
    client_for(sim, sleep).generate_label(ANNA)
    assert "GenerateLabel → Swiss Post in" in caplog.text
    assert PASSWORD not in caplog.text


def test_a_full_request_validates_against_the_v2_4_schema(sim, sleep):
    """Weight, several services, cash on delivery and a recipient with every field
    we have: the simulator validates the request against the v2.4 schema."""
    everyone = Address(
        name="Anna Muster",
        company="Muster GmbH",
        street1="Rue du Lac",
        street2="c/o Réception",
        house_no="5a",
        city="Lausanne",
        zip="1003",
        country="CH",
        phone="+41 79 123 45 67",
        email="anna@example.ch",
    )
    purchase = client_for(sim, sleep).generate_label(
        everyone,
        services=("PRI", "SI"),
        parcel=Parcel(Decimal("2.3456"), Decimal("30"), Decimal("20"), Decimal("10")),
        item_number="WH/OUT/00042",
        parcel_no=1,
        parcel_total=3,
        free_text="Fragile",
        delivery_date="2026-12-24",
        cod_amount=Decimal("25.5"),
    )

    assert sim.schema_errors == []
    (stored,) = sim.labels
    assert stored["services"] == ["PRI", "SI", "BLN"]
    assert (stored["weight_g"], stored["cod_amount"]) == (2346, "25.50")
    assert stored["item_id"] == "WH-OUT-00042"
    item = sent_call(sim).find(".//t:Item", T)
    assert item.findtext("t:ItemNumber", namespaces=T) == "00042"
    assert item.findtext("t:Attributes/t:Dimensions/t:Weight", namespaces=T) == "2346"
    assert item.find("t:Attributes/t:Weight", T) is None
    recipient = item.find("t:Recipient", T)
    assert [etree.QName(child).localname for child in recipient] == [
        "Name1",
        "Name2",
        "AddressSuffix",
        "Street",
        "HouseNo",
        "ZIP",
        "City",
        "Country",
        "Phone",
        "EMail",
    ]
    assert recipient.findtext("t:Phone", namespaces=T) == "+41791234567"
    assert purchase.service == "PRI+SI+BLN"


def test_a_value_the_schema_refuses_is_a_validation_error_naming_the_field(sim, sleep):
    # 100 kg: more than the five digits of grams v2.4 allows
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(ANNA, parcel=Parcel(Decimal("100")))
    assert "Weight" in str(caught.value)
    assert sim.labels == []
    assert len(sim.schema_errors) == 1


def test_an_element_the_wsdl_does_not_have_is_a_validation_error_not_a_type_error(sim, sleep):
    # A service whose schema has no Dimensions: zeep refuses the keyword before sending.
    sim.wsdl_text = WSDL_PATH.read_text().replace(
        '<xsd:element name="Dimensions" type="t:Dimensions" minOccurs="0"/>', ""
    )
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(ANNA, parcel=Parcel(Decimal("1")))
    assert caught.value.details == ("ServiceCodeAttributes.Dimensions",)
    assert "ServiceCodeAttributes.Dimensions" in str(caught.value)
    assert sim.requests_to("POST", SERVICE_PATH) == []


def test_a_missing_required_element_is_a_validation_error_naming_the_field(sim, sleep):
    # A service that requires the recipient's mobile number: zeep's own validation.
    sim.wsdl_text = WSDL_PATH.read_text().replace(
        '<xsd:element name="Mobile" type="t:PhoneNumberType" minOccurs="0"/>',
        '<xsd:element name="Mobile" type="t:PhoneNumberType"/>',
    )
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(ANNA)
    assert caught.value.details[0].endswith("Recipient.Mobile")
    assert sim.requests_to("POST", SERVICE_PATH) == []


def test_cash_on_delivery_without_amount_is_refused_by_the_service(sim, sleep):
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(ANNA, services=("PRI", "BLN"))
    assert caught.value.code == "E2040"


def test_an_answer_written_from_the_v2_4_schema_is_read(sim, sleep):
    body = (FIXTURES / "generate_label_response.xml").read_bytes()
    sim.fail_next(200, method="POST", body=body, headers={"Content-Type": "text/xml"})
    purchase = client_for(sim, sleep).generate_label(ANNA, item_number="WH/OUT/00042")
    assert purchase.tracking_number == "990060000010000042"
    assert purchase.packages[0].label.content.startswith(b"%PDF")


def test_a_label_answer_about_another_item_is_refused(sim, sleep):
    """The answer echoes the item (``ItemID``): a label for another item than
    the one sent is not this parcel's (issue 26 point 5)."""
    body = (FIXTURES / "generate_label_response.xml").read_bytes()
    sim.fail_next(200, method="POST", body=body, headers={"Content-Type": "text/xml"})
    with pytest.raises(CarrierResponseError, match="about item WH-OUT-00042, not WH-OUT-00043"):
        client_for(sim, sleep).generate_label(ANNA, item_number="WH/OUT/00043")


def test_an_answer_with_item_errors_written_from_the_v2_4_schema(sim, sleep):
    body = (FIXTURES / "generate_label_response_errors.xml").read_bytes()
    sim.fail_next(200, method="POST", body=body, headers={"Content-Type": "text/xml"})
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(ANNA, item_number="WH/OUT/00043")
    assert caught.value.code == "E2010"
    assert caught.value.details == (
        "E2010: Unknown service code XYZ.",
        "E2030: The service is not available for country FR.",
    )


def test_swiss_posts_documented_example_request_gets_its_label(sim, sleep):
    """Swiss Post's own GenerateLabel example (its example client, see the
    fixture's SOURCE) goes through our client and the simulator: A5 GIF label,
    the basic service PRI with the additional service FRA and the delivery
    instructions ZAW3211 and ZAW3213, which the simulator refused as unknown."""
    example = json.loads((FIXTURES / "documented_example_generate_label.json").read_text())
    customer, item = example["customer"], example["item"]
    recipient = item["Recipient"]
    street, house_no = customer["Street"].rsplit(" ", 1)
    sender = Address(
        name=customer["Name1"],
        street1=street,
        house_no=house_no,
        city=customer["City"],
        zip=customer["ZIP"],
        country="CH",
    )
    definition = example["label_definition"]
    sim.franking_licenses.add(example["franking_license"])
    client = PostLogisticsClient(
        USER,
        PASSWORD,
        example["franking_license"],
        sender,
        wsdl_url=f"{sim.url}{SERVICE_PATH}?wsdl",
        language=example["language"],
        sleep=sleep,
        timeout=(2, 5),
    )
    purchase = client.generate_label(
        Address(
            name=recipient["Name1"],
            street1=recipient["Street"],
            house_no=recipient["HouseNo"],
            city=recipient["City"],
            zip=recipient["ZIP"],
            country="CH",
            phone=recipient["Phone"],
            email=recipient["EMail"],
        ),
        services=tuple(item["PRZL"]),
        image_format=definition["ImageFileType"],
        label_layout=definition["LabelLayout"],
        resolution=definition["ImageResolution"],
        print_addresses=definition["PrintAddresses"],
        item_number=item["ItemID"],
        free_text=item["FreeText"],
    )

    call = sent_call(sim)
    assert call.findtext(".//t:GenerateLabel/t:Language", namespaces=T) == "de"
    sent = call.find(".//t:Item", T)
    assert [p.text for p in sent.iterfind("t:Attributes/t:PRZL", T)] == item["PRZL"]
    assert sent.findtext("t:Recipient/t:Phone", namespaces=T) == "0313381111"
    (stored,) = sim.labels
    assert (stored["services"], stored["layout"], stored["format"]) == (item["PRZL"], "A5", "GIF")
    assert (stored["item_id"], stored["zip"]) == ("1234", "3030")
    assert purchase.tracking_number == stored["ident_code"]
    assert purchase.tracking_number.startswith("9900600820")  # Priority, the license's digits
    (package,) = purchase.packages
    assert package.label.format == "GIF"
    assert package.label.content.startswith(b"GIF8")
    assert purchase.service == "PRI+FRA+ZAW3211+ZAW3213"


def test_an_item_without_basic_service_is_economy(sim, sleep):
    """Swiss Post's example client: the basic service code is optional, ECO
    by default (the simulator refused it with its own code E2015)."""
    purchase = client_for(sim, sleep).generate_label(ANNA, services=("SI",))
    (stored,) = sim.labels
    assert stored["services"] == ["SI"]
    assert purchase.tracking_number.startswith("9960")  # Economy


def test_an_unknown_delivery_instruction_is_still_refused(sim, sleep):
    with pytest.raises(CarrierValidationError) as caught:
        client_for(sim, sleep).generate_label(ANNA, services=("PRI", "ZAW9999"))
    assert caught.value.code == "E2010"
    assert "Unknown service code ZAW9999." in caught.value.message


def test_service_codes_are_sent_without_the_spaces_around_them(sim, sleep):
    """The carrier's *Service* split at its commas: ``PRI, FRA, ZAW3213, `` (as
    a user types it) sends PRI, FRA and ZAW3213, not codes the schema refuses."""
    purchase = client_for(sim, sleep).generate_label(
        ANNA, services=("PRI", " FRA", " ZAW3213", " ")
    )
    sent = sent_call(sim).find(".//t:Item", T)
    assert [p.text for p in sent.iterfind("t:Attributes/t:PRZL", T)] == ["PRI", "FRA", "ZAW3213"]
    (stored,) = sim.labels
    assert stored["services"] == ["PRI", "FRA", "ZAW3213"]
    assert purchase.service == "PRI+FRA+ZAW3213"
