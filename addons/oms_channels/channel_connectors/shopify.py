"""Shopify: GraphQL Admin API, signed webhooks, refunds/create."""

from ..channel_clients import ShopifyClient
from ..channel_clients.webhooks import SHOPIFY_SIGNATURE_HEADER
from ..channel_mappers import map_shopify_order
from ..channel_mappers.refund import is_shopify_refund, map_shopify_refund, refund_ref
from .base import ChannelConnector, ConnectionCheck, register


@register("shopify")
class ShopifyConnector(ChannelConnector):
    label = "Shopify"
    credential_fields = ("api_base_url", "shopify_access_token")
    signature_header = SHOPIFY_SIGNATURE_HEADER
    topic_header = "X-Shopify-Topic"
    webhook_version_key = "updated_at"
    refund_topic = "refunds/create"
    has_api = True
    reads_risks = True

    def locate(self, payload):
        if is_shopify_refund(payload):
            # A refunds/create body: a refund, kept apart from the orders' ids.
            refund_id = payload.get("id")
            key = refund_ref(refund_id) if refund_id not in (None, "") else None
            return key, payload.get("created_at"), "id"
        return payload.get("id"), payload.get("updated_at"), "id"

    def map_order(self, body, **options):
        return map_shopify_order(body, **options)

    def map_refund(self, body):
        return map_shopify_refund(body)

    def order_risks(self, client, external_id):
        return client.get_order_risks(external_id)

    def client(self):
        url, token = self._required("api_base_url", "shopify_access_token")
        return ShopifyClient(url, token)

    def test_connection(self, client):
        shop = client.test_connection()
        return ConnectionCheck("Shopify", shop=shop.name, currency=shop.currency)

    def iter_orders(self, client, since=None):
        return client.iter_orders(updated_at_min=since.isoformat() if since else None)
