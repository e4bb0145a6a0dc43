"""ShopifyClient against the Shopify simulator over real HTTP on 127.0.0.1."""

import logging

import pytest

from tests.simulators.shopify import ShopifySimulator, generate_orders

from .. import (
    ChannelAuthError,
    ChannelConnectionError,
    ChannelNotFoundError,
    ChannelPaginationError,
    ChannelServerError,
    ChannelValidationError,
    RetryPolicy,
    ShopifyClient,
    verify_signature,
)
from .fakes import FakeClock, WebhookReceiver

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


def test_pull_follows_the_link_header_to_the_last_page(sim, clock):
    sim.add_orders(generate_orders(120, seed=3))
    orders = list(client_for(sim, clock).iter_orders(limit=50))
    assert len(orders) == 120
    assert len({o.external_id for o in orders}) == 120
    assert [o.updated_at for o in orders] == sorted(o.updated_at for o in orders)
    pages = sim.requests_to("GET", r"/orders\.json$")
    assert len(pages) == 3
    assert pages[0].query == {"limit": "50", "status": "any", "order": "updated_at asc"}
    assert set(pages[1].query) == {"limit", "page_info"}, "Shopify refuses filters with a cursor"


def test_pull_since_a_cursor_returns_only_updated_orders(sim, clock):
    orders = sim.add_orders(generate_orders(30, seed=4))
    sim.update_order(orders[3]["id"], note="Gift wrap")
    sim.update_order(orders[7]["id"], cancelled_at="2025-04-01T10:00:00+00:00")
    since = max(o["updated_at"] for o in orders)
    pulled = list(client_for(sim, clock).iter_orders(updated_at_min=since, limit=1))
    assert {o.external_id for o in pulled} >= {str(orders[3]["id"]), str(orders[7]["id"])}
    assert pulled[-1].payload["cancelled_at"] == "2025-04-01T10:00:00+00:00"


def test_429_waits_retry_after_and_resumes(sim, clock):
    sim.add_orders(generate_orders(3, seed=5))
    sim.fail_next(
        429, times=2, path=r"orders\.json", headers={"Retry-After": "3.0"}, body={"errors": "x"}
    )
    orders = list(client_for(sim, clock).iter_orders())
    assert len(orders) == 3
    assert len(clock.sleeps) == 2
    assert all(3.0 <= wait <= 3.0 * 1.25 for wait in clock.sleeps)


def test_client_slows_down_before_the_bucket_overflows(clock):
    with ShopifySimulator(access_token=TOKEN, clock=clock, bucket_size=10, leak_rate=1.0) as sim:
        sim.add_orders(generate_orders(5, seed=6))
        client = client_for(sim, clock, leak_rate=1.0)
        for order_id in list(sim.orders) * 6:
            client.get_order(order_id)
    assert sim.throttled == 0, "the client never ran into a 429"
    assert client.slowdowns >= 2
    assert clock.slept > 0


def test_bucket_overflow_is_waited_out(clock):
    with ShopifySimulator(access_token=TOKEN, clock=clock, bucket_size=5, leak_rate=1.0) as sim:
        sim.add_orders(generate_orders(1, seed=6))
        careless = client_for(sim, clock, bucket_margin=10)  # never slows down by itself
        order_id = next(iter(sim.orders))
        for _ in range(12):
            assert careless.get_order(order_id).external_id == str(order_id)
    assert sim.throttled > 0
    assert min(clock.sleeps) >= 2.0, "Retry-After: 2.0 honoured"


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
    assert caught.value.status == 403


def test_5xx_on_a_read_is_retried_with_backoff(sim, clock):
    sim.add_orders(generate_orders(2, seed=8))
    sim.fail_next(503, times=2, path=r"orders\.json", body={"errors": "Service unavailable"})
    assert len(list(client_for(sim, clock).iter_orders())) == 2
    assert len(sim.requests_to("GET", r"orders\.json")) == 3
    first, second = clock.sleeps
    assert 0.5 * 0.75 <= first <= 0.5 * 1.25
    assert 1.0 * 0.75 <= second <= 1.0 * 1.25


def test_5xx_retries_are_bounded(sim, clock):
    sim.fail_next(502, times=10, path=r"shop\.json")
    client = client_for(sim, clock, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ChannelServerError) as caught:
        client.test_connection()
    assert caught.value.status == 502
    assert caught.value.transient
    assert len(sim.requests_to("GET", r"shop\.json")) == 3


