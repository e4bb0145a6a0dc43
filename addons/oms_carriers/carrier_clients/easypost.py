"""EasyPost API v2 client: shipments and rates, labels, trackers, scan forms, addresses.

Auth is HTTP Basic with the API key as user name. Every answer is parsed into the
dataclasses of :mod:`.models` at once; an error answer
``{"error": {"code", "message", "errors": [...]}}`` becomes a typed
:class:`~.errors.CarrierError` with the carrier's code, message and field errors.

Buying is exactly once per shipment, with what EasyPost documents only (no
``Idempotency-Key`` header, which its public documentation does not describe): a
shipment is bought at most once (``SHIPMENT.POSTAGE.EXISTS`` otherwise), so the
caller keeps the shipment's id before buying and, on a retry, reads the shipment
back (:meth:`EasyPostClient.purchased`) and reuses its postage label when it has
one. ``buy`` itself is never repeated: when its answer is lost (no answer, a 5xx)
it reads the shipment back and returns the label if EasyPost did buy it, and when
EasyPost says the postage exists already it returns the label bought before.

Weights go out in ounces and sizes in inches, as EasyPost wants them.
"""

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from ._http import DEFAULT_TIMEOUT, HttpClient
from .errors import (
    CarrierConnectionError,
    CarrierError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
)
from .models import (
    CM_TO_IN,
    DELIVERED,
    EXCEPTION,
    IN_TRANSIT,
    KG_TO_OZ,
    OUT_FOR_DELIVERY,
    PRE_TRANSIT,
    RETURNED,
    UNKNOWN,
    Address,
    AddressCheck,
    CarrierMessage,
    Fee,
    Label,
    PackageLabel,
    Purchase,
    Rate,
    ScanForm,
    Shipment,
    Tracking,
    TrackingEvent,
    VoidResult,
    WebhookEvent,
    same_parcel,
)

PRODUCTION_URL = "https://api.easypost.com"
LABEL_FORMATS = ("PDF", "ZPL", "PNG", "EPL2")
POSTAGE_EXISTS = "SHIPMENT.POSTAGE.EXISTS"

STATUSES = {
    "pre_transit": PRE_TRANSIT,
    "in_transit": IN_TRANSIT,
    "out_for_delivery": OUT_FOR_DELIVERY,
    "available_for_pickup": OUT_FOR_DELIVERY,
    "delivered": DELIVERED,
    "return_to_sender": RETURNED,
    "failure": EXCEPTION,
    "error": EXCEPTION,
    "cancelled": EXCEPTION,
    "unknown": UNKNOWN,
}
_URL_FIELDS = (("PDF", "label_pdf_url"), ("ZPL", "label_zpl_url"), ("EPL2", "label_epl2_url"))
_FILE_TYPES = {
    "image/png": "PNG",
    "application/pdf": "PDF",
    "application/zpl": "ZPL",
    "application/epl2": "EPL2",
}


