"""The eBay connector against the eBay simulator: identify, map, pull since a
cursor, push a shipment once, push stock by SKU, test the connection."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tests.simulators.ebay import EbaySimulator, generate_orders

from ...channel_clients.tests.fakes import FakeClock
from .. import (
    Cancellation,
    ConnectionCheck,
    MissingCredentials,
    Refused,
    Shipment,
    StockLine,
    connector_class,
)
from ..ebay import EbayConnector, carrier_code


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim(clock):
    with EbaySimulator(clock=clock) as simulator:
        yield simulator


def connector_for(sim):
    return EbayConnector(
        {
            "api_base_url": sim.url,
            "ebay_client_id": sim.client_id,
            "ebay_client_secret": sim.client_secret,
            "ebay_refresh_token": sim.refresh_token,
        }
    )


def test_registered_as_an_api_kind_without_webhooks_nor_cancellation():
    assert connector_class("ebay") is EbayConnector
    assert EbayConnector.has_api and EbayConnector.listings_by_sku
    assert not EbayConnector.receives_webhooks()
    assert EbayConnector.pushes_cancellations is False
    assert EbayConnector.default_api_url == "https://api.ebay.com"
    with pytest.raises(Refused):
        EbayConnector().cancel_order(None, Cancellation("08-06107-09621"))


def test_secrets_are_the_client_secret_and_the_refresh_token():
    secrets = getattr(EbayConnector, "secret_fields", None)
    if secrets is None:
        pytest.skip("the interface has no secret_fields yet")
    assert set(secrets) == {"ebay_client_secret", "ebay_refresh_token"}


def test_identify_and_map():
    (order,) = generate_orders(1, seed=3)
    identity = EbayConnector().identify(order)
    assert identity.external_id == order["orderId"]
    assert (
        identity.version
        == datetime.fromisoformat(order["lastModifiedDate"].replace("Z", "+00:00")).isoformat()
    )
    assert EbayConnector().identify({"lineItems": []}).missing == "orderId"
    draft = EbayConnector().map_order(order)
    assert (draft.channel_kind, draft.external_id) == ("ebay", order["orderId"])


def test_a_client_needs_every_credential():
    with pytest.raises(MissingCredentials):
        EbayConnector({"api_base_url": "https://api.ebay.com"}).client()


def test_pull_since_a_cursor_and_test_the_connection(sim):
    orders = sim.add_orders(generate_orders(5, seed=4))
    connector = connector_for(sim)
    client = connector.client()
    assert connector.test_connection(client) == ConnectionCheck("eBay", orders=5)
    since = datetime.fromisoformat(orders[2]["lastModifiedDate"].replace("Z", "+00:00"))
    pulled = list(connector.iter_orders(client, since.astimezone(timezone.utc)))
    assert [o.external_id for o in pulled] == [o["orderId"] for o in orders[2:]]


def test_push_shipment_once_with_its_tracking(sim):
    (order,) = sim.add_orders(generate_orders(1, seed=5, lines=2))
    first, second = order["lineItems"]
    connector = connector_for(sim)
    client = connector.client()
    shipment = Shipment(
        order_id=order["orderId"],
        reference="WH/OUT/00007",
        package_id=7,
        shipped={first["lineItemId"]: first["quantity"], second["lineItemId"]: 0},
        carrier="UPS Ground",
        tracking="1Z999AA10123456784",
        tracking_url=None,
        ship_date="2025-03-02T10:00:00Z",
        completes_order=False,
    )
    assert connector.push_shipment(client, shipment) == "1Z999AA10123456784"
    assert connector.push_shipment(client, shipment) == "1Z999AA10123456784"
    (sent,) = sim.requests_to("POST", r"/shipping_fulfillment$")
    assert sent.json() == {
        "lineItems": [{"lineItemId": first["lineItemId"], "quantity": first["quantity"]}],
        "shippedDate": "2025-03-02T10:00:00.000Z",
        "trackingNumber": "1Z999AA10123456784",
        "shippingCarrierCode": "UPS",
    }
    stored = sim.orders[order["orderId"]]
    assert stored["orderFulfillmentStatus"] == "IN_PROGRESS"
    assert [i["lineItemFulfillmentStatus"] for i in stored["lineItems"]] == [
        "FULFILLED",
        "NOT_STARTED",
    ]


def test_push_stock_by_sku_and_refusals_per_listing(sim):
    connector = connector_for(sim)
    lines = [
        StockLine(1, "MUG-CER-350", None, None, {None: 7}),
        StockLine(2, "CAP-RED", None, None, {None: 0}),
        StockLine(3, "GONE-SKU", None, None, {None: 3}),
    ]
    result = connector.push_stock(connector.client(), lines)
    assert result.pushed == (1, 2)
    assert result.refused == {3: "SKU GONE-SKU is not available in the system."}
    assert sim.inventory["MUG-CER-350"]["quantity"] == 7
    assert sim.inventory["CAP-RED"]["quantity"] == 0


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("UPS Ground", "UPS"),
        ("USPS Priority Mail", "USPS"),
        ("FedEx International Priority", "FedEx"),
        ("DHL Express", "DHL"),
        ("Swiss Post (PostLogistics)", "SwissPost"),
        ("Upsilon Freight", "Other"),
        ("", "Other"),
    ],
)
def test_odoo_carrier_names_become_ebays_carrier_codes(name, code):
    assert carrier_code(name) == code


def test_refunds_are_read_from_the_order_each_completed_one_by_its_id(sim):
    (order,) = sim.add_orders(generate_orders(1, seed=6, lines=1))
    line_id = order["lineItems"][0]["lineItemId"]
    done = sim.refund(order["orderId"], "4.00", line_item_id=line_id)
    sim.refund(order["orderId"], "1.00", status="PENDING")
    connector = connector_for(sim)
    client = connector.client()
    (pulled,) = connector.iter_orders(client)
    calls = len(sim.received)
    assert connector.listed_refund_ids(pulled.payload) == [done]
    (refund,) = connector.list_refunds(client, order["orderId"])
    assert len(sim.received) == calls, "the order carries its refunds: no call"
    identity = connector.identify(refund)
    assert identity.external_id == f"refund:{done}"
    draft = connector.map_refund(refund)
    assert (draft.external_id, draft.order_external_id) == (done, order["orderId"])
    assert draft.amount == Decimal("4.00")
    # Without the order at hand, eBay's getOrder gives them.
    assert connector_for(sim).list_refunds(client, order["orderId"]) == [refund]
    assert sim.requests_to("GET", rf"/order/{order['orderId']}$")
