"""Shopify Admin API (2025-01) simulator: the GraphQL Admin API and the legacy REST one.

The GraphQL Admin API (``POST /admin/api/2025-01/graphql.json``) answers the
operations the client sends, recognised by their operation name (``Shop``,
``OrdersPage``, ``Order``, ``OrderLineItems``, ``OrderRisks``,
``FulfillmentOrders``, ``FulfillmentOrderLineItems``, ``FulfillmentCreate``,
``OrderCancel``, ``ProductVariants``, ``InventoryLevels``, ``InventorySetQuantities``,
``Locations``,
``SuggestedRefund``, ``RefundCreate``, ``OrderRefunds``), from the
same state as the REST endpoints, in the documented shapes: global ids
(``gid://shopify/Order/450789469``), ``nodes`` with ``pageInfo { hasNextPage
endCursor }`` cursors, money bags, upper-case enums, ``userErrors`` on
mutations, errors answered with HTTP 200, and the calculated query cost in
``extensions.cost`` (``requestedQueryCost``, ``actualQueryCost``,
``throttleStatus``). The cost is a simplified version of Shopify's (2 per
connection plus ``first`` times a fixed cost per node, 10 per mutation): a
query above 1,000 points is refused (``MAX_COST_EXCEEDED``), one asking more
than the bucket holds is answered ``THROTTLED`` and not run, and the bucket
(``max_available`` points) refills at ``restore_rate`` points per second.
:meth:`ShopifySimulator.fail_next_graphql` injects a ``THROTTLED`` answer,
GraphQL ``errors``, ``userErrors`` or an HTTP status for one operation.

The REST endpoints stay for what still calls them. They follow the public
documentation: ``X-Shopify-Access-Token`` auth (401 with
``{"errors": "[API] Invalid API key or access token ..."}``), a missing scope
answered 403, cursor pagination of ``orders.json`` through the ``Link`` header
(``page_info`` may only travel with ``limit``), the leaky bucket reported in
``X-Shopify-Shop-Api-Call-Limit`` and a 429 with ``Retry-After`` when it
overflows, fulfillment orders and fulfillments with tracking, cancellation,
inventory levels, and webhooks signed with the app's secret.

Time comes from ``clock`` (``time.monotonic`` by default) so that a test can run
the bucket on a fake clock that the client's injected ``sleep`` advances.

:func:`generate_orders` makes realistic, reproducible orders (seeded) in the
shape of the ``order`` resource; it is also used by the benchmark.
"""

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import random
import re
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import requests

from tests.simulators.base import Response, Simulator, route

API_VERSION = "2025-01"
BASE_TIME = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

CATALOGUE = [
    # sku, title, variant, price, inventory item id
    ("TSHIRT-BLK-S", "Organic T-Shirt", "Black / S", "24.00", 808950810),
    ("TSHIRT-BLK-M", "Organic T-Shirt", "Black / M", "24.00", 808950811),
    ("TSHIRT-WHT-L", "Organic T-Shirt", "White / L", "24.00", 808950812),
    ("HOODIE-GRY-M", "Zip Hoodie", "Grey / M", "59.90", 808950813),
    ("HOODIE-NVY-L", "Zip Hoodie", "Navy / L", "59.90", 808950814),
    ("CAP-RED", "Baseball Cap", "Red", "19.50", 808950815),
    ("MUG-CER-350", "Ceramic Mug 350 ml", "", "12.00", 808950816),
    ("BOTTLE-STL-750", "Steel Bottle 750 ml", "", "29.95", 808950817),
    ("SOCKS-3PK", "Socks 3-pack", "", "14.99", 808950818),
    ("TOTE-CANVAS", "Canvas Tote", "", "17.00", 808950819),
    ("JEANS-32-32", "Slim Jeans", "32/32", "89.00", 808950820),
    ("SNEAKER-42", "Court Sneaker", "EU 42", "119.00", 808950821),
]
CUSTOMERS = [
    (
        "Bob",
        "Norman",
        "bob.norman@example.com",
        "+16135551111",
        "Chestnut Street 92",
        "Louisville",
        "KY",
        "40202",
        "US",
    ),
    (
        "Ana",
        "Silva",
        "ana.silva@example.com",
        "+351912345678",
        "Rua Augusta 10",
        "Lisboa",
        "",
        "1100-053",
        "PT",
    ),
    (
        "Jean",
        "Dupont",
        "jean.dupont@example.fr",
        "+33612345678",
        "12 rue de Rivoli",
        "Paris",
        "",
        "75001",
        "FR",
    ),
    (
        "Mia",
        "Schmidt",
        "mia.schmidt@example.de",
        "+4915112345678",
        "Hauptstraße 5",
        "Berlin",
        "BE",
        "10115",
        "DE",
    ),
    (
        "Li",
        "Wei",
        "li.wei@example.com",
        "+14155550123",
        "500 Market St",
        "San Francisco",
        "CA",
        "94105",
        "US",
    ),
    (
        "Olivia",
        "Brown",
        "olivia.brown@example.co.uk",
        "+447700900123",
        "221B Baker Street",
        "London",
        "",
        "NW1 6XE",
        "GB",
    ),
]
SHIPPING_METHODS = [("Standard", "4.90"), ("Express", "12.00"), ("Free shipping", "0.00")]
TAX_RATE = Decimal("0.2")
CENT = Decimal("0.01")


def _money(value):
    return str(Decimal(value).quantize(CENT))


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _address(customer):
    first, last, _email, phone, street, city, state, zip_code, country = customer
    return {
        "first_name": first,
        "last_name": last,
        "name": f"{first} {last}",
        "company": None,
        "address1": street,
        "address2": "",
        "city": city,
        "province_code": state or None,
        "zip": zip_code,
        "country_code": country,
        "phone": phone,
    }


def generate_orders(count, seed=1, lines=None, start_id=450789469, start_number=1001):
    """``count`` Shopify orders, the same for the same seed (prices tax-included, 20 %).

    ``lines`` fixes the number of lines per order (1 to 4 at random otherwise).
    """
    rng = random.Random(seed)
    orders = []
    line_ids = itertools.count(466157049)
    for index in range(count):
        created = BASE_TIME + timedelta(minutes=7 * index, seconds=rng.randint(0, 59))
        customer = rng.choice(CUSTOMERS)
        products = rng.sample(CATALOGUE, lines or rng.randint(1, 4))
        discount_code = rng.random() < 0.25
        line_items, subtotal, tax, discounts = [], Decimal(0), Decimal(0), Decimal(0)
        for sku, title, variant, price, item_id in products:
            quantity = rng.choice((1, 1, 1, 2, 3))
            gross = Decimal(price) * quantity
            discount = (gross * Decimal("0.1")).quantize(CENT) if discount_code else Decimal(0)
            net = gross - discount
            line_tax = (net * TAX_RATE / (1 + TAX_RATE)).quantize(CENT)
            subtotal += net
            tax += line_tax
            discounts += discount
            line_items.append(
                {
                    "id": next(line_ids),
                    "sku": sku,
                    "title": title,
                    "variant_title": variant or None,
                    "name": f"{title} - {variant}" if variant else title,
                    "quantity": quantity,
                    "price": price,
                    "total_discount": "0.00",
                    "requires_shipping": True,
                    "inventory_item_id": item_id,
                    "tax_lines": [{"title": "VAT", "price": _money(line_tax), "rate": 0.2}],
                    "discount_allocations": (
                        [{"amount": _money(discount), "discount_application_index": 0}]
                        if discount
                        else []
                    ),
                }
            )
        method, ship_price = rng.choice(SHIPPING_METHODS)
        ship_tax = (Decimal(ship_price) * TAX_RATE / (1 + TAX_RATE)).quantize(CENT)
        tax += ship_tax
        first, last, email, phone = customer[:4]
        order_id = start_id + index
        orders.append(
            {
                "id": order_id,
                "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
                "name": f"#{start_number + index}",
                "order_number": start_number + index,
                "email": email,
                "contact_email": email,
                "phone": phone,
                "created_at": _iso(created),
                "updated_at": _iso(created),
                "processed_at": _iso(created),
                "cancelled_at": None,
                "cancel_reason": None,
                "closed_at": None,
                "currency": "EUR",
                "presentment_currency": "EUR",
                "financial_status": rng.choice(("paid", "paid", "paid", "authorized")),
                "fulfillment_status": None,
                "taxes_included": True,
                "subtotal_price": _money(subtotal),
                "total_tax": _money(tax),
                "total_discounts": _money(discounts),
                "total_price": _money(subtotal + Decimal(ship_price)),
                "total_shipping_price_set": {
                    "shop_money": {"amount": ship_price, "currency_code": "EUR"}
                },
                "discount_applications": (
                    [
                        {
                            "type": "discount_code",
                            "code": "SPRING10",
                            "value": "10.0",
                            "value_type": "percentage",
                            "allocation_method": "across",
                            "target_selection": "all",
                            "target_type": "line_item",
                        }
                    ]
                    if discount_code
                    else []
                ),
                "discount_codes": (
                    [{"code": "SPRING10", "amount": _money(discounts), "type": "percentage"}]
                    if discount_code
                    else []
                ),
                "line_items": line_items,
                "shipping_lines": [
                    {
                        "id": 369256396 + index,
                        "code": method.upper().replace(" ", "_"),
                        "title": method,
                        "price": ship_price,
                        "discounted_price": ship_price,
                        "source": "shopify",
                        "tax_lines": [{"title": "VAT", "price": _money(ship_tax), "rate": 0.2}],
                        "discount_allocations": [],
                    }
                ],
                "customer": {
                    "id": 207119551 + CUSTOMERS.index(customer),
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "phone": phone,
                },
                "billing_address": _address(customer),
                "shipping_address": _address(customer),
                "note": None,
                "tags": "",
                "source_name": "web",
                "test": False,
            }
        )
    return orders


