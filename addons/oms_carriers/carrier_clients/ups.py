"""UPS REST APIs client: OAuth token, Rating, Shipping (labels), Void, Tracking.

Auth is an OAuth client-credentials token (``POST /security/v1/oauth/token`` with
the client id and secret in HTTP Basic), kept until shortly before it expires and
fetched again once when a call answers 401. Every call carries a ``transId`` (our
request id, logged) and a ``transactionSrc``.

Bodies follow the documented ``RateRequest`` / ``ShipmentRequest`` shapes for the
parts used here. UPS answers a list with one element as a bare object
(``RatedShipment``, ``PackageResults``...): :func:`_many` reads both. Error bodies
``{"response": {"errors": [{"code", "message"}]}}`` become typed errors.

A shipment is not safe to repeat (UPS takes no idempotency key), so ``ship`` is
never retried by the client; quotes, voids and tracking are.

Weights and sizes go out in KGS/CM, or LBS/IN when the shipper is in the US or
Puerto Rico, as UPS requires.
"""

import base64
import logging
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import quote

from ._http import OAuthClient
from ._payloads import as_list as _many
from ._payloads import coded, imperial, not_found, parsed, pruned, read_errors, sides, weight
from .errors import CarrierNotFoundError
from .models import (
    DELIVERED,
    EXCEPTION,
    IN_TRANSIT,
    OUT_FOR_DELIVERY,
    PRE_TRANSIT,
    RETURNED,
    UNKNOWN,
    Fee,
    Label,
    PackageLabel,
    Purchase,
    Rate,
    Tracking,
    TrackingEvent,
    VoidResult,
)

PRODUCTION_URL = "https://onlinetools.ups.com"
API_VERSION = "v2409"
LABEL_FORMATS = ("GIF", "PNG", "ZPL", "EPL", "SPL")

SERVICES = {
    "01": "UPS Next Day Air",
    "02": "UPS 2nd Day Air",
    "03": "UPS Ground",
    "07": "UPS Worldwide Express",
    "08": "UPS Worldwide Expedited",
    "11": "UPS Standard",
    "12": "UPS 3 Day Select",
    "13": "UPS Next Day Air Saver",
    "14": "UPS Next Day Air Early",
    "54": "UPS Worldwide Express Plus",
    "65": "UPS Saver",
}
logger = logging.getLogger(__name__)

# The status types UPS documents for ``currentStatus.type`` / ``activity.status.type``
# (Track API appendix, "Status Types"), normalised.
STATUS_TYPES = {
    "D": DELIVERED,  # Delivered
    "I": IN_TRANSIT,  # In Transit
    "M": PRE_TRANSIT,  # Billing Information Received (the label was made)
    "MV": EXCEPTION,  # Billing Information Voided (the label was voided)
    "P": IN_TRANSIT,  # Pickup
    "X": EXCEPTION,  # Exception
    "RS": RETURNED,  # Returned to Shipper
    "DO": IN_TRANSIT,  # Delivered Origin CFS (Freight Only)
    "DD": IN_TRANSIT,  # Delivered Destination CFS (Freight Only)
    "W": IN_TRANSIT,  # Warehousing (Freight Only)
    "NA": UNKNOWN,  # Not Available
    "O": OUT_FOR_DELIVERY,  # Out for Delivery
}
# UPS reports "out for delivery" as an in-transit activity of code OT (status
# code 021), as in its documented Track Alert example.
OUT_FOR_DELIVERY_CODES = frozenset({"021", "OT"})
# The warning of a tracking number UPS has no information on (yet): HTTP 200.
NOT_FOUND_WARNING = "TW0001"


def tracking_url(tracking_number):
    """The public UPS tracking page of a parcel."""
    return f"https://www.ups.com/track?loc=en_US&tracknum={tracking_number}"