def test_fulfillment_is_not_repeated_after_a_5xx(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=9))
    sim.fail_next(503, path=r"fulfillments\.json")
    client = client_for(sim, clock)
    with pytest.raises(ChannelServerError):
        client.fulfill_order(order["id"], tracking_number="1Z999", tracking_company="UPS")
    assert len(sim.requests_to("POST", r"fulfillments\.json")) == 1
    assert sim.fulfillments == []


def test_read_timeout_on_a_read_is_retried(sim, clock):
    sim.add_orders(generate_orders(1, seed=10))
    sim.delay_next(1.0, path=r"shop\.json")
    client = ShopifyClient(sim.url, TOKEN, sleep=clock.sleep, timeout=(1, 0.3))
    assert client.test_connection().name == "Simulated Shop"
    assert len(sim.requests_to("GET", r"shop\.json")) == 2


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
    assert sim.orders[order["id"]]["fulfillment_status"] == "fulfilled"
    assert client.fulfill_order(order["id"], tracking_number="again") is None
    assert len(sim.fulfillments) == 1


def test_partial_fulfillment_by_line(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=12, lines=2))
    client = client_for(sim, clock)
    (fo,) = client.get_fulfillment_orders(order["id"])
    first = fo.line_items[0]
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
    assert sim.orders[order["id"]]["cancelled_at"]
    with pytest.raises(ChannelValidationError, match="already been cancelled") as caught:
        client.cancel_order(order["id"])
    assert caught.value.status == 422


def test_unknown_order_is_not_found(sim, clock):
    with pytest.raises(ChannelNotFoundError):
        client_for(sim, clock).get_order(1)


def test_inventory_level_is_set_and_retried_as_idempotent(sim, clock):
    sim.fail_next(500, path=r"inventory_levels")
    level = client_for(sim, clock).set_inventory_level(808950810, 655441491, 7)
    assert level.available == 7
    assert sim.inventory_levels == {(808950810, 655441491): 7}
    assert len(sim.requests_to("POST", r"inventory_levels/set\.json")) == 2


def test_logs_carry_request_id_and_never_the_token(sim, clock, caplog):
    # The client logs under its module; under Odoo that is below "odoo", whose
    # level Odoo sets: ask for the client logger itself.
    caplog.set_level(logging.DEBUG, logger=ShopifyClient.__module__)
    client_for(sim, clock).test_connection()
    client = client_for(sim, clock, access_token="shpat_wrong")
    with pytest.raises(ChannelAuthError):
        client.test_connection()
    text = caplog.text
    assert "shop.json → 200" in text
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
        variants = list(client.iter_variants(limit=3))
    skus = {variant.sku: variant.inventory_item_id for variant in variants}
    assert skus["TSHIRT-BLK-S"] == "808950810"
    assert skus["SNEAKER-42"] == "808950821"
    assert len(variants) == 12


# --- pagination guards (issue 26 point 3) -------------------------------------------------
def _next_link(sim, page_info):
    return {"Link": f'<{sim.url}orders.json?limit=50&page_info={page_info}>; rel="next"'}


def test_a_page_info_that_repeats_stops_the_pull_instead_of_looping(sim, clock):
    orders = sim.add_orders(generate_orders(2, seed=31))
    sim.fail_next(
        200,
        times=20,
        path=r"orders\.json$",
        body={"orders": [orders[0]]},
        headers=_next_link(sim, "c2FtZQ"),
    )
    pulled = []
    with pytest.raises(ChannelPaginationError, match="same next page of orders twice"):
        for remote in client_for(sim, clock).iter_orders(limit=50):
            pulled.append(remote.external_id)
    assert len(pulled) == 2
    assert len(sim.requests_to("GET", r"/orders\.json$")) == 2


def test_more_pages_than_the_limit_stop_the_pull(sim, clock):
    sim.add_orders(generate_orders(120, seed=32))
    client = client_for(sim, clock)
    client.max_pages = 2
    pulled = []
    with pytest.raises(ChannelPaginationError, match="after 2 pages"):
        for remote in client.iter_orders(limit=50):
            pulled.append(remote.external_id)
    assert len(pulled) == 100
    assert len(sim.requests_to("GET", r"/orders\.json$")) == 2


def test_a_repeating_page_of_products_stops_the_catalogue_walk(sim, clock):
    sim.fail_next(
        200,
        times=20,
        path=r"products\.json$",
        body={"products": []},
        headers=_next_link(sim, "cHJvZA"),
    )
    with pytest.raises(ChannelPaginationError, match="products"):
        list(client_for(sim, clock).iter_variants())
