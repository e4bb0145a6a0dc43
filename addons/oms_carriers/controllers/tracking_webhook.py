import json
import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from odoo.addons.oms_core.http_core import WEBHOOK_ROUTE, refusal

from ..carrier_clients import (
    EASYPOST_SIGNATURE_HEADER,
    parse_easypost_event,
    verify_easypost_signature,
)

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024


def carrier_of_webhook(carriers, carrier_id, delivery_type, max_bytes):
    """``(carrier, None)``: the active carrier of ``delivery_type`` a webhook's URL
    names (in ``carriers``' environment), when the length it declares is within
    ``max_bytes``; else ``(None, the answer refusing it)``, its body unread."""
    carrier = carriers.browse(carrier_id).exists()
    refused = refusal(
        carrier and carrier.active and carrier.delivery_type == delivery_type,
        request.httprequest.content_length,
        max_bytes,
        "carrier",
    )
    if refused:
        return None, request.make_json_response({"status": refused[1]}, status=refused[0])
    return carrier, None


class CarrierTrackingWebhook(http.Controller):
    """EasyPost's tracker webhooks: the carrier from the URL, the declared length,
    the signature, and only then the parcels of that carrier."""

    @http.route(
        "/oms/carriers/<int:carrier_id>/webhook",
        **WEBHOOK_ROUTE,
        max_content_length=MAX_BODY_BYTES,
    )
    def receive(self, carrier_id, **_kwargs):
        # Nothing of the body is read before the carrier is known (an active OMS
        # EasyPost carrier) and the length it declares is within the limit.
        carrier, refused = carrier_of_webhook(
            request.env["delivery.carrier"].sudo(), carrier_id, "oms_easypost", MAX_BODY_BYTES
        )
        if refused:
            return refused
        # At most the declared length; cached, as a request retried after a
        # serialization failure reads it again.
        raw = request.httprequest.get_data()
        signature = request.httprequest.headers.get(EASYPOST_SIGNATURE_HEADER)
        if not verify_easypost_signature(raw, signature, carrier.oms_webhook_secret):
            _logger.warning("Carrier %s: tracking webhook with a bad signature refused", carrier_id)
            return request.make_json_response({"status": "invalid signature"}, status=401)
        try:
            event = parse_easypost_event(json.loads(raw))
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError, JSON, shape
            _logger.info("Carrier %s: tracking webhook refused: %.200s", carrier_id, error)
            return request.make_json_response({"status": "the body is not an event"}, status=400)
        if event.tracking:
            # No user signs a carrier's webhook: what it changes is done as the system
            # (timeline events, the customer's "delivered" mail, activities), for the
            # parcels of this carrier (and its company) only: its secret signed it.
            env = request.env(user=SUPERUSER_ID)
            env["oms.carrier.shipment"]._oms_apply_tracking(
                event.tracking, carrier=carrier.with_env(env)
            )
        return request.make_json_response({"status": "received"})
