"""Swiss Post PostLogistics barcode web service simulator (SOAP 1.1, ``GenerateLabel``).

Serves the WSDL of the operation the OMS uses (``postlogistics_barcode.wsdl``
beside this file, written to match Swiss Post's published v2.4 WSDL/XSD element
by element, see README.md) at ``GET /wsbc/barcode/v2_4?wsdl`` with its own
address, and answers ``GenerateLabel`` posted to the same path:

- HTTP Basic auth (401 with an HTML page otherwise, as the gateway does);
- the request is validated against the WSDL's schema: anything the v2.4 schema
  does not allow (an element out of place, a value out of its type) is a
  ``soap:Client`` fault naming the element; the simulator's own answers are
  validated too;
- a franking license the user may not use is a ``soap:Client`` fault;
- per item, the service codes (``PRZL``) are checked: at most one basic service
  (PRI, ECO, SEM; none is ECO, as Swiss Post's example client says), additional
  ones (SI, SP, BLN, LQ, FRA, SA, AZS) and delivery instructions (``ZAW32xx``)
  from the lists Swiss Post's material names; an unknown code, two basic
  services, a ZIP code that is not Swiss or a destination outside Switzerland
  and Liechtenstein are item errors (``Errors/Error`` with a code and a message)
  and that item gets no label;
- cash on delivery is the ``BLN`` service with its amount in
  ``AdditionalINFOS/AdditionalData`` of type ``NN_BETRAG``: one without the
  other is an item error;
- a good item gets an 18-digit ident code (``9900`` Priority, ``9960`` Economy,
  ... then the license's first 6 digits and a serial) and its label in the
  requested ``ImageFileType`` (PDF, ZPL2, GIF, PNG), base64.

:func:`soap_fault` builds a fault body for tests that inject server faults.
"""

import base64
import hmac
import itertools
from pathlib import Path

from lxml import etree

from tests.simulators.base import Response, Simulator, route
from tests.simulators.easypost import GIF_IMAGE, pdf_document, png_image, zpl_label

WSDL_PATH = Path(__file__).with_name("postlogistics_barcode.wsdl")
SERVICE_PATH = "/wsbc/barcode/v2_4"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TYPES = "https://wsbc.post.ch/wsbc/barcode/v2_4/types"
BASIC_SERVICES = {"PRI": "9900", "ECO": "9960", "SEM": "9940"}
DEFAULT_BASIC_SERVICE = "ECO"  # "Basic service code(s) (optional, default="ECO")"
ADDITIONAL_SERVICES = {"SI", "SP", "BLN", "LQ", "FRA", "SA", "AZS"}
# Delivery instructions: ZAW3211 and ZAW3213 in Swiss Post's example client, the
# others in the service code overview of the barcode manual (v2.2.2, section 5).
DELIVERY_INSTRUCTIONS = {
    "ZAW3211",
    "ZAW3212",
    "ZAW3213",
    "ZAW3214",
    "ZAW3215",
    "ZAW3216",
    "ZAW3220",
    "ZAW3222",
    "ZAW3232",
    "ZAW3233",
    "ZAW3234",
}
SERVICE_NAMES = {"PRI": "PostPac Priority", "ECO": "PostPac Economy", "SEM": "Swiss-Express Moon"}
_NS = {"t": TYPES, "soap": SOAP_ENV}


def soap_fault(code, message, detail_code=None):
    """A SOAP 1.1 fault envelope (``code`` is ``soap:Client`` or ``soap:Server``)."""
    detail = (
        f"<detail><t:ErrorCode xmlns:t='{TYPES}'>{detail_code}</t:ErrorCode></detail>"
        if detail_code
        else ""
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?>"
        f"<soap:Envelope xmlns:soap='{SOAP_ENV}'><soap:Body><soap:Fault>"
        f"<faultcode>{code}</faultcode><faultstring>{message}</faultstring>{detail}"
        f"</soap:Fault></soap:Body></soap:Envelope>"
    ).encode()


def _schema():
    """The XML schema embedded in the WSDL, to validate requests and answers."""
    wsdl = etree.parse(str(WSDL_PATH))
    (schema,) = wsdl.iterfind(".//{http://www.w3.org/2001/XMLSchema}schema")
    return etree.XMLSchema(schema)


SCHEMA = _schema()


def _schema_errors(element):
    """The schema's complaints about ``element``, with the namespaces left out."""
    if SCHEMA.validate(element):
        return []
    return [
        f"line {error.line}: " + error.message.replace("{" + TYPES + "}", "")
        for error in SCHEMA.error_log
    ]


