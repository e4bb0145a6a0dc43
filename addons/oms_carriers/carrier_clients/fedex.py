"""FedEx REST APIs client: OAuth token, Rate, Ship, Cancel, Track (by number and
by reference).

Auth is an OAuth client-credentials token (``POST /oauth/token``, a form with
``grant_type=client_credentials``, ``client_id`` and ``client_secret``), kept
until shortly before it expires (in a token store clients may share) and
fetched again once when a call answers 401.
Every call carries an ``x-customer-transaction-id`` (our request id, logged;
FedEx echoes it as ``customerTransactionId`` beside its own ``transactionId``)
and ``x-locale``.

Bodies follow FedEx's published request shapes (developer.fedex.com, Rate API
``Full_Schema_Quote_Rate``, Ship API ``Full_Schema_Ship``, Track API
``Full_Schema_TrackingNumbers`` / ``TrackByReferences``) for the parts used here.
Errors ``{"transactionId", "errors": [{"code", "message"}]}`` become typed errors.

A shipment is not safe to repeat (FedEx takes no idempotency key), so ``ship`` is
never retried by the client; quotes, tracking and cancels are. FedEx keeps no
label to print again: a shipment whose answer was lost is found by its
reference (:meth:`FedExClient.find_shipments`) and cancelled by the caller.

Weights and sizes go out in KG/CM, or LB/IN when the shipper is in the US or
Puerto Rico.
"""

import base64
import logging
from datetime import datetime, timezone
from decimal import Decimal

from ._http import OAuthClient
from ._payloads import as_list as _list
from ._payloads import coded, imperial, not_found, parsed, pruned, read_errors, sides, weight
from .models import (
    DELIVERED,
    EXCEPTION,
    IN_TRANSIT,
    OUT_FOR_DELIVERY,
    PRE_TRANSIT,
    RETURNED,
    UNKNOWN,
    Label,
    PackageLabel,
    Purchase,
    Rate,
    Tracking,
    TrackingEvent,
    VoidResult,
    same_parcel,
)

PRODUCTION_URL = "https://apis.fedex.com"
SANDBOX_URL = "https://apis-sandbox.fedex.com"
# Our label formats as FedEx's ``labelSpecification.imageType``, with its stock.
LABEL_TYPES = {"PDF": ("PDF", "PAPER_4X6"), "ZPL": ("ZPLII", "STOCK_4X6")}
NOT_FOUND = "TRACKING.TRACKINGNUMBER.NOTFOUND"
REFERENCE_NOT_FOUND = "TRACKING.REFERENCENUMBER.NOTFOUND"

SERVICES = {
    "FEDEX_GROUND": "FedEx Ground",
    "GROUND_HOME_DELIVERY": "FedEx Home Delivery",
    "FEDEX_EXPRESS_SAVER": "FedEx Express Saver",
    "FEDEX_2_DAY": "FedEx 2Day",
    "FEDEX_2_DAY_AM": "FedEx 2Day AM",
    "STANDARD_OVERNIGHT": "FedEx Standard Overnight",
    "PRIORITY_OVERNIGHT": "FedEx Priority Overnight",
    "FIRST_OVERNIGHT": "FedEx First Overnight",
    "INTERNATIONAL_ECONOMY": "FedEx International Economy",
    "FEDEX_INTERNATIONAL_PRIORITY": "FedEx International Priority",
    "FEDEX_INTERNATIONAL_CONNECT_PLUS": "FedEx International Connect Plus",
}
logger = logging.getLogger(__name__)

