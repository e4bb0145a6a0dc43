"""FedEx REST APIs simulator: OAuth, Rate, Ship, Cancel, Track (by number and
by reference).

Follows FedEx's public API documentation (developer.fedex.com, compared in
``README.md``): an OAuth client-credentials token from ``POST /oauth/token`` (a
form ``grant_type=client_credentials`` with ``client_id`` and ``client_secret``;
the answer's ``expires_in`` is a number of seconds, 3599) that every API call
carries as a bearer token; every answer has FedEx's ``transactionId`` and echoes
the ``x-customer-transaction-id`` header as ``customerTransactionId``; errors are
``{"transactionId", "errors": [{"code", "message"}]}``. Requests are validated
against ``REQUEST_SCHEMAS``, written by us to match the documented request
objects for the parts we send (FedEx publishes its schemas without a licence
that lets us keep them): a name the schema does not list, a missing required one
or a wrong type is a 400 ``INVALID.INPUT.EXCEPTION``, as FedEx answers.

A label just bought is known to tracking with the scan ``OC`` "Shipment
information sent to FedEx" (derived code ``IN``, initiated), as FedEx answers;
:meth:`FedExSimulator.add_scan` adds scans (times carry their UTC offset, as
FedEx's ``scanEvents[].date``); :meth:`FedExSimulator.forget` plays a number
FedEx has no information on (``TRACKING.TRACKINGNUMBER.NOTFOUND``).
"""

import base64
import itertools
import time
import uuid
from decimal import Decimal
from urllib.parse import parse_qs

from tests.simulators.base import Response, Simulator, route
from tests.simulators.easypost import pdf_document, schema_errors, zpl_label

LB_TO_KG = Decimal("0.45359237")

_MONEY = {
    "type": "object",
    "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
}
_ADDRESS = {
    "type": "object",
    "required": ["countryCode"],
    "properties": {
        "streetLines": {"type": "array", "items": {"type": "string", "maxLength": 35}},
        "city": {"type": "string", "maxLength": 35},
        "stateOrProvinceCode": {"type": "string", "maxLength": 2},
        "postalCode": {"type": "string", "maxLength": 10},
        "countryCode": {"type": "string", "minLength": 2, "maxLength": 2},
        "residential": {"type": "boolean"},
    },
}
_CONTACT = {
    "type": "object",
    "required": ["phoneNumber"],
    "properties": {
        "personName": {"type": "string", "maxLength": 70},
        "companyName": {"type": "string", "maxLength": 35},
        "phoneNumber": {"type": "string", "minLength": 10, "maxLength": 15},
        "phoneExtension": {"type": "string"},
        "emailAddress": {"type": "string", "maxLength": 80},
    },
}
# Rate's addresses (RateAddress) have no street lines
_RATE_ADDRESS = {
    **_ADDRESS,
    "properties": {k: v for k, v in _ADDRESS["properties"].items() if k != "streetLines"},
}
_PARTY = {
    "type": "object",
    "required": ["address", "contact"],
    "properties": {"address": _ADDRESS, "contact": _CONTACT},
}
_WEIGHT = {
    "type": "object",
    "required": ["units", "value"],
    "properties": {"units": {"enum": ["KG", "LB"]}, "value": {"type": "number"}},
}
_DIMENSIONS = {
    "type": "object",
    "required": ["length", "width", "height", "units"],
    "properties": {
        "length": {"type": "integer"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
        "units": {"enum": ["CM", "IN"]},
    },
}
_PACKAGE = {
    "type": "object",
    "required": ["weight"],
    "properties": {
        "sequenceNumber": {"type": "integer"},
        "groupPackageCount": {"type": "integer"},
        "weight": _WEIGHT,
        "dimensions": _DIMENSIONS,
        "declaredValue": _MONEY,
        "customerReferences": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["customerReferenceType", "value"],
                "properties": {
                    "customerReferenceType": {
                        "enum": [
                            "CUSTOMER_REFERENCE",
                            "DEPARTMENT_NUMBER",
                            "INVOICE_NUMBER",
                            "P_O_NUMBER",
                            "INTRACOUNTRY_REGULATORY_REFERENCE",
                            "RMA_ASSOCIATION",
                        ]
                    },
                    "value": {"type": "string", "maxLength": 40},
                },
            },
        },
    },
}
_ACCOUNT = {"type": "object", "required": ["value"], "properties": {"value": {"type": "string"}}}
_PICKUP = {
    "enum": ["CONTACT_FEDEX_TO_SCHEDULE", "DROPOFF_AT_FEDEX_LOCATION", "USE_SCHEDULED_PICKUP"]
}
_RATE_TYPES = {
    "type": "array",
    "items": {"enum": ["LIST", "NONE", "PREFERRED", "ACCOUNT", "INCENTIVE", "RETAIL"]},
}

