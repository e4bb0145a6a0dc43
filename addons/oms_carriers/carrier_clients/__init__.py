"""Clients of the carriers' APIs and our own labels, in plain Python (no ``odoo`` import)."""

from ._http import DEFAULT_TIMEOUT, NO_RETRY, RetryPolicy
from .errors import (
    CarrierAuthError,
    CarrierConnectionError,
    CarrierError,
    CarrierNotFoundError,
    CarrierRateLimitError,
    CarrierResponseError,
    CarrierServerError,
    CarrierValidationError,
)
from .models import (
    Address,
    AddressCheck,
    CarrierMessage,
    CustomsInfo,
    CustomsItem,
    Fee,
    Label,
    PackageLabel,
    Parcel,
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
from .webhooks import EASYPOST_SIGNATURE_HEADER, easypost_signature, verify_easypost_signature
from .easypost import EasyPostClient, parse_event as parse_easypost_event
from .ups import UpsClient, tracking_url as ups_tracking_url
from .fedex import FedExClient, tracking_url as fedex_tracking_url
from .postlogistics import PostLogisticsClient, tracking_url as postlogistics_tracking_url
from .driver_app import (
    DriverUpdateError,
    driver_signature,
    parse_driver_update,
    verify_driver_request,
)
from .notices import EXCEPTION_KINDS, exception_kind
from .own_fleet import OwnLabel, render_pdf as own_label_pdf, render_zpl as own_label_zpl
from .zpl import RenderedZpl, zpl_to_pdf