class UpsClient(OAuthClient):
    system = "UPS"
    request_id_headers = ("transId",)
    production_url = PRODUCTION_URL

    def __init__(self, *args, version=API_VERSION, transaction_source="oms", **kwargs):
        """The client ID, secret and account number, then ``base_url``,
        ``token_store`` and the transport (see :class:`OAuthClient`)."""
        super().__init__(*args, **kwargs)
        self.version = version
        self.transaction_source = transaction_source

    # --- auth ------------------------------------------------------------------------------
    def _token_response(self):
        return self.request(
            "POST",
            "/security/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"x-merchant-id": self.account_number},
            auth=self._credentials,
            authenticate=False,
            idempotent=True,
        )

    def _prepare(self, headers):
        headers = super()._prepare(headers)
        headers["transactionSrc"] = self.transaction_source
        return headers

    def _read_error(self, data):
        return read_errors(
            ((data or {}).get("response") or {}).get("errors") if isinstance(data, dict) else None
        )

    # --- payloads --------------------------------------------------------------------------
    def _party(self, address, shipper=False, phone=True):
        party = {
            "Name": (address.company or address.name)[:35],
            "AttentionName": address.name[:35],
            "Address": {
                "AddressLine": list(address.street_lines),
                "City": address.city,
                "StateProvinceCode": address.state,
                "PostalCode": address.zip,
                "CountryCode": address.country,
            },
        }
        if address.phone and phone:  # Rating's parties have no Phone
            party["Phone"] = {"Number": address.phone}
        if shipper:
            party["ShipperNumber"] = self.account_number
        return party

    def _package(self, parcel, in_lb, packaging_key):
        package = {
            packaging_key: {"Code": "02", "Description": "Package"},
            "PackageWeight": {
                "UnitOfMeasurement": {
                    "Code": "LBS" if in_lb else "KGS",
                    "Description": "Pounds" if in_lb else "Kilograms",
                },
                "Weight": str(weight(parcel, in_lb)),
            },
        }
        if parcel.has_dimensions:
            # whole inches or centimetres, rounded up (Shipping takes 3 digits)
            package["Dimensions"] = {
                "UnitOfMeasurement": {
                    "Code": "IN" if in_lb else "CM",
                    "Description": "Inches" if in_lb else "Centimeters",
                },
                **{name.capitalize(): str(value) for name, value in sides(parcel, in_lb)},
            }
        return package

    def _shipment(self, shipper, ship_from, ship_to, packages, service_code, packaging_key):
        in_lb = imperial(shipper)
        phone = packaging_key == "Packaging"  # Shipping's parties have one, Rating's not
        shipment = {
            "Shipper": self._party(shipper, shipper=True, phone=phone),
            "ShipTo": self._party(ship_to, phone=phone),
            "ShipFrom": self._party(ship_from or shipper, phone=phone),
            "Package": [self._package(p, in_lb, packaging_key) for p in packages],
        }
        if service_code:
            shipment["Service"] = {
                "Code": service_code,
                "Description": SERVICES.get(service_code, ""),
            }
        return shipment

    # --- operations ------------------------------------------------------------------------
    def rate(self, shipper, ship_to, packages, service_code=None, ship_from=None, reference=""):
        """Quotes: every service (Shop) or one (Rate when ``service_code`` is given)."""
        shipment = self._shipment(
            shipper, ship_from, ship_to, packages, service_code, "PackagingType"
        )
        shipment["PaymentDetails"] = {
            "ShipmentCharge": [
                {"Type": "01", "BillShipper": {"AccountNumber": self.account_number}}
            ]
        }
        shipment["NumOfPieces"] = str(len(packages))
        shipment["ShipmentRatingOptions"] = {"NegotiatedRatesIndicator": "Y"}
        option = "Rate" if service_code else "Shop"
        body = _pruned(
            {
                "RateRequest": {
                    "Request": {
                        "RequestOption": option,
                        "TransactionReference": {"CustomerContext": reference},
                    },
                    "Shipment": shipment,
                }
            }
        )
        response = self.request(
            "POST", f"/api/rating/{self.version}/{option}", json=body, idempotent=True
        )
        data = (response.json() or {}).get("RateResponse") or {}
        self.ensure("RatedShipment" in data, "no RatedShipment in the answer", response)
        return parsed(_parse_rated, _many(data["RatedShipment"]))

    def ship(
        self,
        shipper,
        ship_to,
        packages,
        service_code,
        ship_from=None,
        label_format="GIF",
        description="",
        reference="",
        customs_info=None,
    ):
        """Buy the labels of a shipment; one tracking number and label per package.
        ``customs_info`` (leaving the customs territory) becomes the shipment's
        commercial invoice (``InternationalForms``, form type 01).

        Not retried: UPS takes no idempotency key. On a timeout, the job looks the
        shipment up (by reference) or voids it before trying again.
        """
        label_format = label_format.upper()
        if label_format not in LABEL_FORMATS:
            raise ValueError(f"UPS has no {label_format} labels (use one of {LABEL_FORMATS})")
        shipment = self._shipment(shipper, ship_from, ship_to, packages, service_code, "Packaging")
        shipment["Description"] = description[:50]
        shipment["PaymentInformation"] = {
            "ShipmentCharge": [
                {"Type": "01", "BillShipper": {"AccountNumber": self.account_number}}
            ]
        }
        if reference:
            shipment["ReferenceNumber"] = {"Value": reference[:35]}
        if customs_info is not None:
            options = shipment.setdefault("ShipmentServiceOptions", {})
            options["InternationalForms"] = _international_forms(customs_info, ship_to, reference)
        label_spec = {"LabelImageFormat": {"Code": label_format, "Description": label_format}}
        label_spec["LabelStockSize"] = {"Height": "6", "Width": "4"}
        body = _pruned(
            {
                "ShipmentRequest": {
                    "Request": {
                        "RequestOption": "nonvalidate",
                        "TransactionReference": {"CustomerContext": reference},
                    },
                    "Shipment": shipment,
                    "LabelSpecification": label_spec,
                }
            }
        )
        response = self.request("POST", f"/api/shipments/{self.version}/ship", json=body)
        results = ((response.json() or {}).get("ShipmentResponse") or {}).get("ShipmentResults")
        self.ensure(results, "no ShipmentResults in the answer", response)
        labels = []
        for package in _many(results.get("PackageResults")):
            image = package.get("ShippingLabel") or {}
            content = base64.b64decode(image.get("GraphicImage") or "")
            file_format = ((image.get("ImageFormat") or {}).get("Code") or label_format).upper()
            labels.append(PackageLabel(package["TrackingNumber"], Label(file_format, content)))
        self.ensure(len(labels) == len(packages), "one label per package expected", response)
        amount, currency, fees = _label_cost(results)
        if amount is None:
            logger.warning(
                "UPS shipment %s: no total charge that is an amount in the answer; "
                "the label is kept without its cost",
                results.get("ShipmentIdentificationNumber"),
            )
        return Purchase(
            shipment_id=results["ShipmentIdentificationNumber"],
            tracking_number=labels[0].tracking_number,
            packages=tuple(labels),
            amount=amount,
            currency=currency,
            carrier="UPS",
            service=service_code,
            fees=fees,
        )

    def void(self, shipment_id, tracking_numbers=()):
        """Cancel a shipment (or some of its packages) within UPS's void period."""
        params = {"trackingnumber": ",".join(tracking_numbers)} if tracking_numbers else None
        response = self.request(
            "DELETE", f"/api/shipments/{self.version}/void/cancel/{shipment_id}", params=params
        )
        data = (response.json() or {}).get("VoidShipmentResponse") or {}
        status = ((data.get("SummaryResult") or {}).get("Status")) or {}
        voided = status.get("Code") == "1"
        return VoidResult(
            shipment_id=shipment_id,
            status="voided" if voided else "rejected",
            message=status.get("Description") or "",
        )

    def find_shipments(self, reference):
        """The tracking numbers of the shipments (not voided) whose reference is
        ``reference`` (Tracking API, reference tracking); ``[]`` when none."""
        try:
            response = self.request(
                "GET",
                f"/api/track/v1/reference/details/{quote(reference, safe='')}",
                params={"locale": "en_US"},
            )
        except CarrierNotFoundError:
            return []
        shipments = ((response.json() or {}).get("trackResponse") or {}).get("shipment")
        for shipment in _many(shipments):
            # the shipments of another reference are not ours: never recovered as ours
            answered = shipment.get("inquiryNumber")
            self.ensure(
                not answered or _number(answered) == _number(reference),
                f"the reference answer is about {answered!s:.40}, not {reference}",
                response,
            )
        return [
            package["trackingNumber"]
            for shipment in _many(shipments)
            for package in _many(shipment.get("package"))
            if package.get("trackingNumber")
        ]

    def recover_label(self, tracking_number, label_format="GIF"):
        """The label of a package already shipped (Label Recovery API)."""
        body = {
            "LabelRecoveryRequest": {
                "Request": {"RequestOption": "Non_Validate"},
                "LabelSpecification": {
                    "LabelImageFormat": {"Code": label_format.upper()},
                    "LabelStockSize": {"Height": "6", "Width": "4"},
                },
                "TrackingNumber": tracking_number,
            }
        }
        response = self.request("POST", f"/api/labels/{self.version}/recovery", json=body)
        results = ((response.json() or {}).get("LabelRecoveryResponse") or {}).get("LabelResults")
        results = [r for r in _many(results) if isinstance(r, dict)]
        # the label of the package asked for; one of another package is refused
        asked = _number(tracking_number)
        found = [r for r in results if _number(r.get("TrackingNumber")) in ("", asked)]
        self.ensure(
            found or not results,
            "the label answer is about package "
            + ", ".join(f"{r.get('TrackingNumber')!s:.40}" for r in results)
            + f", not {tracking_number}",
            response,
        )
        image = (found[0] if found else {}).get("LabelImage") or {}
        self.ensure(image.get("GraphicImage"), "no label image in the answer", response)
        file_format = ((image.get("LabelImageFormat") or {}).get("Code") or label_format).upper()
        return Label(file_format, base64.b64decode(image["GraphicImage"]))

    def track(self, inquiry_number):
        """The parcel's status and its activity, oldest first."""
        response = self.request(
            "GET",
            f"/api/track/v1/details/{inquiry_number}",
            params={"locale": "en_US", "returnSignature": "false"},
        )
        shipments = ((response.json() or {}).get("trackResponse") or {}).get("shipment")
        asked = _number(inquiry_number)
        for shipment in _many(shipments):
            # an answer about another parcel is refused, never applied to this one
            answered = _number(shipment.get("inquiryNumber"))
            self.ensure(
                not answered or answered == asked,
                f"the tracking answer is about {shipment.get('inquiryNumber')!s:.40}, "
                f"not {inquiry_number}",
                response,
            )
        packages = [p for s in _many(shipments) for p in _many(s.get("package"))]
        warnings = [w for s in _many(shipments) for w in _many(s.get("warnings")) if w]
        if packages:
            package = next((p for p in packages if _number(p.get("trackingNumber")) == asked), None)
            self.ensure(
                package is not None,
                "the tracking answer is about package "
                + ", ".join(f"{p.get('trackingNumber')!s:.40}" for p in packages)
                + f", not {inquiry_number}",
                response,
            )
            packages = [package]
        if not packages and any(w.get("code") == NOT_FOUND_WARNING for w in warnings):
            # A label UPS has not scanned (or been told about) yet
            return not_found(inquiry_number, "UPS", tracking_url(inquiry_number), warnings)
        self.ensure(
            packages, "; ".join(["no package in the tracking answer", *coded(warnings)]), response
        )
        package = packages[0]
        events = tuple(reversed([_parse_activity(a) for a in _many(package.get("activity"))]))
        delivery = next(
            (d.get("date") for d in _many(package.get("deliveryDate")) if d.get("date")), None
        )
        current = package.get("currentStatus") or {}
        if current.get("type"):
            status = _normalised(current)
        else:
            status = events[-1].status if events else UNKNOWN
        return Tracking(
            tracking_number=package.get("trackingNumber"),
            status=status,
            carrier_status=current.get("description")
            or (events[-1].carrier_status if events else ""),
            events=events,
            estimated_delivery=_iso_date(delivery) if delivery else None,
            carrier="UPS",
            public_url=tracking_url(inquiry_number),
        )


