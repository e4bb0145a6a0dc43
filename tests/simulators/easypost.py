"""EasyPost API v2 simulator.

Follows the public documentation: HTTP Basic auth with the API key as user name
(401 ``{"error": {"code": "APIKEY.REQUIRED"...}}`` otherwise); shipments with rates
from several carriers, ``messages`` for carriers that cannot quote; buying a rate
(``SHIPMENT.POSTAGE.EXISTS`` when bought already) with a postage label in the
shipment's ``options.label_format``; label conversion with
``GET /v2/shipments/:id/label?file_format=``; refunds; trackers; scan forms;
address verification; error bodies ``{"error": {"code", "message", "errors"}}``;
the ``X-Ep-Request-Uuid`` header on every answer. Label files are served by the
simulator itself under ``/files/``.

An ``Idempotency-Key`` header is ignored, as EasyPost's public documentation does
not describe one: a repeated POST does its work again (a second shipment; a
second buy of a shipment is ``SHIPMENT.POSTAGE.EXISTS``; a scan form for
shipments already on one is refused, as documented: "any given Shipment cannot
be added to more than one ScanForm"). :attr:`purchases` lists
every label really bought, so a test sees when one was bought twice.

Webhooks: :meth:`EasyPostSimulator.advance_tracker` moves a tracker on and returns
the ``tracker.updated`` event; :func:`post_event` posts it signed with
``X-Hmac-Signature: hmac-sha256-hex=<hex>`` like EasyPost does.

The small label makers (:func:`pdf_document`, :func:`zpl_label`, :func:`png_image`,
:data:`GIF_IMAGE`) are used by the other carrier simulators too.
"""

import base64
import hashlib
import hmac
import itertools
import json
import struct
import unicodedata
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import requests

from tests.simulators.base import Response, Simulator, route

BASE_TIME = datetime(2025, 3, 3, 8, 0, tzinfo=timezone.utc)

# carrier, service, base price, price per ounce, days, international?
SERVICES = [
    ("USPS", "GroundAdvantage", "5.20", "0.10", 5, False),
    ("USPS", "Priority", "8.10", "0.16", 2, False),
    ("USPS", "Express", "29.50", "0.20", 1, False),
    ("UPS", "Ground", "9.85", "0.12", 4, False),
    ("UPS", "2ndDayAir", "19.40", "0.22", 2, False),
    ("USPS", "PriorityMailInternational", "42.00", "0.45", 8, True),
    ("DHLExpress", "ExpressWorldwideNondoc", "61.30", "0.60", 3, True),
]
TRACKER_STEPS = ["pre_transit", "in_transit", "out_for_delivery", "delivered"]
TRACKER_MESSAGES = {
    "pre_transit": "Shipping Label Created, USPS Awaiting Item",
    "in_transit": "Arrived at USPS Regional Origin Facility",
    "out_for_delivery": "Out for Delivery",
    "delivered": "Delivered, In/At Mailbox",
    "return_to_sender": "Return to Sender Processed",
    "failure": "Delivery Attempted - No Access to Delivery Location",
}


