"""Shopify client on the GraphQL Admin API (version pinned in :data:`API_VERSION`).

Shopify calls its REST Admin API legacy: every call goes to
``POST /admin/api/<version>/graphql.json`` (operations in :mod:`.shopify_graphql`),
authenticated by the app's Admin API access token in ``X-Shopify-Access-Token``.
Webhooks are unchanged, and so is what the Odoo side gets: pulled orders are
turned into the webhook's (REST) order shape by
:func:`.shopify_graphql.order_from_graphql`, ids are the numeric ones.

Refunds go the documented way: ``suggestedRefund`` (the calculate step), then
``refundCreate`` through the transactions Shopify suggests.

Rate limit: GraphQL calls cost points (``extensions.cost``: ``requestedQueryCost``,
``actualQueryCost`` and ``throttleStatus`` with ``maximumAvailable``,
``currentlyAvailable`` and ``restoreRate`` points per second). Before a call
the client waits, once, for as long as the bucket needs to hold what the same
operation asked last time; a ``THROTTLED`` answer (HTTP 200, nothing done, so
it is tried again even for a mutation) is waited out at the restore rate, up to
``RetryPolicy.max_throttle_waits`` times, then raised as a rate-limit error.
GraphQL ``errors`` (answered with HTTP 200) and a mutation's ``userErrors`` are
raised as the typed channel errors.
"""

from dataclasses import dataclass

from . import shopify_graphql as gql
from ._http import DEFAULT_TIMEOUT, HttpClient, ensure
from .errors import (
    ChannelAuthError,
    ChannelNotFoundError,
    ChannelRateLimitError,
    ChannelServerError,
    ChannelValidationError,
)
from .models import CatalogItem, RemoteOrder

API_VERSION = "2025-01"  # the one pinned GraphQL Admin API version
# Orders per page and line items per order in one orders query: its requested
# cost stays under Shopify's 1,000-point limit for one query. An order with more
# lines has the rest read with its own query.
ORDERS_PER_PAGE = 20
LINES_PER_ORDER = 5
LINES_PER_PAGE = 100  # line items of one order (or fulfillment order) per query
FULFILLMENT_ORDERS_PER_PAGE = 5
LINES_PER_FULFILLMENT_ORDER = 50
VARIANTS_PER_PAGE = 250
LOCATIONS_PER_PAGE = 100
# Inventory items per read of their levels and per inventorySetQuantities.
INVENTORY_ITEMS_PER_PAGE = 50
# Compare-and-set answers COMPARE_QUANTITY_STALE an item may get before it is
# given up for this push (each one re-reads it first).
CAS_TRIES = 3
STALE = "COMPARE_QUANTITY_STALE"
# Shortest wait after a THROTTLED answer (seconds), when the bucket says less.
MIN_THROTTLE_WAIT = 1.0


@dataclass(frozen=True)
class ShopInfo:
    id: str
    name: str
    domain: str
    currency: str


@dataclass(frozen=True)
class OrderPage:
    orders: tuple[RemoteOrder, ...]
    next_page_info: str | None  # the GraphQL end cursor when there is a next page


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
    barcode: str = ""
    title: str = ""  # the product's title and the variant's ("Cap - Red")
    price: str = ""

    def as_catalog_item(self):
        return CatalogItem(
            product_id=self.product_id,
            variant_id=self.id,
            sku=self.sku,
            title=self.title,
            barcode=self.barcode,
            price=self.price,
            stock_id=self.inventory_item_id,
        )


@dataclass(frozen=True)
class InventoryLevel:
    inventory_item_id: str
    location_id: str
    available: int
    updated_at: str


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    active: bool


@dataclass(frozen=True)
class InventoryWrite:
    """What a compare-and-set push did for one inventory item at one location:
    the ``available`` figure read (the ``compareQuantity`` of the write that held,
    the last one read when none did), the figure set, how many writes it took
    part in, and why it was not set (``error``; ``stale``: a sale kept moving the
    figure, the next push tries again)."""

    inventory_item_id: str
    location_id: str
    read: int | None
    sent: int | None
    tries: int = 0
    error: str = ""
    stale: bool = False

    @property
    def done(self):
        return not self.error


@dataclass(frozen=True)
class QueryCost:
    """``extensions.cost`` of the last answer, and when it came (the client's clock)."""

    requested: float
    actual: float | None
    maximum: float
    available: float
    restore_rate: float
    at: float


@dataclass(frozen=True)
class RefundTransaction:
    id: str
    kind: str  # refund
    status: str  # success, pending, failure...
    gateway: str
    amount: str