# FedEx's tracking status codes (Track API, "Tracking status codes"), normalised;
# ``latestStatusDetail.derivedCode`` (IN, PU, IT, OD, DL, DE...) first, then ``code``.
STATUS_CODES = {
    "IN": PRE_TRANSIT,  # Initiated: label created
    "OC": PRE_TRANSIT,  # Shipment information sent to FedEx
    "OX": PRE_TRANSIT,  # Shipment information sent to USPS
    "EP": PRE_TRANSIT,  # Enroute to pickup
    "MD": PRE_TRANSIT,  # Manifest data
    "PU": IN_TRANSIT,  # Picked up
    "PX": IN_TRANSIT,  # Picked up (see details)
    "AP": IN_TRANSIT,  # At pickup
    "OF": IN_TRANSIT,  # At FedEx origin facility
    "IT": IN_TRANSIT,  # In transit
    "IX": IN_TRANSIT,  # In transit (see details)
    "AA": IN_TRANSIT,  # At airport
    "AC": IN_TRANSIT,  # At Canada Post facility
    "AF": IN_TRANSIT,  # At local FedEx facility
    "AR": IN_TRANSIT,  # Arrived at FedEx location
    "AX": IN_TRANSIT,  # At USPS facility
    "DP": IN_TRANSIT,  # Departed FedEx location
    "EA": IN_TRANSIT,  # Enroute to airport
    "EO": IN_TRANSIT,  # Enroute to origin airport
    "FD": IN_TRANSIT,  # At FedEx destination facility
    "LO": IN_TRANSIT,  # Left origin
    "PF": IN_TRANSIT,  # Plane in flight
    "PL": IN_TRANSIT,  # Plane landed
    "PM": IN_TRANSIT,  # In progress
    "SF": IN_TRANSIT,  # At sort facility
    "TR": IN_TRANSIT,  # Transfer
    "CC": IN_TRANSIT,  # Cleared customs
    "CP": IN_TRANSIT,  # Clearance in progress
    "HL": IN_TRANSIT,  # Hold at location
    "HP": IN_TRANSIT,  # Ready for recipient pickup
    "DY": IN_TRANSIT,  # Delay (still moving)
    "DD": IN_TRANSIT,  # Delivery delay
    "PD": IN_TRANSIT,  # Pickup delay
    "CD": IN_TRANSIT,  # Clearance delay
    "RL": IN_TRANSIT,  # Running late (a derived code)
    "OD": OUT_FOR_DELIVERY,  # On FedEx vehicle for delivery
    "AD": OUT_FOR_DELIVERY,  # At delivery
    "ED": OUT_FOR_DELIVERY,  # Enroute to delivery
    "DL": DELIVERED,  # Delivered
    "DE": EXCEPTION,  # Delivery exception
    "SE": EXCEPTION,  # Shipment exception
    "CA": EXCEPTION,  # Shipment cancelled
    "RS": RETURNED,  # Return to shipper
}
CANCELLED = "CA"


def tracking_url(tracking_number):
    """The public FedEx tracking page of a parcel."""
    return f"https://www.fedex.com/fedextrack/?trknbr={tracking_number}"


