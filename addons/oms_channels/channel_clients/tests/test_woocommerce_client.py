"""WooCommerceClient against the WooCommerce simulator over real HTTP on 127.0.0.1."""

import json
from pathlib import Path

import pytest

from tests.simulators.woocommerce import WooCommerceSimulator, generate_orders, product_id

from .. import (
    ChannelAuthError,
    ChannelNotFoundError,
    ChannelPaginationError,
    ChannelServerError,
    ChannelValidationError,
    WooCommerceClient,
    verify_signature,
)
from .fakes import FakeClock, WebhookReceiver

KEY, SECRET = "ck_simulator", "cs_simulator"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim():
    with WooCommerceSimulator(consumer_key=KEY, consumer_secret=SECRET) as simulator:
        yield simulator


def client_for(sim, clock, key=KEY, secret=SECRET, **kwargs):
    return WooCommerceClient(sim.url, key, secret, sleep=clock.sleep, timeout=(2, 5), **kwargs)


def test_pull_reads_every_page(sim, clock):
    sim.add_orders(generate_orders(230, seed=1))
    client = client_for(sim, clock)
    orders = list(client.iter_orders(per_page=100))
    assert len(orders) == 230
    assert len({o.external_id for o in orders}) == 230
    pages = sim.requests_to("GET", r"/orders$")
    assert [r.query["page"] for r in pages] == ["1", "2", "3"]
    assert client.test_connection() == 230


def test_pull_since_modified_after(sim, clock):
    orders = sim.add_orders(generate_orders(20, seed=2))
    since = max(o["date_modified_gmt"] for o in orders)
    sim.update_order(orders[4]["id"], status="cancelled")
    pulled = list(client_for(sim, clock).iter_orders(modified_after=since))
    assert [o.external_id for o in pulled] == [str(orders[4]["id"])]
    assert pulled[0].payload["status"] == "cancelled"
    assert sim.requests_to("GET", r"/orders$")[0].query["dates_are_gmt"] == "true"


def test_keys_in_the_query_string_work_too(sim, clock):
    sim.add_orders(generate_orders(3, seed=3))
    client = client_for(sim, clock, auth_in_query=True)
    assert len(list(client.iter_orders())) == 3
    assert "authorization" not in sim.received[0].headers


@pytest.mark.parametrize(
    ("key", "secret", "message"),
    [
        ("ck_wrong", SECRET, "Consumer key is invalid"),
        (KEY, "cs_wrong", "Invalid signature"),
    ],
)
def test_wrong_keys_are_auth_errors(sim, clock, key, secret, message):
    with pytest.raises(ChannelAuthError, match=message) as caught:
        client_for(sim, clock, key=key, secret=secret).test_connection()
    assert caught.value.status == 401
    assert "woocommerce_rest_authentication_error" in caught.value.body_excerpt
    assert len(sim.received) == 1


def test_read_only_key_cannot_complete_orders(clock):
    with WooCommerceSimulator(KEY, SECRET, permissions="read") as sim:
        (order,) = sim.add_orders(generate_orders(1, seed=4))
        with pytest.raises(ChannelAuthError, match="write permissions"):
            client_for(sim, clock).complete_order(order["id"])
        assert sim.orders[order["id"]]["status"] != "completed"


def test_tracking_completes_the_order_and_notes_it(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=5))
    client_for(sim, clock).push_tracking(
        order["id"], "DHL", "00340434161094042557", "https://www.dhl.de/track?id=0034"
    )
    assert sim.orders[order["id"]]["status"] == "completed"
    (note,) = sim.notes[order["id"]]
    assert note["customer_note"] is True
    assert "DHL" in note["note"]
    assert "00340434161094042557" in note["note"]


def test_note_is_not_posted_twice_after_a_5xx(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=6))
    sim.fail_next(500, path=r"/notes$")
    with pytest.raises(ChannelServerError):
        client_for(sim, clock).add_order_note(order["id"], "Shipped")
    assert len(sim.requests_to("POST", r"/notes$")) == 1
    assert order["id"] not in sim.notes


