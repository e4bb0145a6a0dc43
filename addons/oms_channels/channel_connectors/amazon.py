"""Amazon SP-API: Login with Amazon credentials, Orders v0; no webhooks."""

from datetime import timedelta, timezone

from ..channel_clients import AmazonSpClient, ChannelValidationError
from ..channel_clients.amazon import ENDPOINTS, TOKEN_URL
from ..channel_mappers import map_amazon_order
from .base import (
    CancelSent,
    ChannelConnector,
    ConnectionCheck,
    MissingSetting,
    Refused,
    StockPush,
    register,
)

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
        "amazon_seller_id",
    )
    has_api = True
    fee_kinds = ("gift_wrap", "cod_fee")
    listings_by_sku = True
    cancels_unshipped_only = True

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

    def seller_id(self):
        """The seller id the inventory feed and the catalogue need."""
        if not self.credentials.get("amazon_seller_id"):
            raise MissingSetting("Amazon seller id")
        return self.credentials["amazon_seller_id"]

    def iter_catalogue(self, client):
        return client.iter_catalogue(self.seller_id())

    def push_stock(self, client, lines):
        """Absolute figures: the listings feed's ``fulfillment_availability``
        quantity has no conditional or delta form. Listings are keyed by SKU."""
        feed_id = client.submit_inventory(
            self.seller_id(), {line.sku: line.quantities[None] for line in lines}
        )
        return StockPush(tuple(line.key for line in lines), {}, f"Feed {feed_id}")

    def push_shipment(self, client, shipment):
        """confirmShipment of the package; Amazon refuses a package it has
        already: the first try went through and only its answer was lost."""
        if not shipment.tracking:
            raise Refused(f"Amazon needs a tracking number to confirm {shipment.reference}.")
        items = {
            line_id: int(quantity)
            for line_id, quantity in shipment.shipped.items()
            if int(quantity) > 0
        }
        try:
            client.confirm_shipment(
                shipment.order_id,
                package_reference_id=shipment.package_id,
                carrier_code="Other",
                carrier_name=shipment.carrier or "Other",
                tracking_number=shipment.tracking,
                ship_date=shipment.ship_date,
                items=items,
            )
        except ChannelValidationError as error:
            if "already used" not in str(error):
                raise
        return str(shipment.package_id)

    def cancel_order(self, client, cancellation):
        """The order acknowledgement feed: ``BuyerCanceled`` when the buyer asked
        for it, otherwise ``GeneralAdjustment``."""
        reason = "BuyerCanceled" if cancellation.buyer_asked else "GeneralAdjustment"
        feed_id = client.cancel_order(
            self.seller_id(), cancellation.order_id, list(cancellation.item_ids), reason=reason
        )
        return CancelSent(feed_id, reason)

    def iter_orders(self, client, since=None):
        return client.iter_orders(since.strftime("%Y-%m-%dT%H:%M:%SZ"))
