"""Buyer and shipping address through a Restricted Data Token (issue 19 point 9).

The order is the ``getOrder`` answer of the Tokens API use case guide (delegation
tutorial, step 3: the call made with an RDT for ``buyerInfo`` and
``shippingAddress``; amzn/selling-partner-api-docs,
guides/en-US/use-case-guides/tokens-api-use-case-guide/
tokens-API-use-case-guide-2021-03-01.md), listed ``Unshipped``; its item is the
gift of the mappers' ``order_us_gift_wrap.json`` (``ItemBuyerInfo`` of the
Orders v0 reference). The RDT request and answer follow
``tokens_2021-03-01.json`` (amzn/selling-partner-api-models).
"""

import json
import logging
from pathlib import Path

import pytest
import requests

from tests.simulators.amazon_sp import US, AmazonSpSimulator, generate_orders

from .. import AmazonSpClient, ChannelAuthError
from .fakes import FakeClock

CLIENT_ID = "amzn1.application-oa2-client.simulator"
SECRET = "simulator-client-secret"
REFRESH = "Atzr|simulator-refresh-token"
FIXTURES = Path(__file__).parents[2] / "channel_mappers" / "tests" / "fixtures" / "amazon"
ORDER_ID = "902-3159896-1390916"
DOCS_SHIPPING_ADDRESS = {
    "Name": "Michigan address",
    "AddressLine1": "1 Cross St.",
    "City": "Canton",
    "StateOrRegion": "MI",
    "PostalCode": "48817",
    "CountryCode": "US",
}
# The restricted resources of the use case guide's bulk orders and order items tutorials,
# with generic paths.
PULL_RESOURCES = [
    {
        "method": "GET",
        "path": "/orders/v0/orders",
        "dataElements": ["buyerInfo", "shippingAddress"],
    },
    {
        "method": "GET",
        "path": "/orders/v0/orders/{orderId}/orderItems",
        "dataElements": ["buyerInfo"],
    },
]
DOCS_BUYER_INFO = {
    "BuyerEmail": "user@example.com",
    "BuyerName": "John Doe",
    "BuyerTaxInfo": {"CompanyLegalName": "A Company Name"},
    "PurchaseOrderNumber": "1234567890123",
}


def docs_order():
    """``{"Order", "OrderItems"}`` as Amazon holds it, buyer data included."""
    gift = json.loads((FIXTURES / "order_us_gift_wrap.json").read_text())
    order = {
        "AmazonOrderId": ORDER_ID,
        "PurchaseDate": "2025-01-20T19:49:35Z",
        "LastUpdateDate": "2025-01-20T19:49:35Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": 1,
        "PaymentMethod": "Other",
        "MarketplaceId": US,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "OrderTotal": gift["Order"]["OrderTotal"],
        "DefaultShipFromLocationAddress": gift["Order"]["DefaultShipFromLocationAddress"],
        "ShippingAddress": dict(DOCS_SHIPPING_ADDRESS),
        "BuyerInfo": json.loads(json.dumps(DOCS_BUYER_INFO)),
    }
    return {"Order": order, "OrderItems": gift["OrderItems"]}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with AmazonSpSimulator(CLIENT_ID, SECRET, REFRESH, clock=clock) as simulator:
        simulator.add_orders([docs_order()])
        yield simulator


def client_for(sim, clock, **kwargs):
    return AmazonSpClient(
        sim.url,
        CLIENT_ID,
        SECRET,
        REFRESH,
        [US],
        token_url=f"{sim.url}/auth/o2/token",
        sleep=clock.sleep,
        clock=clock,
        timeout=(2, 5),
        **kwargs,
    )


def lwa_token(sim):
    return requests.post(
        f"{sim.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": sim.refresh_token,
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
        },
        timeout=5,
    ).json()["access_token"]


def create_rdt(sim, resources, token=None):
    return requests.post(
        f"{sim.url}/tokens/2021-03-01/restrictedDataToken",
        headers={"x-amz-access-token": token or lwa_token(sim)},
        json={"restrictedResources": resources},
        timeout=5,
    )


def get(sim, path, token, **params):
    return requests.get(
        f"{sim.url}{path}",
        headers={"x-amz-access-token": token},
        params={"MarketplaceIds": US, **params},
        timeout=5,
    )