class FedExClient(OAuthClient):
    system = "FedEx"
    request_id_headers = ("x-customer-transaction-id",)
    production_url = PRODUCTION_URL

    def __init__(self, *args, locale="en_US", **kwargs):
        """The client ID, secret and account number, then ``base_url``,
        ``token_store`` and the transport (see :class:`OAuthClient`)."""
        super().__init__(*args, **kwargs)
        self.locale = locale

    # --- auth ------------------------------------------------------------------------------
    def _token_response(self):
        client_id, client_secret = self._credentials
        return self.request(
            "POST",
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            },
            authenticate=False,
            idempotent=True,
        )

    def _prepare(self, headers):
        headers = super()._prepare(headers)
        headers["x-locale"] = self.locale
        return headers

    def _read_error(self, data):
        return read_errors(data.get("errors") if isinstance(data, dict) else None)

    # --- payloads --------------------------------------------------------------------------
    def _address(self, address, street=True):
        """A FedEx address; Rate's addresses have no street lines."""
        return _pruned(
            {
                "streetLines": list(address.street_lines) if street else [],
                "city": address.city,
                "stateOrProvinceCode": address.state,
                "postalCode": address.zip,
                "countryCode": address.country,
            }
        )

    def _party(self, address):
        return _pruned(
            {
                "contact": {
                    "personName": address.name[:70],
                    "companyName": address.company[:35],
                    "phoneNumber": address.phone,
                    "emailAddress": address.email,
                },
                "address": self._address(address),
            }
        )

    def _package(self, parcel, in_lb, sequence=None, reference=""):
        package = {
            "weight": {"units": "LB" if in_lb else "KG", "value": float(weight(parcel, in_lb))}
        }
        if sequence is not None:
            package["sequenceNumber"] = sequence
        if parcel.has_dimensions:
            package["dimensions"] = {
                "units": "IN" if in_lb else "CM",
                **{name: int(value) for name, value in sides(parcel, in_lb)},
            }
        if reference:
            package["customerReferences"] = [
                {"customerReferenceType": "CUSTOMER_REFERENCE", "value": reference[:40]}
            ]
        return package

    # --- operations ------------------------------------------------------------------------
    def rate(self, shipper, ship_to, packages, service_type=None, ship_from=None):
        """Quotes: every service, or one when ``service_type`` is given."""
        in_lb = imperial(shipper)
        shipment = {
            "shipper": {"address": self._address(ship_from or shipper, street=False)},
            "recipient": {"address": self._address(ship_to, street=False)},
            "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
            "packagingType": "YOUR_PACKAGING",
            "rateRequestType": ["ACCOUNT", "LIST"],
            "requestedPackageLineItems": [self._package(p, in_lb) for p in packages],
        }
        if service_type:
            shipment["serviceType"] = service_type
        body = {
            "accountNumber": {"value": self.account_number},
            "rateRequestControlParameters": {"returnTransitTimes": True},
            "requestedShipment": shipment,
        }
        response = self.request("POST", "/rate/v1/rates/quotes", json=body, idempotent=True)
        output = (response.json() or {}).get("output") or {}
        self.ensure("rateReplyDetails" in output, "no rateReplyDetails in the answer", response)
        return parsed(_parse_rate, _list(output["rateReplyDetails"]))

    def ship(
        self,
        shipper,
        ship_to,
        packages,
        service_type,
        ship_from=None,
        label_format="PDF",
        reference="",
    ):
        """Buy the labels of a shipment; one tracking number and label per package.

        Not retried: FedEx takes no idempotency key. The package's customer
        reference (``reference``) lets a shipment whose answer was lost be found
        again (:meth:`find_shipments`)."""
        label_format = label_format.upper()
        if label_format not in LABEL_TYPES:
            raise ValueError(f"FedEx labels here are {tuple(LABEL_TYPES)}, not {label_format}")
        image_type, stock = LABEL_TYPES[label_format]
        in_lb = imperial(shipper)
        lines = [
            self._package(p, in_lb, sequence=index, reference=reference)
            for index, p in enumerate(packages, start=1)
        ]
        body = {
            "labelResponseOptions": "LABEL",
            "accountNumber": {"value": self.account_number},
            "requestedShipment": {
                "shipper": self._party(ship_from or shipper),
                "recipients": [self._party(ship_to)],
                "serviceType": service_type,
                "packagingType": "YOUR_PACKAGING",
                "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
                "shippingChargesPayment": {"paymentType": "SENDER"},
                "labelSpecification": {"imageType": image_type, "labelStockType": stock},
                "rateRequestType": ["ACCOUNT", "LIST"],
                "totalPackageCount": len(packages),
                # required by the published schema; in the packages' unit
                "totalWeight": round(sum(line["weight"]["value"] for line in lines), 1),
                "requestedPackageLineItems": lines,
            },
        }
        response = self.request("POST", "/ship/v1/shipments", json=body)
        output = (response.json() or {}).get("output") or {}
        shipments = [s for s in _list(output.get("transactionShipments")) if isinstance(s, dict)]
        self.ensure(shipments, "no transactionShipments in the answer", response)
        shipment = shipments[0]
        labels = []
        for piece in _list(shipment.get("pieceResponses")):
            document = next(
                (
                    d
                    for d in _list(piece.get("packageDocuments"))
                    if d.get("encodedLabel") and d.get("contentType", "LABEL") == "LABEL"
                ),
                None,
            )
            self.ensure(
                piece.get("trackingNumber") and document,
                "a package without its tracking number or label in the answer",
                response,
            )
            content = base64.b64decode(document["encodedLabel"])
            file_format = "ZPL" if (document.get("docType") or image_type) == "ZPLII" else "PDF"
            labels.append(PackageLabel(piece["trackingNumber"], Label(file_format, content)))
        self.ensure(len(labels) == len(packages), "one label per package expected", response)
        master = shipment.get("masterTrackingNumber") or labels[0].tracking_number
        amount, currency = _shipment_charge(shipment.get("completedShipmentDetail") or {})
        if amount is None:
            logger.warning(
                "FedEx shipment %s: no net charge that is an amount in the answer; "
                "the label is kept without its cost",
                master,
            )
        return Purchase(
            shipment_id=master,
            tracking_number=labels[0].tracking_number,
            packages=tuple(labels),
            amount=amount,
            currency=currency,
            carrier="FedEx",
            service=service_type,
        )

    def cancel(self, tracking_number):
        """Cancel a shipment (all its packages) by its master tracking number."""
        body = {
            "accountNumber": {"value": self.account_number},
            "deletionControl": "DELETE_ALL_PACKAGES",
            "trackingNumber": tracking_number,
        }
        response = self.request("PUT", "/ship/v1/shipments/cancel", json=body)
        output = (response.json() or {}).get("output") or {}
        cancelled = output.get("cancelledShipment") is True
        # the published schema's "message"; FedEx's own example says "successMessage"
        message = (
            output.get("message")
            or output.get("successMessage")
            or "; ".join(
                str(a.get("message")) for a in _list(output.get("alerts")) if isinstance(a, dict)
            )
        )
        return VoidResult(
            shipment_id=tracking_number,
            status="voided" if cancelled else "rejected",
            message=message,
        )

    def find_shipments(self, reference, ship_date_begin, ship_date_end):
        """The tracking numbers of the shipments (not cancelled) whose customer
        reference is ``reference``, shipped between the two ISO dates (Track by
        References); ``[]`` when none."""
        body = {
            "referencesInformation": {
                "type": "CUSTOMER_REFERENCE",
                "value": reference,
                "accountNumber": self.account_number,
                "shipDateBegin": ship_date_begin,
                # the published schema's name (its text says "ShipDateEnd")
                "shipDateEndDate": ship_date_end,
            },
            "includeDetailedScans": False,
        }
        response = self.request("POST", "/track/v1/referencenumbers", json=body, idempotent=True)
        numbers = []
        for result in _results(response):
            error = result.get("error") or {}
            if error.get("code") in (NOT_FOUND, REFERENCE_NOT_FOUND):
                continue
            self.ensure(
                not error,
                f"the reference lookup failed: {error.get('code')} {error.get('message')}",
                response,
            )
            if _status_code(result.get("latestStatusDetail") or {}) == CANCELLED:
                continue
            number = (result.get("trackingNumberInfo") or {}).get("trackingNumber")
            if number and number not in numbers:
                numbers.append(number)
        return numbers

    def track(self, tracking_number):
        """The parcel's status and its scans, oldest first, times in UTC."""
        body = {
            "includeDetailedScans": True,
            "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": tracking_number}}],
        }
        response = self.request("POST", "/track/v1/trackingnumbers", json=body, idempotent=True)
        results = []
        for complete in _list(
            ((response.json() or {}).get("output") or {}).get("completeTrackResults")
        ):
            answered = complete.get("trackingNumber")
            self.ensure(
                not answered or same_parcel(answered, tracking_number),
                f"the tracking answer is about {answered!s:.40}, not {tracking_number}",
                response,
            )
            for result in _list(complete.get("trackResults")):
                number = (result.get("trackingNumberInfo") or {}).get("trackingNumber")
                self.ensure(
                    not number or same_parcel(number, tracking_number),
                    f"the tracking answer is about package {number!s:.40}, not {tracking_number}",
                    response,
                )
                results.append(result)
        self.ensure(results, "no trackResults in the answer", response)
        errors = [r["error"] for r in results if r.get("error")]
        found = [r for r in results if not r.get("error")]
        if not found and all(e.get("code") == NOT_FOUND for e in errors):
            return not_found(tracking_number, "FedEx", tracking_url(tracking_number), errors)
        self.ensure(found, "no tracking result: " + "; ".join(coded(errors)), response)
        # A number FedEx gave out again names several shipments: the latest is ours.
        result = max(found, key=_latest_moment)
        events = tuple(reversed([_parse_scan(scan) for scan in _list(result.get("scanEvents"))]))
        latest = result.get("latestStatusDetail") or {}
        code = _status_code(latest)
        status = _normalised(code) if code else (events[-1].status if events else UNKNOWN)
        return Tracking(
            tracking_number=(result.get("trackingNumberInfo") or {}).get("trackingNumber")
            or tracking_number,
            status=status,
            carrier_status=latest.get("description") or latest.get("statusByLocale") or code,
            events=events,
            estimated_delivery=_estimated_delivery(result),
            carrier="FedEx",
            public_url=tracking_url(tracking_number),
        )


