"""AmazonSpClient against the SP-API simulator over real HTTP on 127.0.0.1."""

import json
import logging

import pytest

from tests.simulators.amazon_sp import US, AmazonSpSimulator, asin_of, generate_orders, listing_item

from .. import (
    AmazonSpClient,
    ChannelAuthError,
    ChannelNotFoundError,
    ChannelPaginationError,
    ChannelRateLimitError,
    ChannelServerError,
    ChannelValidationError,
    RetryPolicy,
)
from ..models import CatalogItem
from .fakes import FakeClock

CLIENT_ID = "amzn1.application-oa2-client.simulator"
SECRET = "simulator-client-secret"
REFRESH = "Atzr|simulator-refresh-token"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with AmazonSpSimulator(CLIENT_ID, SECRET, REFRESH, clock=clock) as simulator:
        yield simulator


def client_for(sim, clock, refresh_token=REFRESH, **kwargs):
    return AmazonSpClient(
        sim.url,
        CLIENT_ID,
        SECRET,
        refresh_token,
        [US],
        token_url=f"{sim.url}/auth/o2/token",
        sleep=clock.sleep,
        clock=clock,
        timeout=(2, 5),
        **kwargs,
    )


def test_pull_orders_with_items_through_next_token(sim, clock):
    sim.add_orders(generate_orders(45, seed=1))
    orders = list(client_for(sim, clock).iter_orders("2025-01-01T00:00:00Z", max_results=20))
    assert len(orders) == 45
    assert len({o.external_id for o in orders}) == 45
    first = orders[0]
    assert first.payload["Order"]["AmazonOrderId"] == first.external_id
    assert first.payload["OrderItems"] == sim.order_items[first.external_id]
    pages = sim.requests_to("GET", r"/orders/v0/orders$")
    assert len(pages) == 3
    assert pages[0].query == {
        "MarketplaceIds": US,
        "LastUpdatedAfter": "2025-01-01T00:00:00Z",
        "MaxResultsPerPage": "20",
    }
    assert set(pages[1].query) == {"MarketplaceIds", "NextToken"}
    assert sim.tokens_issued == 1, "one token serves the whole pull"


def test_order_items_are_paginated_too(clock):
    with AmazonSpSimulator(CLIENT_ID, SECRET, REFRESH, clock=clock, items_page_size=2) as sim:
        (order,) = sim.add_orders(generate_orders(1, seed=2, lines=4))
        order_id = order["Order"]["AmazonOrderId"]
        items = client_for(sim, clock).get_order_items(order_id)
    assert [i["OrderItemId"] for i in items] == [i["OrderItemId"] for i in order["OrderItems"]]
    assert len(sim.requests_to("GET", r"/orderItems$")) == 2


def test_get_orders_burst_then_throttled_then_resumes(sim, clock):
    sim.add_orders(generate_orders(25, seed=3))
    client = client_for(sim, clock)
    pages = []
    page = client.get_order_page("2025-01-01T00:00:00Z", max_results=1)
    pages.append(page)
    while page.next_token:
        page = client.get_order_page(next_token=page.next_token)
        pages.append(page)
    assert len(pages) == 25
    assert sim.throttled == 5, "a burst of 20, then one call a minute"
    throttle_waits = [s for s in clock.sleeps if s >= 59]
    assert len(throttle_waits) == 5
    assert all(59 <= wait <= 60 * 1.25 for wait in throttle_waits)


def test_token_is_refreshed_before_it_expires(sim, clock):
    client = client_for(sim, clock)
    client.get_order_page("2025-01-01T00:00:00Z")
    clock.now += 3590  # within the last minute of the token's hour
    client.get_order_page("2025-01-01T00:00:00Z")
    assert sim.tokens_issued == 2
    assert client.token_refreshes == 2
    assert len(sim.requests_to("GET", r"/orders/v0/orders$")) == 2, "no call was refused"


def test_expired_token_is_refreshed_once_and_the_call_repeated(sim, clock):
    sim.add_orders(generate_orders(2, seed=4))
    # Without the RDT (which outlives an expired LWA token): the LWA token is used.
    client = client_for(sim, clock, restricted_data=False)
    client.get_order_page("2025-01-01T00:00:00Z")
    sim.expire_tokens()
    page = client.get_order_page("2025-01-01T00:00:00Z")
    assert len(page.orders) == 2
    assert sim.tokens_issued == 2
    calls = sim.requests_to("GET", r"/orders/v0/orders$")
    assert len(calls) == 3
    assert calls[1].headers["x-amz-access-token"] != calls[2].headers["x-amz-access-token"]


def test_wrong_refresh_token_is_an_auth_error(sim, clock):
    with pytest.raises(ChannelAuthError, match="invalid grant") as caught:
        client_for(sim, clock, refresh_token="Atzr|revoked").test_connection()
    assert caught.value.status == 400
    assert sim.requests_to("GET", r"/orders") == []


