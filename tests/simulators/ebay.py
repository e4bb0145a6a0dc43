"""eBay REST simulator: OAuth (refresh-token grant), Sell Fulfillment API v1
(``getOrders``, ``getOrder``, shipping fulfillments) and Sell Inventory API v1
(``bulkUpdatePriceQuantity``, ``getInventoryItems``).

Follows eBay's public documentation: ``POST /identity/v1/oauth2/token`` with the
app's client id and secret as HTTP Basic and a form body (``grant_type=
refresh_token``, ``refresh_token``, ``scope``), errors ``{"error",
"error_description"}`` (401 ``invalid_client``, 400 ``invalid_grant`` /
``invalid_scope``), a user access token of two hours (``expires_in`` 7200);
the REST calls take it as ``Authorization: Bearer`` and answer a missing,
unknown or expired one with 401 and eBay's error 1001 ``Invalid access token``.
Errors are ``{"errors": [{"errorId", "domain", "category", "message",
"longMessage"}]}``.

``getOrders`` takes ``filter=lastmodifieddate:[<from>..<to>]`` (either end
optional, UTC with milliseconds), ``limit`` (1 to 200, 50 by default) and
``offset``, and answers ``href``, ``total``, ``limit``, ``offset``, ``next`` /
``prev`` (when there is such a page) and ``orders``. ``createShippingFulfillment``
answers 201 with the new fulfillment's ``Location``; the order's line items and
``orderFulfillmentStatus`` follow (``IN_PROGRESS``, then ``FULFILLED``).
``bulkUpdatePriceQuantity`` takes at most 25 requests and answers each SKU with
its ``statusCode`` (an unknown SKU: 404 with an error).

Rate limits: :meth:`EbaySimulator.throttle_next` answers the next calls with
429 and eBay's error 2001 (the call limit of the resource); eBay documents no
rate header on it, ``retry_after`` adds a ``Retry-After``. What the simulator
chooses itself, the documents being silent: the orders' order in ``getOrders``
(by last modification, then id), the numbers of the errors it invents for a
bad ``limit`` or line item (noted at each), and the ids it hands out.

:func:`generate_orders` makes realistic, reproducible eBay US orders (sales tax
collected and remitted by eBay, as the US marketplaces do).
"""

import base64
import json
import random
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs

from tests.simulators.base import Response, route
from tests.simulators.shopify import BASE_TIME, CATALOGUE, CENT, CUSTOMERS, ChannelSimulator

FULFILLMENT = "/sell/fulfillment/v1"
INVENTORY = "/sell/inventory/v1"
SCOPE_FULFILLMENT = "https://api.ebay.com/oauth/api_scope/sell.fulfillment"
SCOPE_INVENTORY = "https://api.ebay.com/oauth/api_scope/sell.inventory"
SALES_TAX = Decimal("0.0825")
SHIPPING = [
    ("USPSPriority", "USPS", "7.95"),
    ("USPSFirstClass", "USPS", "4.50"),
    ("UPSGround", "UPS", "0.00"),
]


def ebay_time(moment):
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _amount(value, currency="USD"):
    return {"value": str(Decimal(value).quantize(CENT)), "currency": currency}