def _results(response):
    return [
        result
        for complete in _list(
            ((response.json() or {}).get("output") or {}).get("completeTrackResults")
        )
        for result in _list(complete.get("trackResults"))
        if isinstance(result, dict)
    ]


def _amount(value):
    """A JSON number (or numeric string) as a finite Decimal, or None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return amount if amount.is_finite() else None


def _net(detail):
    """What a rated detail costs net of taxes (``totalNetFedExCharge``), else its
    ``totalNetCharge``; None when neither is an amount."""
    for name in ("totalNetFedExCharge", "totalNetCharge"):
        amount = _amount(detail.get(name))
        if amount is not None:
            return amount
    return None


def _currency(detail):
    return str(
        detail.get("currency") or (detail.get("shipmentRateDetail") or {}).get("currency") or ""
    )


def _pick(details, actual=None):
    """The rated detail the merchant pays: the one FedEx says it applied
    (``actualRateType``), else the account's (ACCOUNT, negotiated), else the list
    price (LIST), else the first that is not a conversion (PREFERRED_*)."""
    details = [d for d in details if isinstance(d, dict) and _net(d) is not None]
    for wanted in (actual, "ACCOUNT", "RATED_ACCOUNT_SHIPMENT", "PAYOR_ACCOUNT_SHIPMENT"):
        found = [d for d in details if wanted and d.get("rateType") == wanted]
        if found:
            return found[0]
    for detail in details:
        if "LIST" in str(detail.get("rateType") or ""):
            return detail
    plain = [d for d in details if not str(d.get("rateType") or "").startswith("PREFERRED")]
    return (plain or details or [None])[0]


_NUMBERS = """ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN
    FOURTEEN FIFTEEN SIXTEEN SEVENTEEN EIGHTEEN NINETEEN TWENTY"""
TRANSIT_WORDS = {word: number for number, word in enumerate(_NUMBERS.split(), start=1)}


def _transit_days(value):
    """``TWO_DAYS`` as 2, or None."""
    word = str(value or "").split("_")[0]
    return TRANSIT_WORDS.get(word)


def _parse_rate(detail):
    """A rate reply detail as a :class:`Rate`, or None (logged) when it has no net
    charge that is an amount: never a quote of 0 that would win the rate shopping."""
    service = detail.get("serviceType") or ""
    rated = _pick(_list(detail.get("ratedShipmentDetails")))
    if rated is None:
        logger.warning("FedEx rating: service %r has no net charge that is an amount", service)
        return None
    commit = detail.get("commit") or {}
    operational = detail.get("operationalDetail") or {}
    days = _transit_days(
        (commit.get("transitDays") or {}).get("minimumTransitTime")
        or operational.get("transitTime")
    )
    day = (commit.get("dateDetail") or {}).get("dayFormat") or operational.get("deliveryDate")
    return Rate(
        carrier="FedEx",
        service=service,
        service_name=detail.get("serviceName") or SERVICES.get(service, ""),
        amount=_net(rated),
        currency=_currency(rated),
        delivery_days=days,
        delivery_date=_iso_date(day),
    )


def _shipment_charge(completed):
    """A shipment's net charge and currency (``shipmentRating``), or (None, "")."""
    rating = completed.get("shipmentRating") or {}
    detail = _pick(_list(rating.get("shipmentRateDetails")), rating.get("actualRateType"))
    if detail is None:
        return None, ""
    return _net(detail), _currency(detail)


