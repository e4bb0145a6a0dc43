import json
import logging
import time

from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, http
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.oms_core.http_core import WEBHOOK_ROUTE

from ..carrier_clients import DriverUpdateError, parse_driver_update, verify_driver_request
from ..carrier_clients.driver_app import SIGNATURE_HEADER, TIMESTAMP_HEADER
from .tracking_webhook import carrier_of_webhook

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024


class ParcelTracking(http.Controller):
    @http.route("/oms/track/<string:token>", type="http", auth="public")
    def parcel_page(self, token, **_kwargs):
        """The public page of an own-fleet parcel, by its unguessable token."""
        Shipment = request.env["oms.carrier.shipment"].sudo()
        parcel = Shipment.search([("access_token", "=", token)], limit=1) if token else Shipment
        if not parcel or not consteq(parcel.access_token, token) or parcel.voided:
            raise request.not_found()
        return request.render(
            "oms_carriers.oms_parcel_tracking_page", {"parcel": parcel, "heading": False}
        )

    @http.route(
        "/oms/carriers/<int:carrier_id>/driver",
        **WEBHOOK_ROUTE,
        max_content_length=MAX_BODY_BYTES,
    )
    def driver_update(self, carrier_id, **_kwargs):
        """A status update from our drivers' app, signed with the carrier's secret
        (HMAC of the timestamp and the body), within the time window, never twice."""
        env = request.env(user=SUPERUSER_ID)
        carrier, refused = carrier_of_webhook(
            env["delivery.carrier"], carrier_id, "oms_own_fleet", MAX_BODY_BYTES
        )
        if refused:
            return refused
        raw = request.httprequest.get_data()
        headers = request.httprequest.headers
        try:
            verify_driver_request(
                raw,
                headers.get(TIMESTAMP_HEADER),
                headers.get(SIGNATURE_HEADER),
                carrier.oms_webhook_secret,
                time.time(),
            )
            event_id, tracking = parse_driver_update(json.loads(raw))
        except DriverUpdateError as error:
            _logger.info("Own fleet %s: driver update refused: %s", carrier_id, error)
            return request.make_json_response({"status": str(error)}, status=error.status)
        except (ValueError, RecursionError):
            return request.make_json_response({"status": "the body is not JSON"}, status=400)
        # The event id is kept with what it applied, or not at all: an update
        # about a parcel not known (yet) may be sent again, not refused as a replay.
        try:
            with env.cr.savepoint():
                env["oms.carrier.driver.nonce"].create(
                    {"carrier_id": carrier.id, "event_id": event_id}
                )
                shipment = env["oms.carrier.shipment"]._oms_apply_tracking(
                    tracking, carrier=carrier
                )
                if not shipment:
                    raise _UnknownParcel
        except IntegrityError:
            _logger.warning("Own fleet %s: driver update %s replayed", carrier_id, event_id)
            return request.make_json_response({"status": "already received"}, status=409)
        except _UnknownParcel:
            return request.make_json_response({"status": "unknown parcel"}, status=404)
        return request.make_json_response({"status": "received"})


class _UnknownParcel(Exception):
    """No parcel of the carrier has the update's tracking number."""
