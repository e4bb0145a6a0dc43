"""Amazon Selling Partner API client: Orders v0, shipment confirmation, Feeds 2021-06-30.

Auth: a Login with Amazon access token, got from the seller's refresh token with
the app's client id and secret (``POST /auth/o2/token``), sent in
``x-amz-access-token``. The token is kept until a minute before it expires; a
403 saying the token expired refreshes it once and repeats the call.

Buyer data: ``getOrders`` and ``getOrderItems`` give the buyer's name and email,
the full shipping address and each item's ``BuyerInfo`` (gift message, gift
wrap) only to calls made with a Restricted Data Token (Tokens API v2021-03-01)
in ``x-amz-access-token``; with the LWA token the address is down to city,
region, postcode and country. The client asks one RDT
(``createRestrictedDataToken``) for the generic resources of a pull
(:data:`ORDER_PII_RESOURCES`: ``GET /orders/v0/orders`` with ``buyerInfo`` and
``shippingAddress``, ``GET /orders/v0/orders/{orderId}/orderItems`` with
``buyerInfo``), reuses it until a minute before it expires (``expiresIn``, an
hour), and asks a new one once when a call made with it is refused (403: expired,
or no longer valid for the resource). When Amazon refuses the RDT itself (the
application lacks the roles for buyer data), or refuses the calls made with a
new one too, the client says why in
:attr:`AmazonSpClient.restricted_data_refused`, does not ask again, and reads
on with the LWA token: the orders come without address and buyer, never an
error.

Rate limits: SP-API answers 429 (``QuotaExceeded``) without ``Retry-After`` but
with ``x-amzn-RateLimit-Limit`` (requests per second); the client waits one
request's worth (60 s for ``getOrders`` at 0.0167/s) and resumes, so a long pull
goes on through the burst's end instead of failing.

Stock for merchant-fulfilled listings goes through a ``JSON_LISTINGS_FEED``:
create a feed document, upload the JSON to its URL, create the feed.

A merchant-fulfilled order not shipped yet is cancelled the same way, with the
order acknowledgement feed (``POST_ORDER_ACKNOWLEDGEMENT_DATA``, XML, schema
``OrderAcknowledgement.xsd``): ``StatusCode`` ``Failure`` and a ``CancelReason``
per item cancel the whole order. Amazon's documentation: never after an item
was confirmed shipped (the whole order would be refunded). The Orders API has
no cancel operation, and orders Amazon fulfils (FBA) are not the seller's to cancel.

The catalogue is read with the Listings Items API v2021-08-01
``searchListingsItems`` (one listing per seller SKU, its ASIN and title in
``summaries``), documented and paged by ``pageToken``; Amazon pages through at
most 1000 SKUs per search (the merchant listings report has no such cap but is
an asynchronous report to request, poll and download).
"""

import json
from dataclasses import dataclass
from xml.etree import ElementTree

from ._http import DEFAULT_TIMEOUT, RefreshTokenClient, ensure
from .errors import ChannelAuthError, ChannelValidationError
from .models import CatalogItem, RemoteOrder

ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
TOKEN_URL = "https://api.amazon.com/auth/o2/token"
TOKEN_HEADER = "x-amz-access-token"
RESTRICTED_DATA_TOKEN_PATH = "tokens/2021-03-01/restrictedDataToken"
# The restricted resources of a pull, generic paths: one RDT serves every order.
ORDER_PII_RESOURCES = (
    {
        "method": "GET",
        "path": "/orders/v0/orders",
        "dataElements": ["buyerInfo", "shippingAddress"],
    },
    {
        "method": "GET",
        "path": "/orders/v0/orders/{orderId}/orderItems",
        "dataElements": ["buyerInfo"],
    },
)
# Marks a call that wants the RDT; taken out of the headers before sending.
_RESTRICTED_CALL = "x-oms-restricted-call"
RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"
FEED_CONTENT_TYPE = "application/json; charset=UTF-8"
# searchListingsItems: pageSize 1 to 20 (default 10); no more than 1000 SKUs can be
# paged through in one search.
LISTINGS_PAGE_SIZE = 20
XML_FEED_CONTENT_TYPE = "text/xml; charset=UTF-8"
ORDER_ACKNOWLEDGEMENT_FEED = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
# The CancelReason values of OrderAcknowledgement.xsd.
CANCEL_REASONS = (
    "NoInventory",
    "ShippingAddressUndeliverable",
    "CustomerExchange",
    "BuyerCanceled",
    "GeneralAdjustment",
    "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure",
    "CustomerReturn",
    "MerchandiseNotReceived",
)