def _catalogue_products():
    """The catalogue as the REST ``products`` resource: products with their variants."""
    products = {}
    for position, (sku, title, variant, price, item_id) in enumerate(CATALOGUE):
        product = products.setdefault(
            title, {"id": 632910392 + len(products), "title": title, "variants": []}
        )
        product["variants"].append(
            {
                "id": 39072856 + position,
                "product_id": product["id"],
                "title": variant or "Default Title",
                "sku": sku,
                "barcode": None,
                "price": price,
                "inventory_item_id": item_id,
            }
        )
    return list(products.values())


def sign_webhook(body, secret):
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class ChannelSimulator(Simulator):
    """The shared base, made quick for test suites that start many simulators.

    Headers and body go out in two writes: without TCP_NODELAY each answer waits
    for the client's delayed ACK (40 ms). ``stop`` wakes the server's loop at once
    instead of waiting for its half-second poll.
    """

    def start(self, port=0):
        super().start(port)
        self._server.RequestHandlerClass.disable_nagle_algorithm = True
        return self

    def stop(self):
        if self._server:
            address = self._server.server_address[:2]
            threading.Timer(0.01, _wake, args=(address,)).start()
        super().stop()


def _wake(address):
    with contextlib.suppress(OSError):  # already stopped
        socket.create_connection(address, timeout=1).close()