def _text(node, path):
    found = node.find(path, _NS)
    return (found.text or "").strip() if found is not None else ""


class PostLogisticsSimulator(Simulator):
    def __init__(self, username="TU_simulator", password="simulator-pass", franking_licenses=None):
        super().__init__()
        self.username = username
        self.password = password
        self.franking_licenses = set(franking_licenses or {"60000001"})
        self.labels = []  # every label handed out: ident code, services, recipient, format
        self.schema_errors = []  # per refused request, what the schema said
        self._serial = itertools.count(10000001)
        # The soap:address the WSDL gives (this simulator's own by default); a test
        # sets another to play a WSDL that sends the calls elsewhere.
        self.service_location = None
        # The WSDL served (this file's by default); a test sets another to play a
        # service whose schema differs from the one the client was written for.
        self.wsdl_text = None

    @route("GET", SERVICE_PATH)
    def wsdl(self, request):
        # ``?wsdl`` has no value, so it does not show in ``request.query``: any GET gets it.
        location = self.service_location or f"{self.url}{SERVICE_PATH}"
        text = (self.wsdl_text or WSDL_PATH.read_text()).replace("{location}", location)
        return Response(200, text, content_type="text/xml; charset=utf-8")

    @route("POST", SERVICE_PATH)
    def soap(self, request):
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if not hmac.compare_digest(request.headers.get("authorization", ""), f"Basic {expected}"):
            return Response(
                401,
                "<html><body><h1>401 Unauthorized</h1></body></html>",
                headers={"WWW-Authenticate": 'Basic realm="wsbc"'},
                content_type="text/html",
            )
        try:
            envelope = etree.fromstring(request.body)
        except etree.XMLSyntaxError:
            return self._fault("soap:Client", "The request is not well-formed XML.")
        call = envelope.find("soap:Body/t:GenerateLabel", _NS)
        if call is None:
            return self._fault("soap:Client", "Unknown operation.")
        problems = _schema_errors(call)
        if problems:
            self.schema_errors.append(problems)
            return self._fault("soap:Client", "Invalid request: " + "; ".join(problems[:3]))
        return self._generate_label(call)

    def _fault(self, code, message, detail_code=None):
        return Response(500, soap_fault(code, message, detail_code), content_type="text/xml")

    def _generate_label(self, call):
        definition = call.find("t:Envelope/t:LabelDefinition", _NS)
        image_type = _text(definition, "t:ImageFileType")
        license_ = _text(call, "t:Envelope/t:FileInfos/t:FrankingLicense")
        if license_ not in self.franking_licenses:
            return self._fault(
                "soap:Client",
                f"Franking license {license_} is not authorised for user {self.username}.",
                "E2001",
            )
        customer = call.find("t:Envelope/t:FileInfos/t:Customer", _NS)
        root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
        body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
        answer = etree.SubElement(body, f"{{{TYPES}}}GenerateLabelResponse", nsmap={None: TYPES})
        sending = etree.SubElement(answer, f"{{{TYPES}}}Envelope")
        answered = etree.SubElement(sending, f"{{{TYPES}}}LabelDefinition")
        for name in ("LabelLayout", "PrintAddresses", "ImageFileType", "ImageResolution"):
            etree.SubElement(answered, f"{{{TYPES}}}{name}").text = _text(definition, f"t:{name}")
        etree.SubElement(answered, f"{{{TYPES}}}PrintPreview").text = "false"
        etree.SubElement(answered, f"{{{TYPES}}}ColorPrintRequired").text = "false"
        for name in ("Data", "Provider", "Sending"):
            sending = etree.SubElement(sending, f"{{{TYPES}}}{name}")
        for item in call.iterfind("t:Envelope/t:Data/t:Provider/t:Sending/t:Item", _NS):
            result = etree.SubElement(sending, f"{{{TYPES}}}Item")
            if _text(item, "t:ItemID"):
                etree.SubElement(result, f"{{{TYPES}}}ItemID").text = _text(item, "t:ItemID")
            errors = self._item_errors(item)
            if errors:
                container = etree.SubElement(result, f"{{{TYPES}}}Errors")
                for code, message in errors:
                    error = etree.SubElement(container, f"{{{TYPES}}}Error")
                    etree.SubElement(error, f"{{{TYPES}}}Code").text = code
                    etree.SubElement(error, f"{{{TYPES}}}Message").text = message
                continue
            services = [p.text for p in item.iterfind("t:Attributes/t:PRZL", _NS)]
            basic = next((s for s in services if s in BASIC_SERVICES), DEFAULT_BASIC_SERVICE)
            ident = f"{BASIC_SERVICES[basic]}{license_[:6]}{next(self._serial):08d}"
            weight = _text(item, "t:Attributes/t:Dimensions/t:Weight")
            if not weight:
                warnings = etree.SubElement(result, f"{{{TYPES}}}Warnings")
                warning = etree.SubElement(warnings, f"{{{TYPES}}}Warning")
                etree.SubElement(warning, f"{{{TYPES}}}Code").text = "W0028"
                etree.SubElement(warning, f"{{{TYPES}}}Message").text = "No weight given."
            etree.SubElement(result, f"{{{TYPES}}}IdentCode").text = ident
            label = self._label(item, customer, services, ident, image_type)
            etree.SubElement(result, f"{{{TYPES}}}Label").text = base64.b64encode(label).decode()
            self.labels.append(
                {
                    "ident_code": ident,
                    "services": services,
                    "recipient": _text(item, "t:Recipient/t:Name1"),
                    "zip": _text(item, "t:Recipient/t:ZIP"),
                    "format": image_type,
                    "layout": _text(definition, "t:LabelLayout"),
                    "weight_g": int(weight) if weight else None,
                    "item_id": _text(item, "t:ItemID"),
                    "cod_amount": next(
                        (
                            _text(data, "t:Value")
                            for data in item.iterfind("t:AdditionalINFOS/t:AdditionalData", _NS)
                            if _text(data, "t:Type") == "NN_BETRAG"
                        ),
                        None,
                    ),
                }
            )
        problems = _schema_errors(answer)
        if problems:  # the simulator's own bug: make it loud
            raise AssertionError(f"the simulator's answer breaks the schema: {problems}")
        return Response(
            200,
            etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
            content_type="text/xml; charset=utf-8",
        )

    def _item_errors(self, item):
        errors = []
        services = [p.text or "" for p in item.iterfind("t:Attributes/t:PRZL", _NS)]
        known = BASIC_SERVICES.keys() | ADDITIONAL_SERVICES | DELIVERY_INSTRUCTIONS
        errors += [("E2010", f"Unknown service code {s}.") for s in services if s not in known]
        basics = [s for s in services if s in BASIC_SERVICES]
        if len(basics) > 1:
            errors.append(("E2015", "At most one basic service (PRI, ECO, SEM) is allowed."))
        amounts = [
            _text(data, "t:Value")
            for data in item.iterfind("t:AdditionalINFOS/t:AdditionalData", _NS)
            if _text(data, "t:Type") == "NN_BETRAG"
        ]
        if ("BLN" in services) != bool(amounts):
            # (the simulator's own code: cash on delivery is the BLN service with its amount)
            errors.append(("E2040", "Cash on delivery needs the service BLN and its amount."))
        country = _text(item, "t:Recipient/t:Country") or "CH"
        if country not in ("CH", "LI"):
            errors.append(("E2030", f"The service is not available for country {country}."))
        zip_code = _text(item, "t:Recipient/t:ZIP")
        if not (zip_code.isdigit() and len(zip_code) == 4):
            errors.append(("E1005", f"Invalid ZIP code {zip_code!r} of the recipient."))
        return errors

    def _label(self, item, customer, services, ident, image_type):
        lines = [
            " + ".join(SERVICE_NAMES.get(s, s) for s in services),
            f"From: {_text(customer, 't:Name1')}, {_text(customer, 't:ZIP')} "
            f"{_text(customer, 't:City')}",
            " ".join(
                filter(
                    None,
                    (_text(item, "t:Recipient/t:FirstName"), _text(item, "t:Recipient/t:Name1")),
                )
            ),
            f"{_text(item, 't:Recipient/t:Street')} {_text(item, 't:Recipient/t:HouseNo')}".strip(),
            f"{_text(item, 't:Recipient/t:ZIP')} {_text(item, 't:Recipient/t:City')}",
            ident,
        ]
        if image_type == "ZPL2":
            return zpl_label(ident.replace(".", ""), lines)
        if image_type == "GIF":
            return GIF_IMAGE
        if image_type in ("PNG", "JPG"):
            return png_image()
        return pdf_document(lines, width=298, height=420)  # A6