@dataclass(frozen=True)
class RestrictedDataToken:
    value: str
    expires_at: float  # on the client's clock


@dataclass(frozen=True)
class OrderPage:
    orders: tuple[dict, ...]  # getOrders Order objects, without their items
    next_token: str | None
    last_updated_before: str


@dataclass(frozen=True)
class FeedDocument:
    feed_document_id: str
    url: str


@dataclass(frozen=True)
class Feed:
    feed_id: str
    feed_type: str
    processing_status: str
    result_feed_document_id: str


class AmazonSpClient(RefreshTokenClient):
    system = "Amazon SP-API"
    token_issuer = "Login with Amazon"
    request_id_headers = ("x-amzn-RequestId", "x-amz-request-id")

    def __init__(
        self,
        endpoint,
        client_id,
        client_secret,
        refresh_token,
        marketplace_ids,
        token_url=TOKEN_URL,
        timeout=DEFAULT_TIMEOUT,
        restricted_data=True,
        **kwargs,
    ):
        """``endpoint``: the region's SP-API URL (``ENDPOINTS["eu"]``) or a sandbox;
        ``restricted_data``: ask a Restricted Data Token for the buyer's data."""
        super().__init__(endpoint, timeout=timeout, **kwargs)
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.marketplace_ids = tuple(marketplace_ids)
        self.token_url = token_url
        self.restricted_data = restricted_data
        self._rdt = None
        self._sent_rdt = None  # the RDT the current call carries, if any
        self.restricted_data_tokens = 0  # RDTs got
        self.restricted_data_refused = None  # Amazon's words when it refused the RDT

    def __repr__(self):
        return f"<AmazonSpClient {self.base_url}>"

    # --- auth --------------------------------------------------------------------------
    def _token_request(self):
        return {
            "path": self.token_url,
            "data": {
                "grant_type": "refresh_token",
                "refresh_token": self._refresh_token,
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
        }

    def restricted_data_token(self):
        """The RDT for the orders' buyer data, or None when Amazon refused it."""
        if not self.restricted_data or self.restricted_data_refused is not None:
            return None
        if self._rdt is None or self.clock() >= self._rdt.expires_at - 60:
            self._rdt = self._fetch_restricted_data_token()
        return self._rdt.value if self._rdt else None

    def _fetch_restricted_data_token(self):
        try:
            response = self.request(
                "POST",
                RESTRICTED_DATA_TOKEN_PATH,
                json={"restrictedResources": [dict(r) for r in ORDER_PII_RESOURCES]},
                idempotent=True,  # a new token each time, nothing else changes
            )
        except (ChannelAuthError, ChannelValidationError) as error:
            # 403 (or 400 "... do(es) not have access ...": the application lacks
            # the roles for buyer data. Any other 400 is a request of ours to fix.
            if isinstance(error, ChannelValidationError) and "have access" not in error.message:
                raise
            self.restricted_data_refused = error.message
            self.logger.warning(
                "%s refused a Restricted Data Token (%s): orders are read without the "
                "buyer and the shipping address",
                self.system,
                error.message,
            )
            return None
        data = response.json() or {}
        if isinstance(data.get("payload"), dict):  # the use case guide's examples wrap it
            data = data["payload"]
        ensure(
            data.get("restrictedDataToken"),
            "Amazon answered without a restricted data token",
            response,
        )
        self.restricted_data_tokens += 1
        return RestrictedDataToken(
            data["restrictedDataToken"], self.clock() + float(data.get("expiresIn") or 3600)
        )

    def request(self, method, path, **kwargs):
        self._sent_rdt = None
        return super().request(method, path, **kwargs)

    def _prepare(self, headers):
        token = None
        if headers.pop(_RESTRICTED_CALL, None):
            token = self.restricted_data_token()  # may call Amazon (with the LWA token)
        self._sent_rdt = token
        headers[TOKEN_HEADER] = token or self.access_token()
        headers.setdefault("Accept", "application/json")

    def _restricted(self):
        """Headers of a call that reads buyer data (with the RDT when there is one)."""
        return {_RESTRICTED_CALL: "1"}

    def _should_retry_auth(self, response, attempt):
        if response.status != 403 or attempt > 2:
            return False
        if self._sent_rdt:
            self._rdt = None
            if attempt > 1:
                # A new RDT refused as well: read on without buyer data rather than fail
                # every pull (an RDT Amazon hands out but does not accept).
                self.restricted_data_refused = self._error(response).message
                self.logger.warning(
                    "%s refused the calls made with a new Restricted Data Token (%s): "
                    "orders are read without the buyer and the shipping address",
                    self.system,
                    self.restricted_data_refused,
                )
            return True  # expired or no longer valid for the resource: a new one, once
        if self._token is None or attempt > 1:
            return False
        if b"expired" not in response.body.lower():
            return False
        self._token = None  # the next attempt gets a fresh one
        return True

    def _throttle_wait(self, response):
        try:
            rate = float(response.headers.get(RATE_LIMIT_HEADER) or 0)
        except ValueError:
            return None
        return 1 / rate if rate > 0 else None

    def _error_message(self, response):
        try:
            data = json.loads(response.body)
        except ValueError:
            return ""
        errors = data.get("errors") if isinstance(data, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            text = f"{first.get('code', '')}: {first.get('message', '')}"
            return f"{text} ({first['details']})" if first.get("details") else text
        return super()._error_message(response)

    # --- orders ------------------------------------------------------------------------
    def test_connection(self):
        """One getOrders call asking for one order: proves token, role and endpoint."""
        return self.get_order_page(last_updated_after="2000-01-01T00:00:00Z", max_results=1)

    def get_order_page(self, last_updated_after=None, next_token=None, max_results=100):
        params = {"MarketplaceIds": ",".join(self.marketplace_ids)}
        if next_token:
            params["NextToken"] = next_token
        else:
            params["LastUpdatedAfter"] = last_updated_after
            params["MaxResultsPerPage"] = max_results
        response = self.request(
            "GET", "orders/v0/orders", params=params, headers=self._restricted()
        )
        payload = (response.json() or {}).get("payload")
        ensure(isinstance(payload, dict), "Amazon answered without a payload", response)
        orders = payload.get("Orders")
        ensure(isinstance(orders, list), "Amazon answered without orders", response)
        return OrderPage(
            orders=tuple(orders),
            next_token=payload.get("NextToken") or None,
            last_updated_before=payload.get("LastUpdatedBefore") or "",
        )

    def get_order_items(self, order_id):
        """Every item of an order, following ``NextToken``."""
        items, next_token = [], None
        guard = self._pages(f"items of order {order_id}")
        while True:
            params = {"NextToken": guard.follow(next_token)} if next_token else None
            response = self.request(
                "GET",
                f"orders/v0/orders/{order_id}/orderItems",
                params=params,
                headers=self._restricted(),
            )
            payload = (response.json() or {}).get("payload")
            ensure(isinstance(payload, dict), "Amazon answered without a payload", response)
            items.extend(payload.get("OrderItems") or ())
            next_token = payload.get("NextToken")
            if not next_token:
                return items

    def iter_orders(self, last_updated_after, max_results=100):
        """Every order updated after ``last_updated_after`` with its items, for the inbox."""
        guard = self._pages("orders")
        page = self.get_order_page(last_updated_after=last_updated_after, max_results=max_results)
        while True:
            for order in page.orders:
                order_id = order.get("AmazonOrderId")
                yield RemoteOrder(
                    external_id=str(order_id),
                    updated_at=order.get("LastUpdateDate") or "",
                    payload={"Order": order, "OrderItems": self.get_order_items(order_id)},
                )
            if not page.next_token:
                return
            page = self.get_order_page(next_token=guard.follow(page.next_token))

    # --- listings ------------------------------------------------------------------------
    def iter_catalogue(self, seller_id, page_size=LISTINGS_PAGE_SIZE):
        """The seller's listings, one :class:`CatalogItem` per seller SKU, through the
        Listings Items API ``searchListingsItems`` (``GET /listings/2021-08-01/items/
        {sellerId}`` with ``includedData=summaries``), following ``pageToken``.
        The ASIN is the product id (a listing has no variant id); the title is the
        summary's ``itemName`` on the first of the client's marketplaces."""
        guard = self._pages("listings")
        params = {
            "marketplaceIds": ",".join(self.marketplace_ids),
            "includedData": "summaries",
            "pageSize": max(1, min(int(page_size), LISTINGS_PAGE_SIZE)),
        }
        while True:
            response = self.request("GET", f"listings/2021-08-01/items/{seller_id}", params=params)
            body = response.json()
            ensure(
                isinstance(body, dict) and isinstance(body.get("items"), list),
                "Amazon answered without listings items",
                response,
            )
            for item in body["items"]:
                if isinstance(item, dict) and item.get("sku"):
                    yield self._catalog_item(item)
            token = (body.get("pagination") or {}).get("nextToken")
            if not token:
                return
            params = {**params, "pageToken": guard.follow(token)}

    def _catalog_item(self, item):
        summaries = [s for s in item.get("summaries") or () if isinstance(s, dict)]
        summary = next(
            (s for s in summaries if s.get("marketplaceId") == self.marketplace_ids[0]),
            summaries[0] if summaries else {},
        )
        return CatalogItem(
            product_id=summary.get("asin") or "",
            variant_id="",
            sku=item["sku"],
            title=summary.get("itemName") or "",
            stock_id=item["sku"],
        )

    def confirm_shipment(
        self,
        order_id,
        package_reference_id,
        carrier_code,
        tracking_number,
        ship_date,
        items,
        shipping_method=None,
        carrier_name=None,
        marketplace_id=None,
    ):
        """Tell Amazon an order (or part of it) shipped; ``items``: ``{order_item_id: qty}``.

        ``ship_date`` is ISO 8601. Not repeated on 5xx: Amazon refuses a second
        confirmation of the same package, the caller reads the order first.
        """
        package = {
            "packageReferenceId": str(package_reference_id),
            "carrierCode": carrier_code,
            "trackingNumber": tracking_number,
            "shipDate": ship_date,
            "orderItems": [
                {"orderItemId": str(item_id), "quantity": int(quantity)}
                for item_id, quantity in items.items()
            ],
        }
        if carrier_name:
            package["carrierName"] = carrier_name
        if shipping_method:
            package["shippingMethod"] = shipping_method
        self.request(
            "POST",
            f"orders/v0/orders/{order_id}/shipmentConfirmation",
            json={
                "marketplaceId": marketplace_id or self.marketplace_ids[0],
                "packageDetail": package,
            },
        )

    # --- inventory feed ------------------------------------------------------------------
    def create_feed_document(self, content_type=FEED_CONTENT_TYPE):
        response = self.request(
            "POST",
            "feeds/2021-06-30/documents",
            json={"contentType": content_type},
            idempotent=True,  # an unused document costs nothing
        )
        data = response.json() or {}
        ensure(data.get("feedDocumentId") and data.get("url"), "Amazon: no feed document", response)
        return FeedDocument(data["feedDocumentId"], data["url"])

    def upload_feed_document(self, document, content, content_type=FEED_CONTENT_TYPE):
        """PUT the content to the document's pre-signed URL (no SP-API token there)."""
        body = content if isinstance(content, bytes) else content.encode()
        self.request(
            "PUT",
            document.url,
            data=body,
            headers={"Content-Type": content_type},
            authenticate=False,
        )

    def create_feed(self, feed_type, document_id, marketplace_ids=None):
        response = self.request(
            "POST",
            "feeds/2021-06-30/feeds",
            json={
                "feedType": feed_type,
                "marketplaceIds": list(marketplace_ids or self.marketplace_ids),
                "inputFeedDocumentId": document_id,
            },
        )
        data = response.json() or {}
        ensure(data.get("feedId"), "Amazon answered without a feed id", response)
        return data["feedId"]

    def get_feed(self, feed_id):
        response = self.request("GET", f"feeds/2021-06-30/feeds/{feed_id}")
        data = response.json() or {}
        return Feed(
            feed_id=str(data.get("feedId", feed_id)),
            feed_type=data.get("feedType") or "",
            processing_status=data.get("processingStatus") or "",
            result_feed_document_id=data.get("resultFeedDocumentId") or "",
        )

    def submit_inventory(self, seller_id, quantities, product_type="PRODUCT"):
        """Send ``{sku: quantity}`` for merchant-fulfilled listings; return the feed id."""
        content = inventory_feed(seller_id, quantities, product_type)
        document = self.create_feed_document()
        self.upload_feed_document(document, json.dumps(content))
        return self.create_feed("JSON_LISTINGS_FEED", document.feed_document_id)

    def cancel_order(self, seller_id, order_id, item_ids, reason="GeneralAdjustment"):
        """Cancel a merchant-fulfilled order that has not shipped (every item in
        ``item_ids``, Amazon's OrderItemId) with an order acknowledgement feed;
        return the feed id. Amazon processes feeds later: the order is listed
        ``Canceled`` once it has."""
        content = order_cancellation_feed(seller_id, order_id, item_ids, reason)
        document = self.create_feed_document(XML_FEED_CONTENT_TYPE)
        self.upload_feed_document(document, content, XML_FEED_CONTENT_TYPE)
        return self.create_feed(ORDER_ACKNOWLEDGEMENT_FEED, document.feed_document_id)


def order_cancellation_feed(seller_id, order_id, item_ids, reason="GeneralAdjustment"):
    """The ``POST_ORDER_ACKNOWLEDGEMENT_DATA`` XML (bytes) cancelling an order:
    ``StatusCode`` ``Failure`` and the ``CancelReason`` of each item."""
    if reason not in CANCEL_REASONS:
        raise ValueError(f"{reason!r} is not an Amazon cancel reason")
    if not seller_id or not order_id or not item_ids:
        raise ValueError("a seller id, an order id and its items are needed to cancel")
    envelope = ElementTree.Element(
        "AmazonEnvelope",
        {
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "amzn-envelope.xsd",
        },
    )
    header = ElementTree.SubElement(envelope, "Header")
    ElementTree.SubElement(header, "DocumentVersion").text = "1.01"
    ElementTree.SubElement(header, "MerchantIdentifier").text = seller_id
    ElementTree.SubElement(envelope, "MessageType").text = "OrderAcknowledgement"
    message = ElementTree.SubElement(envelope, "Message")
    ElementTree.SubElement(message, "MessageID").text = "1"
    acknowledgement = ElementTree.SubElement(message, "OrderAcknowledgement")
    ElementTree.SubElement(acknowledgement, "AmazonOrderID").text = str(order_id)
    ElementTree.SubElement(acknowledgement, "StatusCode").text = "Failure"
    for item_id in item_ids:
        item = ElementTree.SubElement(acknowledgement, "Item")
        ElementTree.SubElement(item, "AmazonOrderItemCode").text = str(item_id)
        ElementTree.SubElement(item, "CancelReason").text = reason
    return ElementTree.tostring(envelope, encoding="utf-8", xml_declaration=True)


def inventory_feed(seller_id, quantities, product_type="PRODUCT"):
    """The ``JSON_LISTINGS_FEED`` body that sets each SKU's merchant-fulfilled quantity."""
    return {
        "header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"},
        "messages": [
            {
                "messageId": index,
                "sku": sku,
                "operationType": "PATCH",
                "productType": product_type,
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [
                            {"fulfillment_channel_code": "DEFAULT", "quantity": max(0, int(qty))}
                        ],
                    }
                ],
            }
            for index, (sku, qty) in enumerate(sorted(quantities.items()), start=1)
        ],
    }