def _money(charge):
    """``{"MonetaryValue", "CurrencyCode"}`` as (Decimal, currency), or None when its
    value is missing or not a finite number."""
    if not isinstance(charge, dict):
        return None
    try:
        amount = Decimal(str(charge.get("MonetaryValue")).strip())
    except ArithmeticError:
        return None
    if not amount.is_finite() or charge.get("MonetaryValue") in (None, ""):
        return None
    return amount, str(charge.get("CurrencyCode") or "")


def _total(charges, published=None):
    """What the merchant pays: the account's negotiated total when it is an amount
    (UPS answers it when ``NegotiatedRatesIndicator`` is asked and the account has
    negotiated rates), else the published ``TotalCharges`` (of ``published``, or
    of ``charges`` itself); with the block it was read from.
    ``(None, "", None)`` when neither is an amount."""
    negotiated = charges.get("NegotiatedRateCharges")
    found = _money((negotiated or {}).get("TotalCharge")) if isinstance(negotiated, dict) else None
    if found:
        return found[0], found[1], negotiated
    block = charges.get(published)
    if not isinstance(block, dict):
        block = charges
    found = _money(block.get("TotalCharges"))
    if found:
        return found[0], found[1], block
    return None, "", None


def _parse_rated(rated):
    """A rated shipment as a :class:`Rate`, or None (logged) when it has no total
    that is an amount: never a quote of 0 that would win the rate shopping."""
    service = (rated.get("Service") or {}).get("Code") or ""
    amount, currency, _block = _total(rated)
    if amount is None:
        logger.warning("UPS rating: service %r has no total that is an amount, left out", service)
        return None
    days = (rated.get("GuaranteedDelivery") or {}).get("BusinessDaysInTransit")
    return Rate(
        carrier="UPS",
        service=service,
        service_name=SERVICES.get(service, ""),
        amount=amount,
        currency=currency,
        delivery_days=int(days) if str(days or "").isdigit() else None,
        guaranteed=bool(days),
    )