def test_a_note_is_added_once_however_often_it_is_pushed(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=8))
    client = client_for(sim, clock)
    client.add_order_note(order["id"], "Packed", customer_note=False)
    first = client.add_order_note_once(order["id"], "Shipped with DHL")
    again = client.add_order_note_once(order["id"], "Shipped with DHL ")
    assert again == first
    # Same text, but private: the customer's note does not stand for it.
    private = client.add_order_note_once(order["id"], "Shipped with DHL", customer_note=False)
    assert private.id != first.id and not private.customer_note
    assert [n["note"] for n in sim.notes[order["id"]]] == [
        "Packed",
        "Shipped with DHL",
        "Shipped with DHL",
    ]
    assert [n.note for n in client.order_notes(order["id"], "internal")] == [
        "Shipped with DHL",
        "Packed",
    ]
    # WooCommerce may give a note back with its HTML entities escaped.
    sim.notes[order["id"]][1]["note"] = "Shipped with DHL &amp; co"
    escaped = client.add_order_note_once(order["id"], "Shipped with DHL & co")
    assert escaped.id == first.id


def test_completing_is_idempotent_and_retried(sim, clock):
    (order,) = sim.add_orders(generate_orders(1, seed=7))
    sim.fail_next(503, times=2, method="PUT")
    client_for(sim, clock).complete_order(order["id"])
    assert sim.orders[order["id"]]["status"] == "completed"
    assert len(sim.requests_to("PUT", r"/orders/\d+$")) == 3
    assert len(clock.sleeps) == 2


def test_unknown_order_is_not_found(sim, clock):
    with pytest.raises(ChannelNotFoundError, match="Invalid ID"):
        client_for(sim, clock).get_order(999)


def test_stock_by_sku_and_in_batches(sim, clock):
    client = client_for(sim, clock)
    product = client.find_product_by_sku("MUG-CER-350")
    assert product.id == str(product_id("MUG-CER-350"))
    assert client.find_product_by_sku("NOPE") is None
    client.set_stock(product, 4)
    assert sim.products[product_id("MUG-CER-350")]["stock_quantity"] == 4
    result = client.set_stock_batch(
        {product_id("CAP-RED"): 0, product_id("SOCKS-3PK"): 25, 999_999: 3}
    )
    assert {p.sku: p.stock_quantity for p in result.updated} == {"CAP-RED": 0, "SOCKS-3PK": 25}
    assert result.errors == (("999999", "Invalid ID."),)
    assert sim.products[product_id("SOCKS-3PK")]["stock_quantity"] == 25