class ShopifySimulator(ChannelSimulator):
    """One shop: orders, fulfillment orders, fulfillments, inventory levels."""

    def __init__(
        self,
        access_token="shpat_simulator_token",
        scopes=(
            "read_orders",
            "write_orders",
            "read_products",
            "write_fulfillments",
            "write_inventory",
            "read_inventory",
            "read_locations",
        ),
        webhook_secret="shopify-webhook-secret",
        bucket_size=40,
        leak_rate=2.0,
        clock=time.monotonic,
        location_id=655441491,
        max_available=None,
        restore_rate=None,
    ):
        """``bucket_size`` and ``leak_rate`` (calls, calls a second) are the REST
        call bucket of the shop's plan; the GraphQL cost bucket of the same plan is
        ``max_available`` points refilled at ``restore_rate`` points a second, 50
        times those unless given (Standard: 40 calls at 2 a second, 2,000 points
        at 100 a second)."""
        super().__init__()
        self.access_token = access_token
        self.scopes = set(scopes)
        self.webhook_secret = webhook_secret
        self.bucket_size = bucket_size
        self.leak_rate = leak_rate
        self.clock = clock
        self.location_id = location_id
        # The shop's locations (id → name, active); tests add more (add_location).
        self.locations = {location_id: {"name": "Main Warehouse", "active": True}}
        self.orders = {}  # id → order
        self.risks = {}  # order id → its risk assessments (Order Risk resource)
        # Faults of a long listing: a smaller page than asked (servers may answer
        # fewer), and, while set, every request continuing a listing (page 2 on)
        # answered with this status instead.
        self.page_size_cap = None
        self.fail_later_pages = None
        self.fulfillment_orders = {}  # id → fulfillment order
        self.fulfillments = []
        self.inventory_levels = {}  # (inventory_item_id, location_id) → available
        # The shop's products with their variants (REST shape); tests edit it.
        self.catalogue = _catalogue_products()
        self.throttled = 0
        # GraphQL: the cost bucket, THROTTLED answers, cancellations asked, faults.
        self.max_available = float(max_available or 50 * bucket_size)
        self.restore_rate = float(restore_rate or 50 * leak_rate)
        self.graphql_throttled = 0
        self.cancellations = []  # the orderCancel arguments, in order
        self.transactions = {}  # order id → its payment transactions (transactions_of)
        self._points = self.max_available
        self._points_time = None
        self._graphql_faults = []
        self._graphql_hooks = []
        self._bucket = 0.0
        self._bucket_time = None
        self._ids = itertools.count(1_000_000)
        self._time = BASE_TIME + timedelta(days=30)

    # --- state for tests -------------------------------------------------------------
    def add_orders(self, orders):
        with self.lock:
            for original in orders:
                order = json.loads(json.dumps(original))
                self.orders[order["id"]] = order
                self._open_fulfillment_order(order)
        return orders

    def update_order(self, order_id, **changes):
        """Change an order as a merchant would; its ``updated_at`` moves forward."""
        with self.lock:
            order = self.orders[int(order_id)]
            order.update(changes)
            order["updated_at"] = self._now()
            return json.loads(json.dumps(order))

    def add_location(self, location_id, name, active=True):
        """Another location of the shop (``locations``); items are stocked there."""
        with self.lock:
            self.locations[int(location_id)] = {"name": name, "active": active}

    def sell(self, inventory_item_id, location_id, quantity=1):
        """A sale in the shop: the item's ``available`` figure at the location
        drops by ``quantity`` (an order made there, as Shopify commits it)."""
        with self.lock:
            key = (int(inventory_item_id), int(location_id))
            self.inventory_levels[key] = self.inventory_levels.get(key, 0) - quantity

    def after_next_graphql(self, operation, callback, times=1):
        """Run ``callback(simulator)`` right after each of the next ``times`` answers
        to ``operation`` (e.g. a sale between the client's read and its write)."""
        with self.lock:
            self._graphql_hooks.append(
                {"operation": operation, "times": times, "callback": callback}
            )

    def set_risks(self, order_id, risks):
        """Give an order the risk assessments the Order Risk resource lists
        (``risks.json``); an order without any lists none."""
        with self.lock:
            self.risks[int(order_id)] = [
                {"id": next(self._ids), "order_id": int(order_id), "checkout_id": None, **risk}
                for risk in json.loads(json.dumps(risks))
            ]

    def _now(self):
        self._time += timedelta(seconds=1)
        return _iso(self._time)

    def _open_fulfillment_order(self, order):
        fo_id = next(self._ids)
        self.fulfillment_orders[fo_id] = {
            "id": fo_id,
            "order_id": order["id"],
            "shop_id": 548380009,
            "assigned_location_id": self.location_id,
            "status": "open",
            "request_status": "unsubmitted",
            "line_items": [
                {
                    "id": next(self._ids),
                    "fulfillment_order_id": fo_id,
                    "line_item_id": line["id"],
                    "inventory_item_id": line.get("inventory_item_id"),
                    "quantity": line["quantity"],
                    "fulfillable_quantity": line["quantity"],
                }
                for line in order["line_items"]
            ],
        }

    # --- protocol -----------------------------------------------------------------------
    def _dispatch(self, request):
        with self.lock:
            error = self._check_auth(request)
            if error:
                return error
            if request.path.endswith("/graphql.json"):
                # GraphQL is limited by query cost (extensions.cost), not by calls.
                response = super()._dispatch(request)
                response.headers.setdefault("X-Request-Id", str(uuid.uuid4()))
                return response
            throttled = self._take_from_bucket()
            if throttled:
                return throttled
            response = super()._dispatch(request)
            response.headers.setdefault("X-Request-Id", str(uuid.uuid4()))
            response.headers["X-Shopify-Shop-Api-Call-Limit"] = (
                f"{int(self._bucket)}/{self.bucket_size}"
            )
            return response

    def _check_auth(self, request):
        if request.headers.get("x-shopify-access-token") != self.access_token:
            return Response(
                401,
                {
                    "errors": "[API] Invalid API key or access token (unrecognized login or "
                    "wrong password)"
                },
                headers={"X-Request-Id": str(uuid.uuid4())},
            )
        return None

    def _take_from_bucket(self):
        now = self.clock()
        if self._bucket_time is not None:
            self._bucket = max(0.0, self._bucket - (now - self._bucket_time) * self.leak_rate)
        self._bucket_time = now
        if self._bucket + 1 > self.bucket_size:
            self.throttled += 1
            return Response(
                429,
                {
                    "errors": "Exceeded 2 calls per second for api client. Reduce request "
                    "rates to resume uninterrupted service."
                },
                headers={
                    "Retry-After": "2.0",
                    "X-Shopify-Shop-Api-Call-Limit": f"{self.bucket_size}/{self.bucket_size}",
                    "X-Request-Id": str(uuid.uuid4()),
                },
            )
        self._bucket += 1
        return None

    def _scope(self, scope):
        if scope not in self.scopes:
            return Response(
                403,
                {"errors": f"[API] This action requires merchant approval for {scope} scope."},
            )
        return None

    @route("GET", rf"/admin/api/{API_VERSION}/shop\.json")
    def shop(self, request):
        return Response(
            200,
            {
                "shop": {
                    "id": 548380009,
                    "name": "Simulated Shop",
                    "myshopify_domain": "simulated-shop.myshopify.com",
                    "currency": "EUR",
                }
            },
        )

    @route("GET", rf"/admin/api/{API_VERSION}/orders\.json")
    def list_orders(self, request):
        denied = self._scope("read_orders")
        if denied:
            return denied
        query = dict(request.query)
        try:
            limit = int(query.pop("limit", 50))
        except ValueError:
            return Response(400, {"errors": {"limit": "Limit must be a number"}})
        if not 1 <= limit <= 250:
            return Response(400, {"errors": {"limit": "Limit must be between 1 and 250"}})
        if self.page_size_cap:
            limit = min(limit, self.page_size_cap)
        if "page_info" in query:
            if self.fail_later_pages:
                status = self.fail_later_pages
                return Response(status, {"errors": "Internal Server Error"})
            page_info = query.pop("page_info")
            query.pop("fields", None)
            if query:
                return Response(
                    400,
                    {"errors": {"page_info": f"page_info cannot be combined with {sorted(query)}"}},
                )
            try:
                cursor = json.loads(base64.urlsafe_b64decode(page_info.encode()))
            except ValueError:
                return Response(400, {"errors": {"page_info": "Invalid value."}})
            filters, after = cursor["filters"], tuple(cursor["after"])
        else:
            filters, after = query, None
        orders = self._filter(filters)
        if after:
            orders = [o for o in orders if self._key(o, filters) > after]
        page, rest = orders[:limit], orders[limit:]
        headers = {}
        if rest:
            cursor = {"filters": filters, "after": list(self._key(page[-1], filters))}
            token = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()
            headers["Link"] = (
                f"<{self.url}/admin/api/{API_VERSION}/orders.json?limit={limit}"
                f'&page_info={token}>; rel="next"'
            )
        return Response(200, {"orders": page}, headers=headers)

    @staticmethod
    def _key(order, filters):
        if filters.get("order", "").startswith("updated_at"):
            return (order["updated_at"], order["id"])
        return ("", order["id"])

    def _filter(self, filters):
        orders = list(self.orders.values())
        status = filters.get("status", "open")
        if status == "open":
            orders = [o for o in orders if not o.get("cancelled_at") and not o.get("closed_at")]
        elif status == "cancelled":
            orders = [o for o in orders if o.get("cancelled_at")]
        elif status == "closed":
            orders = [o for o in orders if o.get("closed_at")]
        if filters.get("updated_at_min"):
            since = datetime.fromisoformat(filters["updated_at_min"].replace("Z", "+00:00"))
            orders = [o for o in orders if datetime.fromisoformat(o["updated_at"]) >= since]
        return sorted(orders, key=lambda o: self._key(o, filters))

    @route("GET", rf"/admin/api/{API_VERSION}/orders/(?P<order_id>\d+)\.json")
    def get_order(self, request, order_id):
        order = self.orders.get(int(order_id))
        if not order:
            return Response(404, {"errors": "Not Found"})
        return Response(200, {"order": order})

    @route("GET", rf"/admin/api/{API_VERSION}/orders/(?P<order_id>\d+)/risks\.json")
    def list_order_risks(self, request, order_id):
        """Order Risk resource: the order's risks shown to the merchant
        (``display`` false ones are not returned, as documented)."""
        denied = self._scope("read_orders")
        if denied:
            return denied
        if int(order_id) not in self.orders:
            return Response(404, {"errors": "Not Found"})
        risks = [r for r in self.risks.get(int(order_id), []) if r.get("display", True)]
        return Response(200, {"risks": risks})

    @route("GET", rf"/admin/api/{API_VERSION}/orders/(?P<order_id>\d+)/fulfillment_orders\.json")
    def list_fulfillment_orders(self, request, order_id):
        if int(order_id) not in self.orders:
            return Response(404, {"errors": "Not Found"})
        items = [fo for fo in self.fulfillment_orders.values() if fo["order_id"] == int(order_id)]
        return Response(200, {"fulfillment_orders": items})

    @route("POST", rf"/admin/api/{API_VERSION}/fulfillments\.json")
    def create_fulfillment(self, request):
        denied = self._scope("write_fulfillments")
        if denied:
            return denied
        body = (request.json() or {}).get("fulfillment") or {}
        groups = [
            (
                group.get("fulfillment_order_id"),
                {
                    item["id"]: item["quantity"]
                    for item in group.get("fulfillment_order_line_items") or []
                },
            )
            for group in body.get("line_items_by_fulfillment_order") or []
        ]
        result = self._fulfil(groups, body.get("tracking_info") or {}, body.get("notify_customer"))
        if isinstance(result, tuple):
            status, message = result
            if status == 404:
                return Response(404, {"errors": "Not Found"})
            return Response(status, {"errors": [message]})
        return Response(201, {"fulfillment": result})

    def _fulfil(self, groups, tracking, notify_customer):
        """Fulfil ``[(fulfillment order id, {fo line id: quantity} or {} for all)]``:
        the fulfillment made, or ``(status, message)`` when refused (nothing done)."""
        if not groups:
            return 422, "line_items_by_fulfillment_order must be provided"
        touched = []
        for fo_id, asked in groups:
            fo = self.fulfillment_orders.get(fo_id)
            if not fo:
                return 404, f"Fulfillment order {fo_id} does not exist."
            if fo["status"] not in ("open", "in_progress"):
                return 422, f"Fulfillment order {fo['id']} has an unfulfillable status"
            wanted = asked or {
                line["id"]: line["fulfillable_quantity"] for line in fo["line_items"]
            }
            lines = {line["id"]: line for line in fo["line_items"]}
            for line_id, quantity in wanted.items():
                if (
                    line_id not in lines
                    or not 0 < quantity <= lines[line_id]["fulfillable_quantity"]
                ):
                    return 422, f"Invalid quantity for line item {line_id}"
            touched.append((fo, wanted))
        fulfillment_id = next(self._ids)
        order = self.orders[touched[0][0]["order_id"]]
        line_items = []
        for fo, wanted in touched:
            for line in fo["line_items"]:
                if line["id"] in wanted:
                    line["fulfillable_quantity"] -= wanted[line["id"]]
                    line_items.append({"id": line["line_item_id"], "quantity": wanted[line["id"]]})
            fo["status"] = (
                "closed"
                if all(ln["fulfillable_quantity"] == 0 for ln in fo["line_items"])
                else "in_progress"
            )
        fulfillment = {
            "id": fulfillment_id,
            "order_id": order["id"],
            "status": "success",
            "location_id": touched[0][0]["assigned_location_id"],
            "tracking_company": tracking.get("company"),
            "tracking_number": tracking.get("number"),
            "tracking_numbers": [tracking["number"]] if tracking.get("number") else [],
            "tracking_url": tracking.get("url"),
            "tracking_urls": [tracking["url"]] if tracking.get("url") else [],
            "notify_customer": bool(notify_customer),
            "line_items": line_items,
            "created_at": self._now(),
        }
        self.fulfillments.append(fulfillment)
        open_left = any(
            fo["status"] != "closed"
            for fo in self.fulfillment_orders.values()
            if fo["order_id"] == order["id"]
        )
        order["fulfillment_status"] = "partial" if open_left else "fulfilled"
        order["updated_at"] = self._now()
        return fulfillment

    @route("POST", rf"/admin/api/{API_VERSION}/orders/(?P<order_id>\d+)/cancel\.json")
    def cancel_order(self, request, order_id):
        denied = self._scope("write_orders")
        if denied:
            return denied
        body = request.json() or {}
        refused = self._cancel(int(order_id), body.get("reason", "other"))
        if refused:
            status, message = refused
            if status == 404:
                return Response(404, {"errors": "Not Found"})
            return Response(status, {"error": message})
        return Response(200, {"order": self.orders[int(order_id)]})

    def _cancel(self, order_id, reason):
        """Cancel an order: None, or ``(status, message)`` when refused."""
        order = self.orders.get(order_id)
        if not order:
            return 404, "Order does not exist"
        if order.get("cancelled_at"):
            return 422, "Order has already been cancelled"
        if order.get("fulfillment_status") == "fulfilled":
            return 422, "Cannot cancel a fulfilled order"
        now = self._now()
        order.update(cancelled_at=now, cancel_reason=reason, updated_at=now)
        for fo in self.fulfillment_orders.values():
            if fo["order_id"] == order["id"]:
                fo["status"] = "cancelled"
        return None

    @route("GET", rf"/admin/api/{API_VERSION}/products\.json")
    def list_products(self, request):
        """The catalogue as products with their variants, ``limit`` per page."""
        denied = self._scope("read_products")
        if denied:
            return denied
        query = dict(request.query)
        limit = int(query.get("limit") or 50)
        start = int(query.get("page_info") or 0) if query.get("page_info", "0").isdigit() else 0
        items = self.catalogue
        page = items[start : start + limit]
        headers = {}
        if start + limit < len(items):
            headers["Link"] = (
                f"<{self.url}/admin/api/{API_VERSION}/products.json?limit={limit}"
                f'&page_info={start + limit}>; rel="next"'
            )
        return Response(200, {"products": page}, headers=headers)

    @route("POST", rf"/admin/api/{API_VERSION}/inventory_levels/set\.json")
    def set_inventory_level(self, request):
        denied = self._scope("write_inventory")
        if denied:
            return denied
        body = request.json() or {}
        errors = {
            key: ["is required"]
            for key in ("inventory_item_id", "location_id", "available")
            if not isinstance(body.get(key), int) or isinstance(body.get(key), bool)
        }
        if errors:
            return Response(422, {"errors": errors})
        key = (body["inventory_item_id"], body["location_id"])
        self.inventory_levels[key] = body["available"]
        return Response(
            200,
            {
                "inventory_level": {
                    "inventory_item_id": key[0],
                    "location_id": key[1],
                    "available": body["available"],
                    "updated_at": self._now(),
                }
            },
        )

    # --- GraphQL Admin API -----------------------------------------------------------------
    def fail_next_graphql(
        self,
        operation,
        times=1,
        throttled=False,
        errors=None,
        user_errors=None,
        status=None,
        body=None,
    ):
        """Answer the next ``times`` calls of ``operation`` (its operation name) with a
        ``THROTTLED`` error (the bucket emptied, nothing run), GraphQL ``errors``,
        the mutation's ``userErrors`` (nothing done) or an HTTP ``status``."""
        with self.lock:
            self._graphql_faults.append(
                {
                    "operation": operation,
                    "times": times,
                    "throttled": throttled,
                    "errors": errors,
                    "user_errors": user_errors,
                    "status": status,
                    "body": body,
                }
            )

    def graphql_calls(self, operation=None):
        """The variables of each GraphQL call received (of ``operation`` only when given)."""
        calls = []
        for request in self.requests_to("POST", r"/graphql\.json$"):
            try:
                body = request.json() or {}
            except ValueError:
                continue
            if operation is None or body.get("operationName") == operation:
                calls.append(body.get("variables") or {})
        return calls

    @route("POST", rf"/admin/api/{API_VERSION}/graphql\.json")
    def graphql(self, request):
        try:
            body = request.json() or {}
        except ValueError:
            return Response(400, {"errors": "Invalid JSON in request body"})
        query = body.get("query") or ""
        operation = body.get("operationName") or _operation_name(query)
        variables = body.get("variables") or {}
        handler = _GRAPHQL_OPERATIONS.get(operation)
        if not handler or f" {operation}" not in query:
            return _graphql_error(
                f"The simulator does not know the operation {operation!r}", "undefinedField"
            )
        fault = self._take_graphql_fault(operation)
        requested = _requested_cost(operation, variables)
        if requested > MAX_QUERY_COST:
            return _graphql_error(
                f"Query cost is {requested}, which exceeds the single query max cost limit "
                f"({MAX_QUERY_COST}).",
                "MAX_COST_EXCEEDED",
                extensions={"cost": requested, "maxCost": MAX_QUERY_COST},
            )
        self._refill()
        if fault and fault["throttled"]:
            self._points = 0.0
        if fault and fault["status"]:
            return Response(fault["status"], fault["body"] or {"errors": "Internal Server Error"})
        if requested > self._points:
            self.graphql_throttled += 1
            return Response(
                200,
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": {"cost": self._cost(requested, None)},
                },
            )
        if fault and fault["errors"]:
            return Response(
                200,
                {"errors": fault["errors"], "extensions": {"cost": self._cost(requested, None)}},
            )
        self._points -= requested
        if fault and fault["user_errors"]:
            field, key = _MUTATION_ERRORS[operation]
            data, actual = {field: {key: fault["user_errors"]}}, 10
        else:
            handler, scope, field = handler
            answer = self._access_denied(scope, field) if scope else None
            answer = answer or handler(self, variables, query)
            if isinstance(answer, Response):
                self._points += requested
                return answer
            data, actual = answer
        actual = min(actual, requested)
        self._points += requested - actual
        for hook in self._graphql_hooks:
            if hook["times"] > 0 and hook["operation"] == operation:
                hook["times"] -= 1
                hook["callback"](self)
        return Response(200, {"data": data, "extensions": {"cost": self._cost(requested, actual)}})

    def _take_graphql_fault(self, operation):
        for fault in self._graphql_faults:
            if fault["times"] > 0 and fault["operation"] == operation:
                fault["times"] -= 1
                return fault
        return None

    def _refill(self):
        now = self.clock()
        if self._points_time is not None:
            self._points = min(
                self.max_available, self._points + (now - self._points_time) * self.restore_rate
            )
        self._points_time = now

    def _cost(self, requested, actual):
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": self.max_available,
                "currentlyAvailable": round(self._points, 1),
                "restoreRate": self.restore_rate,
            },
        }

    def _access_denied(self, scope, field):
        if scope in self.scopes:
            return None
        return _graphql_error(
            f"Access denied for {field} field. Required access: `{scope}` access scope.",
            "ACCESS_DENIED",
            extensions={"requiredAccess": f"`{scope}` access scope."},
        )

    def _gql_shop(self, variables, query):
        shop = {
            "id": "gid://shopify/Shop/548380009",
            "name": "Simulated Shop",
            "myshopifyDomain": "simulated-shop.myshopify.com",
            "currencyCode": "EUR",
        }
        return {"shop": shop}, 1

    def _gql_orders_page(self, variables, query):
        first = variables.get("first")
        if not isinstance(first, int) or not 1 <= first <= 250:
            return _graphql_error("first must be between 1 and 250", "BAD_REQUEST")
        if self.page_size_cap:
            first = min(first, self.page_size_cap)
        after = variables.get("after")
        if after and self.fail_later_pages:
            return Response(self.fail_later_pages, {"errors": "Internal Server Error"})
        sort = _sort_key(query)
        orders = sorted(self.orders.values(), key=lambda o: _sort_value(o, sort))
        since = _updated_since(variables.get("query"))
        if since:
            orders = [o for o in orders if _utc(o["updated_at"]) >= since]
        if after:
            try:
                position = tuple(json.loads(base64.urlsafe_b64decode(after.encode())))
            except ValueError:
                return _graphql_error("Invalid cursor", "BAD_REQUEST")
            orders = [o for o in orders if _sort_value(o, sort) > position]
        page, rest = orders[:first], orders[first:]
        lines = int(variables.get("lines") or 0)
        nodes = [self._order_node(order, lines) for order in page]
        connection = {
            "pageInfo": {
                "hasNextPage": bool(rest),
                "endCursor": _cursor(_sort_value(page[-1], sort)) if page else None,
            },
            "nodes": nodes,
        }
        actual = 2 + sum(_order_cost(node) for node in nodes)
        return {"orders": connection}, actual

    def _find_order(self, variables):
        number = _gid_number(variables.get("id"), "Order")
        return self.orders.get(number) if number is not None else None

    def _gql_order(self, variables, query):
        order = self._find_order(variables)
        if not order:
            return {"order": None}, 1
        node = self._order_node(order, int(variables.get("lines") or 0))
        return {"order": node}, _order_cost(node)

    def _gql_order_line_items(self, variables, query):
        order = self._find_order(variables)
        if not order:
            return {"order": None}, 1
        items = order["line_items"]
        start = int(variables.get("after") or 0)
        first = int(variables.get("first") or 0)
        page = items[start : start + first]
        more = start + first < len(items)
        connection = {
            "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if page else None},
            "nodes": [_line_item_node(item, order) for item in page],
        }
        node = {"id": _gid("Order", order["id"]), "lineItems": connection}
        return {"order": node}, 3 + len(page) * LINE_NODE_COST

    def _gql_order_risks(self, variables, query):
        order = self._find_order(variables)
        if not order:
            return {"order": None}, 1
        assessments = [
            _assessment(risk)
            for risk in self.risks.get(order["id"], [])
            if risk.get("display", True)
        ]
        levels = [a["riskLevel"] for a in assessments]
        recommendation = next(
            (
                word
                for level, word in (
                    ("HIGH", "CANCEL"),
                    ("MEDIUM", "INVESTIGATE"),
                    ("LOW", "ACCEPT"),
                    ("NONE", "ACCEPT"),
                )
                if level in levels
            ),
            "NONE",
        )
        risk = {"recommendation": recommendation, "assessments": assessments}
        node = {"id": _gid("Order", order["id"]), "risk": risk}
        return {"order": node}, 2 + 2 * len(assessments)

    def _gql_fulfillment_orders(self, variables, query):
        order = self._find_order(variables)
        if not order:
            return {"order": None}, 1
        items = [fo for fo in self.fulfillment_orders.values() if fo["order_id"] == order["id"]]
        start = int(variables.get("after") or 0)
        first = int(variables.get("first") or 0)
        lines = int(variables.get("lines") or 0)
        page = items[start : start + first]
        nodes = [_fulfillment_order_node(fo, lines) for fo in page]
        connection = {
            "pageInfo": {
                "hasNextPage": start + first < len(items),
                "endCursor": str(start + first) if page else None,
            },
            "nodes": nodes,
        }
        node = {"id": _gid("Order", order["id"]), "fulfillmentOrders": connection}
        return {"order": node}, 3 + sum(5 + 2 * len(n["lineItems"]["nodes"]) for n in nodes)

    def _gql_fulfillment_order_line_items(self, variables, query):
        fo = self.fulfillment_orders.get(_gid_number(variables.get("id"), "FulfillmentOrder"))
        if not fo:
            return {"fulfillmentOrder": None}, 1
        start = int(variables.get("after") or 0)
        first = int(variables.get("first") or 0)
        page = fo["line_items"][start : start + first]
        connection = {
            "pageInfo": {
                "hasNextPage": start + first < len(fo["line_items"]),
                "endCursor": str(start + first) if page else None,
            },
            "nodes": [_fulfillment_order_line_node(line) for line in page],
        }
        node = {"id": _gid("FulfillmentOrder", fo["id"]), "lineItems": connection}
        return {"fulfillmentOrder": node}, 3 + 2 * len(page)

    def _gql_fulfillment_create(self, variables, query):
        given = variables.get("fulfillment") or {}
        groups = []
        for group in given.get("lineItemsByFulfillmentOrder") or []:
            groups.append(
                (
                    _gid_number(group.get("fulfillmentOrderId"), "FulfillmentOrder"),
                    {
                        _gid_number(item.get("id"), "FulfillmentOrderLineItem"): item.get(
                            "quantity"
                        )
                        for item in group.get("fulfillmentOrderLineItems") or []
                    },
                )
            )
        result = self._fulfil(groups, given.get("trackingInfo") or {}, given.get("notifyCustomer"))
        if isinstance(result, tuple):
            _status, message = result
            errors = [{"field": ["fulfillment"], "message": message}]
            return {"fulfillmentCreate": {"fulfillment": None, "userErrors": errors}}, 10
        fulfillment = {
            "id": _gid("Fulfillment", result["id"]),
            "status": result["status"].upper(),
            "order": {"id": _gid("Order", result["order_id"])},
            "trackingInfo": (
                [
                    {
                        "company": result["tracking_company"],
                        "number": result["tracking_number"],
                        "url": result["tracking_url"],
                    }
                ]
                if result["tracking_number"] or result["tracking_company"]
                else []
            ),
        }
        return {"fulfillmentCreate": {"fulfillment": fulfillment, "userErrors": []}}, 10

    def _gql_order_cancel(self, variables, query):
        reason = variables.get("reason")
        missing = [
            name
            for name in ("orderId", "reason", "refund", "restock")
            if variables.get(name) is None
        ]
        if missing or reason not in ORDER_CANCEL_REASONS:
            return _graphql_error(
                f"Variable $reason or {missing} of type OrderCancelReason! / Boolean! "
                "was not provided or is invalid",
                "INVALID_VARIABLE",
            )
        order_id = _gid_number(variables["orderId"], "Order")
        refused = self._cancel(order_id, reason.lower())
        if refused:
            status, message = refused
            code = "NOT_FOUND" if status == 404 else "INVALID"
            errors = [{"field": ["orderId"], "message": message, "code": code}]
            return {"orderCancel": {"job": None, "orderCancelUserErrors": errors}}, 10
        self.cancellations.append(dict(variables))
        job = {"id": _gid("Job", uuid.uuid4()), "done": True}
        return {"orderCancel": {"job": job, "orderCancelUserErrors": []}}, 10

    def _gql_product_variants(self, variables, query):
        """``productVariants`` (Admin GraphQL 2025-01, ProductVariant: ``id``, ``sku``,
        ``barcode``, ``title``, ``displayName``, ``price`` as a Money scalar,
        ``product { id title }``, ``inventoryItem { id }``), per
        https://shopify.dev/docs/api/admin-graphql/2025-01/queries/productVariants."""
        variants = [(product, v) for product in self.catalogue for v in product["variants"]]
        start = int(variables.get("after") or 0)
        first = int(variables.get("first") or 0)
        page = variants[start : start + first]
        connection = {
            "pageInfo": {
                "hasNextPage": start + first < len(variants),
                "endCursor": str(start + first) if page else None,
            },
            "nodes": [
                {
                    "id": _gid("ProductVariant", v["id"]),
                    "sku": v["sku"] or None,
                    "barcode": v.get("barcode"),
                    "title": v["title"],
                    "displayName": f"{product['title']} - {v['title']}",
                    "price": v["price"],
                    "product": {"id": _gid("Product", product["id"]), "title": product["title"]},
                    "inventoryItem": {"id": _gid("InventoryItem", v["inventory_item_id"])},
                }
                for product, v in page
            ],
        }
        return {"productVariants": connection}, 2 + 3 * len(page)

    def _stocked_items(self):
        """The inventory items of the catalogue and those given a level."""
        items = {v["inventory_item_id"] for product in self.catalogue for v in product["variants"]}
        return items | {item for item, _location in self.inventory_levels}

    def _gql_inventory_levels(self, variables, query):
        """``nodes(ids:)`` of inventory items with ``inventoryLevel(locationId:)
        { location { id } quantities(names: ["available"]) { name quantity } }``
        (2025-01): each item of the shop is stocked at each of its locations (a
        level never written is 0); an unknown item is ``null``, and so is the level
        at an unknown location."""
        location = _gid_number(variables.get("locationId"), "Location")
        stocked = self._stocked_items()
        nodes = []
        for value in variables.get("ids") or []:
            item = _gid_number(value, "InventoryItem")
            if item not in stocked:
                nodes.append(None)
                continue
            level = None
            if location in self.locations:
                level = {
                    "location": {"id": _gid("Location", location)},
                    "quantities": [
                        {
                            "name": "available",
                            "quantity": self.inventory_levels.get((item, location), 0),
                        }
                    ],
                }
            nodes.append({"id": _gid("InventoryItem", item), "inventoryLevel": level})
        return {"nodes": nodes}, 2 + 3 * len(nodes)

    def _gql_locations(self, variables, query):
        """``locations(first, after, includeInactive)`` (2025-01, Location: ``id``,
        ``name``, ``isActive``)."""
        locations = sorted(self.locations.items())  # inactive ones too: the client asks so
        start = int(variables.get("after") or 0)
        first = int(variables.get("first") or 0)
        page = locations[start : start + first]
        connection = {
            "pageInfo": {
                "hasNextPage": start + first < len(locations),
                "endCursor": str(start + first) if page else None,
            },
            "nodes": [
                {"id": _gid("Location", key), "name": value["name"], "isActive": value["active"]}
                for key, value in page
            ],
        }
        return {"locations": connection}, 2 + 2 * len(page)

    def _gql_inventory_set_quantities(self, variables, query):
        given = variables.get("input") or {}
        errors = []
        if given.get("name") not in ("available", "on_hand"):
            errors.append({"field": ["input", "name"], "message": "Name is invalid"})
        if not given.get("reason"):
            errors.append({"field": ["input", "reason"], "message": "Reason is required"})
        changes = []
        for index, quantity in enumerate(given.get("quantities") or []):
            item = _gid_number(quantity.get("inventoryItemId"), "InventoryItem")
            location = _gid_number(quantity.get("locationId"), "Location")
            value = quantity.get("quantity")
            field = ["input", "quantities", str(index)]
            if not isinstance(item, int) or not isinstance(location, int):
                errors.append({"field": field, "message": "The item or location is invalid"})
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append({"field": [*field, "quantity"], "message": "Quantity is invalid"})
                continue
            before = self.inventory_levels.get((item, location), 0)
            if not given.get("ignoreCompareQuantity") and quantity.get("compareQuantity") != before:
                errors.append(
                    {
                        "field": [*field, "compareQuantity"],
                        "message": "The compareQuantity argument no longer matches the "
                        "persisted quantity.",
                        "code": "COMPARE_QUANTITY_STALE",
                    }
                )
                continue
            changes.append((item, location, value, before))
        if errors:
            payload = {"inventoryAdjustmentGroup": None, "userErrors": errors}
            return {"inventorySetQuantities": payload}, 10
        moved = []
        for item, location, value, before in changes:
            self.inventory_levels[(item, location)] = value
            if value != before:
                moved.append(
                    {
                        "name": given["name"],
                        "delta": value - before,
                        "quantityAfterChange": value,
                        "item": {"id": _gid("InventoryItem", item)},
                        "location": {"id": _gid("Location", location)},
                    }
                )
        group = (
            {"createdAt": _utc_text(self._now()), "reason": given["reason"], "changes": moved}
            if moved
            else None
        )
        payload = {"inventoryAdjustmentGroup": group, "userErrors": []}
        return {"inventorySetQuantities": payload}, 10

    def orders_page_body(self, orders, end_cursor, has_next_page=True, lines=5):
        """The body of an ``OrdersPage`` answer listing ``orders`` (for faults:
        ``fail_next(200, path=r"/graphql\\.json$", body=...)``)."""
        return {
            "data": {
                "orders": {
                    "pageInfo": {"hasNextPage": has_next_page, "endCursor": end_cursor},
                    "nodes": [self._order_node(order, lines) for order in orders],
                }
            }
        }

    def _order_node(self, order, lines):
        """A REST-shaped order of the simulator as the GraphQL ``Order`` the client's
        ``OrderFields`` fragment asks for (its first ``lines`` line items)."""
        currency = order.get("currency") or "EUR"

        def bag(amount):
            return _money_bag(amount, currency)

        items = order.get("line_items") or []
        shipping = order.get("shipping_lines") or []
        live_shipping = [s for s in shipping if not s.get("is_removed")]
        shipping_total = order.get("total_shipping_price_set") or {}
        computed_shipping = sum(
            (
                Decimal(str(s.get("price") or 0))
                - sum(
                    (
                        Decimal(str(a.get("amount") or 0))
                        for a in s.get("discount_allocations") or []
                    ),
                    Decimal(0),
                )
                for s in live_shipping
            ),
            Decimal(0),
        )
        shipping_amount = (shipping_total.get("shop_money") or {}).get("amount") or _money(
            computed_shipping
        )

        def current(key, fallback):
            value = order.get(key)
            return value if value not in (None, "") else fallback

        def current_bag(key, fallback):
            value = (order.get(key) or {}).get("shop_money") or {}
            return bag(value.get("amount") if value.get("amount") is not None else fallback)

        def optional_bag(key):
            value = (order.get(key) or {}).get("shop_money")
            return bag(value.get("amount")) if value else None

        customer = order.get("customer")
        return {
            "id": _gid("Order", order["id"]),
            "name": order.get("name"),
            "email": order.get("email") or order.get("contact_email"),
            "phone": order.get("phone"),
            "createdAt": _utc_text(order.get("created_at")),
            "updatedAt": _utc_text(order.get("updated_at")),
            "processedAt": _utc_text(order.get("processed_at")),
            "cancelledAt": _utc_text(order.get("cancelled_at")),
            "cancelReason": (order.get("cancel_reason") or "").upper() or None
            if order.get("cancelled_at")
            else None,
            "closedAt": _utc_text(order.get("closed_at")),
            "currencyCode": currency,
            "presentmentCurrencyCode": order.get("presentment_currency") or currency,
            "taxesIncluded": bool(order.get("taxes_included")),
            "dutiesIncluded": bool(order.get("duties_included")),
            "test": bool(order.get("test")),
            "note": order.get("note"),
            "tags": [t.strip() for t in (order.get("tags") or "").split(",") if t.strip()],
            "sourceName": order.get("source_name"),
            "displayFinancialStatus": (order.get("financial_status") or "pending").upper(),
            "displayFulfillmentStatus": {
                "fulfilled": "FULFILLED",
                "partial": "PARTIALLY_FULFILLED",
                "restocked": "RESTOCKED",
            }.get(order.get("fulfillment_status"), "UNFULFILLED"),
            "totalPriceSet": bag(order.get("total_price")),
            "subtotalPriceSet": bag(order.get("subtotal_price")),
            "totalTaxSet": bag(order.get("total_tax") or "0.00"),
            "totalDiscountsSet": bag(order.get("total_discounts") or "0.00"),
            "totalShippingPriceSet": bag(shipping_amount),
            "totalTipReceivedSet": bag(order.get("total_tip_received") or "0.00"),
            "originalTotalDutiesSet": optional_bag("original_total_duties_set"),
            "currentTotalDutiesSet": optional_bag("current_total_duties_set"),
            "originalTotalAdditionalFeesSet": optional_bag("original_total_additional_fees_set"),
            "currentTotalAdditionalFeesSet": optional_bag("current_total_additional_fees_set"),
            "currentTotalPriceSet": bag(current("current_total_price", order.get("total_price"))),
            "currentTotalTaxSet": bag(current("current_total_tax", order.get("total_tax"))),
            "currentTotalDiscountsSet": bag(
                current("current_total_discounts", order.get("total_discounts"))
            ),
            "currentShippingPriceSet": current_bag(
                "current_shipping_price_set", _money(computed_shipping)
            ),
            "currentSubtotalPriceSet": bag(
                current("current_subtotal_price", order.get("subtotal_price"))
            ),
            "customer": (
                {
                    "id": _gid("Customer", customer.get("id")),
                    "email": customer.get("email"),
                    "firstName": customer.get("first_name"),
                    "lastName": customer.get("last_name"),
                    "phone": customer.get("phone"),
                }
                if customer
                else None
            ),
            "billingAddress": _address_node(order.get("billing_address")),
            "shippingAddress": _address_node(order.get("shipping_address")),
            "taxLines": [_tax_line_node(t, currency) for t in order.get("tax_lines") or []],
            "discountApplications": {
                "nodes": [
                    _application_node(index, app, currency)
                    for index, app in enumerate(order.get("discount_applications") or [])
                ]
            },
            "lineItems": {
                "pageInfo": {
                    "hasNextPage": len(items) > lines,
                    "endCursor": str(min(lines, len(items))) if items[:lines] else None,
                },
                "nodes": [_line_item_node(item, order) for item in items[:lines]],
            },
            "shippingLines": {
                "nodes": [
                    {
                        "id": _gid("ShippingLine", s.get("id")),
                        "code": s.get("code"),
                        "title": s.get("title"),
                        "source": s.get("source"),
                        "isRemoved": bool(s.get("is_removed")),
                        "originalPriceSet": bag(s.get("price")),
                        "discountedPriceSet": bag(s.get("discounted_price") or s.get("price")),
                        "discountAllocations": [
                            _allocation_node(a, currency)
                            for a in s.get("discount_allocations") or []
                        ],
                        "taxLines": [_tax_line_node(t, currency) for t in s.get("tax_lines") or []],
                    }
                    for s in shipping
                ]
            },
        }

    # --- GraphQL refunds (suggestedRefund, refundCreate, order.refunds) ---------------------
    def transactions_of(self, order_id):
        """The order's payment transactions (REST ``transactions`` shape): a paid
        order has one successful ``sale`` of its total, made when first asked."""
        order = self.orders[int(order_id)]
        if order["id"] not in self.transactions:
            paid = order.get("financial_status") in ("paid", "partially_refunded", "refunded")
            self.transactions[order["id"]] = (
                [
                    {
                        "id": next(self._ids),
                        "order_id": order["id"],
                        "kind": "sale",
                        "status": "success",
                        "gateway": "shopify_payments",
                        "amount": order["total_price"],
                        "currency": order.get("currency") or "EUR",
                        "parent_id": None,
                    }
                ]
                if paid
                else []
            )
        return self.transactions[order["id"]]

    def _refundable(self, order):
        """(money left to refund, {line id: quantity left}, shipping left)."""
        cent = Decimal("0.01")
        sold = sum(
            (
                Decimal(t["amount"])
                for t in self.transactions_of(order["id"])
                if t["kind"] in ("sale", "capture") and t["status"] == "success"
            ),
            Decimal(0),
        )
        refunds = order.get("refunds") or []
        refunded = sum(
            (Decimal(t["amount"]) for r in refunds for t in r["transactions"]), Decimal(0)
        )
        lines = {line["id"]: line["quantity"] for line in order["line_items"]}
        for refund in refunds:
            for item in refund["refund_line_items"]:
                lines[item["line_item_id"]] -= item["quantity"]
        shipping = sum(
            (Decimal(str(s.get("price") or 0)) for s in order.get("shipping_lines") or []),
            Decimal(0),
        ) - sum(
            (
                -Decimal(a["amount"])
                for r in refunds
                for a in r.get("order_adjustments") or []
                if a.get("kind") == "shipping_refund"
            ),
            Decimal(0),
        )
        return (sold - refunded).quantize(cent), lines, shipping.quantize(cent)

    def _refund_figures(self, order, refund_lines, shipping_amount, full_shipping):
        """(amount, [(line, quantity, subtotal, tax)], shipping) of a refund, or an
        error message."""
        cent = Decimal("0.01")
        _money_left, lines_left, shipping_left = self._refundable(order)
        by_id = {line["id"]: line for line in order["line_items"]}
        figures, amount = [], Decimal(0)
        for item in refund_lines:
            line_id = _gid_number(item.get("lineItemId"), "LineItem")
            quantity = item.get("quantity")
            line = by_id.get(line_id)
            if not line:
                return f"Line item {item.get('lineItemId')} does not exist on this order"
            if not isinstance(quantity, int) or not 0 < quantity <= lines_left[line_id]:
                return "Quantity cannot refund more items than were purchased"
            share = Decimal(quantity) / Decimal(line["quantity"])
            discount = sum(
                (Decimal(a["amount"]) for a in line.get("discount_allocations") or []), Decimal(0)
            )
            tax = sum((Decimal(t["price"]) for t in line.get("tax_lines") or []), Decimal(0))
            subtotal = (Decimal(line["price"]) * quantity - discount * share).quantize(cent)
            line_tax = (tax * share).quantize(cent)
            figures.append((line, quantity, subtotal, line_tax))
            amount += subtotal if order.get("taxes_included") else subtotal + line_tax
        shipping = shipping_left if full_shipping else Decimal(str(shipping_amount or 0))
        if shipping < 0 or shipping > shipping_left:
            return f"Shipping refund cannot exceed the shipping left to refund ({shipping_left})"
        return (amount + shipping).quantize(cent), figures, shipping

    def _gql_suggested_refund(self, variables, query):
        order = self._find_order(variables)
        if not order:
            return {"order": None}, 1
        figures = self._refund_figures(
            order,
            variables.get("refundLineItems") or [],
            variables.get("shippingAmount"),
            bool(variables.get("refundShipping")),
        )
        if isinstance(figures, str):
            return _graphql_error(figures, "BAD_REQUEST")
        amount, _lines, _shipping = figures
        money_left, _lines_left, _shipping_left = self._refundable(order)
        amount = min(amount, money_left)
        currency = order.get("currency") or "EUR"
        sales = [
            t
            for t in self.transactions_of(order["id"])
            if t["kind"] in ("sale", "capture") and t["status"] == "success"
        ]
        suggested = (
            [
                {
                    "kind": "SUGGESTED_REFUND",
                    "gateway": sales[0]["gateway"],
                    "amountSet": _money_bag(amount, currency),
                    "parentTransaction": {
                        "id": _gid("OrderTransaction", sales[0]["id"]),
                        "kind": sales[0]["kind"].upper(),
                    },
                }
            ]
            if sales and amount > 0
            else []
        )
        node = {
            "id": _gid("Order", order["id"]),
            "suggestedRefund": {
                "amountSet": _money_bag(amount, currency),
                "maximumRefundableSet": _money_bag(money_left, currency),
                "suggestedTransactions": suggested,
            },
        }
        return {"order": node}, 15

    def _gql_refund_create(self, variables, query):
        given = variables.get("input") or {}

        def refused(message, field):
            errors = [{"field": field, "message": message}]
            return {"refundCreate": {"refund": None, "userErrors": errors}}, MUTATION_COST

        order = self.orders.get(_gid_number(given.get("orderId"), "Order"))
        if not order:
            return refused("Order does not exist", ["orderId"])
        shipping = given.get("shipping") or {}
        figures = self._refund_figures(
            order,
            given.get("refundLineItems") or [],
            shipping.get("amount"),
            bool(shipping.get("fullRefund")),
        )
        if isinstance(figures, str):
            return refused(figures, ["refundLineItems"])
        _amount, lines, shipping_refund = figures
        money_left, _lines_left, _shipping_left = self._refundable(order)
        parents = {t["id"]: t for t in self.transactions_of(order["id"])}
        transactions = []
        for index, given_transaction in enumerate(given.get("transactions") or []):
            parent = parents.get(_gid_number(given_transaction.get("parentId"), "OrderTransaction"))
            if given_transaction.get("kind") != "REFUND" or not parent:
                return refused(
                    "A refund transaction needs kind REFUND and a sale or capture as parent",
                    ["transactions", str(index)],
                )
            transactions.append((parent, Decimal(str(given_transaction.get("amount") or 0))))
        if sum((amount for _parent, amount in transactions), Decimal(0)) > money_left:
            return refused(
                f"Refund amount exceeds the amount left to refund ({money_left})",
                ["transactions"],
            )
        now = self._now()
        currency = order.get("currency") or "EUR"
        restocked = [item.get("restockType") for item in given.get("refundLineItems") or []]
        refund = {
            "id": next(self._ids),
            "order_id": order["id"],
            "created_at": now,
            "note": given.get("note"),
            "restock": any(kind in ("RETURN", "CANCEL") for kind in restocked),
            "refund_line_items": [
                {
                    "id": next(self._ids),
                    "line_item_id": line["id"],
                    "quantity": quantity,
                    "restock_type": (restock or "NO_RESTOCK").lower(),
                    "subtotal": _money(subtotal),
                    "total_tax": _money(tax),
                }
                for (line, quantity, subtotal, tax), restock in zip(lines, restocked, strict=True)
            ],
            "transactions": [
                {
                    "id": next(self._ids),
                    "order_id": order["id"],
                    "kind": "refund",
                    "status": "success",
                    "gateway": parent["gateway"],
                    "amount": _money(amount),
                    "currency": currency,
                    "parent_id": parent["id"],
                }
                for parent, amount in transactions
            ],
            "order_adjustments": (
                [{"kind": "shipping_refund", "amount": _money(-shipping_refund)}]
                if shipping_refund
                else []
            ),
        }
        order.setdefault("refunds", []).append(refund)
        left, _lines_left, _shipping_left = self._refundable(order)
        if transactions:
            order["financial_status"] = "refunded" if left <= 0 else "partially_refunded"
        order["updated_at"] = now
        return {"refundCreate": {"refund": _refund_node(refund, currency), "userErrors": []}}, 10

    def _gql_order_refunds(self, variables, query):
        order = self._find_order(variables)
        if not order:
            return {"order": None}, 1
        currency = order.get("currency") or "EUR"
        refunds = [_refund_node(refund, currency) for refund in order.get("refunds") or []]
        return {"order": {"id": _gid("Order", order["id"]), "refunds": refunds}}, 2 + len(refunds)

    # --- webhooks --------------------------------------------------------------------------
    def post_webhook(self, url, topic, payload, secret=None, webhook_id=None, timeout=10):
        """POST ``payload`` to ``url`` as Shopify delivers a webhook (signed body)."""
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign_webhook(body, secret or self.webhook_secret),
            "X-Shopify-Shop-Domain": "simulated-shop.myshopify.com",
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": self._now(),
        }
        return requests.post(url, data=body, headers=headers, timeout=timeout)


