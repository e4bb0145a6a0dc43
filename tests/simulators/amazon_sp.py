"""Amazon Selling Partner API simulator: Login with Amazon, Tokens 2021-03-01, Orders v0,
Feeds 2021-06-30, Listings Items 2021-08-01 (``searchListingsItems``).

Follows the public documentation: ``POST /auth/o2/token`` (refresh-token grant,
form-encoded, errors ``{"error", "error_description"}``), the access token in
``x-amz-access-token`` (403 ``Unauthorized`` with the SP-API error body when
missing, wrong or expired), ``getOrders`` with ``MarketplaceIds`` and
``LastUpdatedAfter`` paginated by ``NextToken``, ``getOrderItems`` paginated the
same way, ``confirmShipment`` (204), and the feed document / feed calls with a
pre-signed upload URL: ``JSON_LISTINGS_FEED`` (stock) and the XML order
acknowledgement feed ``POST_ORDER_ACKNOWLEDGEMENT_DATA`` whose ``Failure``
cancels a merchant-fulfilled order not shipped yet (the order is then listed
``Canceled``). A feed is processed at once (``DONE``); what Amazon would report
as a processing error (an unknown order, one shipped or fulfilled by Amazon, a
reason not in the schema) is kept in the feed's ``errors`` and changes nothing.

Buyer data is restricted (Tokens API v2021-03-01): ``getOrders`` and
``getOrderItems`` called with a Login with Amazon token answer without it, as
Amazon does: the order's ``ShippingAddress`` keeps only ``City``,
``StateOrRegion``, ``PostalCode`` and ``CountryCode``, its ``BuyerInfo`` loses
``BuyerEmail``, ``BuyerName``, ``BuyerCounty`` and ``BuyerTaxInfo``, its
``BuyerTaxInformation`` goes, and each item loses its ``BuyerInfo`` (gift
message, gift wrap, customisation). ``POST /tokens/2021-03-01/restrictedDataToken``
hands out a Restricted Data Token (``Atz.sprdt|...``, ``expiresIn`` 3600) for up
to 50 ``restrictedResources`` (``method``, ``path``, ``dataElements``), a path
being specific (``/orders/v0/orders/<id>/orderItems``) or generic
(``/orders/v0/orders/{orderId}/orderItems``); the data comes back only for a
call made with an unexpired RDT naming that method and path and those
``dataElements``. An RDT used on any other call, or expired, is refused with
the documented 403 ``Unauthorized``; a seller whose application lacks the roles
(``pii_access=False``) gets a 403 from ``createRestrictedDataToken``.

Rate limits are token buckets per operation (rate and burst of the docs:
``getOrders`` 0.0167/s with a burst of 20): an empty bucket answers 429
``QuotaExceeded`` with ``x-amzn-RateLimit-Limit`` and no ``Retry-After``.
Time comes from ``clock`` so a test runs the buckets and token expiry on a fake
clock.
"""

import base64
import hashlib
import json
import random
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs
from xml.etree import ElementTree

from tests.simulators.base import Response, route
from tests.simulators.shopify import BASE_TIME, CATALOGUE, CENT, CUSTOMERS, ChannelSimulator

US = "ATVPDKIKX0DER"
# OrderAcknowledgement.xsd's CancelReason values.
CANCEL_REASONS = frozenset(
    {
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
    }
)
FEED_TYPES = ("JSON_LISTINGS_FEED", "POST_ORDER_ACKNOWLEDGEMENT_DATA")
US_TAX = Decimal("0.0825")

# operation → (requests per second, burst), from the SP-API usage plans
RATE_LIMITS = {
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "createRestrictedDataToken": (1.0, 10),
    "searchListingsItems": (5.0, 5),
}
RDT_PREFIX = "Atz.sprdt|"
DATA_ELEMENTS = frozenset({"buyerInfo", "shippingAddress", "buyerTaxInformation"})
# The Orders API operations that need dataElements in their restricted resource.
_ORDER_PATHS = re.compile(r"/orders/v0/orders(/[^/]+(/orderItems)?)?\Z")
# What getOrders / getOrderItems keep of the restricted objects without an RDT.
PUBLIC_ADDRESS_KEYS = ("City", "StateOrRegion", "PostalCode", "CountryCode")
RESTRICTED_BUYER_KEYS = ("BuyerEmail", "BuyerName", "BuyerCounty", "BuyerTaxInfo")


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount):
    return {"CurrencyCode": "USD", "Amount": str(Decimal(amount).quantize(CENT))}


