import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.oms_core.http_core import WEBHOOK_ROUTE, refusal

_logger = logging.getLogger(__name__)

# Larger bodies are refused unread (413). Smaller ones are stored even when no
# order can be that large: the inbox keeps them, in error, with the reason.
MAX_BODY_BYTES = 32 * 1024 * 1024


class ChannelWebhookController(http.Controller):
    """Receives channel webhooks: signature first, then the inbox, then 200.

    Nothing is stored for a request whose signature does not match; a valid
    payload is stored before the answer and processed later, in batches (see
    ``oms.channel._oms_queue_webhook_import``), so the channel never waits for
    an order to be created.

    Nothing is read before the channel is known (it is in the URL) and the
    declared length is within ``MAX_BODY_BYTES`` (also the route's
    ``max_content_length``, which bounds a body without a declared length and
    the form parsing of Odoo's dispatch). A body that is not JSON, is nested
    too deep to read, is not an object or has an update time that is not a date
    is answered 400. Which headers sign a delivery and say its topic, and when a
    body is refused, the channel kind's connector says (channel_connectors).
    """

    @http.route(
        "/oms/channels/<int:channel_id>/webhook",
        **WEBHOOK_ROUTE,
        max_content_length=MAX_BODY_BYTES,
    )
    def receive(self, channel_id, **_kwargs):
        channel = request.env["oms.channel"].sudo().browse(channel_id).exists()
        connector = channel._oms_connector() if channel else None
        length = request.httprequest.content_length
        refused = refusal(
            channel and channel.active and connector.receives_webhooks(),
            length,
            MAX_BODY_BYTES,
            "channel",
            length_required=False,  # the body read is bounded below
        )
        if refused:
            if refused[0] == 413:
                _logger.warning("Channel %s: webhook of %s bytes refused", channel_id, length)
            return self._answer(*refused)
        # Cached: Odoo replays a request after a concurrency error.
        raw = request.httprequest.get_data()
        if len(raw) > MAX_BODY_BYTES:
            return self._answer(413, "payload too large")
        headers = request.httprequest.headers
        if not connector.verify_webhook(headers, raw, channel.webhook_secret):
            signature = connector.webhook_signature(headers)
            _logger.warning(
                "Channel %s: webhook with a %s signature refused",
                channel_id,
                "wrong" if signature else "missing",
            )
            return self._answer(401, "invalid signature")
        try:
            text = raw.decode("utf-8")
            payload = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            return self._answer(400, "the body is not JSON")
        except RecursionError:
            return self._answer(400, "the body is nested too deep")
        problem = connector.webhook_problem(payload)
        if problem:
            _logger.info("Channel %s: webhook refused: %s", channel_id, problem)
            return self._answer(400, problem)
        topic = connector.webhook_topic(headers)
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
