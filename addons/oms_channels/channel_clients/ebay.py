"""eBay REST client: Sell Fulfillment API v1 (orders, shipping fulfillments) and
Sell Inventory API v1 (quantities of the seller's inventory items, by SKU).

Auth: a user access token got from the seller's refresh token (OAuth
refresh-token grant, ``POST /identity/v1/oauth2/token`` on the API's host, the
app's client id and secret as HTTP Basic, the scopes asked for), sent as
``Authorization: Bearer``. It is kept until a minute before it expires
(``expires_in``, two hours); a 401 (eBay's error 1001, the token expired or was
revoked) gets a new one once and repeats the call. A refresh token eBay
refuses (``invalid_grant``) is an auth error: the seller must consent again.

Orders: ``getOrders`` with ``filter=lastmodifieddate:[<from>..]`` (UTC, with
milliseconds), ``limit`` (at most 200) and ``offset``, read page after page
while the answer has a ``next`` page; errors come as ``{"errors": [{"errorId",
"domain", "category", "message", "longMessage"}]}``. A 429 (eBay's error 2001,
the call limit of the resource) is waited out as the channels' retry policy
says: eBay documents no rate-limit header on it, a ``Retry-After`` is honoured
when one comes.

Shipments: ``createShippingFulfillment`` (``POST order/{orderId}/
shipping_fulfillment``) is not idempotent: :meth:`EbayClient.ship_once` looks for
a fulfillment of the order with the same tracking number (or, without one, the
same line items) before creating one, so a retry after a lost answer does not
tell the buyer twice.

Stock: ``bulkUpdatePriceQuantity`` sets ``shipToLocationAvailability.quantity``
of up to 25 SKUs a call (absolute figures, safe to repeat); each SKU's answer
has its own status and errors.
"""

import base64
import json
from dataclasses import dataclass
from datetime import timezone
from urllib.parse import urlsplit

from ._http import DEFAULT_TIMEOUT, RefreshTokenClient, ensure
from .models import CatalogItem, RemoteOrder

ENDPOINTS = {
    "production": "https://api.ebay.com",
    "sandbox": "https://api.sandbox.ebay.com",
}
TOKEN_PATH = "identity/v1/oauth2/token"
FULFILLMENT = "sell/fulfillment/v1"
INVENTORY = "sell/inventory/v1"
# The scopes the suite's calls need (orders and fulfillments; inventory).
SCOPES = (
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
)
ORDERS_PAGE_LIMIT = 200  # getOrders' largest limit
STOCK_BATCH_LIMIT = 25  # requests per bulkUpdatePriceQuantity
INVENTORY_PAGE_LIMIT = 200  # getInventoryItems' largest limit


@dataclass(frozen=True)
class OrderPage:
    orders: tuple[dict, ...]
    total: int
    offset: int
    limit: int
    has_next: bool


@dataclass(frozen=True)
class Fulfillment:
    """A shipping fulfillment of an order: its id, tracking, carrier and
    ``{lineItemId: quantity}``."""

    fulfillment_id: str
    tracking_number: str
    carrier_code: str
    line_items: dict


@dataclass(frozen=True)
class StockResult:
    updated: tuple[str, ...]  # SKUs eBay set
    errors: dict  # SKU → eBay's message


