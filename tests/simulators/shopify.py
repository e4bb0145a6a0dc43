"""Shopify Admin REST API (2025-01) simulator.

Follows the public documentation: ``X-Shopify-Access-Token`` auth (401 with
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
        ),
        webhook_secret="shopify-webhook-secret",
        bucket_size=40,
        leak_rate=2.0,
        clock=time.monotonic,
        location_id=655441491,
    ):
        super().__init__()
        self.access_token = access_token
        self.scopes = set(scopes)
        self.webhook_secret = webhook_secret
        self.bucket_size = bucket_size
        self.leak_rate = leak_rate
        self.clock = clock
        self.location_id = location_id
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
        self.throttled = 0
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
        groups = body.get("line_items_by_fulfillment_order") or []
        if not groups:
            return Response(422, {"errors": ["line_items_by_fulfillment_order must be provided"]})
        touched = []
        for group in groups:
            fo = self.fulfillment_orders.get(group.get("fulfillment_order_id"))
            if not fo:
                return Response(404, {"errors": "Not Found"})
            if fo["status"] not in ("open", "in_progress"):
                return Response(
                    422,
                    {"errors": [f"Fulfillment order {fo['id']} has an unfulfillable status"]},
                )
            wanted = {
                item["id"]: item["quantity"]
                for item in group.get("fulfillment_order_line_items") or []
            } or {line["id"]: line["fulfillable_quantity"] for line in fo["line_items"]}
            lines = {line["id"]: line for line in fo["line_items"]}
            for line_id, quantity in wanted.items():
                if (
                    line_id not in lines
                    or not 0 < quantity <= lines[line_id]["fulfillable_quantity"]
                ):
                    return Response(422, {"errors": [f"Invalid quantity for line item {line_id}"]})
            touched.append((fo, wanted))
        tracking = body.get("tracking_info") or {}
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
            "notify_customer": body.get("notify_customer", False),
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
        return Response(201, {"fulfillment": fulfillment})

    @route("POST", rf"/admin/api/{API_VERSION}/orders/(?P<order_id>\d+)/cancel\.json")
    def cancel_order(self, request, order_id):
        denied = self._scope("write_orders")
        if denied:
            return denied
        order = self.orders.get(int(order_id))
        if not order:
            return Response(404, {"errors": "Not Found"})
        if order.get("cancelled_at"):
            return Response(422, {"error": "Order has already been cancelled"})
        if order.get("fulfillment_status") == "fulfilled":
            return Response(422, {"error": "Cannot cancel a fulfilled order"})
        body = request.json() or {}
        now = self._now()
        order.update(cancelled_at=now, cancel_reason=body.get("reason", "other"), updated_at=now)
        for fo in self.fulfillment_orders.values():
            if fo["order_id"] == order["id"]:
                fo["status"] = "cancelled"
        return Response(200, {"order": order})

    @route("GET", rf"/admin/api/{API_VERSION}/products\.json")
    def list_products(self, request):
        """The catalogue as products with their variants, ``limit`` per page."""
        denied = self._scope("read_products")
        if denied:
            return denied
        query = dict(request.query)
        limit = int(query.get("limit") or 50)
        start = int(query.get("page_info") or 0) if query.get("page_info", "0").isdigit() else 0
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
                    "price": price,
                    "inventory_item_id": item_id,
                }
            )
        items = list(products.values())
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
