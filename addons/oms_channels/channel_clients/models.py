"""Data the clients return that is the same for every channel."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteOrder:
    """An order as read from a channel, ready for the inbox.

    ``payload`` is the channel's JSON for the order (for Amazon: the order and its
    items, ``{"Order": ..., "OrderItems": [...]}``), which the matching mapper reads.
    """

    external_id: str
    updated_at: str
    payload: dict


@dataclass(frozen=True)
class CatalogItem:
    """One sellable item of a channel's catalogue: a Shopify variant, a WooCommerce
    simple product or variation, an Amazon listing (seller SKU).

    ``product_id`` / ``variant_id`` are the channel's ids an order line carries
    (Amazon: the ASIN, no variant); ``stock_id`` / ``stock_parent_id`` what stock
    is set on (Shopify inventory item; WooCommerce product, or variation and its
    product; Amazon: the SKU itself). Text is as the channel gives it, "" when
    absent; ``price`` is the channel's decimal text ("" when not given).
    """

    product_id: str
    variant_id: str
    sku: str
    title: str
    barcode: str = ""
    price: str = ""
    stock_id: str = ""
    stock_parent_id: str = ""
