"""Swiss Post PostLogistics barcode web service client (SOAP through ``zeep``).

``GenerateLabel`` sends, for one parcel, the label layout (``LabelDefinition``:
A5/A6/A7/FE, which addresses to print, image type and resolution), the franking
license and the sender (``FileInfos``), the recipient and the service codes
(``PRZL``: one basic service such as PRI or ECO, additional ones such as SI) and
gets back the ident code (the tracking number) and the label image.

The WSDL is loaded from ``wsdl_url`` (the carrier's published one by default, the
simulator's in tests) on first use, with the (connect, read) timeout and retried
on connection errors and 5xx like any idempotent call; ``service_url`` may send
the calls elsewhere than the WSDL's address (a test or integration endpoint).
Without it, the WSDL's address must be on the scheme, host and port the WSDL came
from: the credentials go nowhere else. Auth is HTTP Basic. ``GenerateLabel`` is
never repeated by the client: every call hands out a new ident code.

SOAP faults and HTTP errors become typed errors: a ``Client`` fault or an item
error is a :class:`~.errors.CarrierValidationError` with the carrier's code and
message, a ``Server`` fault or a 5xx a :class:`~.errors.CarrierServerError`, a 401
a :class:`~.errors.CarrierAuthError`, no answer a
:class:`~.errors.CarrierConnectionError`.
"""

import base64
import logging
import re
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.transports import Transport

from ._http import RemoteClient, call_with_retries, excerpt
from .errors import (
    CarrierAuthError,
    CarrierConnectionError,
    CarrierError,
    CarrierRateLimitError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
)
from .models import Label, PackageLabel, Purchase

PRODUCTION_WSDL = "https://wsbc.post.ch/wsbc/barcode/v2_4?wsdl"
COD_SERVICE = "BLN"  # cash on delivery
COD_AMOUNT_TYPE = "NN_BETRAG"  # its amount, an AdditionalData of the item
LABEL_LAYOUTS = ("A5", "A6", "A7", "FE")
IMAGE_TYPES = {
    "PDF": "PDF",
    "ZPL": "ZPL2",
    "ZPL2": "ZPL2",
    "GIF": "GIF",
    "PNG": "PNG",
    "JPG": "JPG",
}

logger = logging.getLogger(__name__)


