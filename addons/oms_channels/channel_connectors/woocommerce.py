"""WooCommerce: REST API v3 with a consumer key, signed webhooks."""

from decimal import Decimal

from ..channel_clients import WooCommerceClient
from ..channel_clients.webhooks import WOOCOMMERCE_SIGNATURE_HEADER
from ..channel_clients.woocommerce import Product
from ..channel_mappers import map_woocommerce_order
from ..channel_mappers.refund import is_woocommerce_refund, map_woocommerce_refund, refund_ref
from .base import ChannelConnector, ConnectionCheck, StockPush, register


@register("woocommerce")
class WooCommerceConnector(ChannelConnector):
    label = "WooCommerce"
    credential_fields = ("api_base_url", "woocommerce_consumer_key", "woocommerce_consumer_secret")
    signature_header = WOOCOMMERCE_SIGNATURE_HEADER
    topic_header = "X-WC-Webhook-Topic"
    webhook_version_key = "date_modified_gmt"
    has_api = True
    lists_refunds_by_id = True
    pushes_refunds = True

    def locate(self, payload):
        if is_woocommerce_refund(payload):
            refund_id = payload.get("id")
            key = refund_ref(refund_id) if refund_id not in (None, "") else None
            return key, payload.get("date_created_gmt"), "id"
        return payload.get("id"), payload.get("date_modified_gmt"), "id"

    def map_order(self, body, **options):
        return map_woocommerce_order(body, **options)

    def map_refund(self, body):
        return map_woocommerce_refund(body)

    def listed_refund_ids(self, payload):
        return [
            str(refund["id"])
            for refund in payload.get("refunds") or ()
            if isinstance(refund, dict) and refund.get("id") not in (None, "")
        ]

    def list_refunds(self, client, external_id):
        return client.list_refunds(external_id)

    def client(self):
        url, key, secret = self._required(
            "api_base_url", "woocommerce_consumer_key", "woocommerce_consumer_secret"
        )
        return WooCommerceClient(url, key, secret)

    def test_connection(self, client):
        return ConnectionCheck("WooCommerce", orders=client.test_connection())

    def find_remote_ids(self, client, lines):
        found = {}
        for line in lines:
            if line.remote_id:
                continue
            product = client.find_product_by_sku(line.sku)
            if product:
                found[line.key] = {"remote_id": product.id, "remote_parent_id": product.parent_id}
        return found

    def push_stock(self, client, lines):
        """Absolute figures: the REST API has ``stock_quantity`` only, no
        conditional update or delta (a sale made meanwhile is overwritten until
        its order is imported and counted). Simple products in batches,
        variations one call each."""
        pushed, refused = [], {}
        simple = [line for line in lines if line.remote_id and not line.remote_parent_id]
        by_id = {line.remote_id: line.key for line in simple}
        if simple:
            result = client.set_stock_batch(
                {line.remote_id: line.quantities[None] for line in simple}
            )
            for product_id, message in result.errors:
                if product_id in by_id:
                    refused[by_id[product_id]] = message
            pushed += [line.key for line in simple if line.key not in refused]
        for line in lines:
            if line.remote_id and line.remote_parent_id:
                variation = Product(
                    id=line.remote_id,
                    parent_id=line.remote_parent_id,
                    sku=line.sku,
                    name="",
                    type="variation",
                    manage_stock=True,
                    stock_quantity=None,
                )
                client.set_stock(variation, line.quantities[None])
                pushed.append(line.key)
        for line in lines:
            if not line.remote_id:
                refused[line.key] = f"No product of the store has the SKU {line.sku}."
        return StockPush(tuple(pushed), refused)

    def push_shipment(self, client, shipment):
        """The last part shipped completes the order (with its tracking when
        there is one); an earlier part is a customer note, once."""
        if shipment.completes_order:
            if shipment.tracking:
                client.push_tracking(
                    shipment.order_id, shipment.carrier, shipment.tracking, shipment.tracking_url
                )
            else:
                client.complete_order(shipment.order_id)
            return "completed"
        note = client.add_order_note_once(shipment.order_id, shipment.part_note, customer_note=True)
        return note.id

    def push_refund(self, client, request):
        remote = client.find_refund(request.order_id, request.marker)
        if remote is None:
            remote = client.create_refund(
                request.order_id,
                f"{request.total:.2f}",
                request.marker,
                line_items=[
                    {"id": int(line_id), "quantity": int(quantity), "refund_total": f"{amount:.2f}"}
                    for line_id, quantity, amount in request.lines
                ],
            )
        return remote.id, Decimal(remote.amount)

    def cancel_order(self, client, cancellation):
        client.cancel_order(cancellation.order_id)

    def iter_orders(self, client, since=None):
        # WooCommerce's modified_after is a GMT time without an offset.
        return client.iter_orders(
            modified_after=since.replace(tzinfo=None).isoformat() if since else None
        )
