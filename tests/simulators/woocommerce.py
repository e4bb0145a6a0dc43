"""WooCommerce REST API v3 simulator (``/wp-json/wc/v3``).

Follows the public documentation: consumer key and secret by HTTP Basic or as
query parameters, errors as ``{"code", "message", "data": {"status"}}``, page
pagination with ``X-WP-Total`` / ``X-WP-TotalPages`` and a ``Link`` header,
``per_page`` at most 100, orders filtered by ``modified_after`` (GMT with
``dates_are_gmt``), order updates and notes (added and listed), products (listed page by page, or
found by SKU) and the variations of variable products, stock set one
by one or in batches of at most 100, and webhooks signed in
``X-WC-Webhook-Signature``.

:func:`generate_orders` makes realistic, reproducible WooCommerce orders.
"""

import base64
import json
import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

import requests

from tests.simulators.base import Response, route
from tests.simulators.shopify import (
    BASE_TIME,
    CATALOGUE,
    CENT,
    CUSTOMERS,
    SHIPPING_METHODS,
    ChannelSimulator,
    sign_webhook,
)

API = "/wp-json/wc/v3"
TAX_RATE = Decimal("0.2")


def _gmt(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _money(value):
    return str(Decimal(value).quantize(CENT))


def _address(customer, with_contact=True):
    first, last, email, phone, street, city, state, zip_code, country = customer
    address = {
        "first_name": first,
        "last_name": last,
        "company": "",
        "address_1": street,
        "address_2": "",
        "city": city,
        "state": state,
        "postcode": zip_code,
        "country": country,
        "phone": phone,
    }
    if with_contact:
        address["email"] = email
    return address


def product_id(sku):
    """The simulated shop's product id of a catalogue SKU."""
    return 100 + [item[0] for item in CATALOGUE].index(sku)


def generate_orders(count, seed=1, lines=None, start_id=5001):
    """``count`` WooCommerce orders (EUR, 20 % tax, prices without tax), same per seed."""
    rng = random.Random(seed)
    orders = []
    for index in range(count):
        created = BASE_TIME + timedelta(minutes=5 * index, seconds=rng.randint(0, 59))
        customer = rng.choice(CUSTOMERS)
        coupon = rng.random() < 0.25
        line_items, totals = [], {"subtotal": Decimal(0), "total": Decimal(0), "tax": Decimal(0)}
        for position, (sku, title, variant, price, _item) in enumerate(
            rng.sample(CATALOGUE, lines or rng.randint(1, 4))
        ):
            quantity = rng.choice((1, 1, 2, 3))
            net_price = (Decimal(price) / (1 + TAX_RATE)).quantize(CENT)
            subtotal = net_price * quantity
            total = (subtotal * Decimal("0.9")).quantize(CENT) if coupon else subtotal
            tax = (total * TAX_RATE).quantize(CENT)
            totals["subtotal"] += subtotal
            totals["total"] += total
            totals["tax"] += tax
            line_items.append(
                {
                    "id": 10 * (start_id + index) + position,
                    "name": f"{title} &ndash; {variant}" if variant else title,
                    "product_id": product_id(sku),
                    "variation_id": 0,
                    "quantity": quantity,
                    "tax_class": "",
                    "subtotal": _money(subtotal),
                    "subtotal_tax": _money(subtotal * TAX_RATE),
                    "total": _money(total),
                    "total_tax": _money(tax),
                    "taxes": [{"id": 1, "total": _money(tax), "subtotal": ""}],
                    "sku": sku,
                    "price": float(total / quantity),
                }
            )
        method, gross = rng.choice(SHIPPING_METHODS)
        ship = (Decimal(gross) / (1 + TAX_RATE)).quantize(CENT)
        ship_tax = (ship * TAX_RATE).quantize(CENT)
        discount = totals["subtotal"] - totals["total"]
        order_id = start_id + index
        orders.append(
            {
                "id": order_id,
                "parent_id": 0,
                "number": str(order_id),
                "order_key": f"wc_order_{uuid.UUID(int=rng.getrandbits(128)).hex[:13]}",
                "created_via": "checkout",
                "status": rng.choice(("processing", "processing", "on-hold")),
                "currency": "EUR",
                "date_created_gmt": _gmt(created),
                "date_modified_gmt": _gmt(created),
                "discount_total": _money(discount),
                "discount_tax": _money(discount * TAX_RATE),
                "shipping_total": _money(ship),
                "shipping_tax": _money(ship_tax),
                "cart_tax": _money(totals["tax"]),
                "total": _money(totals["total"] + totals["tax"] + ship + ship_tax),
                "total_tax": _money(totals["tax"] + ship_tax),
                "prices_include_tax": False,
                "customer_id": 0,
                "customer_ip_address": "198.51.100.23",
                "customer_note": "",
                "billing": _address(customer),
                "shipping": _address(customer, with_contact=False),
                "payment_method": "stripe",
                "payment_method_title": "Credit card",
                "date_paid_gmt": _gmt(created),
                "line_items": line_items,
                "tax_lines": [
                    {
                        "id": 9 * order_id,
                        "rate_code": "EU-VAT-1",
                        "rate_id": 1,
                        "label": "VAT",
                        "compound": False,
                        "tax_total": _money(totals["tax"]),
                        "shipping_tax_total": _money(ship_tax),
                        "rate_percent": 20,
                    }
                ],
                "shipping_lines": [
                    {
                        "id": 7 * order_id,
                        "method_title": method,
                        "method_id": "free_shipping" if not ship else "flat_rate",
                        "total": _money(ship),
                        "total_tax": _money(ship_tax),
                        "taxes": [{"id": 1, "total": _money(ship_tax), "subtotal": ""}],
                    }
                ],
                "fee_lines": [],
                "coupon_lines": (
                    [{"id": 8 * order_id, "code": "spring10", "discount": _money(discount)}]
                    if coupon
                    else []
                ),
                "refunds": [],
            }
        )
    return orders


def _error(status, code, message):
    return Response(status, {"code": code, "message": message, "data": {"status": status}})


class WooCommerceSimulator(ChannelSimulator):
    """One WooCommerce shop: orders, notes and products with stock."""

    def __init__(
        self,
        consumer_key="ck_simulator",
        consumer_secret="cs_simulator",
        permissions="read_write",
        webhook_secret="woocommerce-webhook-secret",
    ):
        super().__init__()
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.permissions = permissions
        self.webhook_secret = webhook_secret
        self.orders = {}
        # Faults of a long listing: a smaller page than asked (servers may answer
        # fewer), and, while set, every request continuing a listing (page 2 on)
        # answered with this status instead.
        self.page_size_cap = None
        self.fail_later_pages = None
        self.notes = {}  # order id → notes
        self.refunds = {}  # order id → refunds
        self.products = {
            product_id(sku): {
                "id": product_id(sku),
                "parent_id": 0,
                "name": f"{title} - {variant}" if variant else title,
                "type": "simple",
                "sku": sku,
                "price": price,
                "regular_price": price,
                "global_unique_id": "",
                "manage_stock": True,
                "stock_quantity": 10,
            }
            for sku, title, variant, price, _item in CATALOGUE
        }
        # Variations of the variable products: product id → [variation, ...].
        self.variations = {}
        self._time = BASE_TIME + timedelta(days=30)
        self._note_ids = iter(range(7000, 10**9))

    # --- state for tests -------------------------------------------------------------
    def add_orders(self, orders):
        with self.lock:
            for original in orders:
                order = json.loads(json.dumps(original))
                self.orders[order["id"]] = order
        return orders

    def update_order(self, order_id, **changes):
        with self.lock:
            order = self.orders[int(order_id)]
            order.update(changes)
            order["date_modified_gmt"] = self._now()
            return json.loads(json.dumps(order))

    def _now(self):
        self._time += timedelta(seconds=1)
        return _gmt(self._time)

    # --- protocol ---------------------------------------------------------------------------
    def _dispatch(self, request):
        with self.lock:
            denied = self._check_auth(request)
            return denied or super()._dispatch(request)

    def _check_auth(self, request):
        key = secret = None
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            try:
                key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                key = None
        elif "consumer_key" in request.query:
            key, secret = request.query.get("consumer_key"), request.query.get("consumer_secret")
        if key is None:
            return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if key != self.consumer_key:
            return _error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if secret != self.consumer_secret:
            return _error(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
            )
        if request.method != "GET" and self.permissions == "read":
            return _error(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            )
        return None

    @route("GET", rf"{API}/orders")
    def list_orders(self, request):
        try:
            page = int(request.query.get("page", 1))
            per_page = int(request.query.get("per_page", 10))
        except ValueError:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): page, per_page")
        if not 1 <= per_page <= 100:
            return _error(
                400, "rest_invalid_param", "Invalid parameter(s): per_page (between 1 and 100)"
            )
        if self.page_size_cap:
            per_page = min(per_page, self.page_size_cap)
        if page > 1 and self.fail_later_pages:
            status = self.fail_later_pages
            return _error(status, "internal_server_error", "Internal Server Error")
        # The orderby values WooCommerce REST v3 documents for orders.
        orderby = request.query.get("orderby", "date")
        if orderby not in ("date", "id", "include", "title", "slug"):
            return _error(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): orderby (orderby is not one of date, id, include, "
                "title, slug)",
            )
        if orderby == "id":
            orders = sorted(self.orders.values(), key=lambda o: o["id"])
        else:
            orders = sorted(self.orders.values(), key=lambda o: (o["date_created_gmt"], o["id"]))
        if request.query.get("order") == "desc":
            orders.reverse()
        status = request.query.get("status", "any")
        if status != "any":
            orders = [o for o in orders if o["status"] in status.split(",")]
        if request.query.get("modified_after"):
            since = datetime.fromisoformat(request.query["modified_after"].replace("Z", ""))
            orders = [o for o in orders if datetime.fromisoformat(o["date_modified_gmt"]) > since]
        total = len(orders)
        pages = -(-total // per_page)
        chunk = orders[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if page < pages:
            headers["Link"] = f'<{self.url}{API}/orders?page={page + 1}>; rel="next"'
        return Response(200, chunk, headers=headers)

    @route("GET", rf"{API}/orders/(?P<order_id>\d+)")
    def get_order(self, request, order_id):
        order = self.orders.get(int(order_id))
        if not order:
            return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return Response(200, order)

    @route("PUT", rf"{API}/orders/(?P<order_id>\d+)")
    def update(self, request, order_id):
        order = self.orders.get(int(order_id))
        if not order:
            return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        body = request.json() or {}
        status = body.get("status")
        if status and status not in (
            "pending",
            "processing",
            "on-hold",
            "completed",
            "cancelled",
            "refunded",
            "failed",
        ):
            return _error(400, "rest_invalid_param", "Invalid parameter(s): status")
        if status:
            order["status"] = status
            if status == "completed":
                order["date_completed_gmt"] = self._time.strftime("%Y-%m-%dT%H:%M:%S")
        order["date_modified_gmt"] = self._now()
        return Response(200, order)

    @route("GET", rf"{API}/orders/(?P<order_id>\d+)/notes")
    def list_notes(self, request, order_id):
        """The order's notes, the newest first; ``type``: any, customer or internal."""
        if int(order_id) not in self.orders:
            return _error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        kind = request.query.get("type", "any")
        if kind not in ("any", "customer", "internal"):
            return _error(400, "rest_invalid_param", "Invalid parameter(s): type")
        notes = [
            note
            for note in reversed(self.notes.get(int(order_id), []))
            if kind == "any" or note["customer_note"] == (kind == "customer")
        ]
        return Response(200, notes)

    @route("POST", rf"{API}/orders/(?P<order_id>\d+)/notes")
    def add_note(self, request, order_id):
        if int(order_id) not in self.orders:
            return _error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        body = request.json() or {}
        if not body.get("note"):
            return _error(400, "rest_missing_callback_param", "Missing parameter(s): note")
        note = {
            "id": next(self._note_ids),
            "author": "WooCommerce",
            "date_created_gmt": self._now(),
            "note": body["note"],
            "customer_note": bool(body.get("customer_note")),
        }
        self.notes.setdefault(int(order_id), []).append(note)
        return Response(201, note)

    @route("GET", rf"{API}/orders/(?P<order_id>\d+)/refunds")
    def list_refunds(self, request, order_id):
        """The order's refunds, the newest first."""
        if int(order_id) not in self.orders:
            return _error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        return Response(200, list(reversed(self.refunds.get(int(order_id), []))))

    @route("POST", rf"{API}/orders/(?P<order_id>\d+)/refunds")
    def create_refund(self, request, order_id):
        """A refund as WooCommerce makes one: ``amount`` (text) no more than what is
        left of the order's total, ``line_items`` of the order's items and no more
        than was ordered, ``api_refund`` through the gateway. The order lists it
        in ``refunds`` (its total negative) and is ``refunded`` once all of it is."""
        order = self.orders.get(int(order_id))
        if not order:
            return _error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        body = request.json() or {}
        try:
            amount = Decimal(str(body.get("amount")))
        except (InvalidOperation, ValueError):
            return _error(400, "rest_invalid_param", "Invalid parameter(s): amount")
        refunded = sum((-Decimal(r["total"]) for r in order.get("refunds") or ()), Decimal(0))
        if amount <= 0 or amount > Decimal(order["total"]) - refunded:
            return _error(
                400, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."
            )
        items = {item["id"]: item for item in order.get("line_items") or ()}
        for line in body.get("line_items") or ():
            item = items.get(line.get("id"))
            if item is None or int(line.get("quantity") or 0) > item["quantity"]:
                return _error(
                    400, "woocommerce_rest_cannot_create_order_refund", "Invalid line item."
                )
        refund = {
            "id": next(self._note_ids),
            "date_created_gmt": self._now(),
            "amount": _money(amount),
            "reason": body.get("reason") or "",
            "refunded_by": 1,
            "refunded_payment": bool(body.get("api_refund", True)),
            "line_items": [
                {
                    "id": next(self._note_ids),
                    "quantity": -int(line.get("quantity") or 0),
                    "total": "-" + _money(Decimal(str(line.get("refund_total") or 0))),
                    "meta_data": [{"key": "_refunded_item_id", "value": str(line["id"])}],
                }
                for line in body.get("line_items") or ()
            ],
        }
        self.refunds.setdefault(int(order_id), []).append(refund)
        order.setdefault("refunds", []).append(
            {"id": refund["id"], "reason": refund["reason"], "total": "-" + _money(amount)}
        )
        if refunded + amount == Decimal(order["total"]):
            order["status"] = "refunded"
        order["date_modified_gmt"] = self._now()
        return Response(201, refund)

    @route("GET", rf"{API}/products")
    def list_products(self, request):
        """``GET /products`` (REST v3 "List all products"): ``page`` / ``per_page``
        (10 by default, at most 100), ``orderby`` (date by default, or id...),
        ``sku`` filter; ``X-WP-Total`` / ``X-WP-TotalPages``."""
        products = sorted(self.products.values(), key=lambda p: p["id"])
        if "sku" in request.query:
            products = [p for p in products if p["sku"] == request.query["sku"]]
        return self._page_of(request, products, "products")

    @route("GET", rf"{API}/products/(?P<pid>\d+)/variations")
    def list_variations(self, request, pid):
        """``GET /products/<id>/variations`` (REST v3 "List all product
        variations"): each with ``id``, ``sku``, ``price``, ``regular_price``,
        ``global_unique_id`` and ``attributes`` (``name``, ``option``), paged as
        products are; 404 ``woocommerce_rest_product_invalid_id`` for no product."""
        if int(pid) not in self.products:
            return _error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        variations = sorted(self.variations.get(int(pid), ()), key=lambda v: v["id"])
        return self._page_of(request, variations, f"products/{pid}/variations")

    def _page_of(self, request, items, path):
        try:
            page = int(request.query.get("page", 1))
            per_page = int(request.query.get("per_page", 10))
        except ValueError:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): page, per_page")
        if not 1 <= per_page <= 100:
            return _error(
                400, "rest_invalid_param", "Invalid parameter(s): per_page (between 1 and 100)"
            )
        if self.page_size_cap:
            per_page = min(per_page, self.page_size_cap)
        total = len(items)
        pages = -(-total // per_page)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if page < pages:
            headers["Link"] = f'<{self.url}{API}/{path}?page={page + 1}>; rel="next"'
        return Response(200, items[(page - 1) * per_page : page * per_page], headers=headers)

    @route("PUT", rf"{API}/products/(?P<pid>\d+)")
    def update_product(self, request, pid):
        product = self.products.get(int(pid))
        if not product:
            return _error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        problem = self._apply_stock(product, request.json() or {})
        return problem or Response(200, product)

    def _apply_stock(self, product, body):
        quantity = body.get("stock_quantity")
        if quantity is not None and (not isinstance(quantity, int) or isinstance(quantity, bool)):
            return _error(400, "rest_invalid_param", "Invalid parameter(s): stock_quantity")
        if "manage_stock" in body:
            product["manage_stock"] = bool(body["manage_stock"])
        if quantity is not None:
            product["stock_quantity"] = quantity
        return None

    @route("POST", rf"{API}/products/batch")
    def batch(self, request):
        updates = (request.json() or {}).get("update") or []
        if len(updates) > 100:
            return _error(
                413,
                "woocommerce_rest_request_entity_too_large",
                "Unable to accept more than 100 items for this request.",
            )
        answer = []
        for item in updates:
            product = self.products.get(item.get("id"))
            if not product:
                answer.append(
                    {
                        "id": item.get("id"),
                        "error": {
                            "code": "woocommerce_rest_product_invalid_id",
                            "message": "Invalid ID.",
                            "data": {"status": 400},
                        },
                    }
                )
                continue
            problem = self._apply_stock(product, item)
            answer.append(
                {"id": item.get("id"), "error": problem.body} if problem else dict(product)
            )
        return Response(200, {"update": answer})

    # --- webhooks ----------------------------------------------------------------------------
    def post_webhook(self, url, topic, payload, secret=None, timeout=10):
        """POST ``payload`` to ``url`` as WooCommerce delivers a webhook (signed body)."""
        body = json.dumps(payload).encode()
        resource, _, event = topic.partition(".")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "WooCommerce/9.0 Hookshot (WordPress/6.5)",
            "X-WC-Webhook-Source": f"{self.url}/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign_webhook(body, secret or self.webhook_secret),
            "X-WC-Webhook-ID": "12",
            "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
        }
        return requests.post(url, data=body, headers=headers, timeout=timeout)