def _iso_date(value):
    """The date of ``YYYY-MM-DD...`` as ISO, or None."""
    try:
        return datetime.strptime(str(value)[:10], "%Y-%m-%d").date().isoformat()
    except (TypeError, ValueError):
        return None


def _moment(value):
    """An ISO 8601 time as ISO in UTC when it has an offset; as it is (read as
    UTC when stored) when it has none; "" (logged) when it is not a time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        logger.warning("FedEx tracking: date %r is not an ISO 8601 time, dropped", value)
        return ""
    if moment.tzinfo is None:
        logger.info("FedEx tracking: date %r has no offset, taken as UTC", value)
        return moment.isoformat()
    return moment.astimezone(timezone.utc).isoformat()


def _latest_moment(result):
    """When a track result last had news (its newest scan or date), for choosing
    among results of a number FedEx gave out again."""
    stamps = [scan.get("date") for scan in _list(result.get("scanEvents"))]
    stamps += [d.get("dateTime") for d in _list(result.get("dateAndTimes"))]
    moments = []
    for stamp in stamps:
        text = _moment(stamp)
        if text:
            moment = datetime.fromisoformat(text)
            moments.append(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    return max(moments, default=datetime.min.replace(tzinfo=timezone.utc))


def _estimated_delivery(result):
    window = (result.get("estimatedDeliveryTimeWindow") or {}).get("window") or {}
    for value in (
        *(
            d.get("dateTime")
            for d in _list(result.get("dateAndTimes"))
            if d.get("type") in ("ESTIMATED_DELIVERY", "ACTUAL_DELIVERY")
        ),
        window.get("ends"),
        window.get("begins"),
    ):
        day = _iso_date(value)
        if day:
            return day
    return None


# FedEx derives IT (in transit) from an OD scan (on vehicle for delivery): the
# scan's own code says more when it is one of these.
SPECIFIC = frozenset({OUT_FOR_DELIVERY, DELIVERED, EXCEPTION, RETURNED})


def _status_code(status):
    """The code a status is read by: its own ``code`` when it says out for
    delivery, delivered, an exception or returned; else ``derivedCode``."""
    code = status.get("code") or ""
    if STATUS_CODES.get(code) in SPECIFIC:
        return code
    return status.get("derivedCode") or code


def _normalised(code):
    if code not in STATUS_CODES:
        logger.info("FedEx tracking: undocumented status code %r", code)
    return STATUS_CODES.get(code, UNKNOWN)


def _parse_scan(scan):
    code = _status_code(
        {"code": scan.get("eventType"), "derivedCode": scan.get("derivedStatusCode")}
    )
    location = scan.get("scanLocation") or {}
    description = scan.get("eventDescription") or ""
    if scan.get("exceptionDescription"):
        description = f"{description}: {scan['exceptionDescription']}".strip(": ")
    return TrackingEvent(
        status=_normalised(code),
        carrier_status=scan.get("eventType") or code,
        description=description,
        occurred_at=_moment(scan.get("date")),
        city=location.get("city") or "",
        country=location.get("countryCode") or "",
    )


def _pruned(value):
    """``value`` without its empty strings, objects and lists, nor its nulls."""
    return pruned(value, ("", {}, [], None))