# --- GraphQL helpers ------------------------------------------------------------------------
MAX_QUERY_COST = 1000  # Shopify refuses a single query asking more
# Simplified node costs (Shopify counts 1 per object selected, 2 per connection plus
# first x the node's cost): what the client's order fragment selects, roughly.
ORDER_NODE_COST = 20
LINE_NODE_COST = 5
MUTATION_COST = 10
ORDER_CANCEL_REASONS = ("CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF")
_MUTATION_ERRORS = {
    "FulfillmentCreate": ("fulfillmentCreate", "userErrors"),
    "OrderCancel": ("orderCancel", "orderCancelUserErrors"),
    "InventorySetQuantities": ("inventorySetQuantities", "userErrors"),
    "RefundCreate": ("refundCreate", "userErrors"),
}
_OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)")


def _operation_name(query):
    match = _OPERATION.match(query or "")
    return match.group(1) if match else None


def _graphql_error(message, code, extensions=None):
    error = {"message": message, "extensions": {"code": code, **(extensions or {})}}
    return Response(200, {"errors": [error]})


def _requested_cost(operation, variables):
    first = int(variables.get("first") or 0)
    lines = int(variables.get("lines") or 0)
    if operation == "OrdersPage":
        return 2 + first * (ORDER_NODE_COST + 2 + lines * LINE_NODE_COST)
    if operation == "Order":
        return ORDER_NODE_COST + 2 + lines * LINE_NODE_COST
    if operation == "OrderLineItems":
        return 3 + first * LINE_NODE_COST
    if operation == "OrderRisks":
        return 12
    if operation == "FulfillmentOrders":
        return 3 + first * (7 + lines * 2)
    if operation == "FulfillmentOrderLineItems":
        return 3 + first * 2
    if operation == "ProductVariants":
        return 2 + first * 3
    if operation == "InventoryLevels":
        return 2 + 3 * len(variables.get("ids") or ())
    if operation == "Locations":
        return 2 + first * 2
    if operation == "SuggestedRefund":
        return 15
    if operation == "OrderRefunds":
        return 52
    if operation in _MUTATION_ERRORS:
        return MUTATION_COST
    return 1


