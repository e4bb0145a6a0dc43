"""The channel connectors: one interface, one per kind, found in the registry."""

import json
from datetime import datetime, timezone

import pytest

from ...channel_clients import AmazonSpClient, ShopifyClient, WooCommerceClient
from ...channel_clients.webhooks import sign
from ...channel_clients.woocommerce import Product
from ...channel_mappers import OrderDraft
from .. import (
    Cancellation,
    CancelSent,
    ChannelConnector,
    ConnectionCheck,
    MissingCredentials,
    MissingSetting,
    NoApi,
    Refused,
    Shipment,
    StockLine,
    connector_class,
    get_connector,
    registered_kinds,
)

SECRET = "s3cret"


class Headers(dict):
    """Headers as a request gives them: looked up without case."""

    def get(self, name, default=None):
        for key, value in self.items():
            if key.lower() == name.lower():
                return value
        return default


class RecordingClient:
    """A client that keeps what it was asked (the cursor, in its own format)."""

    def __init__(self):
        self.calls = []

    def iter_orders(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return iter(())


def test_registry_lists_every_kind_in_order():
    kinds = [kind for kind, _label in registered_kinds()]
    # The first kinds in this order; later kinds follow, each once.
    assert kinds[:4] == ["shopify", "woocommerce", "amazon", "file"]
    assert len(kinds) == len(set(kinds))
    assert get_connector("manual") is None
    assert connector_class("shopify")().kind == "shopify"


@pytest.mark.parametrize(
    ("kind", "signature_header", "topic_header", "topic"),
    [
        ("shopify", "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "orders/create"),
        ("woocommerce", "X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "order.created"),
    ],
)
def test_webhook_signature_and_topic_are_read_from_the_kinds_headers(
    kind, signature_header, topic_header, topic
):
    connector = get_connector(kind)
    body = b'{"id": 1}'
    headers = Headers({signature_header.lower(): sign(body, SECRET), topic_header: topic})
    assert connector.receives_webhooks()
    assert connector.verify_webhook(headers, body, SECRET)
    assert connector.webhook_topic(headers) == topic
    assert not connector.verify_webhook(headers, body + b" ", SECRET)
    assert not connector.verify_webhook(headers, body, "other")
    # The other kind's header carries no signature for this one.
    other = "X-WC-Webhook-Signature" if kind == "shopify" else "X-Shopify-Hmac-Sha256"
    assert not connector.verify_webhook(Headers({other: sign(body, SECRET)}), body, SECRET)


@pytest.mark.parametrize("kind", ["amazon", "file", None])
def test_kinds_without_webhooks_verify_nothing(kind):
    connector = get_connector(kind) if kind else ChannelConnector()
    body = b"{}"
    headers = Headers(
        {"X-Shopify-Hmac-Sha256": sign(body, SECRET), "X-WC-Webhook-Signature": sign(body, SECRET)}
    )
    assert not connector.receives_webhooks()
    assert not connector.verify_webhook(headers, body, SECRET)
    assert connector.webhook_topic(headers) is None


def test_webhook_problem_names_the_kinds_update_time():
    assert get_connector("shopify").webhook_problem({"updated_at": "yesterday"}) == (
        "updated_at is not a date and time"
    )
    assert get_connector("woocommerce").webhook_problem({"date_modified_gmt": 3}) == (
        "date_modified_gmt is not a date and time"
    )
    assert get_connector("woocommerce").webhook_problem({"updated_at": "yesterday"}) is None
    assert get_connector("shopify").webhook_problem([1]) == "the body is not a JSON object"


def test_identify_per_kind():
    shopify = get_connector("shopify")
    assert tuple(shopify.identify({"id": 7, "updated_at": "2024-01-01T10:00:00-05:00"})) == (
        "7",
        "2024-01-01T15:00:00+00:00",
        None,
    )
    refund = {"id": 9, "order_id": 7, "refund_line_items": [], "created_at": "2024-01-02"}
    assert shopify.identify(refund).external_id == "refund:9"
    woo = get_connector("woocommerce")
    assert woo.identify({"id": 8, "date_modified_gmt": "2024-01-01T10:00:00"}).version == (
        "2024-01-01T10:00:00+00:00"
    )
    amazon = get_connector("amazon")
    assert amazon.identify({"Order": {"AmazonOrderId": "A-1"}}).external_id == "A-1"
    assert amazon.identify({"Order": {}}).missing == "Order.AmazonOrderId"
    assert get_connector("file").identify({}).missing == "order_number"
    assert shopify.identify([]).missing == ""
    assert shopify.identify({"id": {"nested": 1}}).missing == "id"


def test_only_kinds_with_mappers_map():
    for kind, _label in registered_kinds():
        assert get_connector(kind).can_map_orders()
    assert not ChannelConnector().can_map_orders()
    assert get_connector("shopify").can_map_refunds()
    assert get_connector("woocommerce").can_map_refunds()
    assert not get_connector("amazon").can_map_refunds()
    with pytest.raises(NotImplementedError):
        ChannelConnector().map_order("{}")


def test_map_order_calls_the_kinds_mapper():
    body = {
        "order_number": "F-1",
        "rows": [
            {
                "order_number": "F-1",
                "order_date": "2024-01-01",
                "currency": "EUR",
                "email": "a@example.com",
                "ship_name": "A",
                "ship_street": "1 Road",
                "ship_city": "Town",
                "ship_zip": "1000",
                "ship_country": "BE",
                "sku": "SKU",
                "quantity": "1",
                "unit_price": "10.00",
            }
        ],
    }
    draft = get_connector("file").map_order(json.dumps(body))
    assert isinstance(draft, OrderDraft)
    assert draft.external_id == "F-1"


def test_clients_are_built_from_the_credentials():
    shopify = get_connector(
        "shopify", {"api_base_url": "https://s.example", "shopify_access_token": "t"}
    )
    assert isinstance(shopify.client(), ShopifyClient)
    woo = get_connector(
        "woocommerce",
        {
            "api_base_url": "https://w.example",
            "woocommerce_consumer_key": "k",
            "woocommerce_consumer_secret": "s",
        },
    )
    assert isinstance(woo.client(), WooCommerceClient)
    amazon = get_connector(
        "amazon",
        {
            "api_base_url": "https://a.example",
            "amazon_client_id": "i",
            "amazon_client_secret": "s",
            "amazon_refresh_token": "r",
            "amazon_marketplace_ids": "M1, M2,",
        },
    )
    assert isinstance(amazon.client(), AmazonSpClient)
    with pytest.raises(MissingCredentials):
        get_connector("shopify", {"api_base_url": "https://s.example"}).client()
    with pytest.raises(MissingCredentials):
        get_connector("amazon", {"api_base_url": "https://a.example"}).client()
    with pytest.raises(NoApi):
        get_connector("file").client()


def test_iter_orders_takes_one_cursor_and_gives_each_client_its_format():
    since = datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc)
    sent = {}
    for kind in ("shopify", "woocommerce", "amazon"):
        client = RecordingClient()
        list(get_connector(kind).iter_orders(client, since=since))
        sent[kind] = client.calls
    assert sent == {
        "shopify": [((), {"updated_at_min": "2024-03-01T12:30:00+00:00"})],
        "woocommerce": [((), {"modified_after": "2024-03-01T12:30:00"})],
        "amazon": [(("2024-03-01T12:30:00Z",), {})],
    }
    client = RecordingClient()
    list(get_connector("shopify").iter_orders(client, since=None))
    assert client.calls == [((), {"updated_at_min": None})]


class AnsweringClient:
    """A client whose test_connection answers as the kind's API does."""

    def __init__(self, answer):
        self.answer = answer

    def test_connection(self):
        return self.answer


def test_connection_checks_say_what_the_channel_answered():
    class Shop:
        name, currency = "My Shop", "EUR"

    assert get_connector("shopify").test_connection(AnsweringClient(Shop())) == ConnectionCheck(
        "Shopify", shop="My Shop", currency="EUR"
    )
    assert get_connector("woocommerce").test_connection(AnsweringClient(12)).orders == 12
    assert get_connector("amazon").test_connection(AnsweringClient(object())) == ConnectionCheck(
        "Amazon"
    )
    with pytest.raises(NoApi):
        get_connector("file").test_connection(AnsweringClient(None))


def test_first_pull_without_a_cursor():
    now = datetime(2024, 3, 31, tzinfo=timezone.utc)
    amazon = get_connector("amazon")
    assert amazon.first_pull_since(None, now) == datetime(2024, 3, 1, tzinfo=timezone.utc)
    assert amazon.first_pull_since(datetime(2024, 2, 1), now) == datetime(
        2024, 1, 2, tzinfo=timezone.utc
    )
    assert get_connector("shopify").first_pull_since(None, now) is None


class FakeWooStore:
    """A WooCommerce store that keeps the stock it is sent."""

    def __init__(self, products):
        self.products = products  # sku -> Product
        self.stock = {}

    def find_product_by_sku(self, sku):
        return self.products.get(sku)

    def set_stock_batch(self, quantities):
        self.stock.update(quantities)

        class Result:
            errors = ()

        return Result()

    def set_stock(self, product, quantity):
        self.stock[(product.parent_id, product.id)] = quantity


def test_woocommerce_stock_push_finds_ids_by_sku_and_sends_each_figure():
    def product(id_, parent, sku):
        return Product(
            id=id_,
            parent_id=parent,
            sku=sku,
            name="",
            type="variation" if parent else "simple",
            manage_stock=True,
            stock_quantity=None,
        )

    store = FakeWooStore({"A": product("10", "", "A"), "V": product("21", "20", "V")})
    connector = get_connector("woocommerce")
    lines = [
        StockLine(1, "A", None, None, {None: 5}),
        StockLine(2, "V", None, None, {None: 3}),
        StockLine(3, "GONE", None, None, {None: 1}),
        StockLine(4, "K", "30", None, {None: 0}),
    ]
    found = connector.find_remote_ids(store, lines)
    assert found == {
        1: {"remote_id": "10", "remote_parent_id": ""},
        2: {"remote_id": "21", "remote_parent_id": "20"},
    }
    lines = [
        line._replace(
            remote_id=found[line.key]["remote_id"],
            remote_parent_id=found[line.key]["remote_parent_id"] or None,
        )
        if line.key in found
        else line
        for line in lines
    ]
    result = connector.push_stock(store, lines)
    assert store.stock == {"10": 5, "30": 0, ("20", "21"): 3}
    assert sorted(result.pushed) == [1, 2, 4]
    assert result.refused == {3: "No product of the store has the SKU GONE."}


class FakeAmazonFeeds:
    def __init__(self):
        self.feeds = []

    def submit_inventory(self, seller_id, quantities):
        self.feeds.append((seller_id, quantities))
        return "F1"


def test_amazon_stock_push_is_one_feed_keyed_by_sku_and_needs_the_seller_id():
    feeds = FakeAmazonFeeds()
    lines = [StockLine(1, "S-1", None, None, {None: 4}), StockLine(2, "S-2", None, None, {None: 0})]
    with pytest.raises(MissingSetting):
        get_connector("amazon").push_stock(feeds, lines)
    assert feeds.feeds == []
    result = get_connector("amazon", {"amazon_seller_id": "SELLER"}).push_stock(feeds, lines)
    assert feeds.feeds == [("SELLER", {"S-1": 4, "S-2": 0})]
    assert result.pushed == (1, 2)
    assert result.reference == "Feed F1"
    assert get_connector("amazon").listings_by_sku
    assert get_connector("shopify").stock_by_location
    assert not get_connector("woocommerce").stock_by_location
    assert not get_connector("shopify").listings_by_sku


class FakeAmazonOrders:
    """Keeps the shipments confirmed and the cancellation feeds sent."""

    def __init__(self):
        self.confirmed, self.cancelled = [], []

    def confirm_shipment(self, order_id, **values):
        self.confirmed.append((order_id, values))

    def cancel_order(self, seller_id, order_id, items, reason):
        self.cancelled.append((seller_id, order_id, items, reason))
        return "FEED-9"


def shipment(**values):
    base = {
        "order_id": "A-1",
        "reference": "WH/OUT/1",
        "package_id": 7,
        "shipped": {"I-1": 2.0, "I-2": 0.0},
        "carrier": "DHL",
        "tracking": "TRK",
        "tracking_url": None,
        "ship_date": "2024-03-01T12:00:00Z",
    }
    return Shipment(**{**base, **values})


def test_amazon_shipment_sends_the_shipped_items_and_needs_a_tracking_number():
    orders = FakeAmazonOrders()
    amazon = get_connector("amazon", {"amazon_seller_id": "SELLER"})
    with pytest.raises(Refused, match="tracking number to confirm WH/OUT/1"):
        amazon.push_shipment(orders, shipment(tracking=""))
    assert orders.confirmed == []
    assert amazon.push_shipment(orders, shipment()) == "7"
    assert orders.confirmed == [
        (
            "A-1",
            {
                "package_reference_id": 7,
                "carrier_code": "Other",
                "carrier_name": "DHL",
                "tracking_number": "TRK",
                "ship_date": "2024-03-01T12:00:00Z",
                "items": {"I-1": 2},
            },
        )
    ]


def test_amazon_cancellation_is_a_feed_with_the_buyers_reason():
    orders = FakeAmazonOrders()
    amazon = get_connector("amazon", {"amazon_seller_id": "SELLER"})
    sent = amazon.cancel_order(orders, Cancellation("A-1", ("I-1", "I-2"), buyer_asked=True))
    assert sent == CancelSent("FEED-9", "BuyerCanceled")
    amazon.cancel_order(orders, Cancellation("A-2", ("I-3",)))
    assert orders.cancelled == [
        ("SELLER", "A-1", ["I-1", "I-2"], "BuyerCanceled"),
        ("SELLER", "A-2", ["I-3"], "GeneralAdjustment"),
    ]
    assert get_connector("amazon").cancels_unshipped_only
    assert not get_connector("shopify").cancels_unshipped_only


class FakeWooOrders:
    def __init__(self):
        self.sent = []

    def push_tracking(self, *args):
        self.sent.append(("tracking", *args))

    def complete_order(self, order_id):
        self.sent.append(("complete", order_id))

    def add_order_note_once(self, order_id, text, customer_note):
        self.sent.append(("note", order_id, text, customer_note))

        class Note:
            id = "N1"

        return Note()


def test_woocommerce_shipment_completes_the_order_or_notes_a_part():
    store = FakeWooOrders()
    woo = get_connector("woocommerce")
    assert woo.push_shipment(store, shipment(completes_order=False, part_note="Part")) == "N1"
    assert woo.push_shipment(store, shipment(tracking="")) == "completed"
    assert woo.push_shipment(store, shipment()) == "completed"
    assert store.sent == [
        ("note", "A-1", "Part", True),
        ("complete", "A-1"),
        ("tracking", "A-1", "DHL", "TRK", None),
    ]


def test_file_channels_push_nothing():
    with pytest.raises(NoApi):
        get_connector("file").push_shipment(None, shipment())
    with pytest.raises(NoApi):
        get_connector("file").cancel_order(None, Cancellation("F-1"))
    assert not get_connector("file").pushes_refunds
    assert not get_connector("amazon").pushes_refunds
