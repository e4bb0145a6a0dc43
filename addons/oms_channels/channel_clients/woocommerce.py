"""WooCommerce REST API v3 client (``/wp-json/wc/v3``).

Auth is the REST API key: consumer key and secret as HTTP Basic (over HTTPS), or
as ``consumer_key`` / ``consumer_secret`` query parameters for servers that do
not pass the Authorization header on (``auth_in_query=True``). OAuth 1.0a, which
WooCommerce requires over plain HTTP, is not implemented. Orders are read page by
page (``page``, ``per_page`` ≤ 100) until ``X-WP-TotalPages`` (or, when a proxy
dropped that header, a short page); a page that repeats the one before, or more
pages than the client's limit, stops the walk with a :class:`ChannelPaginationError`.
"""

import base64
import html
from dataclasses import dataclass

from ._http import DEFAULT_TIMEOUT, HttpClient, ensure
from .errors import ChannelPaginationError, ChannelValidationError
from .models import CatalogItem, RemoteOrder

API_PATH = "wp-json/wc/v3"
BATCH_LIMIT = 100  # items per batch request, WooCommerce's default limit


@dataclass(frozen=True)
class OrderPage:
    orders: tuple[RemoteOrder, ...]
    page: int
    total_pages: int | None  # None: the answer had no X-WP-TotalPages
    total: int


@dataclass(frozen=True)
class Product:
    id: str
    parent_id: str  # the variable product of a variation, "" otherwise
    sku: str
    name: str
    type: str
    manage_stock: bool
    stock_quantity: int | None


@dataclass(frozen=True)
class OrderNote:
    id: str
    note: str
    customer_note: bool


@dataclass(frozen=True)
class StockResult:
    updated: tuple[Product, ...]
    errors: tuple[tuple[str, str], ...]  # (product id, message)


@dataclass(frozen=True)
class WooRefund:
    """A refund of an order (``orders/<id>/refunds``): ``amount`` as text, as
    WooCommerce gives it; ``refunded_payment`` when the gateway sent the money."""

    id: str
    order_id: str
    amount: str
    reason: str
    refunded_payment: bool


