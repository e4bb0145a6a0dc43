"""WooCommerce: REST API v3 with a consumer key, signed webhooks."""

from ..channel_clients import WooCommerceClient
from ..channel_clients.webhooks import WOOCOMMERCE_SIGNATURE_HEADER
from ..channel_mappers import map_woocommerce_order
from ..channel_mappers.refund import is_woocommerce_refund, map_woocommerce_refund, refund_ref
from .base import ChannelConnector, ConnectionCheck, register


@register("woocommerce")
class WooCommerceConnector(ChannelConnector):
    label = "WooCommerce"
    credential_fields = ("api_base_url", "woocommerce_consumer_key", "woocommerce_consumer_secret")
    signature_header = WOOCOMMERCE_SIGNATURE_HEADER
    topic_header = "X-WC-Webhook-Topic"
    webhook_version_key = "date_modified_gmt"
    has_api = True
    lists_refunds_by_id = True

    def locate(self, payload):
        if is_woocommerce_refund(payload):
            refund_id = payload.get("id")
            key = refund_ref(refund_id) if refund_id not in (None, "") else None
            return key, payload.get("date_created_gmt"), "id"
        return payload.get("id"), payload.get("date_modified_gmt"), "id"

    def map_order(self, body, **options):
        return map_woocommerce_order(body, **options)

    def map_refund(self, body):
        return map_woocommerce_refund(body)

    def listed_refund_ids(self, payload):
        return [
            str(refund["id"])
            for refund in payload.get("refunds") or ()
            if isinstance(refund, dict) and refund.get("id") not in (None, "")
        ]

    def list_refunds(self, client, external_id):
        return client.list_refunds(external_id)

    def client(self):
        url, key, secret = self._required(
            "api_base_url", "woocommerce_consumer_key", "woocommerce_consumer_secret"
        )
        return WooCommerceClient(url, key, secret)

    def test_connection(self, client):
        return ConnectionCheck("WooCommerce", orders=client.test_connection())

    def iter_orders(self, client, since=None):
        # WooCommerce's modified_after is a GMT time without an offset.
        return client.iter_orders(
            modified_after=since.replace(tzinfo=None).isoformat() if since else None
        )