class EasyPostClient(HttpClient):
    system = "EasyPost"
    request_id_headers = ("X-Ep-Request-Uuid",)

    def __init__(self, api_key, base_url=PRODUCTION_URL, timeout=DEFAULT_TIMEOUT, **kwargs):
        super().__init__(base_url, timeout=timeout, **kwargs)
        self._auth = (api_key, "")

    def _call(self, method, path, **kwargs):
        return self.request(method, path, auth=self._auth, **kwargs).json()

    def _read_error(self, data):
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return "", None, ()
        # field errors: objects with field and message, or (another documented
        # format) plain strings
        details = tuple(
            (f"{e.get('field')}: {e.get('message')}" if e.get("field") else str(e.get("message")))
            if isinstance(e, dict)
            else str(e)
            for e in error.get("errors") or ()
            if isinstance(e, (dict, str))
        )
        message = error.get("message") or ""
        if details:
            message = f"{message} ({'; '.join(details)})"
        return message, error.get("code"), details

    # --- shipments -----------------------------------------------------------------
    def create_shipment(
        self,
        from_address,
        to_address,
        parcel,
        customs_info=None,
        options=None,
        reference=None,
        carrier_accounts=(),
        label_format="PDF",
    ):
        """Create a shipment and return it with the rates of the account's carriers.

        ``options`` are EasyPost shipment options (``hazmat``, ``delivery_confirmation``,
        ``invoice_number``...); ``label_format`` sets ``options.label_format``.
        """
        options = {**(options or {}), "label_format": label_format.upper()}
        shipment = {
            "from_address": address_payload(from_address),
            "to_address": address_payload(to_address),
            "parcel": parcel_payload(parcel),
            "options": options,
        }
        if customs_info is not None:
            shipment["customs_info"] = customs_payload(customs_info)
        if reference:
            shipment["reference"] = reference
        if carrier_accounts:
            shipment["carrier_accounts"] = list(carrier_accounts)
        data = self._call("POST", "/v2/shipments", json={"shipment": shipment})
        return parse_shipment(data)

    def get_shipment(self, shipment_id):
        """The shipment read back; one answered as another shipment is refused
        (its label would be taken for this one's)."""
        shipment = parse_shipment(self._call("GET", f"/v2/shipments/{shipment_id}"))
        self.ensure(
            shipment.id == shipment_id,
            f"the shipment answer is about {shipment.id!s:.40}, not {shipment_id}",
        )
        return shipment

    def buy(self, shipment_id, rate_id, label_format="PDF", insurance=None):
        """Buy the rate's label, once; return the :class:`Purchase` with the label's content.

        Not repeated: an answer lost after EasyPost bought (no answer, a 5xx) is
        recovered by reading the shipment back; a shipment bought before
        (``SHIPMENT.POSTAGE.EXISTS``) gives the label bought then.
        """
        body = {"rate": {"id": rate_id}}
        if insurance is not None:
            body["insurance"] = str(insurance)
        try:
            data = self._call("POST", f"/v2/shipments/{shipment_id}/buy", json=body)
            shipment = parse_shipment(data)
        except CarrierValidationError as error:
            if error.code != POSTAGE_EXISTS:
                raise
            shipment = self.get_shipment(shipment_id)
            self.logger.info("EasyPost shipment %s was bought before: label reused", shipment_id)
        except (CarrierConnectionError, CarrierServerError) as error:
            try:
                shipment = self.get_shipment(shipment_id)
            except CarrierError:
                raise error from None
            if not shipment.is_purchased:
                raise
            self.logger.info("EasyPost bought shipment %s, its answer was lost", shipment_id)
        self.ensure(shipment.is_purchased, f"shipment {shipment_id} has no label after buying")
        return self._purchase(shipment, label_format)

    def purchased(self, shipment_id, label_format="PDF"):
        """The :class:`Purchase` of a shipment already bought (its postage label
        reused), or None when it has none yet (``GET /v2/shipments/:id``)."""
        shipment = self.get_shipment(shipment_id)
        if not shipment.is_purchased:
            return None
        return self._purchase(shipment, label_format)

    def _purchase(self, shipment, label_format):
        label = self.get_label(shipment.id, label_format, shipment=shipment)
        rate = shipment.selected_rate
        amount, fees = label_cost(shipment)
        if fees and rate.currency and rate.currency != "USD":
            self.logger.warning(
                "EasyPost shipment %s: rate in %s, fees in USD; the fees are not added",
                shipment.id,
                rate.currency,
            )
            amount, fees = rate.amount, ()
        return Purchase(
            shipment_id=shipment.id,
            tracking_number=shipment.tracking_code or "",
            packages=(PackageLabel(shipment.tracking_code or "", label),),
            amount=amount,
            currency=rate.currency,
            carrier=rate.carrier,
            service=rate.service,
            fees=fees,
            tracking_url=shipment.tracker_url,
        )

    def get_label(self, shipment_id, file_format="PDF", shipment=None):
        """The label in ``file_format`` (PDF, ZPL, PNG, EPL2), converted by EasyPost if needed."""
        file_format = file_format.upper()
        if file_format not in LABEL_FORMATS:
            raise ValueError(f"EasyPost has no {file_format} labels")
        url = shipment.label_url(file_format) if shipment else None
        if not url:
            data = self._call(
                "GET", f"/v2/shipments/{shipment_id}/label", params={"file_format": file_format}
            )
            url = parse_shipment(data).label_url(file_format)
            self.ensure(url, f"no {file_format} label URL for shipment {shipment_id}")
        content = self.request("GET", url, authenticate=False).body
        return Label(format=file_format, content=content, url=url)

    def refund(self, shipment_id):
        """Ask for the label to be voided and refunded (``refund_status`` submitted...)."""
        data = self._call("POST", f"/v2/shipments/{shipment_id}/refund", idempotent=True)
        shipment = parse_shipment(data)
        return VoidResult(shipment_id=shipment.id, status=shipment.refund_status or "submitted")

    # --- tracking, manifests, addresses ------------------------------------------------
    def create_tracker(self, tracking_code, carrier=None):
        """Track a parcel; EasyPost returns the same tracker for the same code and carrier.
        A tracker about another parcel is refused (:class:`CarrierResponseError`)."""
        tracker = {"tracking_code": tracking_code}
        if carrier:
            tracker["carrier"] = carrier
        data = self._call("POST", "/v2/trackers", json={"tracker": tracker}, idempotent=True)
        return self._checked(_tracker_answer(data), tracking_code)

    def get_tracker(self, tracker_id, tracking_code=None):
        """The tracker ``tracker_id``; refused (:class:`CarrierResponseError`) when
        the answer is another tracker, or about another parcel than ``tracking_code``."""
        tracking = _tracker_answer(self._call("GET", f"/v2/trackers/{tracker_id}"))
        self.ensure(
            not tracking.id or tracking.id == tracker_id,
            f"the tracking answer is tracker {tracking.id!s:.40}, not {tracker_id}",
        )
        return self._checked(tracking, tracking_code)

    def _checked(self, tracking, tracking_code):
        """``tracking`` when it is about ``tracking_code`` (or none was asked for)."""
        self.ensure(
            not tracking_code or same_parcel(tracking.tracking_number, tracking_code),
            f"the tracking answer is about {tracking.tracking_number!s:.40}, not {tracking_code}",
        )
        return tracking

    def create_scan_form(self, shipment_ids):
        """The day's manifest (USPS SCAN form...) for bought shipments, made once.

        EasyPost documents no idempotency for ``POST /v2/scan_forms``, only that a
        shipment is on one scan form at most: the POST is never repeated. When its
        answer is lost (no answer, a 5xx) or EasyPost refuses it, the shipments are
        read back (:meth:`scan_form_of`) and the scan form they are on already is
        returned; otherwise the error stands.
        """
        shipment_ids = list(shipment_ids)
        body = {"shipments": [{"id": shipment_id} for shipment_id in shipment_ids]}
        try:
            return parse_scan_form(self._call("POST", "/v2/scan_forms", json=body))
        except (CarrierConnectionError, CarrierServerError, CarrierValidationError) as error:
            try:
                form = self.scan_form_of(shipment_ids)
            except CarrierError:
                raise error from None
            if form is None:
                raise
            self.logger.info("EasyPost had made scan form %s, its answer was lost", form.id)
            return form

    def scan_form_of(self, shipment_ids):
        """The scan form these shipments are on already, or None when they are on
        none: read back from each shipment's documented ``scan_form`` (a shipment
        is on one scan form at most), then ``GET /v2/scan_forms/:id``. A form that
        is not exactly theirs (another parcel on it, one of them elsewhere) is an
        error: it is not the one we asked for."""
        codes, form_ids = set(), set()
        for shipment_id in shipment_ids:
            data = self._call("GET", f"/v2/shipments/{shipment_id}")
            known = data.get("scan_form") if isinstance(data, dict) else None
            form_ids.add(known.get("id") if isinstance(known, dict) else None)
            codes.add(data.get("tracking_code"))
        if form_ids == {None} or not form_ids:
            return None
        self.ensure(len(form_ids) == 1, "the shipments are on several scan forms")
        form = self.get_scan_form(form_ids.pop())
        self.ensure(
            set(form.tracking_codes) == codes,
            f"scan form {form.id} does not list exactly these shipments",
        )
        return form

    def get_scan_form(self, scan_form_id):
        return parse_scan_form(self._call("GET", f"/v2/scan_forms/{scan_form_id}"))

    def get_scan_form_pdf(self, scan_form):
        """The manifest's PDF, from the address EasyPost gave for it."""
        self.ensure(scan_form.form_url, f"scan form {scan_form.id} has no PDF yet")
        return self.request("GET", scan_form.form_url, authenticate=False).body

    def verify_address(self, address):
        """Verify a delivery address; the answer carries EasyPost's corrected address."""
        body = {"address": address_payload(address), "verify": True}
        data = self._call("POST", "/v2/addresses", json=body, idempotent=True)
        delivery = (data.get("verifications") or {}).get("delivery") or {}
        messages = tuple(
            error.get("message") or error.get("code") or ""
            for error in delivery.get("errors") or ()
        )
        return AddressCheck(
            deliverable=bool(delivery.get("success")),
            address=parse_address(data),
            messages=messages,
            id=data.get("id"),
        )