_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _is_soap(content):
    try:
        root = etree.fromstring(content, _SAFE_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return False
    return etree.QName(root).localname == "Envelope"


class _Transport(Transport):
    """zeep's transport, but an answer that is no SOAP message keeps its HTTP status.

    (zeep would report a 401 page of the gateway as an "unknown fault".)
    """

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        if response.status_code >= 400 and not _is_soap(response.content):
            raise zeep.exceptions.TransportError(
                status_code=response.status_code, content=response.content
            )
        return response


class PostLogisticsClient(RemoteClient):
    system = "Swiss Post"

    def __init__(
        self,
        username,
        password,
        franking_license,
        sender,
        wsdl_url=PRODUCTION_WSDL,
        service_url=None,
        language="en",
        **transport,
    ):
        """``transport``: ``session``, ``timeout``, ``retry``, ``sleep``, ``rng``,
        ``clock`` (oms_core's :class:`~odoo.addons.oms_core.http_core.RemoteClient`)."""
        self.franking_license = franking_license
        self.sender = sender
        self.wsdl_url = wsdl_url
        self.service_url = service_url
        self.language = language
        self._set_transport(**transport)
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._auth_header = {"Authorization": f"Basic {token}"}
        self._client = None
        self._service = None

    # --- WSDL --------------------------------------------------------------------------------
    def _load(self):
        if self._service is not None:
            return self._service
        client = call_with_retries(self._new_zeep_client, self.retry, self.sleep, self.rng)
        if self.service_url:
            binding = next(iter(client.wsdl.bindings))
            self._service = client.create_service(binding, self.service_url)
        else:
            self._service = client.service
            # The credentials go where the WSDL says: only to the scheme, host and
            # port the WSDL came from (the URL an administrator set), never to
            # another server or over http the WSDL would name.
            address = self._service._binding_options.get("address") or ""
            if _origin(address) != _origin(self.wsdl_url):
                self._service = None
                raise CarrierResponseError(
                    f"{self.system}: the WSDL sends the calls to {address!r:.100}, not to "
                    f"the server it came from; set the service URL to use another one"
                )
        self._client = client
        return self._service

    def _new_zeep_client(self):
        """A zeep client on the WSDL, through the session of the HTTP core."""
        transport = _Transport(
            session=self.session, timeout=self.timeout, operation_timeout=self.timeout
        )
        try:
            return zeep.Client(self.wsdl_url, transport=transport)
        except (requests.RequestException, zeep.exceptions.TransportError) as error:
            raise self._typed(error) from error

    # --- errors --------------------------------------------------------------------------------
    def _typed(self, error):
        if isinstance(error, zeep.exceptions.ValidationError):
            return self._refused_by_schema(error)
        if isinstance(error, zeep.exceptions.Fault):
            code = (error.code or "").split(":")[-1]
            detail_code = None
            if isinstance(error.detail, etree._Element):
                found = [
                    node.text
                    for node in error.detail.iter()
                    if node.text and node is not error.detail
                ]
                detail_code = found[0].strip() if found else None
            kind = CarrierServerError if code == "Server" else CarrierValidationError
            return kind(
                f"{self.system} refused the request: {error.message}",
                status=500,
                code=detail_code or code,
                details=(error.message,),
            )
        http_error = isinstance(error, requests.HTTPError) and error.response is not None
        if http_error or isinstance(error, zeep.exceptions.TransportError):
            status = error.response.status_code if http_error else error.status_code
            content = error.response.content if http_error else error.content
            kind = (
                CarrierAuthError
                if status in (401, 403)
                else CarrierRateLimitError
                if status == 429
                else CarrierServerError
                if status >= 500
                else CarrierValidationError
            )
            return kind(
                f"{self.system} answered HTTP {status}",
                status=status,
                body_excerpt=excerpt(content or b""),
            )
        if isinstance(error, requests.RequestException):
            return CarrierConnectionError(
                f"{self.system} could not be reached ({type(error).__name__})"
            )
        if isinstance(error, zeep.exceptions.Error):
            return CarrierResponseError(f"{self.system} answered unexpectedly: {error}")
        return CarrierError(str(error))

    # --- operations ------------------------------------------------------------------------------
    def generate_label(
        self,
        recipient,
        services=("PRI",),
        parcel=None,
        image_format="PDF",
        label_layout="A6",
        resolution=300,
        print_addresses="RecipientAndCustomer",
        item_number="",
        free_text="",
        parcel_no=None,
        parcel_total=None,
        delivery_date=None,
        cod_amount=None,
    ):
        """One parcel's label: a :class:`Purchase` whose tracking number is the ident code.

        Everything sits where the v2.4 schema puts it: the weight in grams in
        ``Attributes/Dimensions/Weight`` (v2.4's ``Dimensions`` holds nothing else),
        our reference in ``ItemID`` and its digits in ``ItemNumber`` (at most 8),
        cash on delivery as the ``BLN`` service with its amount in
        ``AdditionalINFOS/AdditionalData`` (type ``NN_BETRAG``).
        """
        image_type = IMAGE_TYPES.get(image_format.upper())
        if image_type is None:
            raise ValueError(f"Swiss Post has no {image_format} labels")
        if label_layout not in LABEL_LAYOUTS:
            raise ValueError(f"unknown label layout {label_layout}")
        # "PRI, FRA" as a user types it: the schema's PRZL takes no spaces
        services = [code.strip() for code in services if code.strip()]
        if cod_amount is not None and COD_SERVICE not in services:
            services.append(COD_SERVICE)
        attributes = {"PRZL": services}
        if free_text:
            attributes["FreeText"] = free_text[:34]
        if delivery_date:
            attributes["DeliveryDate"] = delivery_date
        if parcel_no:
            attributes["ParcelNo"] = parcel_no
            attributes["ParcelTotal"] = parcel_total or parcel_no
        if parcel is not None:
            grams = (Decimal(parcel.weight_kg) * 1000).quantize(Decimal(1), ROUND_HALF_UP)
            attributes["Dimensions"] = {"Weight": int(grams)}
        item = {"ItemID": _item_id(item_number) or "1", "Recipient": self._recipient(recipient)}
        digits = "".join(c for c in item_number if c.isdigit())[-8:]
        if digits:
            item["ItemNumber"] = digits
        if cod_amount is not None:
            amount = Decimal(cod_amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
            item["AdditionalINFOS"] = {
                "AdditionalData": [{"Type": COD_AMOUNT_TYPE, "Value": f"{amount:.2f}"}]
            }
        item["Attributes"] = attributes
        envelope = {
            "LabelDefinition": {
                "LabelLayout": label_layout,
                "PrintAddresses": print_addresses,
                "ImageFileType": image_type,
                "ImageResolution": resolution,
                "PrintPreview": False,
            },
            "FileInfos": {
                "FrankingLicense": self.franking_license,
                "PpFranking": False,
                "Customer": self._customer(self.sender),
            },
            "Data": {"Provider": {"Sending": {"Item": [item]}}},
        }
        service = self._load()
        start = self.clock()
        try:
            with self._client.settings(extra_http_headers=self._auth_header):
                answer = service.GenerateLabel(Language=self.language, Envelope=envelope)
        except (requests.RequestException, zeep.exceptions.Error) as error:
            logger.warning(
                "GenerateLabel to %s failed after %.0f ms: %s",
                self.system,
                (self.clock() - start) * 1000,
                type(error).__name__,
            )
            raise self._typed(error) from error
        except (TypeError, ValueError) as error:
            # zeep refusing what we built (an element the schema does not have
            # there, a value of the wrong type) before anything was sent
            raise self._refused_by_schema(error) from error
        logger.info("GenerateLabel → %s in %.0f ms", self.system, (self.clock() - start) * 1000)
        return self._parse(answer, image_type, services, item["ItemID"])

    def _refused_by_schema(self, error):
        """A :class:`CarrierValidationError` naming the field the schema refused."""
        field = _field_of(error)
        return CarrierValidationError(
            f"{self.system}: the request does not fit the service's schema at {field}: "
            f"{str(error).split(' Signature: ')[0]:.300}",
            code="schema",
            details=(field,),
        )

    def _parse(self, answer, image_type, services, item_id):
        """The one item of the answer as a :class:`Purchase`. The answer echoes the
        item's ``ItemID``: one that is not ours is about another parcel, refused."""
        try:
            # zeep unwraps the answer's leading single-child levels: skip what is left of them
            node = answer
            for name in ("Envelope", "Data", "Provider", "Sending"):
                if name in node:
                    node = node[name]
            (result,) = node["Item"]
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise CarrierResponseError(
                f"{self.system}: no item in the GenerateLabel answer"
            ) from error
        answered = getattr(result, "ItemID", None)
        if answered and answered != item_id:
            raise CarrierResponseError(
                f"{self.system}: the label answer is about item {answered!s:.40}, not {item_id}"
            )
        if result.Errors is not None and result.Errors.Error:
            errors = result.Errors.Error
            raise CarrierValidationError(
                f"{self.system} refused the parcel: " + "; ".join(e.Message for e in errors),
                code=errors[0].Code,
                details=tuple(f"{e.Code}: {e.Message}" for e in errors),
            )
        if result.Warnings is not None:
            for warning in result.Warnings.Warning:
                logger.info("%s warning %s: %s", self.system, warning.Code, warning.Message)
        if not result.IdentCode or not result.Label:
            raise CarrierResponseError(f"{self.system}: no ident code or label in the answer")
        file_format = "ZPL" if image_type == "ZPL2" else image_type
        return Purchase(
            shipment_id=result.IdentCode,
            tracking_number=result.IdentCode,
            packages=(PackageLabel(result.IdentCode, Label(file_format, bytes(result.Label))),),
            carrier=self.system,
            service="+".join(services),
        )

    @staticmethod
    def _customer(address):
        customer = {
            "Name1": (address.company or address.name)[:25],
            "Street": address.street[:25],
            "ZIP": address.zip,  # an integer of at most 6 digits to the schema
            "City": address.city[:25],
            "Country": address.country,
        }
        if address.company and address.name:
            customer["Name2"] = address.name[:25]
        return customer

    @staticmethod
    def _recipient(address):
        recipient = {
            "Name1": address.name[:35],
            "Street": address.street1[:35],
            "ZIP": address.zip,
            "City": address.city[:35],
            "Country": address.country,
        }
        if address.company:
            recipient["Name2"] = address.company[:35]
        if address.street2:
            recipient["AddressSuffix"] = address.street2[:35]
        if address.house_no:
            recipient["HouseNo"] = address.house_no[:10]
        phone = "".join(address.phone.split())
        if 10 <= len(phone) <= 20:  # the schema's bounds for a phone number
            recipient["Phone"] = phone
        elif phone:
            logger.info("Swiss Post: phone number %r left out (10 to 20 characters)", phone)
        if address.email:
            recipient["EMail"] = address.email[:160]
        return recipient


def tracking_url(ident_code):
    """The public Swiss Post tracking page of a parcel."""
    return f"https://www.post.ch/swisspost-tracking?formattedParcelCodes={ident_code}"


def _item_id(reference):
    """Our reference as an ``ItemID``: without the characters the schema refuses."""
    return re.sub(r'[<>?"|:\\/*]', "-", reference or "")[:200]


def _field_of(error):
    """The element zeep refused, from its exception: ``Type.Field`` when it says."""
    path = getattr(error, "path", None)
    if path:
        return ".".join(str(p) for p in path)
    text = str(error)
    found = re.search(r"(?:\}|^)(\w+)\(\) got an unexpected keyword argument '(\w+)'", text)
    if found:
        return f"{found.group(1)}.{found.group(2)}"
    found = re.search(r"'(\w+)'", text)
    return found.group(1) if found else type(error).__name__


def _origin(url):
    parts = urlsplit(url or "")
    scheme = parts.scheme.lower()
    return (scheme, parts.hostname, parts.port or {"https": 443, "http": 80}.get(scheme))
