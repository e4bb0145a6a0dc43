"""ShopifyClient (GraphQL Admin API) against the Shopify simulator over real HTTP
on 127.0.0.1."""

import json
import logging
from pathlib import Path

import pytest

from tests.simulators.shopify import ShopifySimulator, generate_orders

from ...channel_mappers import map_shopify_order
from ...channel_mappers.field_map import unmapped
from .. import (
    ChannelAuthError,
    ChannelConnectionError,
    ChannelNotFoundError,
    ChannelPaginationError,
    ChannelRateLimitError,
    ChannelServerError,
    ChannelValidationError,
    RetryPolicy,
    ShopifyClient,
    shopify_graphql,
    verify_signature,
)
from ..models import CatalogItem
from ..shopify import API_VERSION
from .fakes import FakeClock, WebhookReceiver

SHOPIFY_FIXTURES = (
    Path(__file__).resolve().parents[2] / "channel_mappers" / "tests" / "fixtures" / "shopify"
)
GRAPHQL = r"/graphql\.json$"

TOKEN = "shpat_simulator_token"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with ShopifySimulator(access_token=TOKEN, clock=clock) as simulator:
        yield simulator


def client_for(sim, clock, **kwargs):
    kwargs.setdefault("access_token", TOKEN)
    return ShopifyClient(sim.url, sleep=clock.sleep, clock=clock, timeout=(2, 5), **kwargs)


def test_connection_names_the_shop(sim, clock):
    shop = client_for(sim, clock).test_connection()
    assert (shop.name, shop.currency) == ("Simulated Shop", "EUR")


def test_pull_follows_the_cursor_to_the_last_page(sim, clock):
    sim.add_orders(generate_orders(45, seed=3))
    orders = list(client_for(sim, clock).iter_orders())
    assert len(orders) == 45
    assert len({o.external_id for o in orders}) == 45
    assert [o.updated_at for o in orders] == sorted(o.updated_at for o in orders)
    pages = sim.graphql_calls("OrdersPage")
    assert len(pages) == 3, "20 orders a page"
    assert pages[0]["after"] is None
    assert pages[1]["after"] and pages[2]["after"] and pages[1]["after"] != pages[2]["after"]
    assert {r.path for r in sim.received} == {f"/admin/api/{API_VERSION}/graphql.json"}
    (query,) = {r.json()["query"] for r in sim.requests_to("POST", "graphql")}
    assert "sortKey: UPDATED_AT" in query


def test_pull_since_a_cursor_returns_only_updated_orders(sim, clock):
    orders = sim.add_orders(generate_orders(30, seed=4))
    sim.update_order(orders[3]["id"], note="Gift wrap")
    sim.update_order(orders[7]["id"], cancelled_at="2025-04-01T10:00:00+00:00")
    since = max(o["updated_at"] for o in orders)
    pulled = list(client_for(sim, clock).iter_orders(updated_at_min=since, limit=1))
    assert {o.external_id for o in pulled} >= {str(orders[3]["id"]), str(orders[7]["id"])}
    assert len(pulled) < 30
    assert pulled[-1].payload["cancelled_at"] == "2025-04-01T10:00:00Z"
    assert sim.graphql_calls("OrdersPage")[0]["query"] == f"updated_at:>='{since}'"


def _webhook_fixtures():
    for path in sorted(SHOPIFY_FIXTURES.glob("order_*.json")):
        data = json.loads(path.read_text())
        yield path.name, data.get("order", data)


@pytest.mark.parametrize("name", [name for name, _order in _webhook_fixtures()])
def test_a_pulled_order_maps_to_the_same_draft_as_its_webhook(sim, clock, name):
    """The GraphQL order, turned into the webhook shape by the adapter, makes the
    draft the webhook of the same order makes: ids, money, taxes, discounts,
    duties, addresses, states."""
    webhook = dict(_webhook_fixtures())[name]
    sim.add_orders([webhook])
    # Some fixtures carry the order's risks merged in (no webhook does): the
    # client reads them on their own.
    sim.set_risks(webhook["id"], webhook.get("risks") or [])
    client = client_for(sim, clock)
    (pulled,) = client.iter_orders()
    fetched = client.get_order(webhook["id"])
    risks = client.get_order_risks(webhook["id"])
    assert pulled.external_id == fetched.external_id == str(webhook["id"])
    assert pulled.payload["id"] == webhook["id"], "the numeric id webhooks carry, not the gid"
    assert [line["id"] for line in pulled.payload["line_items"]] == [
        line["id"] for line in webhook["line_items"]
    ]
    assert map_shopify_order(pulled.payload, risks=risks) == map_shopify_order(webhook)
    assert map_shopify_order(fetched.payload, risks=risks) == map_shopify_order(webhook)
    # The adapter writes only fields the field map knows (mapped or ignored).
    assert unmapped("Shopify Order", pulled.payload) == []
    assert [path for risk in risks for path in unmapped("Shopify Order Risk", risk)] == []