# --- payloads ------------------------------------------------------------------------
def _decimal(value, places="0.1"):
    return float(Decimal(value).quantize(Decimal(places), ROUND_HALF_UP))


def address_payload(address):
    payload = {
        "name": address.name,
        "company": address.company or None,
        "street1": address.street,
        "street2": address.street2 or None,
        "city": address.city,
        "state": address.state or None,
        "zip": address.zip,
        "country": address.country,
        "phone": address.phone or None,
        "email": address.email or None,
    }
    return {k: v for k, v in payload.items() if v is not None}


def parcel_payload(parcel):
    payload = {"weight": _decimal(Decimal(parcel.weight_kg) * KG_TO_OZ)}
    if parcel.has_dimensions:
        for name in ("length", "width", "height"):
            payload[name] = _decimal(Decimal(getattr(parcel, f"{name}_cm")) * CM_TO_IN)
    return payload


def customs_payload(customs):
    return {
        "contents_type": customs.contents_type,
        "contents_explanation": customs.contents_explanation,
        "customs_certify": True,
        "customs_signer": customs.signer,
        "eel_pfc": customs.eel_pfc,
        "non_delivery_option": customs.non_delivery_option,
        "restriction_type": customs.restriction_type,
        "restriction_comments": customs.restriction_comments,
        "declaration": customs.incoterm and f"Incoterm {customs.incoterm}",
        "customs_items": [
            {
                "description": item.description,
                "quantity": item.quantity,
                "value": str(item.value),
                "currency": item.currency,
                "weight": _decimal(Decimal(item.weight_kg) * KG_TO_OZ),
                "hs_tariff_number": item.hs_tariff_number,
                "origin_country": item.origin_country,
                "code": item.code,
            }
            for item in customs.items
        ],
    }


