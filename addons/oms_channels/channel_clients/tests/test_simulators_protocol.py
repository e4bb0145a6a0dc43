"""The simulators answer as the documented APIs do, checked with plain requests."""

import time

import requests

from tests.simulators.amazon_sp import AmazonSpSimulator
from tests.simulators.shopify import ShopifySimulator, generate_orders
from tests.simulators.woocommerce import WooCommerceSimulator

from ...channel_mappers import map_shopify_order
from .. import ShopifyClient
from .fakes import FakeClock


def test_shopify_refuses_filters_next_to_page_info():
    with ShopifySimulator(access_token="t") as sim:
        sim.add_orders(generate_orders(3, seed=1))
        headers = {"X-Shopify-Access-Token": "t"}
        first = requests.get(
            f"{sim.url}/admin/api/2025-01/orders.json?limit=1&status=any",
            headers=headers,
            timeout=5,
        )
        assert 'rel="next"' in first.headers["Link"]
        assert first.headers["X-Shopify-Shop-Api-Call-Limit"] == "1/40"
        next_url = first.headers["Link"].split(">")[0][1:]
        mixed = requests.get(f"{next_url}&status=any", headers=headers, timeout=5)
        assert mixed.status_code == 400
        assert "page_info" in mixed.json()["errors"]
        missing = requests.get(f"{sim.url}/admin/api/2025-01/orders.json", timeout=5)
        assert missing.status_code == 401
        assert missing.json()["errors"].startswith("[API] Invalid API key or access token")


def test_woocommerce_without_credentials_cannot_list():
    with WooCommerceSimulator() as sim:
        answer = requests.get(f"{sim.url}/wp-json/wc/v3/orders", timeout=5)
    assert answer.status_code == 401
    assert answer.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }


def test_amazon_requires_a_token_and_marketplace_ids():
    with AmazonSpSimulator() as sim:
        anonymous = requests.get(f"{sim.url}/orders/v0/orders", timeout=5)
        assert anonymous.status_code == 403
        assert anonymous.json()["errors"][0]["code"] == "Unauthorized"
        token = requests.post(
            f"{sim.url}/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": sim.refresh_token,
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
            },
            timeout=5,
        ).json()
        assert (token["token_type"], token["expires_in"]) == ("bearer", 3600)
        no_marketplace = requests.get(
            f"{sim.url}/orders/v0/orders",
            headers={"x-amz-access-token": token["access_token"]},
            params={"LastUpdatedAfter": "2025-01-01T00:00:00Z"},
            timeout=5,
        )
        assert no_marketplace.status_code == 400
        assert no_marketplace.json()["errors"][0]["code"] == "InvalidInput"


def test_benchmark_sized_pull_of_2000_orders_with_3_lines():
    clock = FakeClock()
    orders = generate_orders(2000, seed=2000, lines=3)
    with ShopifySimulator(clock=clock) as sim:
        sim.add_orders(orders)
        client = ShopifyClient(sim.url, sim.access_token, sleep=clock.sleep, clock=clock)
        start = time.monotonic()
        pulled = list(client.iter_orders(limit=250))
        elapsed = time.monotonic() - start
    drafts = [map_shopify_order(order.payload) for order in pulled]
    assert len({d.external_id for d in drafts}) == 2000
    assert all(len(d.lines) == 3 for d in drafts)
    assert all(d.computed_total() == d.totals.total for d in drafts)
    assert elapsed < 30, f"pulling 2,000 orders took {elapsed:.1f} s"
