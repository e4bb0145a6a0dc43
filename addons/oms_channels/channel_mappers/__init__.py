"""Channel payloads → order drafts, in plain Python (no ``odoo`` import).

One mapper per channel kind; each returns a complete :class:`OrderDraft` or
raises :class:`MappingError` naming the bad field.
"""

from .draft import (
    Address,
    Discount,
    FeeLine,
    FraudHint,
    Gift,
    OrderDraft,
    OrderLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from .errors import MappingError, OrderPending
from .shopify import map_shopify_order
from .woocommerce import map_woocommerce_order
from .amazon import map_amazon_order
from .csv_file import csv_order_version, map_csv_order, read_csv_orders