# --- answers ---------------------------------------------------------------------------
def parse_address(data):
    return Address(
        name=data.get("name") or "",
        company=data.get("company") or "",
        street1=data.get("street1") or "",
        street2=data.get("street2") or "",
        city=data.get("city") or "",
        state=data.get("state") or "",
        zip=data.get("zip") or "",
        country=data.get("country") or "",
        phone=data.get("phone") or "",
        email=data.get("email") or "",
    )


def parse_rate(data):
    return Rate(
        id=data.get("id"),
        carrier=data.get("carrier") or "",
        service=data.get("service") or "",
        amount=Decimal(str(data.get("rate"))),
        currency=data.get("currency") or "",
        delivery_days=data.get("delivery_days") or data.get("est_delivery_days"),
        delivery_date=data.get("delivery_date"),
        guaranteed=bool(data.get("delivery_date_guaranteed")),
    )


def parse_fee(data):
    """A Fee; a :class:`CarrierResponseError` when its amount is not a number."""
    bad = CarrierResponseError(f"EasyPost answered a fee amount {data.get('amount')!r:.40}")
    try:
        amount = Decimal(str(data.get("amount") or "0"))
    except ArithmeticError:
        raise bad from None
    if not amount.is_finite():
        raise bad
    return Fee(
        type=data.get("type") or "",
        amount=amount,
        charged=bool(data.get("charged")),
        refunded=bool(data.get("refunded")),
    )


def label_cost(shipment):
    """What EasyPost bills for a bought shipment, and the fees it is made of.

    The postage (the ``PostageFee`` when EasyPost collects it, the selected rate
    otherwise: a carrier account billed by the carrier itself) plus every other
    fee of the shipment's documented ``fees`` (``LabelFee``, ``InsuranceFee``,
    ``CarbonOffsetFee``...); refunded fees are not billed.
    """
    rate = shipment.selected_rate
    fees = tuple(fee for fee in shipment.fees if not fee.refunded)
    postage = [fee.amount for fee in fees if fee.type == "PostageFee"]
    amount = sum(postage) if postage else (rate.amount if rate else Decimal(0))
    amount += sum((fee.amount for fee in fees if fee.type != "PostageFee"), Decimal(0))
    return amount, fees


