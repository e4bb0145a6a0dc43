"""ShopifyClient's compare-and-set stock push and the shop's locations, against
the Shopify simulator over real HTTP on 127.0.0.1."""

import pytest

from tests.simulators.shopify import CATALOGUE, ShopifySimulator

from .. import ChannelValidationError, ShopifyClient
from ..shopify import CAS_TRIES, INVENTORY_ITEMS_PER_PAGE
from .fakes import FakeClock

TOKEN = "shpat_simulator_token"
MAIN = 655441491
ITEMS = [item for _sku, _title, _variant, _price, item in CATALOGUE]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with ShopifySimulator(access_token=TOKEN, clock=clock) as simulator:
        yield simulator


def client_for(sim, clock):
    return ShopifyClient(sim.url, TOKEN, sleep=clock.sleep, clock=clock, timeout=(2, 5))


def test_push_reads_then_sends_each_quantity_against_what_it_read(sim, clock):
    sim.inventory_levels[(ITEMS[0], MAIN)] = 9
    writes = client_for(sim, clock).set_available_checked(MAIN, {ITEMS[0]: 4, ITEMS[1]: 2})
    assert [(w.inventory_item_id, w.read, w.sent, w.done) for w in writes] == [
        (str(ITEMS[0]), 9, 4, True),
        (str(ITEMS[1]), 0, 2, True),
    ]
    assert sim.inventory_levels[(ITEMS[0], MAIN)] == 4
    (read,) = sim.graphql_calls("InventoryLevels")
    assert len(read["ids"]) == 2, "one read for the page, not one per item"
    (sent,) = sim.graphql_calls("InventorySetQuantities")
    assert sent["input"]["ignoreCompareQuantity"] is False
    assert [(q["quantity"], q["compareQuantity"]) for q in sent["input"]["quantities"]] == [
        (4, 9),
        (2, 0),
    ]


def test_a_sale_between_read_and_write_is_read_again_and_not_overwritten(sim, clock):
    sim.inventory_levels[(ITEMS[0], MAIN)] = 5
    sim.inventory_levels[(ITEMS[1], MAIN)] = 5
    # A customer buys 2 in Shopify just after the client read the figures.
    sim.after_next_graphql("InventoryLevels", lambda shop: shop.sell(ITEMS[0], MAIN, 2))
    writes = client_for(sim, clock).set_available_checked(MAIN, {ITEMS[0]: 7, ITEMS[1]: 7})
    assert all(w.done for w in writes)
    assert {w.inventory_item_id: (w.read, w.tries) for w in writes} == {
        str(ITEMS[0]): (3, 2),
        str(ITEMS[1]): (5, 2),
    }
    first, second = sim.graphql_calls("InventorySetQuantities")
    assert [q["compareQuantity"] for q in first["input"]["quantities"]] == [5, 5]
    assert [q["compareQuantity"] for q in second["input"]["quantities"]] == [3, 5]
    rereads = sim.graphql_calls("InventoryLevels")[1:]
    assert [call["ids"] for call in rereads] == [[f"gid://shopify/InventoryItem/{ITEMS[0]}"]]


def test_an_item_stale_every_time_is_given_up_and_the_others_are_set(sim, clock):
    sim.after_next_graphql(
        "InventoryLevels", lambda shop: shop.sell(ITEMS[0], MAIN, 1), times=CAS_TRIES
    )
    writes = client_for(sim, clock).set_available_checked(MAIN, {ITEMS[0]: 6, ITEMS[1]: 6})
    by_item = {w.inventory_item_id: w for w in writes}
    assert by_item[str(ITEMS[0])].stale and not by_item[str(ITEMS[0])].done
    assert "changed during each of 3 tries" in by_item[str(ITEMS[0])].error
    assert by_item[str(ITEMS[1])].done
    assert sim.inventory_levels[(ITEMS[0], MAIN)] == -CAS_TRIES, "the sales stand"
    assert sim.inventory_levels[(ITEMS[1], MAIN)] == 6
    assert len(sim.graphql_calls("InventorySetQuantities")) == CAS_TRIES + 1


def test_an_item_not_stocked_is_not_sent_and_other_refusals_raise(sim, clock):
    client = client_for(sim, clock)
    (write,) = client.set_available_checked(MAIN, {999: 3})
    assert "not stocked" in write.error
    assert not sim.graphql_calls("InventorySetQuantities")
    sim.fail_next_graphql(
        "InventorySetQuantities",
        user_errors=[{"field": ["input", "quantities", "0"], "message": "bad", "code": "X"}],
    )
    with pytest.raises(ChannelValidationError, match="bad"):
        client.set_available_checked(MAIN, {ITEMS[0]: 1})


def test_large_pushes_go_page_by_page(sim, clock):
    quantities = {ITEMS[0] + n: 1 for n in range(INVENTORY_ITEMS_PER_PAGE + 1)}
    for item in quantities:
        sim.inventory_levels[(item, MAIN)] = 0
    writes = client_for(sim, clock).set_available_checked(MAIN, quantities)
    assert len(writes) == len(quantities) and all(w.done for w in writes)
    assert [len(c["ids"]) for c in sim.graphql_calls("InventoryLevels")] == [
        INVENTORY_ITEMS_PER_PAGE,
        1,
    ]


def test_locations_are_listed_page_by_page(sim, clock):
    sim.add_location(655441492, "Berlin Store")
    sim.add_location(655441493, "Old Depot", active=False)
    locations = list(client_for(sim, clock).iter_locations(limit=2))
    assert [(loc.id, loc.name, loc.active) for loc in locations] == [
        (str(MAIN), "Main Warehouse", True),
        ("655441492", "Berlin Store", True),
        ("655441493", "Old Depot", False),
    ]
    assert len(sim.graphql_calls("Locations")) == 2