def _order_cost(node):
    return ORDER_NODE_COST + 2 + len(node["lineItems"]["nodes"]) * LINE_NODE_COST


def _sort_key(query):
    match = re.search(r"sortKey:\s*(\w+)", query or "")
    return match.group(1) if match else "ID"


def _sort_value(order, sort):
    if sort == "UPDATED_AT":
        return (_utc_text(order["updated_at"]), order["id"])
    return ("", order["id"])


def _updated_since(search):
    """The moment of ``updated_at:>='...'`` in an orders search query (None without)."""
    match = re.search(r"updated_at:>=\s*'?\"?([^'\"\s)]+)", search or "")
    return _utc(match.group(1)) if match else None


def _utc(text):
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _utc_text(text):
    """A REST time (any offset) as GraphQL's ``DateTime``: UTC, ``Z``."""
    if not text:
        return None
    return _utc(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cursor(value):
    return base64.urlsafe_b64encode(json.dumps(list(value)).encode()).decode()


def _gid(kind, number):
    return f"gid://shopify/{kind}/{number}"


def _gid_number(value, kind):
    """``gid://shopify/<kind>/123`` → 123; None when it is not such an id."""
    prefix = f"gid://shopify/{kind}/"
    if isinstance(value, str) and value.startswith(prefix) and value[len(prefix) :].isdigit():
        return int(value[len(prefix) :])
    return None


def _money_bag(amount, currency):
    if amount is None:
        return None
    money = {"amount": _money(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


def _tax_line_node(tax, currency):
    return {
        "title": tax.get("title"),
        "rate": tax.get("rate"),
        "channelLiable": tax.get("channel_liable"),
        "priceSet": _money_bag(tax.get("price"), currency),
    }


def _allocation_node(allocation, currency):
    return {
        "allocatedAmountSet": _money_bag(allocation.get("amount"), currency),
        "discountApplication": {"index": allocation.get("discount_application_index")},
    }


def _application_node(index, app, currency):
    fixed = app.get("value_type") == "fixed_amount"
    value = app.get("value")
    node = {
        "index": index,
        "allocationMethod": (app.get("allocation_method") or "across").upper(),
        "targetSelection": (app.get("target_selection") or "all").upper(),
        "targetType": (app.get("target_type") or "line_item").upper(),
        "value": (
            {"amount": _money(value or 0), "currencyCode": currency}
            if fixed
            else {"percentage": float(value or 0)}
        ),
    }
    if app.get("code"):
        node["code"] = app["code"]
    elif app.get("title"):
        node["title"] = app["title"]
    return node


def _unfulfilled(item):
    """``LineItem.unfulfilledQuantity`` of a REST line: none of a ``fulfilled``
    line, its ``fulfillable_quantity`` when ``partial``, else its current quantity."""
    current = item.get("current_quantity", item.get("quantity"))
    status = item.get("fulfillment_status")
    if status == "fulfilled":
        return 0
    if status == "partial":
        return item.get("fulfillable_quantity", current)
    return current


def _line_item_node(item, order):
    currency = order.get("currency") or "EUR"
    duties = []
    for duty in item.get("duties") or []:
        bag = duty.get("price_set") if isinstance(duty.get("price_set"), dict) else duty
        duties.append(
            {
                "id": _gid("Duty", duty.get("id")),
                "harmonizedSystemCode": duty.get("harmonized_system_code"),
                "countryCodeOfOrigin": duty.get("country_code_of_origin"),
                "price": _money_bag((bag.get("shop_money") or {}).get("amount"), currency),
                "taxLines": [_tax_line_node(t, currency) for t in duty.get("tax_lines") or []],
            }
        )
    variant_id, item_id = item.get("variant_id"), item.get("inventory_item_id")
    return {
        "id": _gid("LineItem", item.get("id")),
        "sku": item.get("sku"),
        "name": item.get("name"),
        "title": item.get("title"),
        "quantity": item.get("quantity"),
        "currentQuantity": item.get("current_quantity", item.get("quantity")),
        "unfulfilledQuantity": _unfulfilled(item),
        "variantTitle": item.get("variant_title"),
        "vendor": item.get("vendor"),
        "requiresShipping": item.get("requires_shipping", True),
        "taxable": item.get("taxable", True),
        "originalUnitPriceSet": _money_bag(item.get("price"), currency),
        "totalDiscountSet": _money_bag(item.get("total_discount") or "0.00", currency),
        "discountAllocations": [
            _allocation_node(a, currency) for a in item.get("discount_allocations") or []
        ],
        "taxLines": [_tax_line_node(t, currency) for t in item.get("tax_lines") or []],
        "duties": duties,
        # LineItem.product (Admin GraphQL 2025-01): null for a custom line or a
        # product deleted since.
        "product": (
            {"id": _gid("Product", item["product_id"])} if item.get("product_id") else None
        ),
        "variant": (
            {
                "id": _gid("ProductVariant", variant_id) if variant_id else None,
                "inventoryItem": {"id": _gid("InventoryItem", item_id)} if item_id else None,
            }
            if variant_id or item_id
            else None
        ),
    }


def _address_node(address):
    if not address:
        return None
    first, last = address.get("first_name"), address.get("last_name")
    return {
        "firstName": first,
        "lastName": last,
        "name": address.get("name") or " ".join(filter(None, (first, last))),
        "company": address.get("company"),
        "address1": address.get("address1"),
        "address2": address.get("address2"),
        "city": address.get("city"),
        "province": address.get("province"),
        "provinceCode": address.get("province_code"),
        "zip": address.get("zip"),
        "country": address.get("country"),
        "countryCodeV2": address.get("country_code"),
        "phone": address.get("phone"),
    }


_RISK_LEVELS = {"cancel": "HIGH", "investigate": "MEDIUM", "accept": "LOW"}


def _assessment(risk):
    """A risk of the Order Risk resource as an ``OrderRiskAssessment``."""
    recommendation = risk.get("recommendation")
    source = risk.get("source")
    return {
        "riskLevel": _RISK_LEVELS.get(recommendation, str(recommendation).upper()),
        "facts": (
            [
                {
                    "description": risk["message"],
                    "sentiment": "NEUTRAL" if recommendation == "accept" else "NEGATIVE",
                }
            ]
            if risk.get("message")
            else []
        ),
        "provider": {"title": source} if source and source.lower() != "shopify" else None,
    }


def _fulfillment_order_line_node(line):
    return {
        "id": _gid("FulfillmentOrderLineItem", line["id"]),
        "totalQuantity": line["quantity"],
        "remainingQuantity": line["fulfillable_quantity"],
        "lineItem": {"id": _gid("LineItem", line["line_item_id"])},
    }


def _fulfillment_order_node(fo, lines):
    items = fo["line_items"]
    return {
        "id": _gid("FulfillmentOrder", fo["id"]),
        "status": fo["status"].upper(),
        "assignedLocation": {"location": {"id": _gid("Location", fo["assigned_location_id"])}},
        "lineItems": {
            "pageInfo": {
                "hasNextPage": len(items) > lines,
                "endCursor": str(min(lines, len(items))) if items[:lines] else None,
            },
            "nodes": [_fulfillment_order_line_node(line) for line in items[:lines]],
        },
    }


# Operation name -> (handler, access scope it needs, the field Shopify names when
# the scope is missing).
_GRAPHQL_OPERATIONS = {
    "Shop": (ShopifySimulator._gql_shop, None, None),
    "OrdersPage": (ShopifySimulator._gql_orders_page, "read_orders", "orders"),
    "Order": (ShopifySimulator._gql_order, "read_orders", "order"),
    "OrderLineItems": (ShopifySimulator._gql_order_line_items, "read_orders", "order"),
    "OrderRisks": (ShopifySimulator._gql_order_risks, "read_orders", "order"),
    "FulfillmentOrders": (ShopifySimulator._gql_fulfillment_orders, "read_orders", "order"),
    "FulfillmentOrderLineItems": (
        ShopifySimulator._gql_fulfillment_order_line_items,
        "read_orders",
        "fulfillmentOrder",
    ),
    "FulfillmentCreate": (
        ShopifySimulator._gql_fulfillment_create,
        "write_fulfillments",
        "fulfillmentCreate",
    ),
    "OrderCancel": (ShopifySimulator._gql_order_cancel, "write_orders", "orderCancel"),
    "ProductVariants": (
        ShopifySimulator._gql_product_variants,
        "read_products",
        "productVariants",
    ),
    "InventoryLevels": (
        ShopifySimulator._gql_inventory_levels,
        "read_inventory",
        "inventoryLevel",
    ),
    "Locations": (ShopifySimulator._gql_locations, "read_locations", "locations"),
    "InventorySetQuantities": (
        ShopifySimulator._gql_inventory_set_quantities,
        "write_inventory",
        "inventorySetQuantities",
    ),
    "SuggestedRefund": (ShopifySimulator._gql_suggested_refund, "read_orders", "order"),
    "RefundCreate": (ShopifySimulator._gql_refund_create, "write_orders", "refundCreate"),
    "OrderRefunds": (ShopifySimulator._gql_order_refunds, "read_orders", "order"),
}


def _refund_node(refund, currency):
    """A REST-shaped refund as the GraphQL ``Refund`` the client asks for."""
    total = sum((Decimal(t["amount"]) for t in refund["transactions"]), Decimal(0))
    return {
        "id": _gid("Refund", refund["id"]),
        "note": refund.get("note"),
        "createdAt": _utc_text(refund["created_at"]),
        "totalRefundedSet": _money_bag(total, currency),
        "transactions": {
            "nodes": [
                {
                    "id": _gid("OrderTransaction", t["id"]),
                    "kind": t["kind"].upper(),
                    "status": t["status"].upper(),
                    "gateway": t["gateway"],
                    "amountSet": _money_bag(t["amount"], currency),
                }
                for t in refund["transactions"]
            ]
        },
    }