def test_generated_orders_pulled_map_to_their_webhook_drafts(sim, clock):
    orders = sim.add_orders(generate_orders(25, seed=21))
    pulled = {o.external_id: o for o in client_for(sim, clock).iter_orders()}
    for order in orders:
        assert map_shopify_order(pulled[str(order["id"])].payload) == map_shopify_order(order)


def test_an_order_with_more_lines_than_the_page_reads_the_rest(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=22, lines=12))
    client = client_for(sim, clock)
    (pulled,) = client.iter_orders()
    assert len(pulled.payload["line_items"]) == 12
    assert map_shopify_order(pulled.payload) == map_shopify_order(order)
    (more,) = sim.graphql_calls("OrderLineItems")
    assert more["id"] == f"gid://shopify/Order/{order['id']}"


def test_risk_assessments_map_as_the_order_risks_did(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=23))
    rest_risks = json.loads((SHOPIFY_FIXTURES / "risks_anonymous_proxy.json").read_text())["risks"]
    sim.set_risks(order["id"], rest_risks)
    risks = client_for(sim, clock).get_order_risks(order["id"])
    assert risks, "the displayed assessments"
    assert map_shopify_order(order, risks=risks) == map_shopify_order(order, risks=rest_risks)
    assert sim.graphql_calls("OrderRisks") == [{"id": f"gid://shopify/Order/{order['id']}"}]


def test_an_order_without_assessments_has_no_risks(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=24))
    assert client_for(sim, clock).get_order_risks(order["id"]) == []


# --- the cost-based throttle ------------------------------------------------------------------
def test_client_waits_for_the_cost_bucket_instead_of_being_throttled(clock):
    with ShopifySimulator(
        access_token=TOKEN, clock=clock, max_available=1000, restore_rate=50
    ) as sim:
        sim.add_orders(generate_orders(100, seed=6, lines=4))
        client = client_for(sim, clock)
        pulled = list(client.iter_orders())
    assert len(pulled) == 100
    assert sim.graphql_throttled == 0, "the client never ran into THROTTLED"
    assert client.slowdowns >= 1
    assert clock.slept > 0
    # Each wait is what the bucket needed for the page's requested cost, no more.
    assert all(0 < wait <= 942 / 50 for wait in clock.sleeps)


def test_throttled_answer_is_waited_out_at_the_restore_rate(sim, clock):
    sim.add_orders(generate_orders(3, seed=5))
    sim.fail_next_graphql("OrdersPage", throttled=True, times=2)
    client = client_for(sim, clock)
    orders = list(client.iter_orders())
    assert len(orders) == 3
    assert len(sim.graphql_calls("OrdersPage")) == 3
    assert client.throttled == 2
    # The bucket was emptied: the 942 points asked (and one for rounding) come
    # back at 100 a second.
    assert clock.sleeps[0] == pytest.approx(9.43)
    assert len(clock.sleeps) == 2


def test_throttled_waits_are_bounded(sim, clock):
    sim.fail_next_graphql("Shop", throttled=True, times=50)
    client = client_for(sim, clock, retry=RetryPolicy(max_throttle_waits=3))
    with pytest.raises(ChannelRateLimitError, match="Throttled") as caught:
        client.test_connection()
    assert caught.value.transient
    assert len(sim.graphql_calls("Shop")) == 4
    assert len(clock.sleeps) == 3, "one wait per throttled answer, never a busy loop"


def test_a_throttled_mutation_is_sent_again_as_nothing_was_done(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=25))
    sim.fail_next_graphql("FulfillmentCreate", throttled=True)
    fulfillment = client_for(sim, clock).fulfill_order(order["id"], tracking_number="1Z1")
    assert fulfillment.tracking_numbers == ("1Z1",)
    assert len(sim.graphql_calls("FulfillmentCreate")) == 2
    assert len(sim.fulfillments) == 1


def test_query_above_the_single_query_cost_limit_is_refused(sim, clock):
    client = client_for(sim, clock)
    with pytest.raises(ChannelValidationError, match="exceeds the single query max cost"):
        client.graphql(shopify_graphql.ORDERS_PAGE, "OrdersPage", {"first": 250, "lines": 250})


