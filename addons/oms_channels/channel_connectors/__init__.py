"""A connector per channel kind behind one interface, in plain Python (no ``odoo``).

The registry: each kind's module registers its connector (``@register``) when
imported here. Adding a kind is its module plus one import line below.
"""

from .base import (
    ChannelConnector,
    ConnectionCheck,
    ConnectorError,
    Identity,
    CancelSent,
    Cancellation,
    MissingCredentials,
    RefundRequest,
    Refused,
    Shipment,
    MissingSetting,
    StockLine,
    StockPush,
    CAPABILITIES,
    api_kinds,
    kinds_with,
    secret_fields,
    NoApi,
    canonical_version,
    connector_class,
    register,
    registered_kinds,
)

# The registry, in the order the kinds are offered (isort would sort them).
# isort: off
from . import shopify, woocommerce, amazon, file, edi, ebay
# isort: on


def get_connector(kind, credentials=None):
    """A connector of ``kind`` with ``credentials``, or None for an unknown kind."""
    cls = connector_class(kind)
    return cls(credentials) if cls else None
