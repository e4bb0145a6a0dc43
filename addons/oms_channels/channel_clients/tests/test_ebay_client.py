"""EbayClient against the eBay simulator over real HTTP on 127.0.0.1."""

from datetime import datetime, timezone

import pytest

from tests.simulators.ebay import EbaySimulator, generate_orders

from .. import ChannelAuthError, ChannelNotFoundError, ChannelRateLimitError, RetryPolicy
from ..ebay import EbayClient, ebay_time
from .fakes import FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with EbaySimulator(clock=clock) as simulator:
        yield simulator


def client_for(sim, clock, refresh_token=None, **kwargs):
    return EbayClient(
        sim.url,
        sim.client_id,
        sim.client_secret,
        refresh_token or sim.refresh_token,
        sleep=clock.sleep,
        clock=clock,
        timeout=(2, 5),
        **kwargs,
    )


def test_pulls_every_order_page_after_page_with_one_token(sim, clock):
    sim.add_orders(generate_orders(45, seed=1))
    orders = list(client_for(sim, clock).iter_orders(limit=20))
    assert len(orders) == 45
    assert len({o.external_id for o in orders}) == 45
    assert orders[0].payload == sim.orders[orders[0].external_id]
    assert orders[0].updated_at == orders[0].payload["lastModifiedDate"]
    pages = sim.requests_to("GET", r"/sell/fulfillment/v1/order$")
    assert [p.query["offset"] for p in pages] == ["0", "20", "40"]
    assert {p.query["limit"] for p in pages} == {"20"}
    assert sim.tokens_issued == 1, "one token serves the whole pull"
    (grant,) = sim.requests_to("POST", r"/identity/v1/oauth2/token$")
    assert b"grant_type=refresh_token" in grant.body
    assert b"sell.fulfillment" in grant.body and b"sell.inventory" in grant.body


def test_filters_on_last_modified_date_with_milliseconds(sim, clock):
    orders = sim.add_orders(generate_orders(6, seed=2))
    since = datetime.fromisoformat(orders[3]["lastModifiedDate"].replace("Z", "+00:00"))
    pulled = list(client_for(sim, clock).iter_orders(since))
    assert [o.external_id for o in pulled] == [o["orderId"] for o in orders[3:]]
    (page,) = sim.requests_to("GET", r"/sell/fulfillment/v1/order$")
    assert page.query["filter"] == f"lastmodifieddate:[{ebay_time(since)}..]"
    assert ebay_time(since).endswith(".000Z")


def test_an_expired_token_is_renewed_once_and_the_call_repeated(sim, clock):
    sim.add_orders(generate_orders(2, seed=3))
    client = client_for(sim, clock)
    assert client.test_connection() == 2
    sim.expire_tokens()
    assert client.test_connection() == 2
    assert sim.tokens_issued == 2
    assert len(sim.requests_to("GET", r"/sell/fulfillment/v1/order$")) == 3


def test_a_refused_refresh_token_is_an_auth_error(sim, clock):
    with pytest.raises(ChannelAuthError) as caught:
        client_for(sim, clock, refresh_token="v^1.1#revoked").test_connection()
    assert "invalid_grant" in caught.value.body_excerpt
    assert not sim.requests_to("GET", r"/sell/")


def test_429_is_waited_out_then_the_pull_goes_on(sim, clock):
    sim.add_orders(generate_orders(3, seed=4))
    sim.throttle_next(times=2, retry_after=7)
    orders = list(client_for(sim, clock).iter_orders())
    assert len(orders) == 3
    assert len(clock.sleeps) == 2 and min(clock.sleeps) >= 7


def test_429_that_keeps_coming_is_a_rate_limit_error_with_ebays_words(sim, clock):
    sim.throttle_next(times=50)
    client = client_for(sim, clock, retry=RetryPolicy(max_throttle_waits=2))
    with pytest.raises(ChannelRateLimitError) as caught:
        client.test_connection()
    assert caught.value.status == 429
    assert "2001" in str(caught.value) and "request limit" in str(caught.value)


def test_ship_once_creates_one_fulfillment_however_often_it_is_sent(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=5, lines=2))
    order_id = order["orderId"]
    items = {item["lineItemId"]: item["quantity"] for item in order["lineItems"]}
    client = client_for(sim, clock)
    first = client.ship_once(order_id, items, "2025-03-02T10:00:00.000Z", "USPS", "9400111")
    again = client.ship_once(order_id, items, "2025-03-02T10:00:00.000Z", "USPS", "9400111")
    assert first == again == "9400111"
    (sent,) = sim.requests_to("POST", r"/shipping_fulfillment$")
    assert sent.json() == {
        "lineItems": [{"lineItemId": k, "quantity": v} for k, v in items.items()],
        "shippedDate": "2025-03-02T10:00:00.000Z",
        "trackingNumber": "9400111",
        "shippingCarrierCode": "USPS",
    }
    assert sim.orders[order_id]["orderFulfillmentStatus"] == "FULFILLED"


def test_unknown_order_is_not_found(sim, clock):
    with pytest.raises(ChannelNotFoundError) as caught:
        client_for(sim, clock).get_order("00-00000-00000")
    assert "32100" in str(caught.value)


def test_quantities_are_set_25_skus_a_call_and_refusals_kept_per_sku(sim, clock):
    for index in range(30):
        sim.inventory[f"EXTRA-{index:02d}"] = {"title": "Extra", "quantity": 0}
    quantities = {f"EXTRA-{index:02d}": index for index in range(30)}
    quantities["NO-SUCH-SKU"] = 4
    result = client_for(sim, clock).set_quantities(quantities)
    assert len(sim.requests_to("POST", r"/bulk_update_price_quantity$")) == 2
    assert set(result.updated) == {f"EXTRA-{index:02d}" for index in range(30)}
    assert result.errors == {"NO-SUCH-SKU": "SKU NO-SUCH-SKU is not available in the system."}
    assert sim.inventory["EXTRA-29"]["quantity"] == 29


def test_catalogue_lists_every_inventory_item_by_sku(sim, clock):
    items = list(client_for(sim, clock).iter_catalogue(limit=5))
    assert sorted(i.sku for i in items) == sorted(sim.inventory)
    assert all(i.product_id == i.sku == i.stock_id for i in items)


def test_ebay_time_is_utc_with_milliseconds():
    moment = datetime(2025, 3, 1, 9, 0, 5, 123456, tzinfo=timezone.utc)
    assert ebay_time(moment) == "2025-03-01T09:00:05.123Z"