@dataclass(frozen=True)
class Refund:
    """A refund made in Shopify: its money went back through ``transactions``."""

    id: str
    order_id: str
    note: str
    amount: str  # shop currency
    currency: str
    created_at: str
    transactions: tuple[RefundTransaction, ...]


class ShopifyClient(HttpClient):
    system = "Shopify"
    request_id_headers = ("X-Request-Id",)

    def __init__(
        self,
        shop_url,
        access_token,
        api_version=API_VERSION,
        timeout=DEFAULT_TIMEOUT,
        **kwargs,
    ):
        """``shop_url``: ``https://<shop>.myshopify.com`` (any URL for a simulator)."""
        super().__init__(shop_url, timeout=timeout, **kwargs)
        self._access_token = access_token
        self.api_version = api_version
        self.cost = None  # QueryCost of the last answer
        self._requested = {}  # operation → the requestedQueryCost it had last
        self.slowdowns = 0  # waits before a call for the bucket to refill
        self.throttled = 0  # THROTTLED answers waited out

    def __repr__(self):
        return f"<ShopifyClient {self.base_url}>"

    # --- HttpClient hooks -------------------------------------------------------------
    def _prepare(self, headers):
        headers["X-Shopify-Access-Token"] = self._access_token
        headers.setdefault("Accept", "application/json")

    def _error_message(self, response):
        data = _json_or_none(response)
        if isinstance(data, dict) and data.get("errors"):
            return _messages(data["errors"])
        message = super()._error_message(response)
        return message.strip("[]'\" ") if message else message

    def _api(self, path):
        return f"admin/api/{self.api_version}/{path}"

    # --- GraphQL ------------------------------------------------------------------------
    def graphql(self, query, operation, variables=None, idempotent=True):
        """Run one named GraphQL operation; return its ``data`` (a dict).

        ``idempotent``: whether a connection error or a 5xx may be tried again
        (queries; a mutation only when repeating it changes nothing). Waits for the
        cost bucket before the call and after a ``THROTTLED`` answer (never in a
        loop without sleeping), bounded by the retry policy's throttle waits.
        """
        body = {"query": query, "operationName": operation, "variables": variables or {}}
        waits = 0
        while True:
            self._wait_for_points(operation)
            response = self.request(
                "POST", self._api("graphql.json"), json=body, idempotent=idempotent
            )
            answer = _json_or_none(response)
            ensure(isinstance(answer, dict), f"Shopify answered {operation} without JSON", response)
            self._read_cost(operation, answer.get("extensions"))
            errors = answer.get("errors")
            if errors and _throttled(errors):
                waits += 1
                self.throttled += 1
                if waits > self.retry.max_throttle_waits:
                    raise self._graphql_error(operation, errors, response, ChannelRateLimitError)
                wait = self._throttle_wait_for(operation)
                self.logger.info("Shopify throttled %s (cost), waiting %.1f s", operation, wait)
                self.sleep(wait)
                continue
            if errors:
                raise self._graphql_error(operation, errors, response)
            data = answer.get("data")
            ensure(isinstance(data, dict), f"Shopify answered {operation} without data", response)
            return data

    def _read_cost(self, operation, extensions):
        cost = (extensions or {}).get("cost") if isinstance(extensions, dict) else None
        status = (cost or {}).get("throttleStatus")
        if not isinstance(status, dict):
            return
        try:
            self.cost = QueryCost(
                requested=float(cost.get("requestedQueryCost") or 0),
                actual=(
                    float(cost["actualQueryCost"])
                    if cost.get("actualQueryCost") is not None
                    else None
                ),
                maximum=float(status["maximumAvailable"]),
                available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                at=self.clock(),
            )
        except (KeyError, TypeError, ValueError):
            return  # a cost we cannot read is not a reason to fail the call
        if self.cost.requested:
            self._requested[operation] = self.cost.requested

    def _available_now(self):
        cost = self.cost
        elapsed = max(0.0, self.clock() - cost.at)
        return min(cost.maximum, cost.available + elapsed * cost.restore_rate)

    def _wait_for_points(self, operation):
        """Sleep once, as long as the bucket needs to hold what ``operation`` asked
        last time, when the last known ``currentlyAvailable`` is below it."""
        needed = self._requested.get(operation)
        if not needed or self.cost is None or self.cost.restore_rate <= 0:
            return
        needed = min(needed, self.cost.maximum)
        available = self._available_now()
        if available >= needed:
            return
        # One point more than needed: the bucket's figures are rounded.
        wait = (needed + 1 - available) / self.cost.restore_rate
        self.slowdowns += 1
        self.logger.info(
            "Shopify cost bucket at %.0f/%.0f points, %s needs %.0f: waiting %.1f s",
            available,
            self.cost.maximum,
            operation,
            needed,
            wait,
        )
        self.sleep(wait)

    def _throttle_wait_for(self, operation):
        """Seconds until the bucket holds the throttled query's requested cost."""
        cost = self.cost
        if cost is None or cost.restore_rate <= 0:
            return self.retry.backoff(1, self.rng)
        needed = min(self._requested.get(operation) or cost.requested, cost.maximum)
        wait = (needed + 1 - cost.available) / cost.restore_rate
        return max(MIN_THROTTLE_WAIT, wait)

    def _graphql_error(self, operation, errors, response, kind=None):
        codes = (
            {
                ((error.get("extensions") or {}).get("code") or "")
                for error in errors
                if isinstance(error, dict)
            }
            if isinstance(errors, list)
            else set()
        )
        if kind is None:
            if "ACCESS_DENIED" in codes:
                kind = ChannelAuthError
            elif codes & {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"}:
                kind = ChannelServerError
            else:
                kind = ChannelValidationError
        return kind(
            f"Shopify refused {operation}: {_messages(errors)}",
            status=response.status,
            request_id=response.request_id,
            body_excerpt=response.body[:500].decode("utf-8", "replace"),
        )

    def _user_errors(self, operation, payload, response_key="userErrors"):
        """Raise the mutation's ``userErrors`` as a :class:`ChannelValidationError`."""
        errors = (payload or {}).get(response_key) or []
        if errors:
            text = "; ".join(
                ".".join(str(part) for part in error.get("field") or ()) + ": " + error["message"]
                if error.get("field")
                else error.get("message", "")
                for error in errors
            )
            raise ChannelValidationError(f"Shopify refused {operation}: {text}")

    # --- calls --------------------------------------------------------------------------
    def test_connection(self):
        shop = self.graphql(gql.SHOP, "Shop").get("shop")
        ensure(isinstance(shop, dict), "Shopify answered without a shop")
        return ShopInfo(
            id=str(gql.numeric_id(shop.get("id")) or ""),
            name=shop.get("name") or "",
            domain=shop.get("myshopifyDomain") or "",
            currency=shop.get("currencyCode") or "",
        )

    def get_order_page(self, updated_at_min=None, limit=ORDERS_PER_PAGE, page_info=None):
        """One page of orders by update time (oldest first); ``page_info`` is the
        end cursor of the page before. ``limit`` is capped at :data:`ORDERS_PER_PAGE`
        (the query's cost)."""
        variables = {
            "first": max(1, min(int(limit), ORDERS_PER_PAGE)),
            "after": page_info,
            "query": f"updated_at:>='{updated_at_min}'" if updated_at_min else None,
            "lines": LINES_PER_ORDER,
        }
        data = self.graphql(gql.ORDERS_PAGE, "OrdersPage", variables)
        connection = data.get("orders")
        ensure(
            isinstance(connection, dict) and isinstance(connection.get("nodes"), list),
            "Shopify answered without orders",
        )
        page_info_out = connection.get("pageInfo") or {}
        return OrderPage(
            orders=tuple(self._remote_order(node) for node in connection["nodes"]),
            next_page_info=(
                page_info_out.get("endCursor") if page_info_out.get("hasNextPage") else None
            ),
        )

    def iter_orders(self, updated_at_min=None, limit=ORDERS_PER_PAGE, status="any"):
        """Every order updated since ``updated_at_min`` (ISO 8601), page after page,
        oldest update first. ``status`` is kept for callers: the GraphQL orders
        query lists every order (open, closed, cancelled) unless asked otherwise."""
        guard = self._pages("orders")
        page = self.get_order_page(updated_at_min=updated_at_min, limit=limit)
        yield from page.orders
        while page.next_page_info:
            page = self.get_order_page(
                updated_at_min=updated_at_min,
                limit=limit,
                page_info=guard.follow(page.next_page_info),
            )
            yield from page.orders

    def get_order(self, order_id):
        data = self.graphql(
            gql.ORDER, "Order", {"id": gql.gid("Order", order_id), "lines": LINES_PER_PAGE}
        )
        node = data.get("order")
        if node is None:
            raise ChannelNotFoundError(f"Shopify has no order {order_id}", status=200)
        return self._remote_order(node)

    def _remote_order(self, node):
        ensure(isinstance(node, dict) and node.get("id"), "Shopify answered an order without id")
        connection = node.get("lineItems") or {}
        nodes = list(connection.get("nodes") or ())
        if (connection.get("pageInfo") or {}).get("hasNextPage"):
            nodes += self._more_line_items(node["id"], connection["pageInfo"]["endCursor"])
            node = {**node, "lineItems": {"nodes": nodes}}
        order = gql.order_from_graphql(node)
        return RemoteOrder(str(order["id"]), order.get("updated_at") or "", order)

    def _more_line_items(self, order_gid, cursor):
        return self._more_nodes(
            gql.ORDER_LINE_ITEMS, "OrderLineItems", order_gid, "order", "line items", cursor
        )

    def _more_nodes(self, query, operation, gid, root, what, cursor):
        """The ``lineItems`` of the object ``gid`` (the answer's ``root``) after
        ``cursor``, page after page (:data:`LINES_PER_PAGE` a page), the cursors
        guarded; ``[]`` without a cursor."""
        guard = self._pages(what)
        items = []
        while cursor:
            data = self.graphql(
                query,
                operation,
                {"id": gid, "first": LINES_PER_PAGE, "after": guard.follow(cursor)},
            )
            connection = (data.get(root) or {}).get("lineItems") or {}
            items += connection.get("nodes") or []
            page = connection.get("pageInfo") or {}
            cursor = page.get("endCursor") if page.get("hasNextPage") else None
        return items

    def get_order_risks(self, order_id):
        """The order's risk assessments (``order.risk.assessments``) as the Order
        Risk resource listed them: dicts with ``recommendation`` (accept /
        investigate / cancel), ``message``, ``source`` and ``display`` (see
        :func:`.shopify_graphql.risks_from_graphql`)."""
        data = self.graphql(gql.ORDER_RISKS, "OrderRisks", {"id": gql.gid("Order", order_id)})
        order = data.get("order")
        if order is None:
            raise ChannelNotFoundError(f"Shopify has no order {order_id}", status=200)
        return gql.risks_from_graphql(order.get("risk"))

    def get_fulfillment_orders(self, order_id):
        """The order's fulfillment orders, each with all its lines."""
        guard = self._pages("fulfillment orders")
        variables = {
            "id": gql.gid("Order", order_id),
            "first": FULFILLMENT_ORDERS_PER_PAGE,
            "after": None,
            "lines": LINES_PER_FULFILLMENT_ORDER,
        }
        result = []
        while True:
            data = self.graphql(gql.FULFILLMENT_ORDERS, "FulfillmentOrders", variables)
            order = data.get("order")
            if order is None:
                raise ChannelNotFoundError(f"Shopify has no order {order_id}", status=200)
            connection = order.get("fulfillmentOrders") or {}
            for node in connection.get("nodes") or ():
                lines = node.get("lineItems") or {}
                page = lines.get("pageInfo") or {}
                if page.get("hasNextPage"):
                    more = self._more_fulfillment_order_lines(node["id"], page.get("endCursor"))
                    lines = {"nodes": [*lines.get("nodes", []), *more]}
                result.append(_fulfillment_order({**node, "lineItems": lines}, order_id))
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return tuple(result)
            variables = {**variables, "after": guard.follow(page.get("endCursor"))}

    def _more_fulfillment_order_lines(self, fulfillment_order_gid, cursor):
        return self._more_nodes(
            gql.FULFILLMENT_ORDER_LINE_ITEMS,
            "FulfillmentOrderLineItems",
            fulfillment_order_gid,
            "fulfillmentOrder",
            "fulfillment order lines",
            cursor,
        )

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
                    "fulfillmentOrderId": gql.gid("FulfillmentOrder", fo_id),
                    "fulfillmentOrderLineItems": [
                        {"id": gql.gid("FulfillmentOrderLineItem", line_id), "quantity": int(qty)}
                        for line_id, qty in lines.items()
                    ],
                }
                for fo_id, lines in fulfillment_orders.items()
            ]
        else:
            by_order = [
                {"fulfillmentOrderId": gql.gid("FulfillmentOrder", fo_id)}
                for fo_id in fulfillment_orders
            ]
        fulfillment = {
            "lineItemsByFulfillmentOrder": by_order,
            "notifyCustomer": bool(notify_customer),
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
            fulfillment["trackingInfo"] = tracking
        data = self.graphql(
            gql.FULFILLMENT_CREATE,
            "FulfillmentCreate",
            {"fulfillment": fulfillment},
            idempotent=False,
        )
        payload = data.get("fulfillmentCreate") or {}
        self._user_errors("FulfillmentCreate", payload)
        item = payload.get("fulfillment")
        ensure(isinstance(item, dict), "Shopify answered without the fulfillment")
        infos = item.get("trackingInfo") or []
        return Fulfillment(
            id=str(gql.numeric_id(item.get("id"))),
            order_id=str(gql.numeric_id((item.get("order") or {}).get("id"))),
            status=(item.get("status") or "").lower(),
            tracking_company=next((i.get("company") for i in infos if i.get("company")), ""),
            tracking_numbers=tuple(i["number"] for i in infos if i.get("number")),
        )

    def fulfill_order(self, order_id, tracking_number=None, tracking_company=None, **kwargs):
        """Fulfil every open fulfillment order of an order with one tracking number."""
        open_ids = [fo.id for fo in self.get_fulfillment_orders(order_id) if fo.can_be_fulfilled]
        if not open_ids:
            return None
        return self.create_fulfillment(
            open_ids, tracking_number=tracking_number, tracking_company=tracking_company, **kwargs
        )

    def cancel_order(self, order_id, reason="other", email=False, refund=False, restock=True):
        """Cancel an order (reason: customer, inventory, fraud, declined, staff, other)
        and return it as it is then.

        ``orderCancel`` runs as a job in Shopify: the order read back may not say
        cancelled yet. Money stays where it is unless ``refund`` (refunds are made
        on their own); the items go back to stock unless ``restock`` is false.
        """
        data = self.graphql(
            gql.ORDER_CANCEL,
            "OrderCancel",
            {
                "orderId": gql.gid("Order", order_id),
                "reason": str(reason).upper(),
                "refund": bool(refund),
                "restock": bool(restock),
                "notifyCustomer": bool(email),
            },
            idempotent=False,
        )
        payload = data.get("orderCancel") or {}
        self._user_errors("OrderCancel", payload, "orderCancelUserErrors")
        return self.get_order(order_id)

    def create_refund(
        self,
        order_id,
        lines=None,
        shipping_amount=None,
        full_shipping=False,
        restock=False,
        location_id=None,
        note=None,
        notify=False,
    ):
        """Refund ``lines`` (``{line item id: quantity}``) and shipping (an amount in
        the shop currency, or all of it with ``full_shipping``) to where the
        customer paid, and return the :class:`Refund`.

        As Shopify documents it: the order's ``suggestedRefund`` for the same
        lines and shipping gives the amount and the transactions to refund
        through (the calculate step), then ``refundCreate`` makes the refund.
        ``restock``: the items go back to stock at ``location_id`` (a return),
        otherwise they are not restocked. Not idempotent: a failed call is not
        repeated on 5xx or connection errors; :meth:`find_refund` by its ``note``
        tells the caller whether it was made before trying again.
        """
        order_gid = gql.gid("Order", order_id)
        refund_lines = [
            {"lineItemId": gql.gid("LineItem", line_id), "quantity": int(quantity)}
            for line_id, quantity in (lines or {}).items()
        ]
        variables = {"id": order_gid, "refundLineItems": refund_lines}
        if full_shipping:
            variables["refundShipping"] = True
        elif shipping_amount is not None:
            variables["shippingAmount"] = str(shipping_amount)
        data = self.graphql(gql.SUGGESTED_REFUND, "SuggestedRefund", variables)
        order = data.get("order")
        if order is None:
            raise ChannelNotFoundError(f"Shopify has no order {order_id}", status=200)
        suggested = order.get("suggestedRefund") or {}
        transactions = [
            {
                "orderId": order_gid,
                "parentId": (t.get("parentTransaction") or {}).get("id"),
                "kind": "REFUND",
                "gateway": t.get("gateway"),
                "amount": ((t.get("amountSet") or {}).get("shopMoney") or {}).get("amount"),
            }
            for t in suggested.get("suggestedTransactions") or ()
        ]
        refund_input = {
            "orderId": order_gid,
            "notify": bool(notify),
            "refundLineItems": [
                {
                    **line,
                    "restockType": "RETURN" if restock else "NO_RESTOCK",
                    **(
                        {"locationId": gql.gid("Location", location_id)}
                        if restock and location_id
                        else {}
                    ),
                }
                for line in refund_lines
            ],
            "transactions": transactions,
        }
        if note:
            refund_input["note"] = note
        if full_shipping:
            refund_input["shipping"] = {"fullRefund": True}
        elif shipping_amount is not None:
            refund_input["shipping"] = {"amount": str(shipping_amount)}
        data = self.graphql(
            gql.REFUND_CREATE, "RefundCreate", {"input": refund_input}, idempotent=False
        )
        payload = data.get("refundCreate") or {}
        self._user_errors("RefundCreate", payload)
        refund = payload.get("refund")
        ensure(isinstance(refund, dict), "Shopify answered without the refund")
        return _refund(refund, order_id)

    def find_refund(self, order_id, note):
        """The order's refund with this ``note`` (None when there is none)."""
        data = self.graphql(gql.ORDER_REFUNDS, "OrderRefunds", {"id": gql.gid("Order", order_id)})
        order = data.get("order")
        if order is None:
            raise ChannelNotFoundError(f"Shopify has no order {order_id}", status=200)
        return next(
            (
                _refund(node, order_id)
                for node in order.get("refunds") or ()
                if node.get("note") == note
            ),
            None,
        )

    def _iter_nodes(self, query, operation, root, what, limit, most):
        """The ``nodes`` of the top-level connection ``root`` of a GraphQL query,
        page after page (at most ``most`` a page), the cursors guarded."""
        guard = self._pages(what)
        variables = {"first": max(1, min(int(limit), most)), "after": None}
        while True:
            connection = self.graphql(query, operation, variables).get(root)
            ensure(
                isinstance(connection, dict) and isinstance(connection.get("nodes"), list),
                f"Shopify answered without {what}",
            )
            yield from connection["nodes"]
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return
            variables = {**variables, "after": guard.follow(page.get("endCursor"))}

    def iter_variants(self, limit=VARIANTS_PER_PAGE):
        """Every product variant of the shop (SKU and inventory item), page after page."""
        for node in self._iter_nodes(
            gql.PRODUCT_VARIANTS,
            "ProductVariants",
            "productVariants",
            "products",
            limit,
            VARIANTS_PER_PAGE,
        ):
            yield _variant(node)

    def iter_catalogue(self, limit=VARIANTS_PER_PAGE):
        """The shop's catalogue, one :class:`CatalogItem` per product variant."""
        for variant in self.iter_variants(limit=limit):
            yield variant.as_catalog_item()

    def iter_locations(self, limit=LOCATIONS_PER_PAGE):
        """The shop's locations (``locations``, inactive ones too; needs
        ``read_locations``), page after page."""
        for node in self._iter_nodes(
            gql.LOCATIONS, "Locations", "locations", "locations", limit, LOCATIONS_PER_PAGE
        ):
            yield Location(
                id=str(gql.numeric_id(node.get("id"))),
                name=node.get("name") or "",
                active=bool(node.get("isActive", True)),
            )

    def read_available(self, inventory_item_ids, location_id):
        """``{inventory item id: available}`` at ``location_id`` for up to
        :data:`INVENTORY_ITEMS_PER_PAGE` items, in one query (``nodes`` with each
        item's ``inventoryLevel``; needs ``read_inventory``). An item not stocked
        at the location (no level) or unknown to the shop maps to None."""
        ids = [str(item) for item in inventory_item_ids]
        ensure(len(ids) <= INVENTORY_ITEMS_PER_PAGE, "Too many inventory items for one read")
        data = self.graphql(
            gql.INVENTORY_LEVELS,
            "InventoryLevels",
            {
                "ids": [gql.gid("InventoryItem", item) for item in ids],
                "locationId": gql.gid("Location", location_id),
            },
        )
        nodes = data.get("nodes")
        ensure(isinstance(nodes, list), "Shopify answered without inventory items")
        found = {}
        for node in nodes:
            if not isinstance(node, dict):
                continue  # an id that is no inventory item
            level = node.get("inventoryLevel")
            quantities = (level or {}).get("quantities") or ()
            available = next(
                (q.get("quantity") for q in quantities if q.get("name") == "available"), None
            )
            found[str(gql.numeric_id(node.get("id")))] = (
                int(available) if level and available is not None else None
            )
        return {item: found.get(item) for item in ids}

    def set_available_checked(self, location_id, quantities, tries=CAS_TRIES):
        """Set the ``available`` figure of inventory items at ``location_id``
        (``{inventory item id: quantity}``) with Shopify's compare-and-set.

        Page by page (:data:`INVENTORY_ITEMS_PER_PAGE` items): one query reads
        the figures, one ``inventorySetQuantities`` sends the new ones with
        ``ignoreCompareQuantity`` false and each ``compareQuantity`` the figure
        read. Shopify changes nothing of the page when one of them moved since
        (a sale): it answers ``COMPARE_QUANTITY_STALE`` for it, and the stale
        items are read again and the page sent again. An item stale ``tries``
        times is given up (``InventoryWrite.stale``: the next push tries again)
        and the rest of the page is sent without it; so a sale made between the
        read and the write is never overwritten with a figure that did not see
        it. Repeating a write after a lost answer is safe: it is refused as stale
        (the figure is already the new one), read again and sent again unchanged.
        An item the location does not stock is not sent. Returns one
        :class:`InventoryWrite` per item.
        """
        location_id = str(location_id)
        items = [str(item) for item in quantities]
        wanted = {str(item): int(quantity) for item, quantity in quantities.items()}
        results = []
        for start in range(0, len(items), INVENTORY_ITEMS_PER_PAGE):
            page = items[start : start + INVENTORY_ITEMS_PER_PAGE]
            read = self.read_available(page, location_id)
            sent_in = dict.fromkeys(page, 0)
            stale_answers = dict.fromkeys(page, 0)
            pending = []
            for item in page:
                if read[item] is None:
                    results.append(_not_stocked(item, location_id))
                else:
                    pending.append(item)
            while pending:
                for item in pending:
                    sent_in[item] += 1
                stale = self._set_available_page(location_id, pending, wanted, read)
                if not stale:
                    results.extend(
                        InventoryWrite(item, location_id, read[item], wanted[item], sent_in[item])
                        for item in pending
                    )
                    break
                given_up = set()
                for item in stale:
                    stale_answers[item] += 1
                    if stale_answers[item] >= tries:
                        given_up.add(item)
                results.extend(
                    InventoryWrite(
                        item,
                        location_id,
                        read[item],
                        None,
                        sent_in[item],
                        error=f"Shopify's available figure at location {location_id} "
                        f"changed during each of {tries} tries (sales under way): not "
                        "set, the next push tries again.",
                        stale=True,
                    )
                    for item in pending
                    if item in given_up
                )
                pending = [item for item in pending if item not in given_up]
                fresh = [item for item in stale if item not in given_up]
                if fresh:
                    read.update(self.read_available(fresh, location_id))
                for item in [item for item in pending if read[item] is None]:
                    results.append(_not_stocked(item, location_id, sent_in[item]))
                    pending.remove(item)
        return tuple(results)

    def _set_available_page(self, location_id, items, wanted, read):
        """One ``inventorySetQuantities`` of ``items`` compared with ``read``; the
        items Shopify answered stale (then nothing was set), else an empty set.
        Any other refusal is raised."""
        location_gid = gql.gid("Location", location_id)
        # Safe to repeat: a write that went through makes its repetition stale.
        payload = self._set_quantities(
            [
                {
                    "inventoryItemId": gql.gid("InventoryItem", item),
                    "locationId": location_gid,
                    "quantity": wanted[item],
                    "compareQuantity": read[item],
                }
                for item in items
            ],
            compare=True,
        )
        errors = payload.get("userErrors") or []
        stale = [error for error in errors if error.get("code") == STALE]
        if len(stale) < len(errors):
            self._user_errors(
                "InventorySetQuantities",
                {"userErrors": [error for error in errors if error.get("code") != STALE]},
            )
        found = set()
        for error in stale:
            field = error.get("field") or ()
            index = field[2] if len(field) > 2 else None
            if isinstance(index, str) and index.isdigit() and int(index) < len(items):
                found.add(items[int(index)])
            else:
                return set(items)  # Shopify did not say which: all are read again
        return found

    def _set_quantities(self, quantities, compare):
        """One ``inventorySetQuantities`` of ``available`` figures, each checked
        against its ``compareQuantity`` when ``compare``; its payload. Safe to
        repeat either way (an absolute figure; or a stale answer)."""
        data = self.graphql(
            gql.INVENTORY_SET_QUANTITIES,
            "InventorySetQuantities",
            {
                "input": {
                    "name": "available",
                    "reason": "correction",
                    "ignoreCompareQuantity": not compare,
                    "quantities": quantities,
                }
            },
            idempotent=True,
        )
        return data.get("inventorySetQuantities") or {}

    def set_inventory_level(self, inventory_item_id, location_id, available):
        """Set the available quantity of an item at a location (an absolute value).

        Odoo is the source of truth of the figure it pushes: the compare-and-set
        check is skipped (``ignoreCompareQuantity``), so setting the same number
        twice changes nothing and the call may be repeated.
        """
        item_gid = gql.gid("InventoryItem", inventory_item_id)
        location_gid = gql.gid("Location", location_id)
        payload = self._set_quantities(
            [{"inventoryItemId": item_gid, "locationId": location_gid, "quantity": int(available)}],
            compare=False,
        )
        self._user_errors("InventorySetQuantities", payload)
        group = payload.get("inventoryAdjustmentGroup") or {}
        change = next(
            (
                c
                for c in group.get("changes") or ()
                if c.get("name") == "available"
                and (c.get("item") or {}).get("id") == item_gid
                and (c.get("location") or {}).get("id") == location_gid
            ),
            {},
        )
        after = change.get("quantityAfterChange")
        return InventoryLevel(
            inventory_item_id=str(gql.numeric_id(item_gid)),
            location_id=str(gql.numeric_id(location_gid)),
            # No adjustment group: the quantity already was the one asked.
            available=int(after) if after is not None else int(available),
            updated_at=group.get("createdAt") or "",
        )


def _refund(node, order_id):
    total = ((node.get("totalRefundedSet") or {}).get("shopMoney")) or {}
    return Refund(
        id=str(gql.numeric_id(node.get("id"))),
        order_id=str(order_id),
        note=node.get("note") or "",
        amount=total.get("amount") or "0.00",
        currency=total.get("currencyCode") or "",
        created_at=node.get("createdAt") or "",
        transactions=tuple(
            RefundTransaction(
                id=str(gql.numeric_id(t.get("id"))),
                kind=(t.get("kind") or "").lower(),
                status=(t.get("status") or "").lower(),
                gateway=t.get("gateway") or "",
                amount=((t.get("amountSet") or {}).get("shopMoney") or {}).get("amount") or "",
            )
            for t in (node.get("transactions") or {}).get("nodes") or ()
        ),
    )


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _throttled(errors):
    return isinstance(errors, list) and any(
        isinstance(error, dict) and (error.get("extensions") or {}).get("code") == "THROTTLED"
        for error in errors
    )


def _messages(errors):
    """The messages of GraphQL ``errors`` (a list of objects) or of a REST-style
    ``errors`` string, in one line."""
    if isinstance(errors, list):
        return "; ".join(
            str(error.get("message")) if isinstance(error, dict) else str(error) for error in errors
        )
    return str(errors).strip("[]'\" ")


def _fulfillment_order(item, order_id):
    location = (item.get("assignedLocation") or {}).get("location") or {}
    return FulfillmentOrder(
        id=str(gql.numeric_id(item.get("id"))),
        order_id=str(order_id),
        status=(item.get("status") or "").lower(),
        assigned_location_id=str(gql.numeric_id(location.get("id")) or ""),
        line_items=tuple(
            FulfillmentOrderLine(
                id=str(gql.numeric_id(line.get("id"))),
                line_item_id=str(gql.numeric_id((line.get("lineItem") or {}).get("id"))),
                quantity=int(line.get("totalQuantity") or 0),
                fulfillable_quantity=int(line.get("remainingQuantity") or 0),
            )
            for line in (item.get("lineItems") or {}).get("nodes") or ()
        ),
    )


def _variant(node):
    """A ``ProductVariant`` node (``productVariants``) as a :class:`Variant`."""
    product = node.get("product") or {}
    # displayName is the product's title and the variant's; a product without
    # options has one variant titled "Default Title", which names nothing.
    title = (node.get("displayName") or "").removesuffix(" - Default Title")
    if not title:
        names = (product.get("title") or "", node.get("title") or "")
        title = " - ".join(name for name in names if name and name != "Default Title")
    price = node.get("price")
    return Variant(
        id=str(gql.numeric_id(node.get("id"))),
        product_id=str(gql.numeric_id(product.get("id")) or ""),
        sku=node.get("sku") or "",
        inventory_item_id=str(gql.numeric_id((node.get("inventoryItem") or {}).get("id")) or ""),
        barcode=node.get("barcode") or "",
        title=title,
        price=str(price) if price not in (None, "") else "",
    )


def _not_stocked(item, location_id, tries=0):
    """The write of an item the location does not stock (any longer, after
    ``tries`` writes): not sent."""
    state = "no longer stocked" if tries else "not stocked"
    return InventoryWrite(
        item,
        location_id,
        None,
        None,
        tries,
        error=f"The inventory item {item} is {state} at the Shopify location {location_id}.",
    )