REQUEST_SCHEMAS = {
    "rate": {
        "type": "object",
        "required": ["accountNumber", "requestedShipment"],
        "properties": {
            "accountNumber": _ACCOUNT,
            "rateRequestControlParameters": {
                "type": "object",
                "properties": {
                    "returnTransitTimes": {"type": "boolean"},
                    "servicesNeededOnRateFailure": {"type": "boolean"},
                    "variableOptions": {"type": "string"},
                    "rateSortOrder": {"type": "string"},
                },
            },
            "requestedShipment": {
                "type": "object",
                "required": [
                    "shipper",
                    "recipient",
                    "pickupType",
                    "rateRequestType",
                    "requestedPackageLineItems",
                ],
                "properties": {
                    "shipper": {
                        "type": "object",
                        "required": ["address"],
                        "properties": {"address": _RATE_ADDRESS},
                    },
                    "recipient": {
                        "type": "object",
                        "required": ["address"],
                        "properties": {"address": _RATE_ADDRESS},
                    },
                    "serviceType": {"type": "string"},
                    "pickupType": _PICKUP,
                    "packagingType": {"type": "string"},
                    "rateRequestType": _RATE_TYPES,
                    "preferredCurrency": {"type": "string"},
                    "shipDateStamp": {"type": "string"},
                    "totalWeight": {"type": "number"},
                    "requestedPackageLineItems": {"type": "array", "items": _PACKAGE},
                },
            },
        },
    },
    "ship": {
        "type": "object",
        "required": ["labelResponseOptions", "accountNumber", "requestedShipment"],
        "properties": {
            "labelResponseOptions": {"enum": ["URL_ONLY", "LABEL"]},
            "accountNumber": _ACCOUNT,
            "shipAction": {"enum": ["CONFIRM", "TRANSFER"]},
            "oneLabelAtATime": {"type": "boolean"},
            "requestedShipment": {
                "type": "object",
                "required": [
                    "shipper",
                    "recipients",
                    "pickupType",
                    "serviceType",
                    "packagingType",
                    "shippingChargesPayment",
                    "labelSpecification",
                    "requestedPackageLineItems",
                    "totalWeight",
                ],
                "properties": {
                    "shipDatestamp": {"type": "string"},
                    "shipper": _PARTY,
                    "recipients": {"type": "array", "items": _PARTY},
                    "pickupType": _PICKUP,
                    "serviceType": {"type": "string"},
                    "packagingType": {"type": "string"},
                    "totalWeight": {"type": "number"},
                    "totalPackageCount": {"type": "integer"},
                    "blockInsightVisibility": {"type": "boolean"},
                    "rateRequestType": _RATE_TYPES,
                    "preferredCurrency": {"type": "string"},
                    "shippingChargesPayment": {
                        "type": "object",
                        "required": ["paymentType"],
                        "properties": {
                            "paymentType": {
                                "enum": ["SENDER", "RECIPIENT", "THIRD_PARTY", "COLLECT"]
                            },
                            "payor": {"type": "object", "additionalProperties": True},
                        },
                    },
                    "labelSpecification": {
                        "type": "object",
                        "required": ["imageType", "labelStockType"],
                        "properties": {
                            "imageType": {"enum": ["PDF", "PNG", "ZPLII", "EPL2"]},
                            "labelStockType": {
                                "enum": [
                                    "PAPER_4X6",
                                    "PAPER_4X675",
                                    "PAPER_4X8",
                                    "PAPER_4X9",
                                    "PAPER_7X475",
                                    "PAPER_85X11_BOTTOM_HALF_LABEL",
                                    "PAPER_85X11_TOP_HALF_LABEL",
                                    "PAPER_LETTER",
                                    "STOCK_4X675_LEADING_DOC_TAB",
                                    "STOCK_4X8",
                                    "STOCK_4X9_LEADING_DOC_TAB",
                                    "STOCK_4X6",
                                    "STOCK_4X675_TRAILING_DOC_TAB",
                                    "STOCK_4X9_TRAILING_DOC_TAB",
                                    "STOCK_4X9",
                                    "STOCK_4X85_TRAILING_DOC_TAB",
                                    "STOCK_4X105_TRAILING_DOC_TAB",
                                ]
                            },
                            "labelFormatType": {"type": "string"},
                            "labelOrder": {"type": "string"},
                        },
                    },
                    "requestedPackageLineItems": {"type": "array", "items": _PACKAGE},
                },
            },
        },
    },
    "cancel": {
        "type": "object",
        "required": ["accountNumber", "trackingNumber"],
        "properties": {
            "accountNumber": _ACCOUNT,
            "senderCountryCode": {"type": "string"},
            "deletionControl": {"enum": ["DELETE_ALL_PACKAGES"]},
            "trackingNumber": {"type": "string"},
        },
    },
    "track": {
        "type": "object",
        "required": ["includeDetailedScans", "trackingInfo"],
        "properties": {
            "includeDetailedScans": {"type": "boolean"},
            "trackingInfo": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["trackingNumberInfo"],
                    "properties": {
                        "shipDateBegin": {"type": "string"},
                        "shipDateEnd": {"type": "string"},
                        "trackingNumberInfo": {
                            "type": "object",
                            "required": ["trackingNumber"],
                            "properties": {
                                "trackingNumber": {"type": "string"},
                                "carrierCode": {"type": "string"},
                                "trackingNumberUniqueId": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
    "track_reference": {
        "type": "object",
        "required": ["referencesInformation"],
        "properties": {
            "includeDetailedScans": {"type": "boolean"},
            "referencesInformation": {
                "type": "object",
                # as published: shipDateEndDate (its description says "ShipDateEnd")
                "required": ["shipDateBegin", "shipDateEndDate", "value"],
                "properties": {
                    "type": {
                        "enum": [
                            "BILL_OF_LADING",
                            "COD_RETURN_TRACKING_NUMBER",
                            "CUSTOMER_AUTHORIZATION_NUMBER",
                            "CUSTOMER_REFERENCE",
                            "DEPARTMENT",
                            "DOCUMENT_AIRWAY_BILL",
                            "EXPRESS_ALTERNATE_REFERENCE",
                            "FEDEX_OFFICE_JOB_ORDER_NUMBER",
                            "INVOICE",
                            "PARTNER_CARRIER_NUMBER",
                            "PURCHASE_ORDER",
                            "RETURNED_TO_SHIPPER_TRACKING_NUMBER",
                            "RETURN_MATERIALS_AUTHORIZATION",
                            "SHIPPER_REFERENCE",
                            "TRANSPORTATION_CONTROL_NUMBER",
                        ]
                    },
                    "value": {"type": "string"},
                    "accountNumber": {"type": "string"},
                    "carrierCode": {"type": "string"},
                    "shipDateBegin": {"type": "string"},
                    "shipDateEndDate": {"type": "string"},
                    "destinationCountryCode": {"type": "string"},
                    "destinationPostalCode": {"type": "string"},
                },
            },
        },
    },
}

# service, base, per kg, transit days
DOMESTIC_US = [
    ("FEDEX_GROUND", "10.40", "1.05", 4),
    ("FEDEX_EXPRESS_SAVER", "19.80", "1.70", 3),
    ("FEDEX_2_DAY", "25.30", "2.10", 2),
    ("STANDARD_OVERNIGHT", "44.90", "3.30", 1),
]
DOMESTIC = [("FEDEX_GROUND", "12.00", "0.90", 2), ("PRIORITY_OVERNIGHT", "29.00", "2.20", 1)]
INTERNATIONAL = [
    ("INTERNATIONAL_ECONOMY", "39.00", "4.10", 5),
    ("FEDEX_INTERNATIONAL_PRIORITY", "58.00", "5.60", 3),
]
SERVICE_NAMES = {
    "FEDEX_GROUND": "FedEx Ground",
    "FEDEX_EXPRESS_SAVER": "FedEx Express Saver",
    "FEDEX_2_DAY": "FedEx 2Day",
    "STANDARD_OVERNIGHT": "FedEx Standard Overnight",
    "PRIORITY_OVERNIGHT": "FedEx Priority Overnight",
    "INTERNATIONAL_ECONOMY": "FedEx International Economy",
    "FEDEX_INTERNATIONAL_PRIORITY": "FedEx International Priority",
}
DAYS = ["ONE_DAY", "TWO_DAYS", "THREE_DAYS", "FOUR_DAYS", "FIVE_DAYS"]
# the answer's status codes (eventType, derived code) and words
DERIVED = {
    "OC": "IN",
    "PU": "PU",
    "AR": "IT",
    "DP": "IT",
    "IT": "IT",
    "OD": "IT",
    "DL": "DL",
    "DE": "DE",
    "SE": "SE",
    "CA": "CA",
    "RS": "RS",
}


class FedExSimulator(Simulator):
    def __init__(
        self,
        client_id="fedex-simulator-client",
        client_secret="fedex-simulator-secret",
        account_number="740561073",
        token_lifetime=3599,
        clock=time.monotonic,
    ):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.account_number = account_number
        self.token_lifetime = token_lifetime
        self.clock = clock
        self.tokens = {}  # token -> expiry on clock
        self.shipments = {}  # master tracking number -> {"packages", "reference", "cancelled"...}
        self.tracking = {}  # tracking number -> scan events, newest first
        self._serial = itertools.count(794_600_000_001)
        self._step = itertools.count()

    # --- plumbing ---------
    def _answer(self, request, status, body):
        body = {"transactionId": str(uuid.uuid4()), **body}
        customer = request.headers.get("x-customer-transaction-id")
        if customer:
            body["customerTransactionId"] = customer
        return Response(status, body)

    def _error(self, request, status, code, message):
        return self._answer(request, status, {"errors": [{"code": code, "message": message}]})

    def _refused(self, request, operation):
        try:
            body = request.json()
        except ValueError:
            return self._error(request, 400, "INVALID.INPUT.EXCEPTION", "Invalid JSON body.")
        errors = schema_errors(REQUEST_SCHEMAS[operation], body)
        if errors:
            return self._error(
                request,
                400,
                "INVALID.INPUT.EXCEPTION",
                "Invalid field value in the input: " + "; ".join(errors[:10]),
            )
        return None

    def _dispatch(self, request):
        if request.path != "/oauth/token":
            header = request.headers.get("authorization", "")
            token = header[7:] if header.startswith("Bearer ") else ""
            expiry = self.tokens.get(token)
            if expiry is None or expiry <= self.clock():
                return self._error(
                    request,
                    401,
                    "NOT.AUTHORIZED.ERROR",
                    "Access token expired. Please modify your request and try again.",
                )
        return super()._dispatch(request)

    def expire_tokens(self):
        """Every token handed out so far expires now."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = self.clock() - 1

    # --- OAuth ---------
    @route("POST", r"/oauth/token")
    def token(self, request):
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return self._error(
                request, 400, "BAD.REQUEST.ERROR", "The body must be x-www-form-urlencoded."
            )
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return self._error(request, 400, "BAD.REQUEST.ERROR", "Missing or invalid grant_type.")
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return self._error(
                request,
                401,
                "NOT.AUTHORIZED.ERROR",
                "The given client credentials were not valid. Please modify your request "
                "and try again.",
            )
        token = uuid.uuid4().hex + uuid.uuid4().hex
        self.tokens[token] = self.clock() + self.token_lifetime
        return Response(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
                "scope": "CXS",
            },
        )

    # --- Rate ---------
    def _kilos(self, packages):
        total = Decimal(0)
        for package in packages:
            weight = package.get("weight") or {}
            value = Decimal(str(weight.get("value") or 0))
            total += value * (LB_TO_KG if weight.get("units") == "LB" else 1)
        return total

    def _services(self, origin, destination):
        if origin != destination:
            return INTERNATIONAL
        return DOMESTIC_US if origin == "US" else DOMESTIC

    @staticmethod
    def _currency(country):
        return {"US": "USD", "PR": "USD", "CA": "CAD", "CH": "CHF", "GB": "GBP"}.get(country, "EUR")

    def _price(self, base, per_kg, kilos):
        return (Decimal(base) + Decimal(per_kg) * kilos).quantize(Decimal("0.01"))

    def _rated_detail(self, rate_type, net, currency):
        surcharge = (net * Decimal("0.12")).quantize(Decimal("0.01"))
        return {
            "rateType": rate_type,
            "ratedWeightMethod": "ACTUAL",
            "totalDiscounts": 0,
            "totalBaseCharge": float(net - surcharge),
            "totalNetCharge": float(net),
            "totalNetFedExCharge": float(net),
            "shipmentRateDetail": {
                "totalSurcharges": float(surcharge),
                "surCharges": [
                    {"type": "FUEL", "description": "Fuel Surcharge", "amount": float(surcharge)}
                ],
                # the published RatedShipmentDetail has its currency here only (the
                # answers karrio recorded have it on the detail too)
                "currency": currency,
            },
        }

    def _check_weights(self, request, packages):
        if not packages or any(
            Decimal(str((p.get("weight") or {}).get("value") or 0)) <= 0 for p in packages
        ):
            return self._error(
                request,
                400,
                "PACKAGE.WEIGHT.INVALID",
                "Weight must be provided and greater than zero for each package.",
            )
        return None

    @route("POST", r"/rate/v1/rates/quotes")
    def rate(self, request):
        refused = self._refused(request, "rate")
        if refused:
            return refused
        body = request.json()
        if body["accountNumber"]["value"] != self.account_number:
            return self._error(
                request, 400, "ACCOUNT.NUMBER.MISMATCH", "Account number is invalid."
            )
        shipment = body["requestedShipment"]
        packages = shipment["requestedPackageLineItems"]
        refused = self._check_weights(request, packages)
        if refused:
            return refused
        origin = shipment["shipper"]["address"]["countryCode"]
        destination = shipment["recipient"]["address"]["countryCode"]
        services = self._services(origin, destination)
        if shipment.get("serviceType"):
            services = [s for s in services if s[0] == shipment["serviceType"]]
            if not services:
                return self._error(
                    request,
                    400,
                    "SERVICE.UNAVAILABLE.ERROR",
                    "Service is not allowed. Please modify your request and try again.",
                )
        kilos = self._kilos(packages)
        currency = self._currency(origin)
        details = []
        for service, base, per_kg, days in services:
            listed = self._price(base, per_kg, kilos)
            account = (listed * Decimal("0.85")).quantize(Decimal("0.01"))
            details.append(
                {
                    "serviceType": service,
                    "serviceName": SERVICE_NAMES[service],
                    "packagingType": "YOUR_PACKAGING",
                    "ratedShipmentDetails": [
                        self._rated_detail("ACCOUNT", account, currency),
                        self._rated_detail("LIST", listed, currency),
                    ],
                    "operationalDetail": {"transitTime": DAYS[days - 1]},
                    "commit": {"transitDays": {"minimumTransitTime": DAYS[days - 1]}},
                }
            )
        return self._answer(
            request,
            200,
            {"output": {"rateReplyDetails": details, "quoteDate": "2026-12-05"}},
        )

    # --- Ship ---------
    @route("POST", r"/ship/v1/shipments")
    def ship(self, request):
        refused = self._refused(request, "ship")
        if refused:
            return refused
        body = request.json()
        if body["accountNumber"]["value"] != self.account_number:
            return self._error(
                request, 400, "ACCOUNT.NUMBER.MISMATCH", "Account number is invalid."
            )
        shipment = body["requestedShipment"]
        packages = shipment["requestedPackageLineItems"]
        refused = self._check_weights(request, packages)
        if refused:
            return refused
        origin = shipment["shipper"]["address"]["countryCode"]
        recipient = shipment["recipients"][0]
        destination = recipient["address"]["countryCode"]
        service = next(
            (s for s in self._services(origin, destination) if s[0] == shipment["serviceType"]),
            None,
        )
        if service is None:
            return self._error(
                request,
                400,
                "SERVICE.UNAVAILABLE.ERROR",
                "Service is not allowed. Please modify your request and try again.",
            )
        image_type = shipment["labelSpecification"]["imageType"]
        if image_type not in ("PDF", "ZPLII"):
            return self._error(
                request, 400, "LABEL.IMAGETYPE.INVALID", "The label image type is not offered here."
            )
        numbers = [str(next(self._serial)) for _package in packages]
        master = numbers[0]
        references = [
            ref.get("value")
            for package in packages
            for ref in package.get("customerReferences") or []
            if ref.get("customerReferenceType") == "CUSTOMER_REFERENCE"
        ]
        pieces = []
        for index, number in enumerate(numbers, start=1):
            lines = [
                SERVICE_NAMES[service[0]],
                recipient["contact"].get("personName", ""),
                *recipient["address"].get("streetLines", []),
                " ".join(recipient["address"].get(k, "") for k in ("postalCode", "city")),
                f"PKG {index} OF {len(numbers)}",
                f"TRK# {number}",
            ]
            image = zpl_label(number, lines) if image_type == "ZPLII" else pdf_document(lines)
            pieces.append(
                {
                    "trackingNumber": number,
                    "masterTrackingNumber": master,
                    "packageSequenceNumber": index,
                    "packageDocuments": [
                        {
                            "contentType": "LABEL",
                            "copiesToPrint": 1,
                            "docType": image_type,
                            "encodedLabel": base64.b64encode(image).decode(),
                        }
                    ],
                    "customerReferences": [
                        {"customerReferenceType": "CUSTOMER_REFERENCE", "value": r}
                        for r in references[:1]
                    ],
                }
            )
            self.tracking[number] = [
                self._scan("OC", "Shipment information sent to FedEx", city="")
            ]
        currency = self._currency(origin)
        net = (self._price(*service[1:3], self._kilos(packages)) * Decimal("0.85")).quantize(
            Decimal("0.01")
        )
        self.shipments[master] = {
            "packages": numbers,
            "reference": references[0] if references else None,
            "cancelled": False,
            "service": service[0],
            "label_format": image_type,
            "net": net,
        }
        surcharge = (net * Decimal("0.12")).quantize(Decimal("0.01"))
        detail = {  # ShipmentRateDetail of the published Ship answer
            "rateType": "PAYOR_ACCOUNT_SHIPMENT",
            "ratedWeightMethod": "ACTUAL",
            "totalBaseCharge": float(net - surcharge),
            "totalSurcharges": float(surcharge),
            "surcharges": [
                {
                    "surchargeType": "FUEL",
                    "description": "Fuel Surcharge",
                    "amount": float(surcharge),
                }
            ],
            "totalNetFedExCharge": float(net),
            "totalNetCharge": float(net),
            "currency": currency,
        }
        return self._answer(
            request,
            200,
            {
                "output": {
                    "transactionShipments": [
                        {
                            "masterTrackingNumber": master,
                            "serviceType": service[0],
                            "serviceName": SERVICE_NAMES[service[0]],
                            "pieceResponses": pieces,
                            "completedShipmentDetail": {
                                "carrierCode": "FDXE",
                                "masterTrackingId": {"trackingNumber": master},
                                "shipmentRating": {
                                    "actualRateType": "PAYOR_ACCOUNT_SHIPMENT",
                                    "shipmentRateDetails": [detail],
                                },
                            },
                        }
                    ]
                }
            },
        )

    # --- Cancel ---------
    @route("PUT", r"/ship/v1/shipments/cancel")
    def cancel(self, request):
        refused = self._refused(request, "cancel")
        if refused:
            return refused
        number = request.json()["trackingNumber"]
        shipment = self.shipments.get(number)
        if shipment is None:
            return self._error(
                request,
                400,
                "TRACKINGNUMBER.NOT.FOUND",
                "The tracking number is not one of a shipment of this account.",
            )
        if shipment["cancelled"]:
            return self._error(
                request, 400, "SHIPMENT.ALREADY.CANCELLED", "The shipment is already cancelled."
            )
        scanned = any(
            scan["eventType"] != "OC"
            for package in shipment["packages"]
            for scan in self.tracking.get(package, [])
        )
        if scanned:
            return self._error(
                request,
                400,
                "SHIPMENT.CANCEL.NOTALLOWED",
                "The shipment has been tendered to FedEx and cannot be cancelled.",
            )
        shipment["cancelled"] = True
        for package in shipment["packages"]:
            self.tracking[package].insert(0, self._scan("CA", "Shipment cancelled by sender"))
        return self._answer(
            request,
            200,
            {
                "output": {
                    "cancelledShipment": True,
                    "cancelledHistory": True,
                    "message": "Shipment is successfully cancelled",
                }
            },
        )

    # --- Track ---------
    def _scan(self, event_type, description, city="MEMPHIS", country="US", date=None):
        step = next(self._step)
        return {
            # the scan's local time with its offset (Memphis, CST: -06:00), as FedEx gives it
            "date": date or f"2025-11-{1 + step // 6:02d}T{8 + step % 6 * 2:02d}:15:00-06:00",
            "eventType": event_type,
            "eventDescription": description,
            "exceptionCode": "",
            "exceptionDescription": "",
            "scanLocation": {"city": city, "stateOrProvinceCode": "TN", "countryCode": country}
            if city
            else {"countryCode": country},
            "derivedStatusCode": DERIVED.get(event_type, "IT"),
            "derivedStatus": description,
        }

    def add_scan(self, number, event_type, description, city="MEMPHIS", date=None, derived=None):
        """A new scan for a parcel (``event_type``: FedEx's code, OC, PU, AR, DP, OD,
        DL, DE, SE, RS...); ``date`` replaces the made-up one (ISO 8601, with or
        without offset, or not a date) and ``derived`` the derived code."""
        with self.lock:
            scan = self._scan(event_type, description, city=city, date=date)
            if derived is not None:
                scan["derivedStatusCode"] = derived
            self.tracking[number].insert(0, scan)

    def forget(self, number):
        """FedEx has no information on ``number`` (``TRACKING.TRACKINGNUMBER.NOTFOUND``)."""
        with self.lock:
            self.tracking.pop(number, None)

    def _track_result(self, number):
        scans = self.tracking.get(number)
        if scans is None:
            return {
                "trackingNumberInfo": {
                    "trackingNumber": number,
                    "trackingNumberUniqueId": "",
                    "carrierCode": "",
                },
                "error": {
                    "code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
                    "message": "Tracking number cannot be found. Please correct the tracking "
                    "number and try again.",
                },
            }
        latest = scans[0]
        return {
            "trackingNumberInfo": {
                "trackingNumber": number,
                "trackingNumberUniqueId": f"12026~{number}~FDEG",
                "carrierCode": "FDXE",
            },
            "latestStatusDetail": {
                "code": latest["eventType"],
                # the scan's derived code, but OD for a parcel out for delivery
                "derivedCode": "OD" if latest["eventType"] == "OD" else latest["derivedStatusCode"],
                "statusByLocale": latest["derivedStatus"],
                "description": latest["eventDescription"],
                "scanLocation": latest["scanLocation"],
            },
            "dateAndTimes": [{"type": "ACTUAL_TENDER", "dateTime": scans[-1]["date"]}],
            "scanEvents": list(scans),
        }

    @route("POST", r"/track/v1/trackingnumbers")
    def track(self, request):
        refused = self._refused(request, "track")
        if refused:
            return refused
        numbers = [
            info["trackingNumberInfo"]["trackingNumber"] for info in request.json()["trackingInfo"]
        ]
        if not numbers or len(numbers) > 30:
            return self._error(
                request,
                400,
                "TRACKING.TRACKINGNUMBER.EMPTY",
                "Please provide tracking number.",
            )
        return self._answer(
            request,
            200,
            {
                "output": {
                    "completeTrackResults": [
                        {"trackingNumber": number, "trackResults": [self._track_result(number)]}
                        for number in numbers
                    ]
                }
            },
        )

    @route("POST", r"/track/v1/referencenumbers")
    def track_reference(self, request):
        refused = self._refused(request, "track_reference")
        if refused:
            return refused
        info = request.json()["referencesInformation"]
        found = [
            shipment
            for shipment in self.shipments.values()
            if info["type"] == "CUSTOMER_REFERENCE" and shipment["reference"] == info["value"]
        ]
        results = [
            self._track_result(number) for shipment in found for number in shipment["packages"]
        ]
        if not request.json().get("includeDetailedScans"):
            for result in results:
                result.pop("scanEvents", None)
        if not results:
            results = [
                {
                    "error": {
                        "code": "TRACKING.REFERENCENUMBER.NOTFOUND",
                        "message": "Reference number cannot be found. Please correct the "
                        "reference number and try again.",
                    }
                }
            ]
        return self._answer(
            request,
            200,
            {
                "output": {
                    "completeTrackResults": [
                        {"trackingNumber": info["value"], "trackResults": results}
                    ]
                }
            },
        )