def generate_orders(count, seed=1, lines=None, start=BASE_TIME, start_number=1):
    """``count`` eBay US orders (USD, eBay-collected sales tax of 8.25 % on the
    goods, shipping per line), the same for the same seed."""
    rng = random.Random(seed)
    orders = []
    for index in range(count):
        created = start + timedelta(minutes=7 * index, seconds=rng.randint(0, 59))
        first, last, email, phone, street, city, state, zip_code, country = rng.choice(CUSTOMERS)
        number = start_number + index
        order_id = f"{10 + number % 90:02d}-{number:05d}-{rng.randint(10000, 99999)}"
        service, carrier, ship_price = rng.choice(SHIPPING)
        promotion = rng.random() < 0.25
        items, subtotal, discount_sum, tax_sum, ship_sum = (
            [],
            Decimal(0),
            Decimal(0),
            Decimal(0),
            Decimal(0),
        )
        for position, (sku, title, variant, price, _item) in enumerate(
            rng.sample(CATALOGUE, lines or rng.randint(1, 3))
        ):
            quantity = rng.choice((1, 1, 2))
            cost = Decimal(price) * quantity
            discount = (cost * Decimal("0.1")).quantize(CENT) if promotion else Decimal(0)
            tax = ((cost - discount) * SALES_TAX).quantize(CENT)
            ship = Decimal(ship_price) if position == 0 else Decimal(0)
            subtotal += cost
            discount_sum += discount
            tax_sum += tax
            ship_sum += ship
            item_id = f"{10000000000000 + number * 10 + position}"
            items.append(
                {
                    "lineItemId": item_id,
                    "legacyItemId": f"3{number:05d}{position:06d}",
                    "sku": sku,
                    "title": f"{title} {variant}".strip(),
                    "lineItemCost": _amount(cost),
                    "discountedLineItemCost": _amount(cost - discount),
                    "quantity": quantity,
                    "soldFormat": "FIXED_PRICE",
                    "listingMarketplaceId": "EBAY_US",
                    "purchaseMarketplaceId": "EBAY_US",
                    "lineItemFulfillmentStatus": "NOT_STARTED",
                    "total": _amount(cost - discount + ship + tax),
                    "deliveryCost": {"shippingCost": _amount(ship)},
                    "appliedPromotions": (
                        [
                            {
                                "description": "10% off with the spring sale",
                                "discountAmount": _amount(discount),
                                "promotionId": "5000123456",
                            }
                        ]
                        if promotion
                        else []
                    ),
                    "taxes": [{"amount": _amount(tax), "taxType": "STATE_SALES_TAX"}],
                    "ebayCollectAndRemitTaxes": [
                        {
                            "taxType": "STATE_SALES_TAX",
                            "amount": _amount(tax),
                            "collectionMethod": "NET",
                        }
                    ],
                    "properties": {"buyerProtection": True},
                    "lineItemFulfillmentInstructions": {
                        "shipByDate": ebay_time(created + timedelta(days=2)),
                        "guaranteedDelivery": False,
                    },
                }
            )
        total = subtotal - discount_sum + ship_sum + tax_sum
        stamp = ebay_time(created)
        address = {
            "addressLine1": street,
            "city": city,
            "stateOrProvince": state,
            "postalCode": zip_code,
            "countryCode": country,
        }
        pricing = {
            "priceSubtotal": _amount(subtotal),
            "deliveryCost": _amount(ship_sum),
            "tax": _amount(tax_sum),
            "total": _amount(total),
        }
        if discount_sum:
            pricing["priceDiscount"] = _amount(-discount_sum)
        orders.append(
            {
                "orderId": order_id,
                "legacyOrderId": f"{items[0]['legacyItemId']}-{number:013d}",
                "creationDate": stamp,
                "lastModifiedDate": stamp,
                "orderFulfillmentStatus": "NOT_STARTED",
                "orderPaymentStatus": "PAID",
                "sellerId": "oms_simulated_seller",
                "buyer": {
                    "username": f"{first.lower()}_{last.lower()}",
                    "taxAddress": {
                        "stateOrProvince": state,
                        "postalCode": zip_code,
                        "countryCode": country,
                    },
                    "buyerRegistrationAddress": {
                        "fullName": f"{first} {last}",
                        "contactAddress": address,
                        "primaryPhone": {"phoneNumber": phone},
                        "email": email,
                    },
                },
                "pricingSummary": pricing,
                "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
                "paymentSummary": {
                    "totalDueSeller": _amount(total - tax_sum),
                    "refunds": [],
                    "payments": [
                        {
                            "paymentMethod": "EBAY",
                            "paymentReferenceId": uuid.UUID(int=rng.getrandbits(128)).hex[:16],
                            "paymentDate": stamp,
                            "amount": _amount(total),
                            "paymentStatus": "PAID",
                        }
                    ],
                },
                "fulfillmentStartInstructions": [
                    {
                        "fulfillmentInstructionsType": "SHIP_TO",
                        "ebaySupportedFulfillment": False,
                        "shippingStep": {
                            "shipTo": {
                                "fullName": f"{first} {last}",
                                "contactAddress": address,
                                "primaryPhone": {"phoneNumber": phone},
                                "email": email,
                            },
                            "shippingCarrierCode": carrier,
                            "shippingServiceCode": service,
                        },
                    }
                ],
                "fulfillmentHrefs": [],
                "lineItems": items,
                "ebayCollectAndRemitTax": True,
                "salesRecordReference": str(1000 + number),
                "totalFeeBasisAmount": _amount(total),
            }
        )
    return orders


