"""Amazon SP-API: Login with Amazon credentials, Orders v0; no webhooks."""

from datetime import timedelta, timezone

from ..channel_clients import AmazonSpClient
from ..channel_clients.amazon import ENDPOINTS, TOKEN_URL
from ..channel_mappers import map_amazon_order
from .base import ChannelConnector, ConnectionCheck, register

# Without a cursor, a first pull looks this far back (getOrders needs a date).
FIRST_PULL_DAYS = 30


@register("amazon")
class AmazonConnector(ChannelConnector):
    label = "Amazon SP-API"
    default_api_url = ENDPOINTS["eu"]
    credential_fields = (
        "api_base_url",
        "amazon_client_id",
        "amazon_client_secret",
        "amazon_refresh_token",
        "amazon_marketplace_ids",
        "amazon_token_url",
    )
    has_api = True
    fee_kinds = ("gift_wrap", "cod_fee")

    def locate(self, payload):
        order = payload.get("Order") if isinstance(payload.get("Order"), dict) else {}
        return order.get("AmazonOrderId"), order.get("LastUpdateDate"), "Order.AmazonOrderId"

    def map_order(self, body, **options):
        return map_amazon_order(body, **options)

    def client(self):
        url, client_id, secret, refresh, marketplaces = self._required(
            "api_base_url",
            "amazon_client_id",
            "amazon_client_secret",
            "amazon_refresh_token",
            "amazon_marketplace_ids",
        )
        return AmazonSpClient(
            url,
            client_id,
            secret,
            refresh,
            [m.strip() for m in marketplaces.split(",") if m.strip()],
            token_url=self.credentials.get("amazon_token_url") or TOKEN_URL,
        )

    def first_pull_since(self, import_from, now):
        # getOrders needs a date: older open orders are looked for 30 days back.
        start = import_from.replace(tzinfo=timezone.utc) if import_from else now
        return start - timedelta(days=FIRST_PULL_DAYS)

    def test_connection(self, client):
        client.test_connection()
        return ConnectionCheck("Amazon")

    def iter_orders(self, client, since=None):
        return client.iter_orders(since.strftime("%Y-%m-%dT%H:%M:%SZ"))