def test_wrong_client_secret_is_an_auth_error(sim, clock):
    client = AmazonSpClient(
        sim.url, CLIENT_ID, "wrong", REFRESH, [US], token_url=f"{sim.url}/auth/o2/token"
    )
    with pytest.raises(ChannelAuthError, match="invalid_client") as caught:
        client.test_connection()
    assert caught.value.status == 401


def test_access_denied_is_an_auth_error_with_sp_api_message(sim, clock):
    client = client_for(sim, clock)
    client.access_token()
    sim.tokens.clear()  # the token was revoked
    with pytest.raises(ChannelAuthError) as caught:
        client.get_order_page("2025-01-01T00:00:00Z")
    assert caught.value.status == 403
    assert caught.value.request_id
    assert "Unauthorized: Access to requested resource is denied." in str(caught.value)


def test_5xx_on_get_orders_is_retried(sim, clock):
    sim.add_orders(generate_orders(1, seed=5))
    sim.fail_next(503, times=1, path=r"/orders/v0/orders$", body={"errors": []})
    assert len(client_for(sim, clock).get_order_page("2025-01-01T00:00:00Z").orders) == 1


def test_shipment_confirmation_reaches_amazon(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=6, lines=2))
    order_id = order["Order"]["AmazonOrderId"]
    items = {i["OrderItemId"]: i["QuantityOrdered"] for i in order["OrderItems"]}
    client = client_for(sim, clock)
    client.confirm_shipment(
        order_id,
        package_reference_id="1",
        carrier_code="UPS",
        tracking_number="1Z999AA10123456784",
        ship_date="2025-03-02T10:00:00Z",
        items=items,
        shipping_method="Ground",
    )
    (shipment,) = sim.shipments
    assert shipment["marketplaceId"] == US
    assert shipment["packageDetail"]["trackingNumber"] == "1Z999AA10123456784"
    assert {
        i["orderItemId"]: i["quantity"] for i in shipment["packageDetail"]["orderItems"]
    } == items
    assert sim.orders[order_id]["OrderStatus"] == "Shipped"
    with pytest.raises(ChannelValidationError, match="already used"):
        client.confirm_shipment(order_id, "1", "UPS", "1Z", "2025-03-02T10:00:00Z", items)


def test_shipment_confirmation_is_not_repeated_after_a_5xx(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=7))
    order_id = order["Order"]["AmazonOrderId"]
    sim.fail_next(500, path=r"shipmentConfirmation")
    items = {i["OrderItemId"]: 1 for i in order["OrderItems"]}
    with pytest.raises(ChannelServerError):
        client_for(sim, clock).confirm_shipment(order_id, "1", "DHL", "JD1", "2025-03-02", items)
    assert len(sim.requests_to("POST", r"shipmentConfirmation")) == 1


def test_throttled_shipment_confirmation_waits_and_goes_through(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=8))
    order_id = order["Order"]["AmazonOrderId"]
    sim.fail_next(
        429,
        path=r"shipmentConfirmation",
        body={"errors": []},
        headers={"x-amzn-RateLimit-Limit": "2.0"},
    )
    items = {i["OrderItemId"]: 1 for i in order["OrderItems"]}
    client_for(sim, clock).confirm_shipment(order_id, "1", "DHL", "JD1", "2025-03-02", items)
    assert len(sim.shipments) == 1
    assert 0.5 <= clock.sleeps[-1] <= 0.5 * 1.25


def test_throttling_beyond_the_allowed_waits_is_a_rate_limit_error(sim, clock):
    sim.fail_next(
        429,
        times=5,
        path=r"/orders/v0/orders$",
        body={
            "errors": [
                {
                    "code": "QuotaExceeded",
                    "message": "You exceeded your quota for the requested resource.",
                    "details": "",
                }
            ]
        },
    )
    client = client_for(sim, clock, retry=RetryPolicy(max_throttle_waits=2))
    with pytest.raises(ChannelRateLimitError, match="QuotaExceeded") as caught:
        client.get_order_page("2025-01-01T00:00:00Z")
    assert caught.value.transient


def test_unknown_order_items_is_not_found(sim, clock):
    with pytest.raises(ChannelNotFoundError, match="NotFound"):
        client_for(sim, clock).get_order_items("000-0000000-0000000")