def ebay_time(moment):
    """An aware datetime as eBay's filters write it: UTC with milliseconds and ``Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class EbayClient(RefreshTokenClient):
    system = "eBay"
    token_issuer = "eBay"
    token_lifetime = 7200  # eBay's user access tokens live two hours
    request_id_headers = ("X-EBAY-C-REQUEST-ID", "rlogid")

    def __init__(
        self,
        base_url,
        client_id,
        client_secret,
        refresh_token,
        scopes=SCOPES,
        timeout=DEFAULT_TIMEOUT,
        **kwargs,
    ):
        """``base_url``: ``ENDPOINTS["production"]``, the sandbox or a simulator;
        the token endpoint is on the same host (``/identity/v1/oauth2/token``)."""
        super().__init__(base_url, timeout=timeout, **kwargs)
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.scopes = tuple(scopes)

    def __repr__(self):
        return f"<EbayClient {self.base_url}>"

    # --- auth --------------------------------------------------------------------------
    def _token_request(self):
        basic = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode()
        return {
            "path": TOKEN_PATH,
            "data": {
                "grant_type": "refresh_token",
                "refresh_token": self._refresh_token,
                "scope": " ".join(self.scopes),
            },
            "headers": {
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        }

    def _prepare(self, headers):
        headers["Authorization"] = f"Bearer {self.access_token()}"
        headers.setdefault("Accept", "application/json")

    def _should_retry_auth(self, response, attempt):
        # A 401 after a token of ours: expired or revoked early; a new one, once.
        if response.status != 401 or attempt > 1 or self._token is None:
            return False
        self._token = None
        return True

    def _error_message(self, response):
        data = _json(response.body)
        errors = data.get("errors") if isinstance(data, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            text = first.get("longMessage") or first.get("message") or ""
            return f"{first.get('errorId', '')} {text}".strip()
        return super()._error_message(response)

    def _error_details(self, response):
        data = _json(response.body)
        errors = data.get("errors") if isinstance(data, dict) else None
        code = None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            code = errors[0].get("errorId")
        return self._error_message(response), code, ()

    # --- orders ------------------------------------------------------------------------
    def test_connection(self):
        """One getOrders call asking for one order: proves the token, its scope and
        the host. The number of the seller's orders eBay counts."""
        return self.get_order_page(limit=1).total

    def get_order_page(self, modified_since=None, offset=0, limit=50):
        params = {"limit": max(1, min(int(limit), ORDERS_PAGE_LIMIT)), "offset": int(offset)}
        if modified_since is not None:
            params["filter"] = f"lastmodifieddate:[{ebay_time(modified_since)}..]"
        response = self.request("GET", f"{FULFILLMENT}/order", params=params)
        data = response.json()
        ensure(
            isinstance(data, dict) and isinstance(data.get("orders", []), list),
            "eBay answered without orders",
            response,
        )
        return OrderPage(
            orders=tuple(o for o in data.get("orders") or () if isinstance(o, dict)),
            total=_int(data.get("total")),
            offset=_int(data.get("offset"), params["offset"]),
            limit=_int(data.get("limit"), params["limit"]),
            has_next=bool(data.get("next")),
        )

    def iter_orders(self, modified_since=None, limit=ORDERS_PAGE_LIMIT):
        """Every order modified since ``modified_since`` (an aware datetime; None:
        all eBay lists), page after page while eBay says there is a next one."""
        guard, offset = self._pages("orders"), 0
        while True:
            page = self.get_order_page(modified_since, offset, limit)
            for order in page.orders:
                yield RemoteOrder(
                    external_id=str(order.get("orderId") or ""),
                    updated_at=order.get("lastModifiedDate") or "",
                    payload=order,
                )
            if not page.has_next or not page.orders:
                return
            offset = guard.follow(page.offset + len(page.orders))

    def get_order(self, order_id):
        response = self.request("GET", f"{FULFILLMENT}/order/{order_id}")
        order = response.json()
        ensure(isinstance(order, dict), "eBay answered without the order", response)
        return RemoteOrder(str(order.get("orderId")), order.get("lastModifiedDate") or "", order)

    # --- shipments -----------------------------------------------------------------------
    def shipping_fulfillments(self, order_id):
        """The order's shipping fulfillments (``getShippingFulfillments``)."""
        response = self.request("GET", f"{FULFILLMENT}/order/{order_id}/shipping_fulfillment")
        data = response.json() or {}
        ensure(isinstance(data, dict), "eBay answered without fulfillments", response)
        return [
            Fulfillment(
                fulfillment_id=str(item.get("fulfillmentId") or ""),
                tracking_number=item.get("shipmentTrackingNumber") or "",
                carrier_code=item.get("shippingCarrierCode") or "",
                line_items={
                    str(line.get("lineItemId")): _int(line.get("quantity"))
                    for line in item.get("lineItems") or ()
                    if isinstance(line, dict)
                },
            )
            for item in data.get("fulfillments") or ()
            if isinstance(item, dict)
        ]

    def create_shipping_fulfillment(
        self, order_id, line_items, shipped_date, carrier_code=None, tracking_number=None
    ):
        """Tell eBay ``{lineItemId: quantity}`` of the order shipped; the new
        fulfillment's id (from the ``Location`` eBay answers). Never repeated."""
        body = {
            "lineItems": [
                {"lineItemId": str(line_id), "quantity": int(quantity)}
                for line_id, quantity in line_items.items()
            ],
            "shippedDate": shipped_date,
        }
        if tracking_number:
            body["trackingNumber"] = tracking_number
            body["shippingCarrierCode"] = carrier_code or "Other"
        response = self.request(
            "POST", f"{FULFILLMENT}/order/{order_id}/shipping_fulfillment", json=body
        )
        location = response.headers.get("Location") or ""
        fulfillment_id = urlsplit(location).path.rstrip("/").rpartition("/")[2]
        ensure(fulfillment_id, "eBay answered without the fulfillment's location", response)
        return fulfillment_id

    def ship_once(
        self, order_id, line_items, shipped_date, carrier_code=None, tracking_number=None
    ):
        """The fulfillment of these items: one the order has already (same tracking
        number, or without one the same items), else a new one."""
        wanted = {str(k): int(v) for k, v in line_items.items()}
        for existing in self.shipping_fulfillments(order_id):
            if tracking_number and existing.tracking_number == tracking_number:
                return existing.fulfillment_id
            if not (tracking_number or existing.tracking_number) and existing.line_items == wanted:
                return existing.fulfillment_id
        return self.create_shipping_fulfillment(
            order_id, wanted, shipped_date, carrier_code, tracking_number
        )

    # --- inventory -------------------------------------------------------------------------
    def set_quantities(self, quantities):
        """Set each SKU's available quantity (``{sku: quantity}``), 25 a call."""
        items = sorted(quantities.items())
        updated, errors = [], {}
        for start in range(0, len(items), STOCK_BATCH_LIMIT):
            chunk = items[start : start + STOCK_BATCH_LIMIT]
            response = self.request(
                "POST",
                f"{INVENTORY}/bulk_update_price_quantity",
                json={
                    "requests": [
                        {"sku": sku, "shipToLocationAvailability": {"quantity": max(0, int(qty))}}
                        for sku, qty in chunk
                    ]
                },
                idempotent=True,  # absolute quantities: the same call sets the same
            )
            answers = (response.json() or {}).get("responses")
            ensure(isinstance(answers, list), "eBay answered without responses", response)
            for answer in answers:
                if not isinstance(answer, dict):
                    continue
                sku = str(answer.get("sku") or "")
                problems = [e for e in answer.get("errors") or () if isinstance(e, dict)]
                if _int(answer.get("statusCode"), 200) >= 400 or problems:
                    first = problems[0] if problems else {}
                    errors[sku] = (
                        first.get("longMessage")
                        or first.get("message")
                        or f"eBay answered {answer.get('statusCode')}"
                    )
                else:
                    updated.append(sku)
        return StockResult(tuple(updated), errors)

    def iter_catalogue(self, limit=100):
        """The seller's inventory items (``getInventoryItems``), one
        :class:`CatalogItem` per SKU: the SKU is the listing's key (product id and
        what stock is set on), the title and first EAN / UPC the product's."""
        guard, offset = self._pages("inventory items"), 0
        limit = max(1, min(int(limit), INVENTORY_PAGE_LIMIT))
        while True:
            response = self.request(
                "GET", f"{INVENTORY}/inventory_item", params={"limit": limit, "offset": offset}
            )
            data = response.json() or {}
            items = data.get("inventoryItems") or []
            ensure(isinstance(items, list), "eBay answered without inventory items", response)
            for item in items:
                if isinstance(item, dict) and item.get("sku"):
                    product = item.get("product") if isinstance(item.get("product"), dict) else {}
                    codes = [*(product.get("ean") or ()), *(product.get("upc") or ())]
                    yield CatalogItem(
                        product_id=str(item["sku"]),
                        variant_id="",
                        sku=str(item["sku"]),
                        title=product.get("title") or "",
                        barcode=str(codes[0]) if codes else "",
                        stock_id=str(item["sku"]),
                    )
            if not data.get("next") or not items:
                return
            offset = guard.follow(offset + len(items))


def _json(body):
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