# --- errors -------------------------------------------------------------------------------------
def test_graphql_errors_answered_with_200_are_typed_errors(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=26))
    sim.fail_next_graphql(
        "Order",
        errors=[
            {
                "message": "Field 'bogus' doesn't exist on type 'Order'",
                "extensions": {"code": "undefinedField"},
            }
        ],
    )
    with pytest.raises(ChannelValidationError, match="Shopify refused Order: Field 'bogus'") as e:
        client_for(sim, clock).get_order(order["id"])
    assert e.value.status == 200
    assert e.value.request_id
    assert not e.value.transient


def test_user_errors_are_validation_errors_and_nothing_is_done(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=27))
    sim.fail_next_graphql(
        "FulfillmentCreate",
        user_errors=[{"field": ["fulfillment"], "message": "Tracking number is invalid"}],
    )
    client = client_for(sim, clock)
    with pytest.raises(ChannelValidationError, match="fulfillment: Tracking number is invalid"):
        client.fulfill_order(order["id"], tracking_number="?")
    assert sim.fulfillments == []


def test_wrong_token_is_an_auth_error_with_request_id(sim, clock):
    client = client_for(sim, clock, access_token="shpat_wrong")
    with pytest.raises(ChannelAuthError) as caught:
        client.test_connection()
    assert caught.value.status == 401
    assert caught.value.request_id
    assert "Invalid API key or access token" in caught.value.body_excerpt
    assert "Invalid API key" in str(caught.value)
    assert len(sim.received) == 1, "auth errors are not retried"


def test_missing_scope_is_an_auth_error(clock):
    simulator = ShopifySimulator(access_token=TOKEN, clock=clock, scopes=("read_orders",))
    with simulator as sim, pytest.raises(ChannelAuthError, match="write_inventory") as caught:
        client_for(sim, clock).set_inventory_level(808950810, 655441491, 3)
    assert caught.value.status == 200, "GraphQL's ACCESS_DENIED comes with HTTP 200"
    assert sim.inventory_levels == {}


def test_5xx_on_a_read_is_retried_with_backoff(sim, clock):
    sim.add_orders(generate_orders(2, seed=8))
    sim.fail_next(503, times=2, path=GRAPHQL, body={"errors": "Service unavailable"})
    assert len(list(client_for(sim, clock).iter_orders())) == 2
    assert len(sim.requests_to("POST", GRAPHQL)) == 3
    first, second = clock.sleeps
    assert 0.5 * 0.75 <= first <= 0.5 * 1.25
    assert 1.0 * 0.75 <= second <= 1.0 * 1.25


def test_5xx_retries_are_bounded(sim, clock):
    sim.fail_next(502, times=10, path=GRAPHQL)
    client = client_for(sim, clock, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ChannelServerError) as caught:
        client.test_connection()
    assert caught.value.status == 502
    assert caught.value.transient
    assert len(sim.requests_to("POST", GRAPHQL)) == 3


def test_fulfillment_is_not_repeated_after_a_5xx(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=9))
    sim.fail_next_graphql("FulfillmentCreate", status=503)
    client = client_for(sim, clock)
    with pytest.raises(ChannelServerError):
        client.fulfill_order(order["id"], tracking_number="1Z999", tracking_company="UPS")
    assert len(sim.graphql_calls("FulfillmentCreate")) == 1
    assert sim.fulfillments == []


def test_read_timeout_on_a_read_is_retried(sim, clock):
    sim.add_orders(generate_orders(1, seed=10))
    sim.delay_next(1.0, path=GRAPHQL)
    client = ShopifyClient(sim.url, TOKEN, sleep=clock.sleep, timeout=(1, 0.3))
    assert client.test_connection().name == "Simulated Shop"
    assert len(sim.graphql_calls("Shop")) == 2


def test_unreachable_shop_is_a_connection_error(clock):
    with ShopifySimulator() as sim:
        url = sim.url
    client = ShopifyClient(url, TOKEN, sleep=clock.sleep, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ChannelConnectionError) as caught:
        client.test_connection()
    assert caught.value.status is None
    assert caught.value.transient
    assert len(clock.sleeps) == 1