class WooCommerceClient(HttpClient):
    system = "WooCommerce"
    request_id_headers = ("X-Request-Id",)

    def __init__(
        self,
        store_url,
        consumer_key,
        consumer_secret,
        auth_in_query=False,
        timeout=DEFAULT_TIMEOUT,
        **kwargs,
    ):
        """``store_url``: the shop's address, ``https://shop.example.com``."""
        super().__init__(store_url.rstrip("/") + "/" + API_PATH, timeout=timeout, **kwargs)
        self._key = consumer_key
        self._secret = consumer_secret
        self.auth_in_query = auth_in_query

    def __repr__(self):
        return f"<WooCommerceClient {self.base_url}>"

    def request(self, method, path, params=None, **kwargs):
        if self.auth_in_query and kwargs.get("authenticate", True):
            params = {**(params or {}), "consumer_key": self._key, "consumer_secret": self._secret}
        return super().request(method, path, params=params, **kwargs)

    def _prepare(self, headers):
        if not self.auth_in_query:
            token = base64.b64encode(f"{self._key}:{self._secret}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        headers.setdefault("Accept", "application/json")

    # --- orders -------------------------------------------------------------------------
    def test_connection(self):
        """Read one order: proves the URL, the key and its read permission."""
        return self.get_order_page(per_page=1).total

    def get_order_page(self, modified_after=None, page=1, per_page=100, status="any"):
        params = {
            "page": page,
            "per_page": per_page,
            # A stable order across pages: modified_after filters what changed, and
            # WooCommerce REST v3 cannot sort orders by their modification date
            # (orderby: date, id, include, title, slug); ids never move.
            "orderby": "id",
            "order": "asc",
            "status": status,
            "dates_are_gmt": "true",
        }
        if modified_after:
            params["modified_after"] = modified_after
        response = self.request("GET", "orders", params=params)
        orders = response.json()
        ensure(isinstance(orders, list), "WooCommerce answered without orders", response)
        return OrderPage(
            orders=tuple(
                RemoteOrder(str(order.get("id")), order.get("date_modified_gmt") or "", order)
                for order in orders
            ),
            page=page,
            total_pages=_int(response.headers.get("X-WP-TotalPages"), None),
            total=_int(response.headers.get("X-WP-Total")),
        )

    def iter_orders(self, modified_after=None, per_page=100, status="any"):
        """Every order modified after ``modified_after`` (ISO 8601, GMT), page after page."""
        guard, page, previous = self._pages("orders"), 1, None
        while True:
            result = self.get_order_page(modified_after, page, per_page, status)
            ids = tuple(order.external_id for order in result.orders)
            if ids and ids == previous:
                raise ChannelPaginationError(
                    f"WooCommerce answered page {page} with the same orders as page "
                    f"{page - 1}: the server ignores the page asked for (a cache or a "
                    "plugin in front of the REST API?); the pull stops instead of looping"
                )
            yield from result.orders
            if not result.orders or (
                page >= result.total_pages
                if result.total_pages is not None
                # No X-WP-TotalPages (a proxy dropped it): read on to a short page.
                else len(result.orders) < per_page
            ):
                return
            page, previous = guard.follow(page + 1), ids

    def get_order(self, order_id):
        response = self.request("GET", f"orders/{order_id}")
        order = response.json()
        ensure(isinstance(order, dict), "WooCommerce answered without the order", response)
        return RemoteOrder(str(order.get("id")), order.get("date_modified_gmt") or "", order)

    def complete_order(self, order_id):
        response = self.request("PUT", f"orders/{order_id}", json={"status": "completed"})
        order = response.json()
        ensure(isinstance(order, dict), "WooCommerce answered without the order", response)
        return RemoteOrder(str(order.get("id")), order.get("date_modified_gmt") or "", order)

    def cancel_order(self, order_id):
        response = self.request("PUT", f"orders/{order_id}", json={"status": "cancelled"})
        order = response.json()
        ensure(isinstance(order, dict), "WooCommerce answered without the order", response)
        return RemoteOrder(str(order.get("id")), order.get("date_modified_gmt") or "", order)

    def add_order_note(self, order_id, note, customer_note=True):
        """Add a note (sent to the customer by mail when ``customer_note``). Not repeated."""
        response = self.request(
            "POST",
            f"orders/{order_id}/notes",
            json={"note": note, "customer_note": bool(customer_note)},
        )
        item = response.json()
        ensure(isinstance(item, dict), "WooCommerce answered without the note", response)
        return OrderNote(
            str(item.get("id")), item.get("note") or "", bool(item.get("customer_note"))
        )

    def order_notes(self, order_id, kind="any"):
        """The order's notes, the newest first (``kind``: any, customer, internal)."""
        response = self.request("GET", f"orders/{order_id}/notes", params={"type": kind})
        items = response.json()
        ensure(isinstance(items, list), "WooCommerce answered without the notes", response)
        return [
            OrderNote(str(item.get("id")), item.get("note") or "", bool(item.get("customer_note")))
            for item in items
            if isinstance(item, dict)
        ]

    def add_order_note_once(self, order_id, note, customer_note=True):
        """The order's note with this text, added unless the order has it already:
        a retry after a lost answer does not mail the customer twice."""
        kind = "customer" if customer_note else "internal"
        for existing in self.order_notes(order_id, kind):
            if html.unescape(existing.note).strip() == note.strip():
                return existing
        return self.add_order_note(order_id, note, customer_note=customer_note)

    # --- refunds ---------------------------------------------------------------------------
    def create_refund(self, order_id, amount, reason, line_items=None, api_refund=True):
        """Refund ``amount`` of an order (``POST orders/<id>/refunds``): with
        ``api_refund`` the payment gateway sends the money back to where the
        customer paid (WooCommerce refuses when the gateway cannot); ``line_items``
        (``[{"id": item id, "quantity": n, "refund_total": "x.xx"}]``) say which
        items. Not idempotent and never repeated: :meth:`find_refund` by its
        ``reason`` tells whether a refund was made before trying again."""
        body = {"amount": str(amount), "reason": reason, "api_refund": bool(api_refund)}
        if line_items:
            body["line_items"] = line_items
        response = self.request("POST", f"orders/{order_id}/refunds", json=body)
        item = response.json()
        ensure(isinstance(item, dict), "WooCommerce answered without the refund", response)
        return _refund(item, order_id)

    def list_refunds(self, order_id):
        """The order's refunds as WooCommerce gives them (JSON objects)."""
        response = self.request("GET", f"orders/{order_id}/refunds")
        items = response.json()
        ensure(isinstance(items, list), "WooCommerce answered without the refunds", response)
        return [item for item in items if isinstance(item, dict)]

    def find_refund(self, order_id, reason):
        """The order's refund with this ``reason`` (None when there is none)."""
        return next(
            (
                _refund(item, order_id)
                for item in self.list_refunds(order_id)
                if (item.get("reason") or "").strip() == reason.strip()
            ),
            None,
        )

    def push_tracking(self, order_id, carrier, tracking_number, tracking_url=None):
        """Mark the order completed and tell the customer the tracking in a note
        (once, however often it is pushed)."""
        order = self.complete_order(order_id)
        text = f"Your order has shipped with {carrier}. Tracking number: {tracking_number}"
        if tracking_url:
            text += f" ({tracking_url})"
        self.add_order_note_once(order_id, text, customer_note=True)
        return order

    # --- products and stock ------------------------------------------------------------
    def iter_catalogue(self, per_page=100):
        """The store's catalogue, one :class:`CatalogItem` per simple product and per
        variation of a variable product (``GET products``, then
        ``GET products/{id}/variations``), page after page. Grouped products sell
        nothing of their own and are left out."""
        for product in self._walk("products", "products", per_page):
            kind = product.get("type") or "simple"
            if kind == "grouped":
                continue
            if kind != "variable":
                yield _catalog_item(product)
                continue
            path = f"products/{product.get('id')}/variations"
            for variation in self._walk(path, "variations", per_page):
                yield _catalog_item(variation, parent=product)

    def _walk(self, path, what, per_page):
        """The items of a listing endpoint, ``page`` after ``page`` up to
        ``X-WP-TotalPages`` (or a short page without it), in id order."""
        guard, page, previous = self._pages(what), 1, None
        while True:
            params = {"page": page, "per_page": per_page, "orderby": "id", "order": "asc"}
            response = self.request("GET", path, params=params)
            items = response.json()
            ensure(isinstance(items, list), f"WooCommerce answered without {what}", response)
            ids = tuple(item.get("id") for item in items if isinstance(item, dict))
            if ids and ids == previous:
                raise ChannelPaginationError(
                    f"WooCommerce answered page {page} of {what} with the same items as page "
                    f"{page - 1}: the walk stops instead of looping"
                )
            yield from (item for item in items if isinstance(item, dict))
            total_pages = _int(response.headers.get("X-WP-TotalPages"), None)
            if not items or (
                page >= total_pages if total_pages is not None else len(items) < per_page
            ):
                return
            page, previous = guard.follow(page + 1), ids

    def find_product_by_sku(self, sku):
        """The product or variation with this SKU, or None."""
        response = self.request("GET", "products", params={"sku": sku, "per_page": 1})
        items = response.json()
        ensure(isinstance(items, list), "WooCommerce answered without products", response)
        return _product(items[0]) if items else None

    def set_stock(self, product, quantity):
        """Set the stock quantity of a product (or a variation, through its parent)."""
        path = (
            f"products/{product.parent_id}/variations/{product.id}"
            if product.parent_id
            else f"products/{product.id}"
        )
        response = self.request(
            "PUT", path, json={"manage_stock": True, "stock_quantity": int(quantity)}
        )
        return _product(response.json())

    def set_stock_batch(self, quantities):
        """Set many stock quantities: ``{product_id: quantity}`` (simple products).

        Sent in batches of 100; setting an absolute number is idempotent, so a
        failed batch is tried again. Per-item refusals come back in ``errors``.
        """
        items = [
            {"id": int(product_id), "manage_stock": True, "stock_quantity": int(quantity)}
            for product_id, quantity in quantities.items()
        ]
        updated, errors = [], []
        for start in range(0, len(items), BATCH_LIMIT):
            chunk = items[start : start + BATCH_LIMIT]
            response = self.request(
                "POST", "products/batch", json={"update": chunk}, idempotent=True
            )
            answer = (response.json() or {}).get("update")
            ensure(isinstance(answer, list), "WooCommerce answered without updates", response)
            for item in answer:
                if item.get("error"):
                    errors.append((str(item.get("id")), item["error"].get("message") or ""))
                else:
                    updated.append(_product(item))
        return StockResult(tuple(updated), tuple(errors))


def _refund(item, order_id):
    return WooRefund(
        id=str(item.get("id")),
        order_id=str(order_id),
        amount=str(item.get("amount") or "0"),
        reason=item.get("reason") or "",
        refunded_payment=bool(item.get("refunded_payment")),
    )


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _product(item):
    if not isinstance(item, dict):
        raise ChannelValidationError("WooCommerce answered without the product")
    quantity = item.get("stock_quantity")
    return Product(
        id=str(item.get("id")),
        parent_id=str(item.get("parent_id") or ""),
        sku=item.get("sku") or "",
        name=item.get("name") or "",
        type=item.get("type") or "",
        manage_stock=bool(item.get("manage_stock")),
        stock_quantity=int(quantity) if quantity is not None else None,
    )


def _catalog_item(item, parent=None):
    """A product (``parent`` None) or a variation of ``parent`` as a
    :class:`CatalogItem`. The barcode is ``global_unique_id`` (GTIN, UPC, EAN or
    ISBN, WooCommerce 9.2 on)."""
    name = html.unescape(item.get("name") or "")
    if parent is not None:
        options = ", ".join(
            str(a.get("option"))
            for a in item.get("attributes") or ()
            if isinstance(a, dict) and a.get("option")
        )
        base = html.unescape(parent.get("name") or "")
        name = f"{base} - {options}" if options else (name or base)
    price = item.get("regular_price") or item.get("price")
    return CatalogItem(
        product_id=str(parent.get("id") if parent is not None else item.get("id")),
        variant_id=str(item.get("id")) if parent is not None else "",
        sku=item.get("sku") or "",
        title=name,
        barcode=item.get("global_unique_id") or "",
        price=str(price) if price not in (None, "") else "",
        stock_id=str(item.get("id")),
        stock_parent_id=str(parent.get("id")) if parent is not None else "",
    )