# --- the client ------------------------------------------------------------------------------
def test_a_pull_reads_buyer_address_and_gift_message_with_one_rdt(sim, clock):
    (remote,) = client_for(sim, clock).iter_orders("2025-01-01T00:00:00Z")
    order, (item,) = remote.payload["Order"], remote.payload["OrderItems"]
    assert order["ShippingAddress"] == DOCS_SHIPPING_ADDRESS
    assert order["BuyerInfo"] == DOCS_BUYER_INFO
    assert item["BuyerInfo"]["GiftMessageText"] == "Happy birthday, Sam!\nLove, Alex"
    assert item["BuyerInfo"]["GiftWrapPrice"] == {"CurrencyCode": "USD", "Amount": "4.95"}
    (asked,) = sim.requests_to("POST", r"/tokens/2021-03-01/restrictedDataToken$")
    assert asked.json() == {"restrictedResources": PULL_RESOURCES}
    assert asked.headers["x-amz-access-token"].startswith("Atza|"), "asked with the LWA token"
    (rdt,) = sim.restricted_tokens
    reads = sim.requests_to("GET", r"/orders/v0/orders")
    assert len(reads) == 2
    assert {r.headers["x-amz-access-token"] for r in reads} == {rdt}


def test_the_rdt_serves_every_page_and_order_of_the_pull_then_the_next_pull(sim, clock):
    sim.add_orders(generate_orders(5, seed=40))
    client = client_for(sim, clock)
    pulled = list(client.iter_orders("2025-01-01T00:00:00Z", max_results=2))
    assert len(pulled) == 6
    assert all(p.payload["Order"]["ShippingAddress"].get("AddressLine1") for p in pulled)
    assert all(p.payload["Order"]["BuyerInfo"].get("BuyerEmail") for p in pulled)
    clock.now += 1800
    assert len(list(client.iter_orders("2025-01-01T00:00:00Z", max_results=2))) == 6
    assert sim.restricted_tokens_issued == 1, "reused while it is valid"
    assert client.restricted_data_tokens == 1


def test_an_rdt_about_to_expire_is_renewed_before_use(sim, clock):
    client = client_for(sim, clock)
    list(client.iter_orders("2025-01-01T00:00:00Z"))
    clock.now += 3590  # within the RDT's last minute (and the LWA token's)
    (remote,) = client.iter_orders("2025-01-01T00:00:00Z")
    assert remote.payload["Order"]["ShippingAddress"] == DOCS_SHIPPING_ADDRESS
    assert sim.restricted_tokens_issued == 2
    refused = [r for r in sim.received if r.path.startswith("/orders/")]
    assert len(refused) == 4, "no call was refused"


def test_an_rdt_amazon_expired_is_renewed_once_and_the_call_repeated(sim, clock):
    client = client_for(sim, clock)
    list(client.iter_orders("2025-01-01T00:00:00Z"))
    sim.expire_restricted_tokens()
    sim.expire_tokens()  # the LWA token too: the new RDT is asked with a new one
    (remote,) = client.iter_orders("2025-01-01T00:00:00Z")
    assert remote.payload["Order"]["ShippingAddress"] == DOCS_SHIPPING_ADDRESS
    assert remote.payload["OrderItems"][0]["BuyerInfo"]["GiftWrapLevel"] == "Classic"
    assert sim.restricted_tokens_issued == 2
    assert sim.tokens_issued == 2
    pages = sim.requests_to("GET", r"/orders/v0/orders$")
    assert len(pages) == 3, "the refused call, once more with the new RDT"
    assert pages[1].headers["x-amz-access-token"] != pages[2].headers["x-amz-access-token"]


def test_an_rdt_no_longer_valid_for_the_resource_is_renewed(sim, clock):
    client = client_for(sim, clock)
    list(client.iter_orders("2025-01-01T00:00:00Z"))
    sim.restricted_tokens.clear()  # Amazon no longer knows it
    (remote,) = client.iter_orders("2025-01-01T00:00:00Z")
    assert remote.payload["Order"]["BuyerInfo"]["BuyerEmail"] == "user@example.com"
    assert client.restricted_data_tokens == 2
    assert client.restricted_data_refused is None


