"""The EDI kind's connector: capabilities instead of kind lists, identity, map."""

import json
from pathlib import Path

from ...channel_connectors import get_connector, kinds_with, secret_fields
from ...channel_connectors.base import ChannelConnector

FIXTURES = Path(__file__).parent / "fixtures" / "x12"


def test_edi_pulls_from_a_folder_and_pushes_nothing_by_api():
    assert "edi" in kinds_with("pulls_orders")
    for capability in ("has_api", "pushes_shipments", "pushes_cancellations", "keeps_listings"):
        assert "edi" not in kinds_with(capability), capability
    assert get_connector("edi").pull_setting == "edi_inbox_path"
    assert kinds_with("takes_files") == ("file",)


def test_api_kinds_keep_their_capabilities():
    for kind in ("shopify", "woocommerce", "amazon"):
        for capability in ("pulls_orders", "pushes_shipments", "keeps_listings"):
            assert kind in kinds_with(capability), (kind, capability)
    assert "file" not in kinds_with("pulls_orders")


def test_secret_fields_come_from_the_connectors():
    secrets = secret_fields()
    for name in (
        "shopify_access_token",
        "woocommerce_consumer_key",
        "woocommerce_consumer_secret",
        "amazon_client_secret",
        "amazon_refresh_token",
    ):
        assert name in secrets
    assert "amazon_client_id" not in secrets
    assert "edi_inbox_path" not in secrets


def test_a_new_kind_follows_has_api_unless_it_says_otherwise():
    class Folder(ChannelConnector):
        credential_fields = ("folder_password", "folder_path")
        pulls_orders = True

    class Api(ChannelConnector):
        has_api = True

    assert Folder.pulls_orders and not Folder.pushes_shipments
    assert Folder.secret_fields == ("folder_password",)
    assert Api.pushes_shipments and Api.keeps_listings


def test_identity_and_draft_of_a_stored_order():
    connector = get_connector("edi", {"edi_standard": "x12"})
    _interchange, orders = connector.read_interchange(
        (FIXTURES / "850_004010_two_orders.edi").read_text()
    )
    payload = json.loads(orders[0].as_payload())
    payload["version"] = "sha256:abc"
    identity = connector.identify(payload)
    assert (identity.external_id, identity.version) == ("PO-4500012", "sha256:abc")
    draft = connector.map_order(payload)
    assert draft.channel_kind == "edi" and draft.payment_status == "on_terms"
    assert draft.lines[0].product_external_id == "BUY-OMS-TSHIRT-M"


def _drafts(standard, text):
    connector = get_connector("edi", {"edi_standard": standard})
    _interchange, orders = connector.read_interchange(text)
    return [connector.map_order(json.loads(order.as_payload())) for order in orders]


def test_a_purchase_order_the_partner_cancels_is_never_work_to_do():
    """X12 BEG01 "01" and EDIFACT BGM message function "1" (cancellation) or "3"
    (deletion) call the order off; "00" / "9" (original) and "05" / "5"
    (replace) are orders to ship."""
    x12 = (FIXTURES / "850_004010_newline_terminator.edi").read_text()
    edifact = (FIXTURES.parent / "edifact" / "orders_d96a_una.edi").read_text()
    assert "BEG*00*SA*" in x12 and "BGM+220+PO-7700001+9'" in edifact
    cases = [
        ("x12", x12, False),
        ("x12", x12.replace("BEG*00*SA*", "BEG*01*SA*"), True),
        ("x12", x12.replace("BEG*00*SA*", "BEG*05*SA*"), False),
        ("edifact", edifact, False),
        ("edifact", edifact.replace("+PO-7700001+9'", "+PO-7700001+1'"), True),
        ("edifact", edifact.replace("+PO-7700001+9'", "+PO-7700001+3'"), True),
        ("edifact", edifact.replace("+PO-7700001+9'", "+PO-7700001+5'"), False),
    ]
    for standard, text, cancelled in cases:
        (draft,) = _drafts(standard, text)
        assert draft.cancelled is cancelled, (standard, draft.channel_status)
        assert bool(draft.cancel_reason) is cancelled
