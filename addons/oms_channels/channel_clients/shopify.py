"""Shopify Admin REST API client (version 2025-01).

Auth is the app's Admin API access token in ``X-Shopify-Access-Token``. Orders are
read with cursor pagination (``Link`` header, ``page_info``); the leaky bucket
(``X-Shopify-Shop-Api-Call-Limit: used/size``) is watched: when it is nearly full
the client waits for it to drain instead of running into 429s, and a 429 is
waited out as ``Retry-After`` says.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from ._http import DEFAULT_TIMEOUT, HttpClient, ensure
from .models import RemoteOrder

API_VERSION = "2025-01"
CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?(\w+)"?')


@dataclass(frozen=True)
class ShopInfo:
    id: str
    name: str
    domain: str
    currency: str


@dataclass(frozen=True)
class OrderPage:
    orders: tuple[RemoteOrder, ...]
    next_page_info: str | None


@dataclass(frozen=True)
class FulfillmentOrderLine:
    id: str
    line_item_id: str
    quantity: int
    fulfillable_quantity: int


@dataclass(frozen=True)
class FulfillmentOrder:
    id: str
    order_id: str
    status: str
    assigned_location_id: str
    line_items: tuple[FulfillmentOrderLine, ...]

    @property
    def can_be_fulfilled(self):
        return self.status in ("open", "in_progress")


@dataclass(frozen=True)
class Fulfillment:
    id: str
    order_id: str
    status: str
    tracking_company: str
    tracking_numbers: tuple[str, ...]


@dataclass(frozen=True)
class Variant:
    """A product variant: the SKU a merchant knows and the inventory item stock is set on."""

    id: str
    product_id: str
    sku: str
    inventory_item_id: str


@dataclass(frozen=True)
class InventoryLevel:
    inventory_item_id: str
    location_id: str
    available: int
    updated_at: str


class ShopifyClient(HttpClient):
    system = "Shopify"
    request_id_headers = ("X-Request-Id",)

    def __init__(
        self,
        shop_url,
        access_token,
        api_version=API_VERSION,
        bucket_margin=0.8,
        leak_rate=2.0,
        timeout=DEFAULT_TIMEOUT,
        **kwargs,
    ):
        """``shop_url``: ``https://<shop>.myshopify.com`` (any URL for a simulator).

        ``bucket_margin``: share of the bucket above which the client slows down;
        ``leak_rate``: calls per second the bucket drains (2 on standard plans).
        """
        super().__init__(shop_url, timeout=timeout, **kwargs)
        self._access_token = access_token
        self.api_version = api_version
        self.bucket_margin = bucket_margin
        self.leak_rate = leak_rate
        self.bucket_used = 0
        self.bucket_size = 40
        self.slowdowns = 0

    def __repr__(self):
        return f"<ShopifyClient {self.base_url}>"

    # --- HttpClient hooks -------------------------------------------------------------
    def _prepare(self, headers):
        headers["X-Shopify-Access-Token"] = self._access_token
        headers.setdefault("Accept", "application/json")
        if self.bucket_used >= self.bucket_size * self.bucket_margin:
            # Wait until the bucket has drained to half, then go on.
            wait = (self.bucket_used - self.bucket_size / 2) / self.leak_rate
            self.logger.info("Shopify call bucket at %s/%s, waiting %.1f s", *self._bucket(), wait)
            self.slowdowns += 1
            self.sleep(wait)
            self.bucket_used = int(self.bucket_size / 2)

    def _bucket(self):
        return self.bucket_used, self.bucket_size

    def _after_response(self, response):
        value = response.headers.get(CALL_LIMIT_HEADER)
        if value and "/" in value:
            used, size = value.split("/", 1)
            if used.strip().isdigit() and size.strip().isdigit():
                self.bucket_used, self.bucket_size = int(used), int(size)

    def _error_message(self, response):
        message = super()._error_message(response)
        return message.strip("[]'\" ") if message else message

    def _api(self, path):
        return f"admin/api/{self.api_version}/{path}"

    # --- calls --------------------------------------------------------------------------
    def test_connection(self):
        response = self.request("GET", self._api("shop.json"))
        shop = (response.json() or {}).get("shop")
        ensure(isinstance(shop, dict), "Shopify answered without a shop", response)
        return ShopInfo(
            id=str(shop.get("id", "")),
            name=shop.get("name") or "",
            domain=shop.get("myshopify_domain") or shop.get("domain") or "",
            currency=shop.get("currency") or "",
        )

    def get_order_page(self, updated_at_min=None, limit=250, page_info=None, status="any"):
        """One page of orders; ``page_info`` continues where the last page ended.

        Shopify refuses filters next to ``page_info``: they travel inside the cursor.
        """
        if page_info:
            params = {"limit": limit, "page_info": page_info}
        else:
            params = {"limit": limit, "status": status, "order": "updated_at asc"}
            if updated_at_min:
                params["updated_at_min"] = updated_at_min
        response = self.request("GET", self._api("orders.json"), params=params)
        orders = (response.json() or {}).get("orders")
        ensure(isinstance(orders, list), "Shopify answered without orders", response)
        return OrderPage(
            orders=tuple(
                RemoteOrder(
                    external_id=str(order.get("id")),
                    updated_at=order.get("updated_at") or "",
                    payload=order,
                )
                for order in orders
            ),
            next_page_info=_next_page_info(response.headers.get("Link")),
        )

    def iter_orders(self, updated_at_min=None, limit=250, status="any"):
        """Every order updated since ``updated_at_min`` (ISO 8601), page after page."""
        guard = self._pages("orders")
        page = self.get_order_page(updated_at_min=updated_at_min, limit=limit, status=status)
        yield from page.orders
        while page.next_page_info:
            page = self.get_order_page(limit=limit, page_info=guard.follow(page.next_page_info))
            yield from page.orders

    def get_order(self, order_id):
        response = self.request("GET", self._api(f"orders/{order_id}.json"))
        order = (response.json() or {}).get("order")
        ensure(isinstance(order, dict), "Shopify answered without the order", response)
        return RemoteOrder(str(order.get("id")), order.get("updated_at") or "", order)

    def get_order_risks(self, order_id):
        """The order's risk assessments (Order Risk resource, ``risks.json``): a
        list of dicts with ``recommendation`` (accept / investigate / cancel),
        ``message``, ``source``, ``score`` and ``display``, as Shopify sends them."""
        response = self.request("GET", self._api(f"orders/{order_id}/risks.json"))
        risks = (response.json() or {}).get("risks")
        ensure(isinstance(risks, list), "Shopify answered without the order's risks", response)
        return risks

    def get_fulfillment_orders(self, order_id):
        response = self.request("GET", self._api(f"orders/{order_id}/fulfillment_orders.json"))
        items = (response.json() or {}).get("fulfillment_orders")
        ensure(isinstance(items, list), "Shopify answered without fulfillment orders", response)
        return tuple(_fulfillment_order(item) for item in items)

    def create_fulfillment(
        self,
        fulfillment_orders,
        tracking_number=None,
        tracking_company=None,
        tracking_url=None,
        notify_customer=True,
    ):
        """Fulfil ``fulfillment_orders``: ids (all their lines) or ``{id: {line_id: qty}}``.

        Not idempotent: a failed call is not repeated on 5xx or connection errors,
        the caller checks the order's fulfillments before trying again.
        """
        if isinstance(fulfillment_orders, dict):
            by_order = [
                {
                    "fulfillment_order_id": int(fo_id),
                    "fulfillment_order_line_items": [
                        {"id": int(line_id), "quantity": int(qty)} for line_id, qty in lines.items()
                    ],
                }
                for fo_id, lines in fulfillment_orders.items()
            ]
        else:
            by_order = [{"fulfillment_order_id": int(fo_id)} for fo_id in fulfillment_orders]
        body = {
            "fulfillment": {
                "line_items_by_fulfillment_order": by_order,
                "notify_customer": bool(notify_customer),
            }
        }
        tracking = {
            key: value
            for key, value in (
                ("number", tracking_number),
                ("company", tracking_company),
                ("url", tracking_url),
            )
            if value
        }
        if tracking:
            body["fulfillment"]["tracking_info"] = tracking
        response = self.request("POST", self._api("fulfillments.json"), json=body)
        item = (response.json() or {}).get("fulfillment")
        ensure(isinstance(item, dict), "Shopify answered without the fulfillment", response)
        return Fulfillment(
            id=str(item.get("id")),
            order_id=str(item.get("order_id")),
            status=item.get("status") or "",
            tracking_company=item.get("tracking_company") or "",
            tracking_numbers=tuple(item.get("tracking_numbers") or ()),
        )

    def fulfill_order(self, order_id, tracking_number=None, tracking_company=None, **kwargs):
        """Fulfil every open fulfillment order of an order with one tracking number."""
        open_ids = [fo.id for fo in self.get_fulfillment_orders(order_id) if fo.can_be_fulfilled]
        if not open_ids:
            return None
        return self.create_fulfillment(
            open_ids, tracking_number=tracking_number, tracking_company=tracking_company, **kwargs
        )

    def cancel_order(self, order_id, reason="other", email=False):
        """Cancel an order (reason: customer, inventory, fraud, declined, staff, other)."""
        response = self.request(
            "POST",
            self._api(f"orders/{order_id}/cancel.json"),
            json={"reason": reason, "email": bool(email)},
        )
        order = (response.json() or {}).get("order")
        ensure(isinstance(order, dict), "Shopify answered without the order", response)
        return RemoteOrder(str(order.get("id")), order.get("updated_at") or "", order)

    def iter_variants(self, limit=250):
        """Every product variant of the shop (SKU and inventory item), page after page."""
        params = {"limit": limit, "fields": "id,variants"}
        guard = self._pages("products")
        while True:
            response = self.request("GET", self._api("products.json"), params=params)
            products = (response.json() or {}).get("products")
            ensure(isinstance(products, list), "Shopify answered without products", response)
            for product in products:
                for variant in product.get("variants") or ():
                    yield Variant(
                        id=str(variant.get("id")),
                        product_id=str(product.get("id")),
                        sku=variant.get("sku") or "",
                        inventory_item_id=str(variant.get("inventory_item_id") or ""),
                    )
            page_info = _next_page_info(response.headers.get("Link"))
            if not page_info:
                return
            params = {"limit": limit, "page_info": guard.follow(page_info)}

    def set_inventory_level(self, inventory_item_id, location_id, available):
        """Set the available quantity of an item at a location (an absolute value)."""
        response = self.request(
            "POST",
            self._api("inventory_levels/set.json"),
            json={
                "inventory_item_id": int(inventory_item_id),
                "location_id": int(location_id),
                "available": int(available),
            },
            idempotent=True,  # setting the same number twice changes nothing
        )
        level = (response.json() or {}).get("inventory_level")
        ensure(isinstance(level, dict), "Shopify answered without the level", response)
        return InventoryLevel(
            inventory_item_id=str(level.get("inventory_item_id")),
            location_id=str(level.get("location_id")),
            available=int(level.get("available") or 0),
            updated_at=level.get("updated_at") or "",
        )


def _next_page_info(link_header):
    for url, rel in _LINK.findall(link_header or ""):
        if rel == "next":
            values = parse_qs(urlsplit(url).query).get("page_info")
            return values[0] if values else None
    return None


def _fulfillment_order(item):
    return FulfillmentOrder(
        id=str(item.get("id")),
        order_id=str(item.get("order_id")),
        status=item.get("status") or "",
        assigned_location_id=str(item.get("assigned_location_id") or ""),
        line_items=tuple(
            FulfillmentOrderLine(
                id=str(line.get("id")),
                line_item_id=str(line.get("line_item_id")),
                quantity=int(line.get("quantity") or 0),
                fulfillable_quantity=int(line.get("fulfillable_quantity") or 0),
            )
            for line in item.get("line_items") or ()
        ),
    )