def test_fulfillment_with_tracking_reaches_the_shop(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=11, lines=3))
    client = client_for(sim, clock)
    fulfillment = client.fulfill_order(
        order["id"],
        tracking_number="1Z2345",
        tracking_company="UPS",
        tracking_url="https://www.ups.com/track?tracknum=1Z2345",
    )
    assert fulfillment.tracking_numbers == ("1Z2345",)
    (received,) = sim.fulfillments
    assert received["tracking_company"] == "UPS"
    assert received["tracking_url"] == "https://www.ups.com/track?tracknum=1Z2345"
    assert sorted(line["id"] for line in received["line_items"]) == sorted(
        line["id"] for line in order["line_items"]
    )
    assert received["notify_customer"] is True
    assert sim.orders[order["id"]]["fulfillment_status"] == "fulfilled"
    (sent,) = sim.graphql_calls("FulfillmentCreate")
    (group,) = sent["fulfillment"]["lineItemsByFulfillmentOrder"]
    assert group["fulfillmentOrderId"].startswith("gid://shopify/FulfillmentOrder/")
    assert sent["fulfillment"]["trackingInfo"]["number"] == "1Z2345"
    assert client.fulfill_order(order["id"], tracking_number="again") is None
    assert len(sim.fulfillments) == 1


def test_partial_fulfillment_by_line(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=12, lines=2))
    client = client_for(sim, clock)
    (fo,) = client.get_fulfillment_orders(order["id"])
    first = fo.line_items[0]
    assert first.line_item_id == str(order["line_items"][0]["id"]), "numeric ids, as webhooks"
    client.create_fulfillment({fo.id: {first.id: first.quantity}}, tracking_number="JD0001")
    assert sim.orders[order["id"]]["fulfillment_status"] == "partial"
    (fo,) = client.get_fulfillment_orders(order["id"])
    assert fo.status == "in_progress"
    assert fo.line_items[0].fulfillable_quantity == 0


def test_cancel_order_and_cancel_twice(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=13))
    client = client_for(sim, clock)
    cancelled = client.cancel_order(order["id"], reason="customer")
    assert cancelled.payload["cancel_reason"] == "customer"
    assert cancelled.payload["cancelled_at"]
    assert sim.orders[order["id"]]["cancelled_at"]
    (sent,) = sim.cancellations
    assert sent == {
        "orderId": f"gid://shopify/Order/{order['id']}",
        "reason": "CUSTOMER",
        "refund": False,
        "restock": True,
        "notifyCustomer": False,
    }
    with pytest.raises(ChannelValidationError, match="already been cancelled"):
        client.cancel_order(order["id"])
    assert len(sim.cancellations) == 1


def test_unknown_order_is_not_found(sim, clock):
    client = client_for(sim, clock)
    with pytest.raises(ChannelNotFoundError, match="no order 1"):
        client.get_order(1)
    with pytest.raises(ChannelNotFoundError):
        client.get_order_risks(1)
    with pytest.raises(ChannelNotFoundError):
        client.get_fulfillment_orders(1)


def test_inventory_level_is_set_and_retried_as_idempotent(sim, clock):
    sim.fail_next(500, path=GRAPHQL)
    client = client_for(sim, clock)
    level = client.set_inventory_level(808950810, 655441491, 7)
    assert level.available == 7
    assert sim.inventory_levels == {(808950810, 655441491): 7}
    first, second = sim.graphql_calls("InventorySetQuantities")
    assert first == second
    assert first["input"] == {
        "name": "available",
        "reason": "correction",
        "ignoreCompareQuantity": True,
        "quantities": [
            {
                "inventoryItemId": "gid://shopify/InventoryItem/808950810",
                "locationId": "gid://shopify/Location/655441491",
                "quantity": 7,
            }
        ],
    }
    again = client.set_inventory_level(808950810, 655441491, 7)
    assert again.available == 7, "no change: Shopify answers no adjustment group"


def test_logs_carry_request_id_and_never_the_token(sim, clock, caplog):
    # The client logs under its module; under Odoo that is below "odoo", whose
    # level Odoo sets: ask for the client logger itself.
    caplog.set_level(logging.DEBUG, logger=ShopifyClient.__module__)
    client_for(sim, clock).test_connection()
    client = client_for(sim, clock, access_token="shpat_wrong")
    with pytest.raises(ChannelAuthError):
        client.test_connection()
    text = caplog.text
    assert "graphql.json → 200" in text
    assert "request id " in text
    assert TOKEN not in text
    assert "shpat_wrong" not in text


