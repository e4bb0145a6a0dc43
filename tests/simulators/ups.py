"""UPS REST APIs simulator: OAuth, Rating, Shipping, Void, Tracking.

Follows the public documentation of the UPS developer APIs: an OAuth
client-credentials token from ``POST /security/v1/oauth/token`` (HTTP Basic with
the client id and secret, form ``grant_type=client_credentials``; the answer's
``expires_in`` is a string of seconds) that every API call carries as a bearer
token; ``RateRequest`` / ``ShipmentRequest`` bodies; a list with one element is
answered as a bare object, as UPS does; label images base64 encoded in
``GraphicImage`` per package (GIF, PNG, ZPL, EPL); errors as
``{"response": {"errors": [{"code", "message"}]}}``; the ``transId`` request
header echoed back.

Tokens expire on ``clock`` (``time.monotonic`` by default) or at once with
:meth:`UpsSimulator.expire_tokens`. A label just bought has no scan: tracking
answers HTTP 200 with the ``TW0001`` warning and no package, as UPS does, until
:meth:`UpsSimulator.add_activity` adds a scan (``currentStatus`` and
``activity[].status`` carry the documented ``type``, ``code``, ``statusCode``).
"""

import base64
import hmac
import itertools
import json
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, unquote

from tests.simulators.base import Response, Simulator, route
from tests.simulators.easypost import GIF_IMAGE, png_image, schema_errors, zpl_label

# UPS's published request schemas (MIT, source and notice inside the file)
REQUEST_SCHEMAS = json.loads((Path(__file__).parent / "ups_request_schemas.json").read_text())
# Where the published schema contradicts UPS's own service codes (all two digits,
# "03", "65"...): Rating.yaml gives Shipment.Service.Code a length of exactly 3.
# Where the published schemas contradict UPS's own documentation, corrected here:
# Rating.yaml gives Shipment.Service.Code a length of exactly 3 (the service codes
# are two digits, "03", "65"...); Label Recovery requires both TrackingNumbers and
# ReferenceValues (the documentation: a tracking number or a reference) and, in the
# request and its answer, a LabelImageFormat.Code of exactly 4 characters (the
# formats are GIF, PNG, ZPL...).
_RATING = REQUEST_SCHEMAS["components"]["Rating.yaml"]
_RATING["Shipment_Service"]["properties"]["Code"]["minLength"] = 2
_SHIPPING = REQUEST_SCHEMAS["components"]["Shipping.yaml"]
_SHIPPING["LabelRecoveryRequest"]["required"] = ["Request"]
for _name in ("LabelRecovery_LabelSpecification_LabelImageFormat", "LabelImage_LabelImageFormat"):
    _SHIPPING[_name]["properties"]["Code"]["minLength"] = 3
# The answer's ShipmentResults.BillingWeight.Weight has an exact length of 8 in the
# schema; taken as a slip (unverified; the client does not read it): 1 to 8.
_SHIPPING["ShipmentResults_BillingWeight"]["properties"]["Weight"]["minLength"] = 1

# code, base price, price per kg, business days
DOMESTIC_US = [("03", "11.20", "1.10", 4), ("12", "18.90", "1.60", 3), ("02", "24.10", "2.05", 2)]
DOMESTIC_US += [("01", "46.80", "3.40", 1)]
DOMESTIC = [("11", "9.90", "0.80", 2), ("65", "21.00", "1.90", 1)]
INTERNATIONAL = [("11", "24.50", "2.10", 5), ("08", "48.00", "4.20", 4)]
INTERNATIONAL += [("65", "66.00", "5.10", 3), ("07", "81.00", "6.30", 2)]
LB_TO_KG = Decimal("0.45359237")


def _error(status, code, message):
    return Response(status, {"response": {"errors": [{"code": code, "message": message}]}})


def _refused(request, operation):
    """A 400 naming what of the request does not fit UPS's published schema of
    ``operation`` (rate, ship, label_recovery), or None. The code and wording
    are ours: UPS does not publish those of a schema refusal."""
    root = REQUEST_SCHEMAS["roots"][operation]
    components = REQUEST_SCHEMAS["components"][root["file"]]
    try:
        body = request.json()
    except ValueError:
        return _error(400, "SCHEMA", "The request body is not JSON.")
    errors = schema_errors(components[root["schema"]], body, components)
    if errors:
        return _error(400, "SCHEMA", "; ".join(errors[:10]))
    return None