def generate_orders(count, seed=1, lines=None, start=BASE_TIME):
    """``count`` US marketplace orders with their items: ``{"Order": ..., "OrderItems": [...]}``."""
    rng = random.Random(seed)
    result = []
    for index in range(count):
        purchased = start + timedelta(minutes=3 * index, seconds=rng.randint(0, 59))
        customer = rng.choice(CUSTOMERS)
        order_id = (
            f"{111 + index % 3}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"
        )
        items, total = [], Decimal(0)
        for position, (sku, title, variant, price, _item) in enumerate(
            rng.sample(CATALOGUE, lines or rng.randint(1, 4))
        ):
            quantity = rng.choice((1, 1, 2))
            item_price = Decimal(price) * quantity
            promotion = Decimal("5.00") if rng.random() < 0.2 and item_price > 10 else Decimal(0)
            tax = ((item_price - promotion) * US_TAX).quantize(CENT)
            shipping = Decimal("3.99") if position == 0 else Decimal(0)
            total += item_price - promotion + tax + shipping
            items.append(
                {
                    "ASIN": f"B0{rng.randint(10**7, 10**8 - 1)}",
                    "OrderItemId": f"{rng.randint(10**13, 10**14 - 1)}",
                    "SellerSKU": sku,
                    "Title": f"{title}, {variant}" if variant else title,
                    "QuantityOrdered": quantity,
                    "QuantityShipped": 0,
                    "ItemPrice": _money(item_price),
                    "ItemTax": _money(tax),
                    "ShippingPrice": _money(shipping),
                    "ShippingTax": _money(0),
                    "ShippingDiscount": _money(0),
                    "PromotionDiscount": _money(promotion),
                    "PromotionDiscountTax": _money(0),
                    "PromotionIds": ["SAVE5"] if promotion else [],
                    "IsGift": "false",
                    "ConditionId": "New",
                }
            )
        first, last, _email, phone, street, city, state, zip_code, _country = customer
        result.append(
            {
                "Order": {
                    "AmazonOrderId": order_id,
                    "PurchaseDate": _iso(purchased),
                    "LastUpdateDate": _iso(purchased + timedelta(seconds=30)),
                    "OrderStatus": "Unshipped",
                    "FulfillmentChannel": "MFN",
                    "SalesChannel": "Amazon.com",
                    "ShipServiceLevel": "Std US D2D Dom",
                    "ShipmentServiceLevelCategory": "Standard",
                    "OrderTotal": _money(total),
                    "NumberOfItemsShipped": 0,
                    "NumberOfItemsUnshipped": sum(i["QuantityOrdered"] for i in items),
                    "PaymentMethod": "Other",
                    "MarketplaceId": US,
                    "OrderType": "StandardOrder",
                    "LatestShipDate": _iso(purchased + timedelta(days=2)),
                    "IsBusinessOrder": False,
                    "IsPrime": rng.random() < 0.4,
                    "BuyerInfo": {
                        "BuyerEmail": f"{uuid.UUID(int=rng.getrandbits(128)).hex[:15]}"
                        "@marketplace.amazon.com",
                        "BuyerName": f"{first} {last}",
                    },
                    "ShippingAddress": {
                        "Name": f"{first} {last}",
                        "AddressLine1": street,
                        "City": city,
                        "StateOrRegion": state or "NY",
                        "PostalCode": zip_code,
                        "CountryCode": "US",
                        "Phone": phone,
                        "AddressType": "Residential",
                    },
                },
                "OrderItems": items,
            }
        )
    return result


def asin_of(sku):
    """A stable, made-up ASIN of a catalogue SKU."""
    return "B0" + hashlib.sha1(sku.encode()).hexdigest()[:8].upper()


def listing_item(sku, asin, name, marketplace_id=US, status=("BUYABLE", "DISCOVERABLE")):
    """A listings item as ``searchListingsItems`` gives it with ``summaries``."""
    return {
        "sku": sku,
        "summaries": [
            {
                "marketplaceId": marketplace_id,
                "asin": asin,
                "productType": "PRODUCT",
                "conditionType": "new_new",
                "status": list(status),
                "itemName": name,
                "createdDate": "2025-01-10T09:00:00Z",
                "lastUpdatedDate": "2025-02-01T09:00:00Z",
            }
        ],
    }