def _label_cost(results):
    """A shipment's cost (negotiated first, else ``ShipmentCharges.TotalCharges``),
    its currency and the parts UPS itemizes for the charges read: each
    ``ItemizedCharges`` (fuel, residential, surge... by UPS code and subtype) and
    the service options, as :class:`Fee` (parts of the total, not added to it)."""
    amount, currency, block = _total(results, "ShipmentCharges")
    if amount is None:
        return None, "", ()
    fees = []
    for item in _many(block.get("ItemizedCharges")):
        found = _money(item) if isinstance(item, dict) else None
        if found and found[0]:
            name = " ".join(str(item.get(k) or "") for k in ("Code", "SubType")).strip()
            fees.append(Fee(type=f"UPS {name}", amount=found[0]))
    options = _money(block.get("ServiceOptionsCharges"))
    if options and options[0]:
        fees.append(Fee(type="UPS ServiceOptions", amount=options[0]))
    return amount, currency, tuple(fees)


def _pruned(value):
    """``value`` without its empty strings, objects and lists: UPS's schemas give
    their optional texts a minimum length of 1, so an empty one is left out."""
    return pruned(value)


def _number(value):
    """A tracking or inquiry number as compared: no spaces, upper case."""
    return "".join(str(value or "").split()).upper()


def _iso_date(value):
    """``YYYYMMDD`` as an ISO date, or None (logged) when it is not a date."""
    try:
        return datetime.strptime(value, "%Y%m%d").date().isoformat()
    except (TypeError, ValueError):
        logger.warning("UPS tracking: date %r is not a date (YYYYMMDD), dropped", value)
        return None