def test_calls_refused_with_a_new_rdt_too_go_on_without_buyer_data(sim, clock):
    # An RDT Amazon hands out but does not accept for the call (a path it does not
    # match): after one renewal, the pull reads on with the LWA token.
    denied = {
        "errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]
    }
    sim.fail_next(403, times=2, path=r"/orders/v0/orders$", body=denied)
    client = client_for(sim, clock)
    (remote,) = client.iter_orders("2025-01-01T00:00:00Z")
    assert remote.payload["Order"]["ShippingAddress"]["City"] == "Canton"
    assert "AddressLine1" not in remote.payload["Order"]["ShippingAddress"]
    assert client.restricted_data_refused == (
        "Amazon SP-API denied access: Unauthorized: Access to requested resource is denied."
    )
    pages = sim.requests_to("GET", r"/orders/v0/orders$")
    tokens = [p.headers["x-amz-access-token"] for p in pages]
    assert [t.split("|")[0] for t in tokens] == ["Atz.sprdt", "Atz.sprdt", "Atza"]
    assert tokens[0] != tokens[1]
    assert "AddressLine1" not in remote.payload["Order"]["ShippingAddress"]
    (items,) = sim.requests_to("GET", r"/orderItems$")
    assert items.headers["x-amz-access-token"].startswith("Atza|"), "not asked again"


def test_without_the_roles_the_pull_goes_on_without_buyer_data(clock):
    with AmazonSpSimulator(CLIENT_ID, SECRET, REFRESH, clock=clock, pii_access=False) as sim:
        sim.add_orders([docs_order(), *generate_orders(3, seed=41)])
        client = client_for(sim, clock)
        pulled = list(client.iter_orders("2025-01-01T00:00:00Z", max_results=2))
        again = list(client.iter_orders("2025-01-01T00:00:00Z", max_results=2))
        asked = sim.requests_to("POST", r"/tokens/2021-03-01/restrictedDataToken$")
    assert len(pulled) == len(again) == 4
    docs = next(p.payload for p in pulled if p.external_id == ORDER_ID)
    assert docs["Order"]["ShippingAddress"] == {
        "City": "Canton",
        "StateOrRegion": "MI",
        "PostalCode": "48817",
        "CountryCode": "US",
    }
    assert docs["Order"]["BuyerInfo"] == {"PurchaseOrderNumber": "1234567890123"}
    assert "BuyerInfo" not in docs["OrderItems"][0], "no gift message, no gift wrap"
    assert docs["OrderItems"][0]["IsGift"] == "true"
    assert len(asked) == 1, "asked once for the client's life, never in a loop"
    assert client.restricted_data_refused == (
        "Amazon SP-API denied access: Unauthorized: Application does not have access to one "
        "or more requested data elements: [buyerInfo, shippingAddress]"
    )


def test_a_client_told_not_to_asks_no_rdt(sim, clock):
    (remote,) = client_for(sim, clock, restricted_data=False).iter_orders("2025-01-01T00:00:00Z")
    assert "AddressLine1" not in remote.payload["Order"]["ShippingAddress"]
    assert sim.requests_to("POST", r"/tokens/") == []


def test_the_rdt_goes_nowhere_else(sim, clock):
    client = client_for(sim, clock)
    list(client.iter_orders("2025-01-01T00:00:00Z"))
    (rdt,) = sim.restricted_tokens
    client.confirm_shipment(
        ORDER_ID, "1", "UPS", "1Z999AA10123456784", "2025-01-21T10:00:00Z", {"41298675302214": 1}
    )
    client.submit_inventory("A3SELLER", {"NABetaASINB00551Q3CS": 3})
    others = [r for r in sim.received if r.path.startswith(("/orders/v0/orders/9", "/feeds/"))]
    others = [r for r in others if not r.path.endswith("/orderItems")]
    assert len(others) == 3
    assert all(r.headers["x-amz-access-token"] != rdt for r in others)
    assert len(sim.shipments) == 1


def test_logs_never_show_the_rdt(sim, clock, caplog):
    caplog.set_level(logging.DEBUG, logger=AmazonSpClient.__module__)
    client = client_for(sim, clock)
    list(client.iter_orders("2025-01-01T00:00:00Z"))
    assert "POST tokens/2021-03-01/restrictedDataToken → 200" in caplog.text
    (rdt,) = sim.restricted_tokens
    assert rdt not in caplog.text


def test_the_wrapped_answer_of_the_use_case_guide_is_read_too(sim, clock):
    sim.fail_next(
        200,
        path=r"/tokens/",
        body={
            "payload": {"restrictedDataToken": "Atz.sprdt|IQEBLjAsAhRmHjNgHpi0U", "expiresIn": 3600}
        },
    )
    client = client_for(sim, clock)
    assert client.restricted_data_token() == "Atz.sprdt|IQEBLjAsAhRmHjNgHpi0U"