# --- small, valid label files -----------------------------------------------------------
def _pdf_text(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_document(lines, width=288, height=432):
    """A one-page PDF (4x6 inches by default) that shows ``lines`` in Helvetica."""
    ops = ["BT", "/F1 11 Tf", f"18 {height - 30} Td", "14 TL"]
    ops += [f"({_pdf_text(line)}) '" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode(),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zpl_label(tracking, lines):
    """A 4x6 ZPL II label at 203 dpi as carriers send them: text, boxes, a Code 128."""
    body = [
        "^XA",
        "^CI28",
        "^PW812",
        "^LL1218",
        "^FO20,20^GB772,1178,4^FS",
        "^CF0,30",
    ]
    for index, line in enumerate(lines):
        body.append(f"^FO50,{60 + 40 * index}^A0N,30,30^FD{line}^FS")
    body += [
        "^FO40,700^GB732,4,4^FS",
        f"^BY3,3,200^FO80,760^BCN,200,Y,N,N^FD{tracking}^FS",
        "^XZ",
    ]
    return "\n".join(body).encode()


def png_image(width=8, height=8):
    """A small valid grey PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# A valid 1x1 GIF89a.
GIF_IMAGE = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def webhook_signature(body, secret):
    key = unicodedata.normalize("NFKD", secret).encode()
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def post_event(url, event, secret, timeout=5):
    """Post ``event`` to ``url`` as EasyPost does: JSON body, ``X-Hmac-Signature``."""
    body = json.dumps(event).encode()
    return requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Hmac-Signature": webhook_signature(body, secret),
            "User-Agent": "EasyPost WebHook Agent 1.0",
        },
        timeout=timeout,
    )


# --- request schemas ---------------------------------------------------------------
def schema_errors(schema, value, components=None, path=""):
    """What in ``value`` does not fit ``schema``: a list of ``"path: problem"``.

    The subset of JSON Schema (OpenAPI 3.0) the carriers' published request
    schemas use: ``$ref`` (into ``components``), ``type`` object / array /
    string / number / integer / boolean, ``properties``, ``required``,
    ``items``, ``minLength``, ``maxLength``, ``enum``. Strict on names: a
    property the schema does not list is an error (the published schemas list
    every one). UPS's ``maximum`` on objects and arrays counts occurrences, not
    values, and is not checked; a single value stands for a one-item array, as
    UPS's JSON APIs take it (and its own examples send).
    """
    components = components or {}
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "array":
        return _array_errors(schema, value, components, path)
    if kind == "object":
        return _object_errors(schema, value, components, path)
    return _scalar_errors(schema, kind, value, path or "(body)")


def _array_errors(schema, value, components, path):
    errors = []
    for index, item in enumerate(value if isinstance(value, list) else [value]):
        errors += schema_errors(schema.get("items") or {}, item, components, f"{path}[{index}]")
    return errors


def _object_errors(schema, value, components, path):
    if not isinstance(value, dict):
        return [f"{path or '(body)'}: must be an object"]
    properties = schema.get("properties") or {}
    # a name the schema requires is of the contract even where its properties
    # forget it (UPS's Rating Request.RequestOption)
    known = set(properties) | set(schema.get("required") or ())
    if schema.get("additionalProperties") is True:  # an open object (EasyPost's options)
        known |= set(value)
    errors = [
        f"{path}.{name}".lstrip(".") + ": is not in the contract"
        for name in value
        if name not in known
    ]
    errors += [
        f"{path}.{name}".lstrip(".") + ": is required"
        for name in schema.get("required") or ()
        if name not in value
    ]
    for name, item in value.items():
        if name in properties:
            errors += schema_errors(
                properties[name], item, components, f"{path}.{name}".lstrip(".")
            )
    return errors


def _scalar_errors(schema, kind, value, where):
    if isinstance(kind, list):  # one of several types (EasyPost takes "12.50" or 12.5)
        tries = [_scalar_errors({**schema, "type": k}, k, value, where) for k in kind]
        return [] if any(not errors for errors in tries) else tries[0]
    expected = {"string": str, "number": (int, float), "integer": int, "boolean": bool}.get(kind)
    if expected and (
        not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))
    ):
        return [f"{where}: must be a {kind}, not {type(value).__name__}"]
    if kind == "string" and len(value) > schema.get("maxLength", len(value)):
        return [f"{where}: longer than {schema['maxLength']} characters"]
    if kind == "string" and len(value) < schema.get("minLength", 0):
        return [f"{where}: shorter than {schema['minLength']} characters"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    return []


# EasyPost's request objects as its API reference documents them (docs.easypost.com,
# Shipment, Address, Parcel, CustomsInfo, CustomsItem, Rate, ScanForm, Tracker),
# written here to match: EasyPost publishes no machine-readable schema.
_STR, _NUM, _BOOL = {"type": "string"}, {"type": ["number", "string"]}, {"type": "boolean"}
_ADDRESS_TEXTS = """id name company street1 street2 city state zip country phone email
    carrier_facility federal_tax_id state_tax_id"""
_ADDRESS = {
    "type": "object",
    "properties": dict.fromkeys(_ADDRESS_TEXTS.split(), _STR) | {"residential": _BOOL},
}
_PARCEL = {
    "type": "object",
    "required": ["weight"],
    "properties": {
        "id": _STR,
        "length": _NUM,
        "width": _NUM,
        "height": _NUM,
        "weight": _NUM,
        "predefined_package": _STR,
    },
}
_CUSTOMS_ITEM = {
    "type": "object",
    "properties": {
        "description": _STR,
        "quantity": {"type": "integer"},
        "value": _NUM,
        "weight": _NUM,
        "hs_tariff_number": _STR,
        "code": _STR,
        "origin_country": _STR,
        "currency": _STR,
        "manufacturer": _STR,
        "eccn": _STR,
        "printed_commodity_identifier": _STR,
    },
}
_CUSTOMS = {
    "type": "object",
    "properties": {
        "contents_type": {
            "type": "string",
            "enum": ["documents", "gift", "merchandise", "returned_goods", "sample", "other"],
        },
        "contents_explanation": _STR,
        "customs_certify": _BOOL,
        "customs_signer": _STR,
        "eel_pfc": _STR,
        "non_delivery_option": {"type": "string", "enum": ["abandon", "return"]},
        "restriction_type": {
            "type": "string",
            "enum": ["none", "other", "quarantine", "sanitary_phytosanitary_inspection"],
        },
        "restriction_comments": _STR,
        "declaration": _STR,
        "customs_items": {"type": "array", "items": _CUSTOMS_ITEM},
    },
}
REQUEST_SCHEMAS = {
    "create_shipment": {
        "type": "object",
        "required": ["shipment"],
        "properties": {
            "shipment": {
                "type": "object",
                "required": ["to_address", "from_address", "parcel"],
                "properties": {
                    "to_address": _ADDRESS,
                    "from_address": _ADDRESS,
                    "return_address": _ADDRESS,
                    "buyer_address": _ADDRESS,
                    "parcel": _PARCEL,
                    "customs_info": _CUSTOMS,
                    "options": {"type": "object", "additionalProperties": True},
                    "reference": _STR,
                    "is_return": _BOOL,
                    "carrier_accounts": {"type": "array", "items": _STR},
                    "carrier": _STR,
                    "service": _STR,
                },
            }
        },
    },
    "buy": {
        "type": "object",
        "required": ["rate"],
        "properties": {
            "rate": {"type": "object", "required": ["id"], "properties": {"id": _STR}},
            "insurance": _NUM,
            "end_shipper_id": _STR,
        },
    },
    "create_scan_form": {
        "type": "object",
        "required": ["shipments"],
        "properties": {
            "shipments": {
                "type": "array",
                "items": {"type": "object", "required": ["id"], "properties": {"id": _STR}},
            }
        },
    },
    "create_tracker": {
        "type": "object",
        "required": ["tracker"],
        "properties": {
            "tracker": {
                "type": "object",
                "required": ["tracking_code"],
                "properties": {"tracking_code": _STR, "carrier": _STR},
            }
        },
    },
    "create_address": {
        "type": "object",
        "required": ["address"],
        "properties": {"address": _ADDRESS, "verify": _BOOL, "verify_strict": _BOOL},
    },
}


def _refused(request, operation):
    """A 422 naming what of the request does not fit EasyPost's documented objects
    (``operation`` in :data:`REQUEST_SCHEMAS`), or None; code and wording are ours."""
    try:
        body = request.json()
    except ValueError:
        return _error(422, "PARAMETER.INVALID", "The request body is not JSON.")
    errors = schema_errors(REQUEST_SCHEMAS[operation], body)
    if not errors:
        return None
    return _error(
        422,
        "PARAMETER.INVALID",
        "One or more parameters do not fit the documented object.",
        [{"field": e.split(": ", 1)[0], "message": e.split(": ", 1)[1]} for e in errors],
    )


def _error(status, code, message, errors=()):
    return Response(status, {"error": {"code": code, "message": message, "errors": list(errors)}})


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class EasyPostSimulator(Simulator):
    def __init__(self, api_key="EZTK_simulator_test_key", webhook_secret="simulator-secret"):
        super().__init__()
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.shipments = {}
        self.purchases = []  # (shipment id, rate id) of every label really bought
        # EasyPost's fee per label (carrier accounts beyond the free labels), in USD
        self.label_fee = Decimal("0")
        self.trackers = {}
        self.scan_forms = {}
        self.addresses = {}
        self.files = {}
        self._ids = itertools.count(1)
        self._tracking = itertools.count(9400100000000000000001)

    def _id(self, prefix):
        return f"{prefix}_{next(self._ids):032x}"

    # --- plumbing ---------
    def _serve(self, handler):
        # Every answer carries a request id, as EasyPost's do.
        original = handler.send_response

        def send_response(code, message=None):
            original(code, message)
            handler.send_header("X-Ep-Request-Uuid", uuid.uuid4().hex)

        handler.send_response = send_response
        super()._serve(handler)

    def _dispatch(self, request):
        if not request.path.startswith("/files/"):
            denied = self._check_auth(request)
            if denied:
                return denied
        return super()._dispatch(request)

    def _check_auth(self, request):
        header = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        if not header:
            return _error(401, "APIKEY.REQUIRED", "Missing or invalid API key.")
        if not hmac.compare_digest(header, expected):
            return _error(401, "APIKEY.INACTIVE", "This api key is no longer active.")
        return None

    def _file(self, name, content, content_type):
        self.files[name] = (content, content_type)
        return f"{self.url}/files/{name}"

    @route("GET", r"/files/(?P<name>[\w.]+)")
    def download(self, request, name):
        if name not in self.files:
            return Response(404, b"NoSuchKey", content_type="text/plain")
        content, content_type = self.files[name]
        return Response(200, content, content_type=content_type)

    # --- shipments ---------
    @route("POST", r"/v2/shipments")
    def create_shipment(self, request):
        refused = _refused(request, "create_shipment")
        if refused:
            return refused
        data = (request.json() or {}).get("shipment") or {}
        errors = []
        for role in ("to_address", "from_address"):
            address = data.get(role) or {}
            for name in ("street1", "city", "zip", "country"):
                if not address.get(name):
                    errors.append({"field": f"{role}.{name}", "message": "cannot be blank"})
        parcel = data.get("parcel") or {}
        if not parcel.get("weight") or float(parcel["weight"]) <= 0:
            errors.append({"field": "parcel.weight", "message": "must be greater than 0"})
        if errors:
            return _error(
                422,
                "SHIPMENT.INVALID_PARAMS",
                "Unable to create shipment, one or more parameters were invalid.",
                errors,
            )
        shipment_id = self._id("shp")
        international = data["to_address"]["country"] != data["from_address"]["country"]
        rates, messages = [], []
        if international and not data.get("customs_info"):
            messages.append(
                {
                    "carrier": "USPS",
                    "type": "rate_error",
                    "message": "Customs information is required for international shipments.",
                }
            )
        else:
            ounces = Decimal(str(parcel["weight"]))
            for carrier, service, base, per_oz, days, abroad in SERVICES:
                if abroad != international:
                    continue
                price = (Decimal(base) + Decimal(per_oz) * ounces).quantize(Decimal("0.01"))
                rates.append(
                    {
                        "id": self._id("rate"),
                        "object": "Rate",
                        "mode": "test",
                        "service": service,
                        "carrier": carrier,
                        "carrier_account_id": f"ca_{carrier.lower()}",
                        "rate": str(price),
                        "currency": "USD",
                        "retail_rate": str(price + Decimal("1.50")),
                        "delivery_days": days,
                        "est_delivery_days": days,
                        "delivery_date": _iso(BASE_TIME + timedelta(days=days)),
                        "delivery_date_guaranteed": service == "Express",
                        "shipment_id": shipment_id,
                    }
                )
        shipment = {
            "id": shipment_id,
            "object": "Shipment",
            "mode": "test",
            "status": "unknown",
            "reference": data.get("reference"),
            "to_address": {"id": self._id("adr"), "object": "Address", **data["to_address"]},
            "from_address": {"id": self._id("adr"), "object": "Address", **data["from_address"]},
            "parcel": {"id": self._id("prcl"), "object": "Parcel", **parcel},
            "customs_info": data.get("customs_info"),
            "options": data.get("options") or {},
            "rates": rates,
            "messages": messages,
            "selected_rate": None,
            "postage_label": None,
            "tracking_code": None,
            "tracker": None,
            "refund_status": None,
            "scan_form": None,
            "insurance": None,
            "fees": [],
            "created_at": _iso(BASE_TIME),
        }
        self.shipments[shipment_id] = shipment
        return Response(201, shipment)

    def _shipment_or_404(self, shipment_id):
        shipment = self.shipments.get(shipment_id)
        if shipment is None:
            return None, _error(404, "NOT_FOUND", "The requested resource could not be found.")
        return shipment, None

    @route("GET", r"/v2/shipments/(?P<shipment_id>shp_\w+)")
    def read_shipment(self, request, shipment_id):
        shipment, missing = self._shipment_or_404(shipment_id)
        return missing or Response(200, shipment)

    @route("POST", r"/v2/shipments/(?P<shipment_id>shp_\w+)/buy")
    def buy(self, request, shipment_id):
        refused = _refused(request, "buy")
        if refused:
            return refused
        shipment, missing = self._shipment_or_404(shipment_id)
        if missing:
            return missing
        if shipment["postage_label"]:
            return _error(
                422, "SHIPMENT.POSTAGE.EXISTS", "Postage already exists for this shipment."
            )
        rate_id = ((request.json() or {}).get("rate") or {}).get("id")
        rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
        if rate is None:
            return _error(
                422,
                "SHIPMENT.RATE.INVALID",
                "The rate provided is invalid for this shipment.",
                [{"field": "rate.id", "message": "is not a rate of this shipment"}],
            )
        tracking = str(next(self._tracking))
        label_format = (shipment["options"].get("label_format") or "PNG").upper()
        label = {
            "id": self._id("pl"),
            "object": "PostageLabel",
            "label_date": _iso(BASE_TIME),
            "label_resolution": 300,
            "label_size": "4x6",
            "label_type": "default",
            "label_url": None,
            "label_file_type": None,
            "label_pdf_url": None,
            "label_zpl_url": None,
            "label_epl2_url": None,
        }
        insurance = (request.json() or {}).get("insurance")
        fees = [self._fee("LabelFee", self.label_fee), self._fee("PostageFee", rate["rate"])]
        if insurance not in (None, "", "0"):
            # the premium, not the value covered (documented example: 1.00 for 100.00)
            premium = max(Decimal(str(insurance)) / 100, Decimal(1))
            fees.append(self._fee("InsuranceFee", premium))
            shipment["insurance"] = f"{Decimal(str(insurance)):.2f}"
        shipment.update(
            postage_label=label,
            selected_rate=rate,
            tracking_code=tracking,
            status="unknown",
            fees=fees,
        )
        self._add_label_file(shipment, label_format, main=True)
        tracker = self._new_tracker(tracking, rate["carrier"], shipment_id)
        shipment["tracker"] = tracker
        self.purchases.append((shipment_id, rate_id))
        return Response(200, shipment)

    @staticmethod
    def _fee(kind, amount):
        """A documented Fee: USD with sub-cent precision."""
        return {
            "object": "Fee",
            "type": kind,
            "amount": f"{Decimal(str(amount)):.5f}",
            "charged": True,
            "refunded": False,
        }

    def _label_lines(self, shipment):
        rate, to = shipment["selected_rate"], shipment["to_address"]
        return [
            f"{rate['carrier']} {rate['service']}",
            to.get("name", ""),
            to.get("street1", ""),
            f"{to.get('zip', '')} {to.get('city', '')} {to.get('country', '')}",
            f"TRACKING # {shipment['tracking_code']}",
        ]

    def _add_label_file(self, shipment, label_format, main=False):
        label = shipment["postage_label"]
        name = f"{label['id']}.{label_format.lower()}"
        lines = self._label_lines(shipment)
        if label_format == "PDF":
            url = self._file(name, pdf_document(lines), "application/pdf")
            field, file_type = "label_pdf_url", "application/pdf"
        elif label_format == "ZPL":
            url = self._file(name, zpl_label(shipment["tracking_code"], lines), "application/zpl")
            field, file_type = "label_zpl_url", "application/zpl"
        elif label_format == "EPL2":
            content = f'N\nA50,50,0,4,1,1,N,"{lines[-1]}"\nP1\n'.encode()
            url = self._file(name, content, "application/epl2")
            field, file_type = "label_epl2_url", "application/epl2"
        else:
            url = self._file(name, png_image(), "image/png")
            field, file_type = None, "image/png"
        if main:
            label["label_url"], label["label_file_type"] = url, file_type
        if field:
            label[field] = url

    @route("GET", r"/v2/shipments/(?P<shipment_id>shp_\w+)/label")
    def convert_label(self, request, shipment_id):
        shipment, missing = self._shipment_or_404(shipment_id)
        if missing:
            return missing
        if not shipment["postage_label"]:
            return _error(422, "SHIPMENT.POSTAGE.MISSING", "No postage has been purchased.")
        file_format = str(request.query.get("file_format", "")).upper()
        if file_format not in ("PDF", "ZPL", "EPL2"):
            return _error(
                422,
                "SHIPMENT.POSTAGE.INVALID_FORMAT",
                "Invalid file format.",
                [{"field": "file_format", "message": "must be one of PDF, ZPL, EPL2"}],
            )
        self._add_label_file(shipment, file_format)
        return Response(200, shipment)

    @route("POST", r"/v2/shipments/(?P<shipment_id>shp_\w+)/refund")
    def refund(self, request, shipment_id):
        shipment, missing = self._shipment_or_404(shipment_id)
        if missing:
            return missing
        if not shipment["postage_label"]:
            return _error(422, "SHIPMENT.REFUND.UNAVAILABLE", "No postage to refund.")
        tracker = self.trackers.get((shipment.get("tracker") or {}).get("id"))
        if tracker and tracker["status"] not in ("unknown", "pre_transit"):
            return _error(
                422,
                "SHIPMENT.REFUND.UNAVAILABLE",
                "Refund is not available for a shipment that has been scanned.",
            )
        shipment["refund_status"] = shipment["refund_status"] or "submitted"
        return Response(200, shipment)

    # --- trackers ---------
    def _new_tracker(self, tracking_code, carrier, shipment_id=None):
        tracker_id = self._id("trk")
        tracker = {
            "id": tracker_id,
            "object": "Tracker",
            "mode": "test",
            "tracking_code": tracking_code,
            "status": "pre_transit",
            "status_detail": "label_created",
            "carrier": carrier,
            "shipment_id": shipment_id,
            "est_delivery_date": _iso(BASE_TIME + timedelta(days=3)),
            "public_url": f"{self.url}/track/{tracking_code}",
            "tracking_details": [self._detail("pre_transit", BASE_TIME)],
            "created_at": _iso(BASE_TIME),
        }
        self.trackers[tracker_id] = tracker
        return tracker

    def _detail(self, status, moment):
        return {
            "object": "TrackingDetail",
            "message": TRACKER_MESSAGES[status],
            "status": status,
            "status_detail": status,
            "datetime": _iso(moment),
            "source": "USPS",
            "tracking_location": {
                "object": "TrackingLocation",
                "city": "LOUISVILLE",
                "state": "KY",
                "country": "US",
                "zip": "40202",
            },
        }

    @route("POST", r"/v2/trackers")
    def create_tracker(self, request):
        refused = _refused(request, "create_tracker")
        if refused:
            return refused
        data = (request.json() or {}).get("tracker") or {}
        code = data.get("tracking_code")
        if not code:
            return _error(
                422,
                "TRACKER.TRACKING_CODE.INVALID",
                "Invalid tracking code.",
                [{"field": "tracking_code", "message": "cannot be blank"}],
            )
        carrier = data.get("carrier") or "USPS"
        for tracker in self.trackers.values():  # EasyPost does not duplicate trackers
            if tracker["tracking_code"] == code and tracker["carrier"] == carrier:
                return Response(200, tracker)
        return Response(201, self._new_tracker(code, carrier))

    @route("GET", r"/v2/trackers/(?P<tracker_id>trk_\w+)")
    def read_tracker(self, request, tracker_id):
        tracker = self.trackers.get(tracker_id)
        if tracker is None:
            return _error(404, "NOT_FOUND", "The requested resource could not be found.")
        return Response(200, tracker)

    def advance_tracker(self, tracker_id, status=None, moment=None):
        """Move a tracker to ``status`` (next step by default) at ``moment`` (a
        simulated time by default); return the webhook event."""
        with self.lock:
            tracker = self.trackers[tracker_id]
            if status is None:
                current = TRACKER_STEPS.index(tracker["status"])
                status = TRACKER_STEPS[min(current + 1, len(TRACKER_STEPS) - 1)]
            previous = tracker["status"]
            moment = moment or BASE_TIME + timedelta(hours=6 * len(tracker["tracking_details"]))
            tracker["tracking_details"].append(self._detail(status, moment))
            tracker["status"] = tracker["status_detail"] = status
            return {
                "id": self._id("evt"),
                "object": "Event",
                "mode": "test",
                "description": "tracker.updated",
                "previous_attributes": {"status": previous},
                "pending_urls": [],
                "completed_urls": [],
                "created_at": _iso(moment),
                "updated_at": _iso(moment),
                "result": json.loads(json.dumps(tracker)),
                "status": "pending",
            }

    def send_event(self, url, event, secret=None):
        """Post ``event`` signed with the webhook secret (or ``secret``) to ``url``."""
        return post_event(url, event, secret or self.webhook_secret)

    # --- scan forms and addresses ---------
    @route("POST", r"/v2/scan_forms")
    def create_scan_form(self, request):
        refused = _refused(request, "create_scan_form")
        if refused:
            return refused
        ids = [s.get("id") for s in (request.json() or {}).get("shipments") or ()]
        shipments = [self.shipments.get(i) for i in ids]
        if not ids or any(s is None or not s["postage_label"] for s in shipments):
            return _error(
                422,
                "SCAN_FORM.VALIDATION.NO_SHIPMENTS",
                "Scan form requires bought shipments.",
                [{"field": "shipments", "message": "must be bought shipments of this account"}],
            )
        if any(s.get("scan_form") for s in shipments):
            return _error(
                422,
                "SCAN_FORM.VALIDATION.ALREADY_MANIFESTED",
                "One or more shipments are already on a scan form.",
            )
        form_id = self._id("sf")
        codes = [s["tracking_code"] for s in shipments]
        form = {
            "id": form_id,
            "object": "ScanForm",
            "status": "created",
            "message": None,
            "tracking_codes": codes,
            "form_url": self._file(
                f"{form_id}.pdf", pdf_document(["SCAN FORM", *codes]), "application/pdf"
            ),
            "form_file_type": None,
            "batch_id": self._id("batch"),
            "created_at": _iso(BASE_TIME),
        }
        for shipment in shipments:
            shipment["scan_form"] = form  # the Shipment's documented ``scan_form``
        self.scan_forms[form_id] = form
        return Response(201, form)

    @route("GET", r"/v2/scan_forms/(?P<form_id>sf_\w+)")
    def read_scan_form(self, request, form_id):
        form = self.scan_forms.get(form_id)
        if form is None:
            return _error(404, "NOT_FOUND", "The requested resource could not be found.")
        return Response(200, form)

    @route("GET", r"/v2/scan_forms")
    def list_scan_forms(self, request):
        """Newest first, ``page_size`` (default 20) and ``before_id`` as documented."""
        forms = list(reversed(self.scan_forms.values()))
        before = request.query.get("before_id")
        if before in self.scan_forms:
            forms = forms[[f["id"] for f in forms].index(before) + 1 :]
        size = int(request.query.get("page_size") or 20)
        return Response(200, {"scan_forms": forms[:size], "has_more": len(forms) > size})

    @route("POST", r"/v2/addresses")
    def create_address(self, request):
        refused = _refused(request, "create_address")
        if refused:
            return refused
        data = request.json() or {}
        address = dict(data.get("address") or {})
        address_id = self._id("adr")
        verify = data.get("verify") or data.get("verify_strict")
        result = {"id": address_id, "object": "Address", "mode": "test", **address}
        if verify:
            street = str(address.get("street1") or "")
            if not street or "UNDELIVERABLE" in street.upper() or not address.get("zip"):
                delivery = {
                    "success": False,
                    "errors": [
                        {
                            "code": "E.ADDRESS.NOT_FOUND",
                            "field": "address",
                            "message": "Address not found",
                            "suggestion": None,
                        }
                    ],
                    "details": None,
                }
                if data.get("verify_strict"):
                    return _error(
                        422,
                        "ADDRESS.VERIFY.FAILURE",
                        "Unable to verify address.",
                        [delivery["errors"][0]],
                    )
            else:
                for name in ("street1", "street2", "city", "state"):
                    if result.get(name):
                        result[name] = str(result[name]).upper()
                zip_code = str(result.get("zip") or "")
                if result.get("country") == "US" and len(zip_code) == 5:
                    result["zip"] = f"{zip_code}-1234"
                delivery = {
                    "success": True,
                    "errors": [],
                    "details": {
                        "latitude": 38.25,
                        "longitude": -85.76,
                        "time_zone": "America/New_York",
                    },
                }
            result["verifications"] = {"delivery": delivery}
        self.addresses[address_id] = result
        return Response(201, result)
