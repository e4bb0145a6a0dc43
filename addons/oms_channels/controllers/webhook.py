import json
import logging

from odoo import http
from odoo.http import request

from ..channel_clients.webhooks import (
    SHOPIFY_SIGNATURE_HEADER,
    WOOCOMMERCE_SIGNATURE_HEADER,
    verify_signature,
)

_logger = logging.getLogger(__name__)

# Larger bodies are refused unread (413). Smaller ones are stored even when no
# order can be that large: the inbox keeps them, in error, with the reason.
MAX_BODY_BYTES = 32 * 1024 * 1024
SIGNATURE_HEADERS = {
    "shopify": SHOPIFY_SIGNATURE_HEADER,
    "woocommerce": WOOCOMMERCE_SIGNATURE_HEADER,
}
TOPIC_HEADERS = {"shopify": "X-Shopify-Topic", "woocommerce": "X-WC-Webhook-Topic"}


class ChannelWebhookController(http.Controller):
    """Receives channel webhooks: signature first, then the inbox, then 200.

    Nothing is stored for a request whose signature does not match; a valid
    payload is stored before the answer and processed later, in batches (see
    ``oms.channel._oms_queue_webhook_import``), so the channel never waits for
    an order to be created.
    """

    @http.route(
        "/oms/channels/<int:channel_id>/webhook",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, channel_id, **_kwargs):
        channel = request.env["oms.channel"].sudo().browse(channel_id).exists()
        header = SIGNATURE_HEADERS.get(channel.channel_type) if channel else None
        if not channel or not channel.active or not header:
            return self._answer(404, "unknown channel")
        length = request.httprequest.content_length or 0
        if length > MAX_BODY_BYTES:
            _logger.warning("Channel %s: webhook of %s bytes refused", channel_id, length)
            return self._answer(413, "payload too large")
        # Cached: Odoo replays a request after a concurrency error.
        raw = request.httprequest.get_data()
        if len(raw) > MAX_BODY_BYTES:
            return self._answer(413, "payload too large")
        signature = request.httprequest.headers.get(header)
        if not verify_signature(raw, signature, channel.webhook_secret):
            _logger.warning(
                "Channel %s: webhook with a %s signature refused",
                channel_id,
                "wrong" if signature else "missing",
            )
            return self._answer(401, "invalid signature")
        try:
            text = raw.decode("utf-8")
            json.loads(text)
        except (UnicodeDecodeError, ValueError):
            return self._answer(400, "the body is not JSON")
        topic = request.httprequest.headers.get(TOPIC_HEADERS[channel.channel_type])
        inbox, created = (
            request.env["oms.channel.inbox"]
            .sudo()
            ._oms_store(channel, "webhook", text, topic=topic)
        )
        if created and inbox.state == "received":
            channel._oms_queue_webhook_import()
        return self._answer(200, "received" if created else "already received", inbox.id)

    @staticmethod
    def _answer(status, message, inbox_id=None):
        body = {"status": message}
        if inbox_id:
            body["inbox_id"] = inbox_id
        return request.make_json_response(body, status=status)
