"""Shopify: GraphQL Admin API, signed webhooks, refunds/create."""

from decimal import Decimal

from ..channel_clients import ShopifyClient
from ..channel_clients.webhooks import SHOPIFY_SIGNATURE_HEADER
from ..channel_mappers import map_shopify_order
from ..channel_mappers.refund import is_shopify_refund, map_shopify_refund, refund_ref
from .base import ChannelConnector, ConnectionCheck, StockPush, register


@register("shopify")
class ShopifyConnector(ChannelConnector):
    label = "Shopify"
    credential_fields = ("api_base_url", "shopify_access_token")
    signature_header = SHOPIFY_SIGNATURE_HEADER
    topic_header = "X-Shopify-Topic"
    webhook_version_key = "updated_at"
    refund_topic = "refunds/create"
    has_api = True
    reads_risks = True
    stock_by_location = True
    pushes_refunds = True

    def locate(self, payload):
        if is_shopify_refund(payload):
            # A refunds/create body: a refund, kept apart from the orders' ids.
            refund_id = payload.get("id")
            key = refund_ref(refund_id) if refund_id not in (None, "") else None
            return key, payload.get("created_at"), "id"
        return payload.get("id"), payload.get("updated_at"), "id"

    def map_order(self, body, **options):
        return map_shopify_order(body, **options)

    def map_refund(self, body):
        return map_shopify_refund(body)

    def order_risks(self, client, external_id):
        return client.get_order_risks(external_id)

    def client(self):
        url, token = self._required("api_base_url", "shopify_access_token")
        return ShopifyClient(url, token)

    def test_connection(self, client):
        shop = client.test_connection()
        return ConnectionCheck("Shopify", shop=shop.name, currency=shop.currency)

    def find_remote_ids(self, client, lines):
        if all(line.remote_id for line in lines):
            return {}
        items = {v.sku: v.inventory_item_id for v in client.iter_variants() if v.sku}
        return {
            line.key: {"remote_id": items[line.sku]}
            for line in lines
            if not line.remote_id and items.get(line.sku)
        }

    def push_stock(self, client, lines):
        """Each location's figures by compare-and-set (the client reads what
        Shopify has, sends against it and reads again what a sale moved); a
        listing not set at every location is refused with the reason."""
        refused, levels = {}, {}
        for line in lines:
            if not line.remote_id:
                refused[line.key] = f"No variant of the shop has the SKU {line.sku}."
        known = [line for line in lines if line.remote_id]
        by_item = {}
        for line in known:
            by_item.setdefault(line.remote_id, []).append(line.key)
        locations = {target for line in known for target in line.quantities}
        for location in sorted(locations):
            wanted = {
                line.remote_id: line.quantities[location]
                for line in known
                if location in line.quantities
            }
            for write in client.set_available_checked(location, wanted):
                for key in by_item.get(write.inventory_item_id, ()):
                    levels.setdefault(key, {})[location] = {
                        "read": write.read,
                        "sent": write.sent,
                        "tries": write.tries,
                        "error": write.error or False,
                    }
                    if write.error:
                        previous = refused.get(key)
                        refused[key] = f"{previous}\n{write.error}" if previous else write.error
        pushed = tuple(line.key for line in known if line.key not in refused)
        return StockPush(pushed, refused, None, levels)

    def push_shipment(self, client, shipment):
        """A fulfillment of what shipped, from the fulfillment orders that can
        still be fulfilled (a retry after a lost answer finds nothing left)."""
        shipped = dict(shipment.shipped)
        by_order = {}
        for fulfillment_order in client.get_fulfillment_orders(shipment.order_id):
            if not fulfillment_order.can_be_fulfilled:
                continue
            for item in fulfillment_order.line_items:
                wanted = min(int(shipped.get(item.line_item_id, 0)), item.fulfillable_quantity)
                if wanted > 0:
                    by_order.setdefault(fulfillment_order.id, {})[item.id] = wanted
                    shipped[item.line_item_id] -= wanted
        if not by_order:
            # Already fulfilled (a retry after a lost answer), or nothing to fulfil.
            return "nothing left to fulfil"
        fulfillment = client.create_fulfillment(
            by_order,
            tracking_number=shipment.tracking or None,
            tracking_company=shipment.carrier or None,
            tracking_url=shipment.tracking_url,
        )
        return fulfillment.id

    def push_refund(self, client, request):
        remote = client.find_refund(request.order_id, request.marker)
        if remote is None:
            remote = client.create_refund(
                request.order_id,
                lines=request.items,
                shipping_amount=f"{request.shipping:.2f}" if request.shipping else None,
                note=request.marker,
            )
        return remote.id, Decimal(remote.amount)

    def cancel_order(self, client, cancellation):
        client.cancel_order(cancellation.order_id, reason="other")

    def iter_orders(self, client, since=None):
        return client.iter_orders(updated_at_min=since.isoformat() if since else None)