def _iso_moment(date_, time_):
    """``YYYYMMDD`` and ``HHMMSS`` as an ISO date and time, or "" (logged) when not."""
    moment = _local_moment(date_, time_)
    if moment is None:
        if date_:
            logger.warning(
                "UPS tracking: date %r time %r is not a moment (YYYYMMDD HHMMSS), dropped",
                date_,
                time_,
            )
        return ""
    return moment.isoformat()


def _local_moment(date_, time_):
    """``YYYYMMDD`` and ``HHMMSS`` as a naive datetime, or None when not one."""
    if not date_:
        return None
    try:
        return datetime.strptime(f"{date_}{time_ or '000000'}", "%Y%m%d%H%M%S")
    except (TypeError, ValueError):
        return None


_GMT_TIME = re.compile(r"(\d{1,2}):?(\d{2}):?(\d{2})")
_GMT_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


def _gmt_moment(date_, time_):
    """``gmtDate`` (YYYYMMDD) and ``gmtTime`` as an aware UTC datetime, or None.

    UPS answers ``gmtTime`` as ``HH:MM:SS`` in practice; its Tracking.yaml example
    is ``74700`` (07:47:00, the leading zero dropped): both are read."""
    found = _GMT_TIME.fullmatch(str(time_ or "").strip())
    if not date_ or not found:
        return None
    hours, minutes, seconds = (int(part) for part in found.groups())
    try:
        day = datetime.strptime(str(date_), "%Y%m%d")
        return day.replace(hour=hours, minute=minutes, second=seconds, tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def _utc_offset(value):
    """``gmtOffset`` (``-05:00``) as a timezone, or None when it is not one."""
    found = _GMT_OFFSET.fullmatch(str(value or "").strip())
    if not found:
        return None
    sign, hours, minutes = found.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def _activity_moment(activity):
    """When an activity happened, as ISO 8601: in UTC (``+00:00``) whenever UPS
    says where the scan's clock stands.

    UPS gives the local ``date``/``time`` of the scan and, in its answers, the
    same moment in GMT (``gmtDate``/``gmtTime``) and the local offset
    (``gmtOffset``). Read in that order: the GMT date and time; else the local
    date and time less the offset; else (no GMT field at all, as in answers of
    older API versions) the local date and time as they are, without a zone:
    they are then *assumed* to be UTC when stored, wrong by the scan's offset
    (hours, never days). Dates that are not dates are dropped with a log line."""
    utc = _gmt_moment(activity.get("gmtDate"), activity.get("gmtTime"))
    if utc is not None:
        return utc.isoformat()
    if activity.get("gmtDate") or activity.get("gmtTime"):
        logger.warning(
            "UPS tracking: gmtDate %r gmtTime %r is not a moment, the local time is read",
            activity.get("gmtDate"),
            activity.get("gmtTime"),
        )
    local = _local_moment(activity.get("date") or "", activity.get("time") or "")
    offset = _utc_offset(activity.get("gmtOffset"))
    if local is not None and offset is not None:
        return local.replace(tzinfo=offset).astimezone(timezone.utc).isoformat()
    if local is not None and activity.get("gmtOffset"):
        logger.warning(
            "UPS tracking: gmtOffset %r is not an offset, the local time is kept",
            activity.get("gmtOffset"),
        )
    return _iso_moment(activity.get("date") or "", activity.get("time") or "")


def _normalised(status):
    """A documented status type (and code), normalised."""
    kind = status.get("type") or ""
    if kind == "I" and (
        status.get("statusCode") in OUT_FOR_DELIVERY_CODES
        or status.get("code") in OUT_FOR_DELIVERY_CODES
    ):
        return OUT_FOR_DELIVERY
    if kind not in STATUS_TYPES:
        logger.info("UPS tracking: undocumented status type %r", kind)
    return STATUS_TYPES.get(kind, UNKNOWN)


def _parse_activity(activity):
    status = activity.get("status") or {}
    kind = status.get("type") or ""
    address = (activity.get("location") or {}).get("address") or {}
    return TrackingEvent(
        status=_normalised(status),
        carrier_status=status.get("code") or kind,
        description=status.get("description") or "",
        occurred_at=_activity_moment(activity),
        city=address.get("city") or "",
        country=address.get("countryCode") or address.get("country") or "",
    )


# UPS's reasons for export, from the customs contents types.
REASONS_FOR_EXPORT = {
    "merchandise": "SALE",
    "gift": "GIFT",
    "sample": "SAMPLE",
    "returned_goods": "RETURN",
    "documents": "SALE",
    "other": "SALE",
}


def _international_forms(customs, ship_to, reference):
    """The commercial invoice of a shipment (Shipping API ``InternationalForms``):
    one product per customs line with its HS code, origin, quantity, unit value
    and weight."""
    currency = customs.items[0].currency if customs.items else "USD"
    forms = {
        "FormType": ["01"],
        "InvoiceNumber": (reference or "")[:35],
        "InvoiceDate": date.today().strftime("%Y%m%d"),
        "ReasonForExport": REASONS_FOR_EXPORT.get(customs.contents_type, "SALE"),
        "CurrencyCode": currency,
        "Contacts": {
            "SoldTo": {
                "Name": (ship_to.company or ship_to.name)[:35],
                "AttentionName": ship_to.name[:35],
                "Phone": {"Number": ship_to.phone or ""},
                "Address": {
                    "AddressLine": [line for line in (ship_to.street1, ship_to.street2) if line],
                    "City": ship_to.city,
                    "StateProvinceCode": ship_to.state,
                    "PostalCode": ship_to.zip,
                    "CountryCode": ship_to.country,
                },
            }
        },
        "Product": [
            {
                "Description": [item.description[:35]],
                "CommodityCode": item.hs_tariff_number,
                "OriginCountryCode": item.origin_country,
                "PartNumber": item.code[:10],
                "Unit": {
                    "Number": str(item.quantity),
                    "Value": str((item.value / item.quantity).quantize(Decimal("0.01"))),
                    "UnitOfMeasurement": {"Code": "PCS"},
                },
                "ProductWeight": {
                    "UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"},
                    "Weight": str(item.weight_kg),
                },
            }
            for item in customs.items
        ],
    }
    if customs.incoterm:
        forms["TermsOfShipment"] = customs.incoterm
    return forms