def test_webhook_signature_accepted_and_rejected(sim):
    order = generate_orders(1, seed=14)[0]
    with WebhookReceiver() as receiver:
        url = f"{receiver.url}/oms/channels/1/webhook"
        assert sim.post_webhook(url, "orders/create", order).status_code == 200
        sim.post_webhook(url, "orders/create", order, secret="another-secret")
    good, forged = receiver.received
    assert good.headers["x-shopify-topic"] == "orders/create"
    secret = sim.webhook_secret
    assert verify_signature(good.body, good.headers["x-shopify-hmac-sha256"], secret)
    assert not verify_signature(forged.body, forged.headers["x-shopify-hmac-sha256"], secret)
    tampered = good.body.replace(b'"quantity": 1', b'"quantity": 9')
    assert not verify_signature(tampered, good.headers["x-shopify-hmac-sha256"], secret)
    assert not verify_signature(good.body, None, secret)
    assert not verify_signature(good.body, good.headers["x-shopify-hmac-sha256"], "")


def test_iter_variants_follows_pages_and_gives_inventory_items():
    with ShopifySimulator() as sim:
        client = ShopifyClient(sim.url, sim.access_token)
        variants = list(client.iter_variants(limit=5))
        pages = sim.graphql_calls("ProductVariants")
    skus = {variant.sku: variant.inventory_item_id for variant in variants}
    assert skus["TSHIRT-BLK-S"] == "808950810"
    assert skus["SNEAKER-42"] == "808950821"
    assert len(variants) == 12
    assert [page["after"] for page in pages] == [None, "5", "10"]


# --- pagination guards (issue 26 point 3) -------------------------------------------------
def test_a_cursor_that_repeats_stops_the_pull_instead_of_looping(sim, clock):
    orders = sim.add_orders(generate_orders(2, seed=31))
    sim.fail_next(200, times=20, path=GRAPHQL, body=sim.orders_page_body(orders[:1], "c2FtZQ"))
    pulled = []
    with pytest.raises(ChannelPaginationError, match="same next page of orders twice"):
        for remote in client_for(sim, clock).iter_orders(limit=50):
            pulled.append(remote.external_id)
    assert len(pulled) == 2
    assert len(sim.requests_to("POST", GRAPHQL)) == 2


def test_more_pages_than_the_limit_stop_the_pull(sim, clock):
    sim.add_orders(generate_orders(50, seed=32))
    client = client_for(sim, clock)
    client.max_pages = 2
    pulled = []
    with pytest.raises(ChannelPaginationError, match="after 2 pages"):
        for remote in client.iter_orders():
            pulled.append(remote.external_id)
    assert len(pulled) == 40
    assert len(sim.graphql_calls("OrdersPage")) == 2


def test_a_repeating_page_of_products_stops_the_catalogue_walk(sim, clock):
    body = {
        "data": {
            "productVariants": {
                "pageInfo": {"hasNextPage": True, "endCursor": "cHJvZA"},
                "nodes": [],
            }
        }
    }
    sim.fail_next(200, times=20, path=GRAPHQL, body=body)
    with pytest.raises(ChannelPaginationError, match="products"):
        list(client_for(sim, clock).iter_variants())


# --- catalogue (issue 19 point 5) ----------------------------------------------------------
def test_catalogue_gives_every_variant_with_ids_title_barcode_and_price(sim, clock):
    (product,) = [p for p in sim.catalogue if p["title"] == "Baseball Cap"]
    cap = product["variants"][0]
    cap["barcode"] = "4006381333931"
    items = list(client_for(sim, clock).iter_catalogue(limit=5))
    assert len(items) == 12
    assert len(sim.graphql_calls("ProductVariants")) == 3
    by_sku = {item.sku: item for item in items}
    assert by_sku["CAP-RED"] == CatalogItem(
        product_id=str(product["id"]),
        variant_id=str(cap["id"]),
        sku="CAP-RED",
        title="Baseball Cap - Red",
        barcode="4006381333931",
        price="19.50",
        stock_id="808950815",
    )
    # a product without options: its one variant is named by the product alone
    assert by_sku["MUG-CER-350"].title == "Ceramic Mug 350 ml"
    shirt = [item for item in items if item.title.startswith("Organic T-Shirt")]
    assert len({item.product_id for item in shirt}) == 1
    assert len({item.variant_id for item in shirt}) == 3


def test_catalogue_variant_without_sku_is_given_with_its_ids(sim, clock):
    sim.catalogue[0]["variants"][0]["sku"] = ""
    items = list(client_for(sim, clock).iter_catalogue())
    blank = [item for item in items if not item.sku]
    assert len(blank) == 1 and blank[0].variant_id == str(sim.catalogue[0]["variants"][0]["id"])
