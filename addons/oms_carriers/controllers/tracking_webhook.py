import json
import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..carrier_clients import (
    EASYPOST_SIGNATURE_HEADER,
    parse_easypost_event,
    verify_easypost_signature,
)

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024


class CarrierTrackingWebhook(http.Controller):
    """EasyPost's tracker webhooks: signature first, then the parcel's tracking."""

    @http.route(
        "/oms/carriers/<int:carrier_id>/webhook",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, carrier_id, **_kwargs):
        carrier = request.env["delivery.carrier"].sudo().browse(carrier_id).exists()
        if not carrier or carrier.delivery_type != "oms_easypost":
            return request.make_json_response({"status": "unknown carrier"}, status=404)
        raw = request.httprequest.get_data()
        if len(raw) > MAX_BODY_BYTES:
            return request.make_json_response({"status": "payload too large"}, status=413)
        signature = request.httprequest.headers.get(EASYPOST_SIGNATURE_HEADER)
        if not verify_easypost_signature(raw, signature, carrier.oms_webhook_secret):
            _logger.warning("Carrier %s: tracking webhook with a bad signature refused", carrier_id)
            return request.make_json_response({"status": "invalid signature"}, status=401)
        try:
            event = parse_easypost_event(json.loads(raw))
        except (ValueError, AttributeError, TypeError):
            return request.make_json_response({"status": "the body is not an event"}, status=400)
        if event.tracking:
            # No user signs a carrier's webhook: what it changes is done as the system
            # (timeline events, the customer's "delivered" mail, activities).
            env = request.env(user=SUPERUSER_ID)
            env["oms.carrier.shipment"]._oms_apply_tracking(event.tracking)
        return request.make_json_response({"status": "received"})