def parse_shipment(data):
    label = data.get("postage_label") or {}
    urls = {}
    if label.get("label_url"):
        urls[_FILE_TYPES.get(label.get("label_file_type"), "PNG")] = label["label_url"]
    for file_format, name in _URL_FIELDS:
        if label.get(name):
            urls[file_format] = label[name]
    selected = data.get("selected_rate")
    return Shipment(
        id=data["id"],
        status=data.get("status") or "",
        rates=tuple(parse_rate(rate) for rate in data.get("rates") or ()),
        messages=tuple(
            CarrierMessage(m.get("carrier") or "", m.get("type") or "", m.get("message") or "")
            for m in data.get("messages") or ()
        ),
        tracking_code=data.get("tracking_code"),
        selected_rate=parse_rate(selected) if selected else None,
        label_urls=tuple(urls.items()),
        refund_status=data.get("refund_status"),
        tracker_id=(data.get("tracker") or {}).get("id"),
        tracker_url=_text((data.get("tracker") or {}).get("public_url")),
        fees=tuple(parse_fee(fee) for fee in data.get("fees") or () if isinstance(fee, dict)),
    )


def parse_scan_form(data):
    return ScanForm(
        id=data["id"],
        status=data.get("status") or "",
        tracking_codes=tuple(data.get("tracking_codes") or ()),
        form_url=data.get("form_url") or "",
        batch_id=data.get("batch_id"),
        message=data.get("message") or "",
    )


def parse_tracker(data):
    """A tracker as a :class:`Tracking`; ``ValueError`` when it is not one (a field
    of the wrong type, a date that is not ISO 8601)."""
    data = _object(data, "tracker")
    events = []
    for item in _list(data.get("tracking_details"), "tracking_details"):
        detail = _object(item, "tracking detail")
        location = _object(detail.get("tracking_location") or {}, "tracking_location")
        events.append(
            TrackingEvent(
                status=STATUSES.get(_text(detail.get("status")), UNKNOWN),
                carrier_status=_text(detail.get("status")),
                description=_text(detail.get("message")),
                occurred_at=_utc_moment(detail.get("datetime")),
                city=_text(location.get("city")),
                country=_text(location.get("country")),
            )
        )
    return Tracking(
        id=_text(data.get("id")) or None,
        tracking_number=_text(data.get("tracking_code")),
        status=STATUSES.get(_text(data.get("status")), UNKNOWN),
        carrier_status=_text(data.get("status")),
        events=tuple(events),
        estimated_delivery=_moment(data.get("est_delivery_date")) or None,
        carrier=_text(data.get("carrier")),
        public_url=_text(data.get("public_url")),
        shipment_id=_text(data.get("shipment_id")) or None,
    )


def parse_event(data):
    """An EasyPost webhook event (check its signature first); ``ValueError`` when
    the body is not one."""
    data = _object(data, "event")
    result = _object(data.get("result") or {}, "result")
    tracking = parse_tracker(result) if result.get("object") == "Tracker" else None
    return WebhookEvent(
        id=_text(data.get("id")),
        description=_text(data.get("description")),
        result_type=_text(result.get("object")),
        tracking=tracking,
        payload=data,
    )


def _tracker_answer(data):
    try:
        return parse_tracker(data)
    except ValueError as error:
        raise CarrierResponseError(f"EasyPost answered a malformed tracker: {error}") from None


def _object(value, what):
    if not isinstance(value, dict):
        raise ValueError(f"the {what} is not an object")
    return value


def _list(value, what):
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list")
    return value


def _text(value):
    """A text field: a string, or empty when absent."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{value!r:.40} is not a text")
    return value


def _utc_moment(value):
    """An ISO 8601 date and time (EasyPost's ``datetime``, documented in UTC with
    ``Z``) in UTC: one with another offset is converted, one without a zone is
    taken as UTC, as EasyPost documents; empty when absent."""
    text = _moment(value)
    if not text:
        return text
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def _moment(value):
    """An ISO 8601 date or date and time (``Z`` for UTC), as given; empty when absent."""
    text = _text(value)
    if text:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo:
                moment.astimezone(timezone.utc)  # year 1 less an offset does not exist
        except (ValueError, OverflowError):
            raise ValueError(f"{text!r:.40} is not an ISO 8601 date") from None
    return text