@dataclass
class _Bucket:
    rate: float
    burst: int
    tokens: float
    updated: float


def _order_as_seen(order, data_elements):
    """The order as a call with these ``dataElements`` gets it (a copy)."""
    order = json.loads(json.dumps(order))
    if "shippingAddress" not in data_elements and isinstance(order.get("ShippingAddress"), dict):
        address = order["ShippingAddress"]
        order["ShippingAddress"] = {k: address[k] for k in PUBLIC_ADDRESS_KEYS if k in address}
    if "buyerInfo" not in data_elements and isinstance(order.get("BuyerInfo"), dict):
        buyer = order["BuyerInfo"]
        order["BuyerInfo"] = {k: v for k, v in buyer.items() if k not in RESTRICTED_BUYER_KEYS}
    if "buyerTaxInformation" not in data_elements:
        order.pop("BuyerTaxInformation", None)
    return order


def _item_as_seen(item, data_elements):
    """The item as a call with these ``dataElements`` gets it: its ``BuyerInfo``
    (gift message and wrap, customisation) needs ``buyerInfo``."""
    item = json.loads(json.dumps(item))
    if "buyerInfo" not in data_elements:
        item.pop("BuyerInfo", None)
    return item


def _errors(status, code, message, details=""):
    return Response(
        status,
        {"errors": [{"code": code, "message": message, "details": details}]},
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
    )