def _errors(status, error_id, message, long_message=None, domain="API_FULFILLMENT", headers=None):
    return Response(
        status,
        {
            "errors": [
                {
                    "errorId": error_id,
                    "domain": domain,
                    "category": "REQUEST",
                    "message": message,
                    "longMessage": long_message or message,
                }
            ]
        },
        headers=headers or {},
    )


class EbaySimulator(ChannelSimulator):
    """One eBay seller: the app's keys and the seller's refresh token, orders,
    shipping fulfillments and inventory items with quantities."""

    def __init__(
        self,
        client_id="OmsSimul-oms-PRD-simulator",
        client_secret="PRD-simulator-client-secret",
        refresh_token="v^1.1#i^1#r^1#simulator-refresh-token",
        scopes=(SCOPE_FULFILLMENT, SCOPE_INVENTORY),
        clock=time.monotonic,
    ):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.scopes = set(scopes)
        self.clock = clock
        self.tokens = {}  # access token → expiry on the clock
        self.tokens_issued = 0
        self.orders = {}
        self.fulfillments = {}  # order id → [fulfillment]
        self.inventory = {
            sku: {"title": f"{title} {variant}".strip(), "quantity": 10}
            for sku, title, variant, _price, _item in CATALOGUE
        }
        self._time = BASE_TIME + timedelta(days=30)
        self._ids = iter(range(1, 10**9))

    # --- state for tests -------------------------------------------------------------
    def add_orders(self, orders):
        with self.lock:
            for original in orders:
                order = json.loads(json.dumps(original))
                self.orders[order["orderId"]] = order
        return orders

    def update_order(self, order_id, **changes):
        """Change an order as eBay would, a second later than anything before."""
        with self.lock:
            order = self.orders[order_id]
            order.update(json.loads(json.dumps(changes)))
            order["lastModifiedDate"] = self._now()
            return json.loads(json.dumps(order))

    def refund(self, order_id, amount, line_item_id=None, status="REFUNDED"):
        """The seller refunds ``amount`` (text) of an order, on one of its lines or
        not, as ``issueRefund`` does (a ``PENDING`` refund completes later:
        :meth:`complete_refund`); the refund's id."""
        with self.lock:
            order = self.orders[order_id]
            currency = order["pricingSummary"]["total"]["currency"]
            refund_id = f"50{next(self._ids):08d}"
            moment = self._now()
            refund = {
                "refundId": refund_id,
                "amount": _amount(Decimal(amount), currency),
                "refundStatus": status,
            }
            if status == "REFUNDED":
                refund.update(refundDate=moment, refundReferenceId=f"R{refund_id}")
            order["paymentSummary"]["refunds"].append(refund)
            for item in order["lineItems"]:
                if item["lineItemId"] == line_item_id:
                    item.setdefault("refunds", []).append(
                        {"refundId": refund_id, "amount": _amount(Decimal(amount), currency)}
                    )
            self._refund_status(order)
            order["lastModifiedDate"] = moment
            return refund_id

    def complete_refund(self, order_id, refund_id):
        """A pending refund goes through (the order modified)."""
        with self.lock:
            order = self.orders[order_id]
            moment = self._now()
            for refund in order["paymentSummary"]["refunds"]:
                if refund["refundId"] == refund_id:
                    refund.update(
                        refundStatus="REFUNDED",
                        refundDate=moment,
                        refundReferenceId=f"R{refund_id}",
                    )
            self._refund_status(order)
            order["lastModifiedDate"] = moment

    @staticmethod
    def _refund_status(order):
        refunded = sum(
            Decimal(refund["amount"]["value"])
            for refund in order["paymentSummary"]["refunds"]
            if refund["refundStatus"] == "REFUNDED"
        )
        if refunded:
            total = Decimal(order["pricingSummary"]["total"]["value"])
            order["orderPaymentStatus"] = (
                "FULLY_REFUNDED" if refunded >= total else "PARTIALLY_REFUNDED"
            )

    def expire_tokens(self):
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, float("-inf"))

    def throttle_next(self, times=1, path=None, retry_after=None):
        """Answer the next ``times`` calls (to ``path``) with eBay's 429."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        self.fail_next(
            429,
            times=times,
            path=path or r"^/sell/",
            body={
                "errors": [
                    {
                        "errorId": 2001,
                        "domain": "ACCESS",
                        "category": "REQUEST",
                        "message": "Too many requests.",
                        "longMessage": "The request limit has been reached for the resource.",
                    }
                ]
            },
            headers=headers,
        )

    def _now(self):
        self._time = max(self._time, datetime.now(timezone.utc).replace(microsecond=0))
        self._time += timedelta(seconds=1)
        return ebay_time(self._time)

    # --- protocol ---------------------------------------------------------------------------
    def _dispatch(self, request):
        with self.lock:
            if request.path != "/identity/v1/oauth2/token":
                header = request.headers.get("authorization", "")
                token = header[7:] if header.startswith("Bearer ") else None
                expiry = self.tokens.get(token)
                if expiry is None or self.clock() >= expiry:
                    return _errors(
                        401,
                        1001,
                        "Invalid access token",
                        "Invalid access token. Check the value of the Authorization HTTP "
                        "request header.",
                        domain="OAuth",
                    )
            return super()._dispatch(request)

    @route("POST", r"/identity/v1/oauth2/token")
    def token(self, request):
        header = request.headers.get("authorization", "")
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            client_id = secret = None
        if not header.startswith("Basic ") or (client_id, secret) != (
            self.client_id,
            self.client_secret,
        ):
            return Response(
                401,
                {"error": "invalid_client", "error_description": "client authentication failed"},
            )
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return Response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type in request is not supported by the "
                    "authorization server",
                },
            )
        if form.get("refresh_token") != self.refresh_token:
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "the provided authorization refresh token is invalid "
                    "or was issued to another client",
                },
            )
        asked = set((form.get("scope") or "").split())
        if asked - self.scopes:
            return Response(
                400,
                {
                    "error": "invalid_scope",
                    "error_description": "The requested scope is invalid, unknown, malformed, "
                    "or exceeds the scope granted to the client",
                },
            )
        token = f"v^1.1#i^1#p^3#I^3#r^0#t^{uuid.uuid4().hex}"
        self.tokens[token] = self.clock() + 7200
        self.tokens_issued += 1
        return Response(
            200, {"access_token": token, "expires_in": 7200, "token_type": "User Access Token"}
        )

    @route("GET", rf"{FULFILLMENT}/order")
    def get_orders(self, request):
        try:
            limit = int(request.query.get("limit", 50))
            offset = int(request.query.get("offset", 0))
        except ValueError:
            limit = offset = -1
        if not 1 <= limit <= 200 or offset < 0:
            # The error number is the simulator's own (the documents list none).
            return _errors(400, 30700, "Invalid limit or offset", "The limit must be 1 to 200.")
        orders = list(self.orders.values())
        filters = request.query.get("filter") or ""
        for clause in filter(None, filters.split(",")):
            name, _, value = clause.partition(":")
            if name != "lastmodifieddate" or not (value.startswith("[") and value.endswith("]")):
                return _errors(400, 30800, "Invalid filter", f"Invalid filter: {clause}")
            since, _, until = value[1:-1].partition("..")
            try:
                if since:
                    orders = [o for o in orders if _parse(o["lastModifiedDate"]) >= _parse(since)]
                if until:
                    orders = [o for o in orders if _parse(o["lastModifiedDate"]) <= _parse(until)]
            except ValueError:
                return _errors(400, 30810, "Invalid date", f"Invalid date in filter: {clause}")
        orders.sort(key=lambda o: (o["lastModifiedDate"], o["orderId"]))
        page = orders[offset : offset + limit]
        base = f"{self.url}{FULFILLMENT}/order?limit={limit}"
        if filters:
            base += f"&filter={filters}"
        body = {
            "href": f"{base}&offset={offset}",
            "total": len(orders),
            "limit": limit,
            "offset": offset,
            "orders": page,
        }
        if offset + limit < len(orders):
            body["next"] = f"{base}&offset={offset + limit}"
        if offset:
            body["prev"] = f"{base}&offset={max(0, offset - limit)}"
        return Response(200, body)

    @route("GET", rf"{FULFILLMENT}/order/(?P<order_id>[\w-]+)")
    def get_order(self, request, order_id):
        order = self.orders.get(order_id)
        if not order:
            return _errors(404, 32100, "Invalid order ID", f"Invalid order ID: {order_id}")
        return Response(200, order)

    @route("GET", rf"{FULFILLMENT}/order/(?P<order_id>[\w-]+)/shipping_fulfillment")
    def get_fulfillments(self, request, order_id):
        if order_id not in self.orders:
            return _errors(404, 32100, "Invalid order ID", f"Invalid order ID: {order_id}")
        fulfillments = self.fulfillments.get(order_id, [])
        return Response(200, {"total": len(fulfillments), "fulfillments": fulfillments})

    @route("POST", rf"{FULFILLMENT}/order/(?P<order_id>[\w-]+)/shipping_fulfillment")
    def create_fulfillment(self, request, order_id):
        order = self.orders.get(order_id)
        if not order:
            return _errors(404, 32100, "Invalid order ID", f"Invalid order ID: {order_id}")
        body = request.json() or {}
        items = {item["lineItemId"]: item for item in order["lineItems"]}
        shipped = {}
        for line in self.fulfillments.get(order_id, []):
            for item in line["lineItems"]:
                shipped[item["lineItemId"]] = shipped.get(item["lineItemId"], 0) + item["quantity"]
        lines = body.get("lineItems") or []
        for line in lines:
            item = items.get(str(line.get("lineItemId")))
            quantity = line.get("quantity")
            if (
                item is None
                or not isinstance(quantity, int)
                or quantity < 1
                or shipped.get(item["lineItemId"], 0) + quantity > item["quantity"]
            ):
                # The error number is the simulator's own.
                return _errors(
                    400, 32400, "Invalid line item", f"Invalid line item or quantity: {line}"
                )
        if not lines or not body.get("shippedDate"):
            return _errors(400, 32400, "Missing field", "lineItems and shippedDate are required.")
        if body.get("trackingNumber") and not body.get("shippingCarrierCode"):
            return _errors(
                400,
                32400,
                "Missing field",
                "shippingCarrierCode is required with a tracking number.",
            )
        fulfillment_id = body.get("trackingNumber") or f"9{next(self._ids):011d}"
        fulfillment = {
            "fulfillmentId": fulfillment_id,
            "lineItems": [
                {"lineItemId": str(line["lineItemId"]), "quantity": line["quantity"]}
                for line in lines
            ],
            "shipmentTrackingNumber": body.get("trackingNumber") or "",
            "shippingCarrierCode": body.get("shippingCarrierCode") or "",
            "shippedDate": body["shippedDate"],
        }
        self.fulfillments.setdefault(order_id, []).append(fulfillment)
        for line in lines:
            shipped[str(line["lineItemId"])] = (
                shipped.get(str(line["lineItemId"]), 0) + line["quantity"]
            )
        for item in order["lineItems"]:
            done = shipped.get(item["lineItemId"], 0)
            item["lineItemFulfillmentStatus"] = (
                "FULFILLED"
                if done >= item["quantity"]
                else "IN_PROGRESS"
                if done
                else "NOT_STARTED"
            )
        statuses = {item["lineItemFulfillmentStatus"] for item in order["lineItems"]}
        order["orderFulfillmentStatus"] = (
            "FULFILLED" if statuses == {"FULFILLED"} else "IN_PROGRESS"
        )
        order["fulfillmentHrefs"] = [
            f"{self.url}{FULFILLMENT}/order/{order_id}/shipping_fulfillment/{f['fulfillmentId']}"
            for f in self.fulfillments[order_id]
        ]
        order["lastModifiedDate"] = self._now()
        location = f"{self.url}{FULFILLMENT}/order/{order_id}/shipping_fulfillment/{fulfillment_id}"
        return Response(201, {}, headers={"Location": location})

    @route("POST", rf"{INVENTORY}/bulk_update_price_quantity")
    def bulk_update_price_quantity(self, request):
        requests = (request.json() or {}).get("requests") or []
        if len(requests) > 25:
            return _errors(
                400,
                25709,
                "Invalid value for requests",
                "Invalid value for requests. A maximum of 25 requests is allowed.",
                domain="API_INVENTORY",
            )
        responses = []
        for item in requests:
            sku = item.get("sku")
            quantity = (item.get("shipToLocationAvailability") or {}).get("quantity")
            if sku not in self.inventory:
                responses.append(
                    {
                        "statusCode": 404,
                        "sku": sku,
                        "errors": [
                            {
                                "errorId": 25702,
                                "domain": "API_INVENTORY",
                                "category": "REQUEST",
                                "message": f"SKU {sku} is not available in the system.",
                            }
                        ],
                    }
                )
                continue
            if not isinstance(quantity, int) or quantity < 0:
                responses.append(
                    {
                        "statusCode": 400,
                        "sku": sku,
                        "errors": [
                            {
                                "errorId": 25604,
                                "domain": "API_INVENTORY",
                                "category": "REQUEST",
                                "message": "Input error. The quantity is invalid.",
                            }
                        ],
                    }
                )
                continue
            self.inventory[sku]["quantity"] = quantity
            responses.append({"statusCode": 200, "sku": sku, "warnings": []})
        return Response(200, {"responses": responses})

    @route("GET", rf"{INVENTORY}/inventory_item")
    def get_inventory_items(self, request):
        limit = int(request.query.get("limit", 25))
        offset = int(request.query.get("offset", 0))
        skus = sorted(self.inventory)
        page = skus[offset : offset + limit]
        body = {
            "href": f"{self.url}{INVENTORY}/inventory_item?limit={limit}&offset={offset}",
            "total": len(skus),
            "limit": limit,
            "size": len(page),
            "inventoryItems": [
                {
                    "sku": sku,
                    "product": {"title": self.inventory[sku]["title"]},
                    "availability": {
                        "shipToLocationAvailability": {"quantity": self.inventory[sku]["quantity"]}
                    },
                }
                for sku in page
            ],
        }
        if offset + limit < len(skus):
            body["next"] = (
                f"{self.url}{INVENTORY}/inventory_item?limit={limit}&offset={offset + limit}"
            )
        return Response(200, body)