def _single_or_list(items):
    return items[0] if len(items) == 1 else items


class UpsSimulator(Simulator):
    def __init__(
        self,
        client_id="ups-simulator-client",
        client_secret="ups-simulator-secret",
        account_number="A1B2C3",
        token_lifetime=14399,
        clock=time.monotonic,
    ):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.account_number = account_number
        self.token_lifetime = token_lifetime
        self.clock = clock
        self.tokens = {}  # token -> expiry on clock
        self.shipments = {}  # shipment id -> {"packages": [...], "voided": bool, ...}
        self.labels = {}  # tracking number -> (label format, image), for Label Recovery
        self.tracking = {}  # tracking number -> list of activities, newest first
        self._serial = itertools.count(10000001)

    # --- plumbing ---------
    def _serve(self, handler):
        original = handler.send_response
        trans_id = handler.headers.get("transId")

        def send_response(code, message=None):
            original(code, message)
            if trans_id:
                handler.send_header("transId", trans_id)

        handler.send_response = send_response
        super()._serve(handler)

    def _dispatch(self, request):
        if request.path.startswith("/api/"):
            header = request.headers.get("authorization", "")
            token = header[7:] if header.startswith("Bearer ") else ""
            expiry = self.tokens.get(token)
            if expiry is None or expiry <= self.clock():
                return _error(401, "250002", "Invalid Authentication Information.")
        return super()._dispatch(request)

    def expire_tokens(self):
        """Every token handed out so far expires now (as after a credential rotation)."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = self.clock() - 1

    # --- OAuth ---------
    @route("POST", r"/security/v1/oauth/token")
    def token(self, request):
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if not hmac.compare_digest(request.headers.get("authorization", ""), f"Basic {expected}"):
            return _error(401, "10401", "ClientId is Invalid")
        # OAuthClientCredentials.yaml: a form body, grant_type required
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return _error(400, "10400", "The body must be application/x-www-form-urlencoded")
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return _error(400, "10400", "Invalid/Unsupported grant_type")
        token = uuid.uuid4().hex + uuid.uuid4().hex
        self.tokens[token] = self.clock() + self.token_lifetime
        return Response(
            200,
            {
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "client_id": self.client_id,
                "access_token": token,
                "scope": "",
                "expires_in": str(self.token_lifetime),
                "refresh_count": "0",
                "status": "approved",
            },
        )

    # --- checks shared by rating and shipping ---------
    def _check_shipment(self, shipment, packaging_key):
        shipper = shipment.get("Shipper") or {}
        if shipper.get("ShipperNumber") != self.account_number:
            return None, _error(400, "120100", "Missing or invalid shipper number")
        ship_to = (shipment.get("ShipTo") or {}).get("Address") or {}
        if not ship_to.get("CountryCode") or not ship_to.get("City"):
            return None, _error(400, "120202", "Missing or invalid ship to address")
        shipper_country = (shipper.get("Address") or {}).get("CountryCode")
        kilos = Decimal(0)
        packages = shipment.get("Package")
        packages = packages if isinstance(packages, list) else [packages] if packages else []
        if not packages:
            return None, _error(400, "120601", "Missing package")
        for package in packages:
            if packaging_key not in package:
                return None, _error(400, "120602", f"Missing {packaging_key}")
            weight = package.get("PackageWeight") or {}
            unit = (weight.get("UnitOfMeasurement") or {}).get("Code")
            if (unit == "LBS") != (shipper_country in ("US", "PR")):
                return None, _error(
                    400, "111057", "This measurement system is not valid for the selected country."
                )
            try:
                value = Decimal(weight.get("Weight") or "0")
            except ArithmeticError:
                value = Decimal(0)
            if value <= 0:
                return None, _error(400, "111035", "Missing or invalid package weight.")
            kilos += value * (LB_TO_KG if unit == "LBS" else 1)
        return {
            "from": shipper_country,
            "to": ship_to["CountryCode"],
            "kilos": kilos,
            "packages": packages,
        }, None

    def _services(self, origin, destination):
        if origin != destination:
            return INTERNATIONAL
        return DOMESTIC_US if origin == "US" else DOMESTIC

    def _rated(self, code, base, per_kg, days, info, currency):
        total = (Decimal(base) + Decimal(per_kg) * info["kilos"]).quantize(Decimal("0.01"))
        weight = str(info["kilos"].quantize(Decimal("0.1")))
        billing = {
            "UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"},
            "Weight": weight,
        }
        count = max(len(info["packages"]), 1)
        share = (total / count).quantize(Decimal("0.01"))

        def money(value):
            return {"CurrencyCode": currency, "MonetaryValue": str(value)}

        return {
            "Service": {"Code": code, "Description": SERVICE_NAMES.get(code, code)},
            "BillingWeight": billing,
            "TransportationCharges": money(total),
            "ServiceOptionsCharges": money("0.00"),
            "TotalCharges": money(total),
            "GuaranteedDelivery": {"BusinessDaysInTransit": str(days)},
            "RatedPackage": [
                {
                    "TransportationCharges": money(share),
                    "ServiceOptionsCharges": money("0.00"),
                    "TotalCharges": money(share),
                    "Weight": weight,
                    "BillingWeight": billing,
                }
                for _package in range(count)
            ],
        }

    @staticmethod
    def _currency(country):
        return {"US": "USD", "PR": "USD", "CH": "CHF", "GB": "GBP", "CA": "CAD"}.get(country, "EUR")

    # --- Rating ---------
    @route("POST", r"/api/rating/(?P<version>v\w+)/(?P<option>Rate|Shop)")
    def rate(self, request, version, option):
        refused = _refused(request, "rate")
        if refused:
            return refused
        shipment = ((request.json() or {}).get("RateRequest") or {}).get("Shipment") or {}
        info, refused = self._check_shipment(shipment, "PackagingType")
        if refused:
            return refused
        services = self._services(info["from"], info["to"])
        currency = self._currency(info["from"])
        if option == "Rate":
            code = (shipment.get("Service") or {}).get("Code")
            services = [s for s in services if s[0] == code]
            if not services:
                return _error(
                    400,
                    "111210",
                    "The requested service is unavailable between the selected locations.",
                )
        rated = [self._rated(*service, info, currency) for service in services]
        return Response(
            200,
            {
                "RateResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"},
                        "Alert": [{"Code": "110971", "Description": "Your invoice may vary."}],
                    },
                    "RatedShipment": _single_or_list(rated),
                }
            },
        )

    # --- Shipping ---------
    @staticmethod
    def _check_international_forms(forms):
        """A commercial invoice (form type 01): products with a description, a
        quantity, a unit value and a country of origin, and a currency."""
        if "01" not in _as_list(forms.get("FormType")):
            return _error(400, "120100", "Missing or invalid international forms type.")
        if not forms.get("CurrencyCode"):
            return _error(400, "120100", "Missing or invalid invoice currency code.")
        products = _as_list(forms.get("Product"))
        if not products:
            return _error(400, "120100", "An invoice needs at least one product.")
        for product in products:
            unit = product.get("Unit") or {}
            if not (
                product.get("Description")
                and unit.get("Number")
                and unit.get("Value")
                and product.get("OriginCountryCode")
            ):
                return _error(
                    400,
                    "120100",
                    "Missing or invalid product description, unit or origin country.",
                )
        return None

    @route("POST", r"/api/shipments/(?P<version>v\w+)/ship")
    def ship(self, request, version):
        refused = _refused(request, "ship")
        if refused:
            return refused
        body = (request.json() or {}).get("ShipmentRequest") or {}
        shipment = body.get("Shipment") or {}
        info, refused = self._check_shipment(shipment, "Packaging")
        if refused:
            return refused
        code = (shipment.get("Service") or {}).get("Code")
        service = next((s for s in self._services(info["from"], info["to"]) if s[0] == code), None)
        if service is None:
            return _error(
                400,
                "111210",
                "The requested service is unavailable between the selected locations.",
            )
        label_format = ((body.get("LabelSpecification") or {}).get("LabelImageFormat") or {}).get(
            "Code"
        ) or ""
        if label_format not in ("GIF", "PNG", "ZPL", "EPL", "SPL"):
            return _error(400, "120514", "Invalid or missing label image format.")
        forms = (shipment.get("ShipmentServiceOptions") or {}).get("InternationalForms")
        if forms is not None:
            refused = self._check_international_forms(forms)
            if refused:
                return refused
        serial = next(self._serial)
        shipment_id = f"1Z{self.account_number}{code}{serial:08d}"
        ship_to = shipment["ShipTo"]
        results = []
        for index, _package in enumerate(info["packages"]):
            tracking = f"1Z{self.account_number}{code}{serial + index * 1000000:08d}"
            lines = [
                SERVICE_NAMES.get(code, code),
                ship_to.get("Name", ""),
                *(ship_to["Address"].get("AddressLine") or []),
                f"{ship_to['Address'].get('PostalCode', '')} {ship_to['Address'].get('City', '')}",
                f"PKG {index + 1} OF {len(info['packages'])}",
                f"TRACKING #: {tracking}",
            ]
            image = {
                "GIF": GIF_IMAGE,
                "PNG": png_image(),
                "ZPL": zpl_label(tracking, lines),
            }.get(label_format, f'N\nA50,50,0,4,1,1,N,"{tracking}"\nP1\n'.encode())
            self.labels[tracking] = (label_format, image)
            results.append(
                {
                    "TrackingNumber": tracking,
                    "ServiceOptionsCharges": {"CurrencyCode": "USD", "MonetaryValue": "0.00"},
                    "ShippingLabel": {
                        "ImageFormat": {"Code": label_format, "Description": label_format},
                        "GraphicImage": base64.b64encode(image).decode(),
                    },
                }
            )
            # No scan yet: tracking answers the TW0001 warning until UPS hears of
            # the parcel (add_activity, e.g. kind M when the label's data arrives).
            self.tracking[tracking] = []
        rated = self._rated(*service, info, self._currency(info["from"]))
        self.shipments[shipment_id] = {
            "service": code,
            "packages": [r["TrackingNumber"] for r in results],
            "label_format": label_format,
            "voided": False,
            "reference": (shipment.get("ReferenceNumber") or {}).get("Value"),
            "international_forms": forms,
        }
        return Response(
            200,
            {
                "ShipmentResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"},
                        "TransactionReference": (body.get("Request") or {}).get(
                            "TransactionReference"
                        )
                        or {},
                    },
                    "ShipmentResults": {
                        "ShipmentCharges": {
                            "TransportationCharges": rated["TransportationCharges"],
                            "ServiceOptionsCharges": rated["ServiceOptionsCharges"],
                            "TotalCharges": rated["TotalCharges"],
                        },
                        "BillingWeight": rated["BillingWeight"],
                        "ShipmentIdentificationNumber": shipment_id,
                        "PackageResults": _single_or_list(results),
                    },
                }
            },
        )

    # --- Void ---------
    @route("DELETE", r"/api/shipments/(?P<version>v\w+)/void/cancel/(?P<shipment_id>\w+)")
    def void(self, request, version, shipment_id):
        shipment = self.shipments.get(shipment_id)
        if shipment is None:
            return _error(400, "190101", "No shipment found within the allowed void period")
        if shipment["voided"]:
            return _error(400, "190117", "The shipment has already been voided")
        scanned = any(
            activity["status"]["type"] != "M"
            for number in shipment["packages"]
            for activity in self.tracking.get(number, [])
        )
        if scanned:
            return _error(
                400, "190102", "The package has already been picked up and cannot be voided"
            )
        shipment["voided"] = True
        for number in shipment["packages"]:
            self.tracking[number].insert(0, self._activity("MV", "VD", "004", "Voided Shipment"))
        return Response(
            200,
            {
                "VoidShipmentResponse": {
                    "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                    "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}},
                }
            },
        )

    # --- Tracking ---------
    def _activity(self, kind, code, status_code, description, city="LOUISVILLE", country="US"):
        step = sum(len(a) for a in self.tracking.values())
        return {
            "location": {
                "address": {
                    "city": city,
                    "stateProvince": "KY",
                    "countryCode": country,
                    "country": country,
                }
            },
            "status": {
                "type": kind,
                "description": description,
                "code": code,
                "statusCode": status_code,
            },
            # the scan's local time (Louisville: EST, -05:00) and the same moment in
            # GMT, as UPS's answers give both
            "date": f"202503{3 + step // 4:02d}",
            "time": f"{8 + step % 4 * 3:02d}0000",
            "gmtDate": f"202503{3 + step // 4:02d}",
            "gmtOffset": "-05:00",
            "gmtTime": f"{13 + step % 4 * 3:02d}:00:00",
        }

    def add_activity(
        self,
        tracking,
        kind,
        description,
        code="",
        status_code="",
        city="LOUISVILLE",
        date=None,
        time=None,
        gmt=None,
    ):
        """A new scan for a parcel (``kind``: a documented status type, D, I, M, MV,
        P, X, RS, DO, DD, W, NA, O); ``date`` / ``time`` replace the made-up local
        ones (to play an answer whose date is not a date) and ``gmt`` (``{"gmtDate":
        ..., "gmtTime": ..., "gmtOffset": ...}``, None for none) the GMT fields."""
        with self.lock:
            activity = self._activity(kind, code or kind, status_code, description, city=city)
            if date is not None:
                activity["date"] = date
            if time is not None:
                activity["time"] = time
            if gmt is not None or date is not None or time is not None:
                for name in ("gmtDate", "gmtTime", "gmtOffset"):
                    activity.pop(name)
                activity.update(gmt or {})
            self.tracking[tracking].insert(0, activity)

    @route("GET", r"/api/track/v1/reference/details/(?P<reference>[^/]+)")
    def track_reference(self, request, reference):
        """Reference tracking: the packages of the shipments (not voided) whose
        reference number is ``reference``."""
        reference = unquote(reference)
        with self.lock:
            found = [
                shipment
                for shipment in self.shipments.values()
                if shipment.get("reference") == reference and not shipment["voided"]
            ]
        if not found:
            return _error(404, "TW0001", "Tracking Information Not Found")
        return Response(
            200,
            {
                "trackResponse": {
                    "shipment": [
                        {
                            "inquiryNumber": reference,
                            "package": [
                                {"trackingNumber": number} for number in shipment["packages"]
                            ],
                        }
                        for shipment in found
                    ]
                }
            },
        )

    @route("POST", r"/api/labels/(?P<version>v\w+)/recovery")
    def recover_label(self, request, version):
        """Label Recovery: the label image of a package already shipped."""
        refused = _refused(request, "label_recovery")
        if refused:
            return refused
        body = (request.json() or {}).get("LabelRecoveryRequest") or {}
        number = body.get("TrackingNumber") or ""
        stored = self.labels.get(number)
        if stored is None:
            return _error(400, "120541", "Invalid tracking number.")
        label_format, image = stored
        return Response(
            200,
            {
                "LabelRecoveryResponse": {
                    "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                    "LabelResults": {
                        "TrackingNumber": number,
                        "LabelImage": {
                            "LabelImageFormat": {"Code": label_format},
                            "GraphicImage": base64.b64encode(image).decode(),
                        },
                    },
                }
            },
        )

    @route("GET", r"/api/track/v1/details/(?P<number>\w+)")
    def track(self, request, number):
        activities = self.tracking.get(number)
        if activities is None:  # never shipped: the documented 404
            return _error(404, "TW0001", "Tracking Information Not Found")
        if not activities:
            # Shipped, not scanned yet: HTTP 200, no package, a warning (Shipment.warnings)
            return Response(
                200,
                {
                    "trackResponse": {
                        "shipment": [
                            {
                                "inquiryNumber": number,
                                "package": [],
                                "userRelation": [],
                                "warnings": [
                                    {"code": "TW0001", "message": "Tracking Information Not Found"}
                                ],
                            }
                        ]
                    }
                },
            )
        latest = activities[0]["status"]
        package = {
            "trackingNumber": number,
            "activity": activities,
            "currentStatus": {
                "type": latest["type"],
                "description": latest["description"],
                "code": latest["code"],
                "statusCode": latest["statusCode"],
            },
            "deliveryDate": [] if latest["type"] == "D" else [{"type": "SDD", "date": "20250306"}],
            "packageCount": 1,
        }
        return Response(
            200,
            {
                "trackResponse": {
                    "shipment": [{"inquiryNumber": number, "package": [package], "warnings": []}]
                }
            },
        )


SERVICE_NAMES = {
    "01": "UPS NEXT DAY AIR",
    "02": "UPS 2ND DAY AIR",
    "03": "UPS GROUND",
    "07": "UPS WORLDWIDE EXPRESS",
    "08": "UPS WORLDWIDE EXPEDITED",
    "11": "UPS STANDARD",
    "12": "UPS 3 DAY SELECT",
    "65": "UPS SAVER",
}


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