# --- the simulator, with plain requests --------------------------------------------------------
def test_without_an_rdt_orders_and_items_come_without_buyer_data(sim):
    token = lwa_token(sim)
    (order,) = get(sim, "/orders/v0/orders", token, LastUpdatedAfter="2025-01-01T00:00:00Z").json()[
        "payload"
    ]["Orders"]
    assert set(order["ShippingAddress"]) == {"City", "StateOrRegion", "PostalCode", "CountryCode"}
    assert "BuyerEmail" not in order["BuyerInfo"] and "BuyerName" not in order["BuyerInfo"]
    (item,) = get(sim, f"/orders/v0/orders/{ORDER_ID}/orderItems", token).json()["payload"][
        "OrderItems"
    ]
    assert "BuyerInfo" not in item


def test_an_rdt_gives_only_the_data_elements_it_names(sim):
    answer = create_rdt(
        sim, [{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["shippingAddress"]}]
    )
    assert answer.status_code == 200
    assert answer.json()["expiresIn"] == 3600
    rdt = answer.json()["restrictedDataToken"]
    assert rdt.startswith("Atz.sprdt|")
    (order,) = get(sim, "/orders/v0/orders", rdt, LastUpdatedAfter="2025-01-01T00:00:00Z").json()[
        "payload"
    ]["Orders"]
    assert order["ShippingAddress"] == DOCS_SHIPPING_ADDRESS
    assert order["BuyerInfo"] == {"PurchaseOrderNumber": "1234567890123"}


def test_a_specific_path_serves_that_order_only(sim):
    other = generate_orders(1, seed=42)[0]
    sim.add_orders([other])
    path = f"/orders/v0/orders/{ORDER_ID}/orderItems"
    rdt = create_rdt(sim, [{"method": "GET", "path": path, "dataElements": ["buyerInfo"]}]).json()[
        "restrictedDataToken"
    ]
    (item,) = get(sim, path, rdt).json()["payload"]["OrderItems"]
    assert item["BuyerInfo"]["GiftMessageText"] == "Happy birthday, Sam!\nLove, Alex"
    foreign = get(sim, f"/orders/v0/orders/{other['Order']['AmazonOrderId']}/orderItems", rdt)
    assert foreign.status_code == 403
    assert foreign.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "",
            }
        ]
    }


def test_an_rdt_is_refused_elsewhere_expired_or_unknown(sim, clock):
    rdt = create_rdt(sim, PULL_RESOURCES).json()["restrictedDataToken"]
    feeds = requests.post(
        f"{sim.url}/feeds/2021-06-30/documents",
        headers={"x-amz-access-token": rdt},
        json={"contentType": "text/xml"},
        timeout=5,
    )
    assert feeds.status_code == 403
    unknown = get(sim, "/orders/v0/orders", "Atz.sprdt|forged", LastUpdatedAfter="2025-01-01")
    assert unknown.status_code == 403
    clock.now += 3600
    expired = get(sim, "/orders/v0/orders", rdt, LastUpdatedAfter="2025-01-01T00:00:00Z")
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."


def test_create_rdt_checks_its_request(sim):
    assert create_rdt(sim, []).status_code == 400
    no_elements = create_rdt(sim, [{"method": "GET", "path": "/orders/v0/orders"}])
    assert no_elements.status_code == 400
    assert no_elements.json()["errors"][0]["code"] == "InvalidInput"
    unknown = create_rdt(
        sim, [{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["everything"]}]
    )
    assert unknown.status_code == 400
    rdt = create_rdt(sim, PULL_RESOURCES).json()["restrictedDataToken"]
    with_rdt = create_rdt(sim, PULL_RESOURCES, token=rdt)
    assert with_rdt.status_code == 403, "an RDT is asked with the LWA token"


def test_an_application_without_the_roles_gets_no_rdt(clock):
    with AmazonSpSimulator(CLIENT_ID, SECRET, REFRESH, clock=clock, pii_access=False) as sim:
        answer = create_rdt(sim, PULL_RESOURCES)
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["code"] == "Unauthorized"


def test_a_revoked_lwa_token_still_fails_the_pull(sim, clock):
    client = client_for(sim, clock)
    client.access_token()
    sim.tokens.clear()
    with pytest.raises(ChannelAuthError):
        list(client.iter_orders("2025-01-01T00:00:00Z"))
