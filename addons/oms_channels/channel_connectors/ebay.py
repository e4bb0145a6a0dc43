"""eBay: Sell Fulfillment and Sell Inventory APIs with an OAuth user token
refreshed from the seller's refresh token; no webhooks (orders are pulled on
the schedule)."""

from datetime import timezone

from ..channel_clients.ebay import ENDPOINTS, EbayClient, ebay_time
from ..channel_mappers import MappingError
from ..channel_mappers.ebay import (
    ebay_order_refunds,
    is_ebay_refund,
    map_ebay_order,
    map_ebay_refund,
)
from ..channel_mappers.refund import refund_ref
from .base import ChannelConnector, ConnectionCheck, Refused, StockPush, parse_time, register


@register("ebay")
class EbayConnector(ChannelConnector):
    label = "eBay"
    default_api_url = ENDPOINTS["production"]
    credential_fields = (
        "api_base_url",
        "ebay_client_id",
        "ebay_client_secret",
        "ebay_refresh_token",
    )
    has_api = True
    # Inventory items are keyed by the seller's SKU.
    listings_by_sku = True
    # The Fulfillment API has no cancellation (eBay's Post-Order API, a separate
    # API and auth, does): an order cancelled in Odoo is cancelled in Seller Hub.
    pushes_cancellations = False
    # An order lists its refunds (paymentSummary.refunds): each completed one is
    # stored once as a refund of its own (ebay_order_refunds), read from the order.
    lists_refunds_by_id = True

    def locate(self, payload):
        if is_ebay_refund(payload):
            refund_id = payload.get("id")
            key = refund_ref(refund_id) if refund_id not in (None, "") else None
            return key, payload.get("refundDate"), "id"
        return payload.get("orderId"), payload.get("lastModifiedDate"), "orderId"

    def map_order(self, body, **options):
        return map_ebay_order(body)

    def map_refund(self, body):
        return map_ebay_refund(body)

    def listed_refund_ids(self, payload):
        """The completed refunds of the order; kept to be given back by
        :meth:`list_refunds` without asking eBay again (the order carries them)."""
        try:
            refunds = ebay_order_refunds(payload)
        except MappingError:
            return []  # an order that cannot be read is in error already
        self.__dict__.setdefault("_listed_refunds", {})[str(payload.get("orderId"))] = refunds
        return [refund["id"] for refund in refunds]

    def list_refunds(self, client, external_id):
        listed = self.__dict__.get("_listed_refunds", {})
        if external_id in listed:
            return listed[external_id]
        return ebay_order_refunds(client.get_order(external_id).payload)

    def client(self):
        url, client_id, secret, refresh = self._required(
            "api_base_url", "ebay_client_id", "ebay_client_secret", "ebay_refresh_token"
        )
        return EbayClient(url, client_id, secret, refresh)

    def test_connection(self, client):
        return ConnectionCheck("eBay", orders=client.test_connection())

    def iter_orders(self, client, since=None):
        return client.iter_orders(since)

    def iter_catalogue(self, client):
        return client.iter_catalogue()

    def push_stock(self, client, lines):
        """Absolute figures (``bulkUpdatePriceQuantity`` has no conditional form),
        by SKU; a SKU eBay does not know is refused with its words."""
        result = client.set_quantities({line.sku: line.quantities[None] for line in lines})
        refused = {line.key: result.errors[line.sku] for line in lines if line.sku in result.errors}
        pushed = tuple(line.key for line in lines if line.key not in refused)
        return StockPush(pushed, refused)

    def push_shipment(self, client, shipment):
        """A shipping fulfillment of the items shipped, found again rather than made
        twice (same tracking number) when a first answer was lost."""
        items = {
            line_id: int(quantity) for line_id, quantity in shipment.shipped.items() if quantity
        }
        if not items:
            raise Refused(f"{shipment.reference} ships no item of the eBay order.")
        return client.ship_once(
            shipment.order_id,
            items,
            _ebay_date(shipment.ship_date),
            carrier_code=carrier_code(shipment.carrier),
            tracking_number=shipment.tracking or None,
        )

    def cancel_order(self, client, cancellation):
        raise Refused(
            "eBay's Fulfillment API cannot cancel an order: cancel it in eBay's Seller Hub."
        )


# eBay's codes (its ShippingCarrierCodeType) of the carriers whose names Odoo's
# delivery methods carry; any other carrier is "Other", which eBay accepts.
CARRIER_CODES = (
    ("usps", "USPS"),
    ("ups", "UPS"),
    ("fedex", "FedEx"),
    ("dhl", "DHL"),
    ("canada post", "CanadaPost"),
    ("royal mail", "RoyalMail"),
    ("deutsche post", "DeutschePost"),
    ("swiss post", "SwissPost"),
    ("postlogistics", "SwissPost"),
    ("australia post", "AustraliaPost"),
)


def carrier_code(name):
    """eBay's code of an Odoo carrier name ("UPS Ground" → ``UPS``), else ``Other``."""
    words = " ".join((name or "").lower().replace("-", " ").split())
    for key, code in CARRIER_CODES:
        if f" {key} " in f" {words} ":
            return code
    return "Other"


def _ebay_date(text):
    """The shipment's date as eBay writes it (UTC, milliseconds, ``Z``)."""
    moment = parse_time(text)
    if moment.tzinfo is None:  # Odoo's dates are UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return ebay_time(moment)