class AmazonSpSimulator(ChannelSimulator):
    """One seller on one marketplace: orders, shipments, feeds and listings' stock."""

    def __init__(
        self,
        client_id="amzn1.application-oa2-client.simulator",
        client_secret="simulator-client-secret",
        refresh_token="Atzr|simulator-refresh-token",
        marketplace_id=US,
        token_ttl=3600,
        clock=time.monotonic,
        rate_limits=None,
        items_page_size=100,
        pii_access=True,
    ):
        """``pii_access``: the application has the roles that give buyer data
        (Direct-to-Consumer Shipping, Tax Invoicing...); without them
        ``createRestrictedDataToken`` is refused."""
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.marketplace_id = marketplace_id
        self.token_ttl = token_ttl
        self.clock = clock
        self.rate_limits = {**RATE_LIMITS, **(rate_limits or {})}
        self.items_page_size = items_page_size
        self.orders = {}  # AmazonOrderId → Order
        # Faults of a long listing: a smaller page than asked (servers may answer
        # fewer), and, while set, every request continuing a listing (page 2 on)
        # answered with this status instead.
        self.page_size_cap = None
        self.fail_later_pages = None
        self.order_items = {}  # AmazonOrderId → items
        self.shipments = []  # shipment confirmations received
        self.feed_documents = {}  # id → {"contentType", "content"}
        self.feeds = {}  # id → feed
        self.inventory = {}  # SKU → quantity, as set by listings feeds
        self.cancellations = []  # orders cancelled by acknowledgement feeds
        # The seller's listings (searchListingsItems ``Item``): SKU → item.
        self.listings = {
            sku: listing_item(sku, asin_of(sku), f"{title} {variant}".strip(), marketplace_id)
            for sku, title, variant, _price, _item in CATALOGUE
        }
        self.tokens = {}  # access token → expiry on the clock
        self.tokens_issued = 0
        self.pii_access = pii_access
        # RDT → {"expires": clock time, "resources": [(method, path regex, dataElements)]}
        self.restricted_tokens = {}
        self.restricted_tokens_issued = 0
        self.throttled = 0
        self._buckets = {}
        self._next_tokens = {}

    # --- state for tests -------------------------------------------------------------
    def add_orders(self, orders):
        with self.lock:
            for original in orders:
                entry = json.loads(json.dumps(original))
                order_id = entry["Order"]["AmazonOrderId"]
                self.orders[order_id] = entry["Order"]
                self.order_items[order_id] = entry["OrderItems"]
        return orders

    def update_order(self, order_id, **changes):
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            latest = max(
                datetime.fromisoformat(o["LastUpdateDate"][:-1]) for o in self.orders.values()
            )
            order["LastUpdateDate"] = _iso(latest + timedelta(seconds=1))
            return json.loads(json.dumps(order))

    def expire_tokens(self):
        """Make every access token handed out so far expired (as after an hour)."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = self.clock() - 1

    def expire_restricted_tokens(self):
        """Make every Restricted Data Token handed out so far expired."""
        with self.lock:
            for grant in self.restricted_tokens.values():
                grant["expires"] = self.clock() - 1

    # --- protocol -------------------------------------------------------------------------
    def _dispatch(self, request):
        with self.lock:
            if request.path.startswith(("/auth/", "/feed-documents/")):
                return super()._dispatch(request)
            token = request.headers.get("x-amz-access-token")
            request.data_elements = frozenset()
            if token and token.startswith(RDT_PREFIX):
                refused = self._check_restricted(request, token)
                if refused:
                    return refused
                response = super()._dispatch(request)
                response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
                return response
            expiry = self.tokens.get(token)
            if expiry is None:
                return _errors(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "The access token you provided is revoked, malformed or invalid.",
                )
            if expiry <= self.clock():
                return _errors(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "The access token you provided has expired.",
                )
            response = super()._dispatch(request)
            response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
            return response

    def _check_restricted(self, request, token):
        """None when the RDT covers the call (``request.data_elements`` then says
        what it may see), else Amazon's 403: an RDT serves only the restricted
        resources it was asked for, for an hour."""
        grant = self.restricted_tokens.get(token)
        if grant is not None and grant["expires"] <= self.clock():
            return _errors(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided has expired.",
            )
        for method, pattern, elements in grant["resources"] if grant else ():
            if method == request.method and pattern.match(request.path):
                request.data_elements = elements
                return None
        return _errors(403, "Unauthorized", "Access to requested resource is denied.", "")

    def _throttle(self, operation):
        """None when the call may go, a 429 when the operation's bucket is empty."""
        rate, burst = self.rate_limits[operation]
        now = self.clock()
        bucket = self._buckets.setdefault(operation, _Bucket(rate, burst, burst, now))
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1 - 1e-9:
            self.throttled += 1
            response = _errors(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource."
            )
            response.headers["x-amzn-RateLimit-Limit"] = str(rate)
            return response
        bucket.tokens -= 1
        return None

    def _limited(self, operation, response):
        response.headers["x-amzn-RateLimit-Limit"] = str(self.rate_limits[operation][0])
        return response

    @route("POST", r"/auth/o2/token")
    def token(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return Response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Grant type is not supported",
                },
            )
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return Response(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        if form.get("refresh_token") != self.refresh_token:
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter : "
                    "refresh_token",
                },
            )
        token = "Atza|" + uuid.uuid4().hex
        self.tokens[token] = self.clock() + self.token_ttl
        self.tokens_issued += 1
        return Response(
            200,
            {
                "access_token": token,
                "refresh_token": self.refresh_token,
                "token_type": "bearer",
                "expires_in": self.token_ttl,
            },
        )

    @route("POST", r"/tokens/2021-03-01/restrictedDataToken")
    def create_restricted_data_token(self, request):
        throttled = self._throttle("createRestrictedDataToken")
        if throttled:
            return throttled
        body = request.json()
        resources = body.get("restrictedResources") if isinstance(body, dict) else None
        if not isinstance(resources, list) or not 1 <= len(resources) <= 50:
            return _errors(
                400,
                "InvalidInput",
                "Request is missing or has invalid parameters",
                "Resource not provided.",
            )
        granted, asked = [], set()
        for entry in resources:
            resource = entry if isinstance(entry, dict) else {}
            method, path = resource.get("method"), resource.get("path")
            elements = resource.get("dataElements") or []
            if (
                method not in ("GET", "PUT", "POST", "DELETE")
                or not isinstance(path, str)
                or not path.startswith("/")
                or not isinstance(elements, list)
                or not set(elements) <= DATA_ELEMENTS
            ):
                return _errors(
                    400,
                    "InvalidInput",
                    "Request is missing or has invalid parameters",
                    f"Invalid restricted resource {resource!r}.",
                )
            if _ORDER_PATHS.match(path) and not elements:
                return _errors(
                    400,
                    "InvalidInput",
                    "Request is missing or has invalid parameters",
                    f"dataElements are required for {path}.",
                )
            # A generic path ({orderId}) names any order; a specific one that order only.
            pattern = re.compile(
                "".join(
                    "[^/]+" if re.fullmatch(r"\{\w+\}", part) else re.escape(part)
                    for part in re.split(r"(\{\w+\})", path)
                )
                + r"\Z"
            )
            granted.append((method, pattern, frozenset(elements)))
            asked.update(elements)
        if not self.pii_access:
            return _errors(
                403,
                "Unauthorized",
                "Application does not have access to one or more requested data elements: "
                f"[{', '.join(sorted(asked))}]",
            )
        token = RDT_PREFIX + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        self.restricted_tokens[token] = {"expires": self.clock() + 3600, "resources": granted}
        self.restricted_tokens_issued += 1
        return self._limited(
            "createRestrictedDataToken",
            Response(200, {"restrictedDataToken": token, "expiresIn": 3600}),
        )

    @route("GET", r"/orders/v0/orders")
    def get_orders(self, request):
        throttled = self._throttle("getOrders")
        if throttled:
            return throttled
        query = request.query
        if not query.get("MarketplaceIds"):
            return _errors(400, "InvalidInput", "Missing required 'MarketplaceIds' parameter.")
        if self.marketplace_id not in query["MarketplaceIds"].split(","):
            return _errors(400, "InvalidInput", "Invalid Marketplace Id(s) in request.")
        if "NextToken" in query:
            if self.fail_later_pages:
                status = self.fail_later_pages
                return _errors(status, "InternalFailure", "We encountered an internal error.")
            state = self._next_tokens.pop(query["NextToken"], None)
            if state is None:
                return _errors(400, "InvalidInput", "Invalid NextToken.")
            since, offset, size = state
        else:
            since = query.get("LastUpdatedAfter") or query.get("CreatedAfter")
            if not since:
                return _errors(
                    400,
                    "InvalidInput",
                    "Either CreatedAfter or LastUpdatedAfter must be specified.",
                )
            try:
                size = int(query.get("MaxResultsPerPage", 100))
            except ValueError:
                size = 0
            if not 1 <= size <= 100:
                return _errors(400, "InvalidInput", "MaxResultsPerPage must be between 1 and 100.")
            offset = 0
            if self.page_size_cap:
                size = min(size, self.page_size_cap)
        threshold = datetime.fromisoformat(since.replace("Z", "+00:00")).replace(tzinfo=None)
        orders = sorted(
            (
                o
                for o in self.orders.values()
                if datetime.fromisoformat(o["LastUpdateDate"][:-1]) >= threshold
            ),
            key=lambda o: (o["LastUpdateDate"], o["AmazonOrderId"]),
        )
        page = [
            _order_as_seen(order, request.data_elements) for order in orders[offset : offset + size]
        ]
        payload = {"Orders": page, "LastUpdatedBefore": _iso(BASE_TIME + timedelta(days=365))}
        if offset + size < len(orders):
            token = base64.b64encode(uuid.uuid4().bytes).decode()
            self._next_tokens[token] = (since, offset + size, size)
            payload["NextToken"] = token
        return self._limited("getOrders", Response(200, {"payload": payload}))

    @route("GET", r"/listings/2021-08-01/items/(?P<seller_id>[\w-]+)")
    def search_listings_items(self, request, seller_id):
        """``searchListingsItems`` (Listings Items API v2021-08-01): ``marketplaceIds``
        required, ``includedData`` (``summaries`` by default), ``pageSize`` 1 to 20
        (10 by default), ``pageToken``; answers ``ItemSearchResults``
        (``numberOfResults``, ``pagination.nextToken``, ``items[]`` with ``sku``
        and ``summaries[]``). Models: amzn/selling-partner-api-models
        ``listingsItems_2021-08-01.json``, e.g. the SDK docs
        ``ItemSearchResults.md`` in xcellentexchange/amazon-spapi."""
        throttled = self._throttle("searchListingsItems")
        if throttled:
            return throttled
        query = request.query
        if not query.get("marketplaceIds"):
            return _errors(400, "InvalidInput", "Missing required 'marketplaceIds' parameter.")
        if self.marketplace_id not in query["marketplaceIds"].split(","):
            return _errors(400, "InvalidInput", "Invalid marketplaceIds in request.")
        try:
            size = int(query.get("pageSize", 10))
        except ValueError:
            size = 0
        if not 1 <= size <= 20:
            return _errors(400, "InvalidInput", "pageSize must be between 1 and 20.")
        if self.page_size_cap:
            size = min(size, self.page_size_cap)
        offset = 0
        if "pageToken" in query:
            if self.fail_later_pages:
                status = self.fail_later_pages
                return _errors(status, "InternalFailure", "We encountered an internal error.")
            state = self._next_tokens.pop(query["pageToken"], None)
            if state is None:
                return _errors(400, "InvalidInput", "Invalid pageToken.")
            offset = state
        included = set((query.get("includedData") or "summaries").split(","))
        items = [self.listings[sku] for sku in sorted(self.listings)]
        page = [
            {key: value for key, value in item.items() if key == "sku" or key in included}
            for item in items[offset : offset + size]
        ]
        body = {"numberOfResults": len(items), "items": page}
        if offset + size < len(items):
            token = base64.b64encode(uuid.uuid4().bytes).decode()
            self._next_tokens[token] = offset + size
            body["pagination"] = {"nextToken": token}
        return self._limited("searchListingsItems", Response(200, body))

    @route("GET", r"/orders/v0/orders/(?P<order_id>[\w-]+)/orderItems")
    def get_order_items(self, request, order_id):
        throttled = self._throttle("getOrderItems")
        if throttled:
            return throttled
        if order_id not in self.orders:
            return _errors(404, "NotFound", f"Order {order_id} not found.")
        items = self.order_items[order_id]
        offset = 0
        if "NextToken" in request.query:
            state = self._next_tokens.pop(request.query["NextToken"], None)
            if state is None:
                return _errors(400, "InvalidInput", "Invalid NextToken.")
            offset = state[1]
        size = self.items_page_size
        payload = {
            "AmazonOrderId": order_id,
            "OrderItems": [
                _item_as_seen(item, request.data_elements) for item in items[offset : offset + size]
            ],
        }
        if offset + size < len(items):
            token = base64.b64encode(uuid.uuid4().bytes).decode()
            self._next_tokens[token] = (order_id, offset + size, size)
            payload["NextToken"] = token
        return self._limited("getOrderItems", Response(200, {"payload": payload}))

    @route("POST", r"/orders/v0/orders/(?P<order_id>[\w-]+)/shipmentConfirmation")
    def confirm_shipment(self, request, order_id):
        throttled = self._throttle("confirmShipment")
        if throttled:
            return throttled
        order = self.orders.get(order_id)
        if not order:
            return _errors(404, "NotFound", f"Order {order_id} not found.")
        body = request.json() or {}
        package = body.get("packageDetail") or {}
        missing = [
            key
            for key in (
                "packageReferenceId",
                "carrierCode",
                "trackingNumber",
                "shipDate",
                "orderItems",
            )
            if not package.get(key)
        ]
        if missing or body.get("marketplaceId") != self.marketplace_id:
            return _errors(
                400, "InvalidInput", f"Missing or invalid: {', '.join(missing) or 'marketplaceId'}"
            )
        if any(
            s["packageDetail"]["packageReferenceId"] == package["packageReferenceId"]
            for s in self.shipments
            if s["order_id"] == order_id
        ):
            return _errors(
                400, "InvalidInput", "Package reference id is already used for this order."
            )
        items = {i["OrderItemId"]: i for i in self.order_items[order_id]}
        for line in package["orderItems"]:
            item = items.get(line.get("orderItemId"))
            left = item["QuantityOrdered"] - item["QuantityShipped"] if item else 0
            if not item or not 0 < int(line.get("quantity", 0)) <= left:
                return _errors(400, "InvalidInput", f"Invalid orderItem {line.get('orderItemId')}.")
        for line in package["orderItems"]:
            items[line["orderItemId"]]["QuantityShipped"] += int(line["quantity"])
        self.shipments.append({"order_id": order_id, **body})
        shipped_all = all(i["QuantityShipped"] >= i["QuantityOrdered"] for i in items.values())
        self.update_order(order_id, OrderStatus="Shipped" if shipped_all else "PartiallyShipped")
        return self._limited("confirmShipment", Response(204, None))

    @route("POST", r"/feeds/2021-06-30/documents")
    def create_feed_document(self, request):
        throttled = self._throttle("createFeedDocument")
        if throttled:
            return throttled
        content_type = (request.json() or {}).get("contentType")
        if not content_type:
            return _errors(400, "InvalidInput", "contentType is required.")
        document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
        self.feed_documents[document_id] = {"contentType": content_type, "content": None}
        url = f"{self.url}/feed-documents/{document_id}?X-Amz-Signature={uuid.uuid4().hex}"
        return Response(201, {"feedDocumentId": document_id, "url": url})

    @route("PUT", r"/feed-documents/(?P<document_id>[\w.-]+)")
    def upload(self, request, document_id):
        document = self.feed_documents.get(document_id)
        if not document or "X-Amz-Signature" not in request.query:
            return Response(
                403, "<Error><Code>AccessDenied</Code></Error>", content_type="application/xml"
            )
        if request.headers.get("content-type") != document["contentType"]:
            return Response(
                403,
                "<Error><Code>SignatureDoesNotMatch</Code></Error>",
                content_type="application/xml",
            )
        document["content"] = request.body
        return Response(200, b"", content_type="text/plain")

    @route("POST", r"/feeds/2021-06-30/feeds")
    def create_feed(self, request):
        throttled = self._throttle("createFeed")
        if throttled:
            return throttled
        body = request.json() or {}
        document = self.feed_documents.get(body.get("inputFeedDocumentId"))
        if not document or document["content"] is None:
            return _errors(400, "InvalidInput", "Invalid input feed document id.")
        if body.get("feedType") not in FEED_TYPES:
            return _errors(400, "InvalidInput", f"Unsupported feedType {body.get('feedType')}.")
        feed_id = str(50000 + len(self.feeds))
        errors = []
        if body["feedType"] == "JSON_LISTINGS_FEED":
            content = json.loads(document["content"])
            for message in content.get("messages", []):
                for patch in message.get("patches", []):
                    if patch.get("path") == "/attributes/fulfillment_availability":
                        self.inventory[message["sku"]] = patch["value"][0]["quantity"]
        else:
            content = document["content"].decode()
            errors = self._acknowledge(feed_id, document)
        self.feeds[feed_id] = {
            "feedId": feed_id,
            "feedType": body["feedType"],
            "marketplaceIds": body.get("marketplaceIds"),
            "processingStatus": "DONE",
            "resultFeedDocumentId": f"amzn1.tortuga.4.na.result.{feed_id}",
            "content": content,
            "errors": errors,
        }
        return Response(202, {"feedId": feed_id})

    def _acknowledge(self, feed_id, document):
        """Apply an order acknowledgement feed; return its processing errors."""
        if not document["contentType"].startswith("text/xml"):
            return ["The order acknowledgement feed is XML (text/xml)."]
        try:
            envelope = ElementTree.fromstring(document["content"])
        except ElementTree.ParseError as error:
            return [f"The feed is not well-formed XML: {error}"]
        if envelope.tag != "AmazonEnvelope" or envelope.findtext("MessageType") != (
            "OrderAcknowledgement"
        ):
            return ["The feed is not an OrderAcknowledgement envelope."]
        if not envelope.findtext("Header/MerchantIdentifier"):
            return ["The feed's header has no MerchantIdentifier."]
        errors = []
        for message in envelope.findall("Message"):
            acknowledgement = message.find("OrderAcknowledgement")
            order_id = (
                acknowledgement.findtext("AmazonOrderID") if acknowledgement is not None else None
            )
            order = self.orders.get(order_id)
            if order is None:
                errors.append(f"Message {message.findtext('MessageID')}: unknown order.")
                continue
            if acknowledgement.findtext("StatusCode") != "Failure":
                continue  # Success: acknowledged, nothing changes
            items = {i["OrderItemId"]: i for i in self.order_items[order_id]}
            reasons = {
                item.findtext("AmazonOrderItemCode"): item.findtext("CancelReason")
                for item in acknowledgement.findall("Item")
            }
            problem = None
            if order["FulfillmentChannel"] == "AFN":
                problem = "Amazon fulfils this order: it cannot be cancelled by the seller."
            elif any(item["QuantityShipped"] for item in items.values()):
                problem = "An item of this order has shipped already."
            elif order["OrderStatus"] == "Canceled":
                problem = "The order is canceled already."
            elif set(reasons) - set(items) or not set(reasons.values()) <= CANCEL_REASONS:
                problem = "Unknown AmazonOrderItemCode or CancelReason."
            if problem:
                errors.append(f"{order_id}: {problem}")
                continue
            self.cancellations.append({"order_id": order_id, "feed_id": feed_id, "items": reasons})
            self.update_order(order_id, OrderStatus="Canceled")
        return errors

    @route("GET", r"/feeds/2021-06-30/feeds/(?P<feed_id>\d+)")
    def get_feed(self, request, feed_id):
        feed = self.feeds.get(feed_id)
        if not feed:
            return _errors(404, "NotFound", "Feed not found.")
        return Response(200, {k: v for k, v in feed.items() if k not in ("content", "errors")})