def test_stock_batches_hold_at_most_100_items(sim, clock):
    ids = list(sim.products)
    quantities = {ids[i % len(ids)] + 1000 * (i // len(ids)): i for i in range(250)}
    result = client_for(sim, clock).set_stock_batch(quantities)
    assert [len(r.json()["update"]) for r in sim.requests_to("POST", r"/batch$")] == [100, 100, 50]
    assert len(result.updated) + len(result.errors) == 250


def test_bad_per_page_is_a_validation_error(sim, clock):
    with pytest.raises(ChannelValidationError, match="per_page") as caught:
        client_for(sim, clock).get_order_page(per_page=500)
    assert caught.value.status == 400


def test_webhook_signature(sim):
    (order,) = generate_orders(1, seed=8)
    with WebhookReceiver() as receiver:
        url = f"{receiver.url}/oms/channels/2/webhook"
        assert sim.post_webhook(url, "order.created", order).status_code == 200
        sim.post_webhook(url, "order.updated", order, secret="not-the-secret")
    good, forged = receiver.received
    assert good.headers["x-wc-webhook-topic"] == "order.created"
    assert verify_signature(good.body, good.headers["x-wc-webhook-signature"], sim.webhook_secret)
    assert not verify_signature(
        forged.body, forged.headers["x-wc-webhook-signature"], sim.webhook_secret
    )


# --- pagination guards (issue 26 point 3) -------------------------------------------------
def test_a_server_that_ignores_the_page_stops_the_pull_instead_of_looping(sim, clock):
    # A page cache in front of the REST API answers every page with page 1.
    orders = sim.add_orders(generate_orders(2, seed=41))
    sim.fail_next(200, times=20, path=r"/orders$", body=orders, headers={"X-WP-TotalPages": "50"})
    with pytest.raises(ChannelPaginationError, match="page 2 with the same orders as page 1"):
        list(client_for(sim, clock).iter_orders(per_page=2))
    assert len(sim.requests_to("GET", r"/orders$")) == 2


def test_more_pages_than_the_limit_stop_the_pull(sim, clock):
    sim.add_orders(generate_orders(7, seed=42))
    client = client_for(sim, clock)
    client.max_pages = 3
    pulled = []
    with pytest.raises(ChannelPaginationError, match="after 3 pages"):
        for remote in client.iter_orders(per_page=2):
            pulled.append(remote.external_id)
    assert len(pulled) == 6


def test_without_total_pages_the_pull_reads_on_to_a_short_page(sim, clock):
    # A proxy that drops X-WP-TotalPages must not cut the pull after page 1.
    orders = sim.add_orders(generate_orders(5, seed=43))
    sim.fail_next(200, times=1, path=r"/orders$", body=orders[:2])
    sim.fail_next(200, times=1, path=r"/orders$", body=orders[2:4])
    sim.fail_next(200, times=1, path=r"/orders$", body=orders[4:])
    pulled = [o.external_id for o in client_for(sim, clock).iter_orders(per_page=2)]
    assert pulled == [str(order["id"]) for order in orders]
    assert len(sim.requests_to("GET", r"/orders$")) == 3


# --- catalogue (issue 19 point 5) ----------------------------------------------------------
def _variable_product(sim):
    """A variable product with two variations, as REST v3 documents them."""
    sim.products[900] = {
        "id": 900,
        "parent_id": 0,
        "name": "Ship Your Idea",
        "type": "variable",
        "sku": "",
        "price": "",
        "regular_price": "",
        "global_unique_id": "",
        "manage_stock": False,
        "stock_quantity": None,
    }
    sim.variations[900] = [
        {
            "id": 901 + index,
            "sku": f"IDEA-{colour.upper()}",
            "price": "12.00",
            "regular_price": "12.00",
            "global_unique_id": "4006381333931" if index == 0 else "",
            "manage_stock": True,
            "stock_quantity": 3,
            "attributes": [
                {"id": 6, "name": "Color", "option": colour},
                {"id": 0, "name": "Size", "option": "M"},
            ],
        }
        for index, colour in enumerate(("Black", "Green"))
    ]


def test_catalogue_reads_products_and_variations_page_by_page(sim, clock):
    _variable_product(sim)
    items = list(client_for(sim, clock).iter_catalogue(per_page=5))
    # 12 simple products and 2 variations; the variable product itself sells nothing
    assert len(items) == 14
    assert [r.query["page"] for r in sim.requests_to("GET", r"/products$")] == ["1", "2", "3"]
    assert len(sim.requests_to("GET", r"/products/900/variations$")) == 1
    by_sku = {item.sku: item for item in items}
    cap = by_sku["CAP-RED"]
    assert (cap.product_id, cap.variant_id, cap.stock_id, cap.price) == (
        str(product_id("CAP-RED")),
        "",
        str(product_id("CAP-RED")),
        "19.50",
    )
    black = by_sku["IDEA-BLACK"]
    assert (black.product_id, black.variant_id, black.stock_id, black.stock_parent_id) == (
        "900",
        "901",
        "901",
        "900",
    )
    assert (black.title, black.barcode) == ("Ship Your Idea - Black, M", "4006381333931")


def test_catalogue_reads_the_docs_examples_of_products_and_variations(sim, clock):
    """The REST v3 docs' own "List all products" and "List all product variations"
    answers: nothing has a SKU, so each listing is known by its ids and title."""
    docs = Path(__file__).parents[2] / "channel_mappers/tests/fixtures/woocommerce"
    products = json.loads((docs / "products_docs_v3_list.json").read_text())
    variations = json.loads((docs / "variations_docs_v3_list.json").read_text())
    sim.fail_next(200, path=r"/products$", body=products, headers={"X-WP-TotalPages": "1"})
    sim.fail_next(
        200, path=r"/products/799/variations$", body=variations, headers={"X-WP-TotalPages": "1"}
    )
    items = list(client_for(sim, clock).iter_catalogue())
    assert [(i.product_id, i.variant_id, i.sku, i.title, i.price) for i in items] == [
        ("799", "733", "", "Ship Your Idea - Green", "9.00"),
        ("799", "732", "", "Ship Your Idea - Black", "9.00"),
        ("794", "", "", "Premium Quality", "21.99"),
    ]
    assert (items[0].stock_id, items[0].stock_parent_id) == ("733", "799")


def test_catalogue_walk_stops_on_a_repeated_page(sim, clock):
    sim.page_size_cap = None
    first = client_for(sim, clock)
    sim.fail_next(
        200,
        times=20,
        path=r"/products$",
        body=[dict(sim.products[product_id("CAP-RED")])],
        headers={"X-WP-TotalPages": "9"},
    )
    with pytest.raises(ChannelPaginationError, match="products"):
        list(first.iter_catalogue(per_page=1))