def test_inventory_feed_sets_merchant_fulfilled_quantities(sim, clock):
    client = client_for(sim, clock)
    feed_id = client.submit_inventory(
        "A3SELLER", {"MUG-CER-350": 12, "CAP-RED": 0, "SOCKS-3PK": -3}
    )
    assert sim.inventory == {"MUG-CER-350": 12, "CAP-RED": 0, "SOCKS-3PK": 0}
    feed = client.get_feed(feed_id)
    assert (feed.feed_type, feed.processing_status) == ("JSON_LISTINGS_FEED", "DONE")
    (document,) = sim.feed_documents.values()
    content = json.loads(document["content"])
    assert content["header"] == {"sellerId": "A3SELLER", "version": "2.0", "issueLocale": "en_US"}
    upload = sim.requests_to("PUT", r"/feed-documents/")[0]
    assert "x-amz-access-token" not in upload.headers, "the S3 upload carries no SP-API token"


def test_logs_never_show_secrets(sim, clock, caplog):
    # The client logs under its module; under Odoo that is below "odoo", whose
    # level Odoo sets: ask for the client logger itself.
    caplog.set_level(logging.DEBUG, logger=AmazonSpClient.__module__)
    client = client_for(sim, clock)
    client.get_order_page("2025-01-01T00:00:00Z")
    assert "/auth/o2/token → 200" in caplog.text
    for secret in (SECRET, REFRESH, client.access_token()):
        assert secret not in caplog.text


# --- pagination guards (issue 26 point 3) -------------------------------------------------
def test_a_next_token_that_repeats_stops_the_pull_instead_of_looping(sim, clock):
    orders = generate_orders(2, seed=21)
    sim.add_orders(orders)
    first, second = (entry["Order"] for entry in orders)
    # A buggy or replayed answer: every page names the same next page.
    sim.fail_next(
        200,
        times=20,
        path=r"/orders/v0/orders$",
        body={"payload": {"Orders": [first], "NextToken": "TOKEN-1"}},
    )
    pulled = []
    with pytest.raises(ChannelPaginationError, match="same next page of orders twice"):
        for remote in client_for(sim, clock).iter_orders("2025-01-01T00:00:00Z"):
            pulled.append(remote.external_id)
    assert pulled == [first["AmazonOrderId"]] * 2, "the two distinct pages, then a stop"
    assert len(sim.requests_to("GET", r"/orders/v0/orders$")) == 2
    assert second["AmazonOrderId"] not in pulled


def test_a_repeating_next_token_of_order_items_stops_too(sim, clock):
    entry = generate_orders(1, seed=22)[0]
    sim.add_orders([entry])
    order_id = entry["Order"]["AmazonOrderId"]
    sim.fail_next(
        200,
        times=20,
        path=r"/orderItems$",
        body={"payload": {"OrderItems": entry["OrderItems"], "NextToken": "ITEMS-1"}},
    )
    with pytest.raises(ChannelPaginationError, match=f"items of order {order_id}"):
        client_for(sim, clock).get_order_items(order_id)
    assert len(sim.requests_to("GET", r"/orderItems$")) == 2


def test_more_pages_than_the_limit_stop_the_pull(sim, clock):
    sim.add_orders(generate_orders(7, seed=23))
    client = client_for(sim, clock)
    client.max_pages = 3
    pulled = []
    with pytest.raises(ChannelPaginationError, match="more pages of orders after 3 pages"):
        for remote in client.iter_orders("2025-01-01T00:00:00Z", max_results=2):
            pulled.append(remote.external_id)
    assert len(pulled) == 6
    client.max_pages = 4
    assert len(list(client.iter_orders("2025-01-01T00:00:00Z", max_results=2))) == 7


# --- catalogue (issue 19 point 5) ----------------------------------------------------------
def test_catalogue_reads_listings_by_seller_sku_through_page_tokens(sim, clock):
    sim.listings["MUG-CER-350-USED"] = listing_item(
        "MUG-CER-350-USED", asin_of("MUG-CER-350"), "Ceramic Mug 350 ml (used)"
    )
    items = list(client_for(sim, clock).iter_catalogue("A2SELLER", page_size=5))
    assert len(items) == 13
    calls = sim.requests_to("GET", r"/listings/2021-08-01/items/A2SELLER$")
    assert len(calls) == 3
    assert {call.query["includedData"] for call in calls} == {"summaries"}
    assert [call.query.get("pageToken") is None for call in calls] == [True, False, False]
    by_sku = {item.sku: item for item in items}
    mug = by_sku["MUG-CER-350"]
    assert mug == CatalogItem(
        product_id=asin_of("MUG-CER-350"),
        variant_id="",
        sku="MUG-CER-350",
        title="Ceramic Mug 350 ml",
        stock_id="MUG-CER-350",
    )
    # two seller SKUs of one ASIN are two listings
    assert by_sku["MUG-CER-350-USED"].product_id == mug.product_id


def test_catalogue_page_size_is_capped_at_the_documented_20(sim, clock):
    list(client_for(sim, clock).iter_catalogue("A2SELLER", page_size=500))
    (call,) = sim.requests_to("GET", r"/listings/2021-08-01/items/")
    assert call.query["pageSize"] == "20"
