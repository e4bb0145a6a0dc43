"""Clients of the channels' APIs, in plain Python (``requests``, no ``odoo`` import)."""

from ._http import DEFAULT_TIMEOUT, MAX_PAGES, PageGuard, RetryPolicy
from .errors import (
    ChannelAuthError,
    ChannelConnectionError,
    ChannelError,
    ChannelNotFoundError,
    ChannelPaginationError,
    ChannelRateLimitError,
    ChannelServerError,
    ChannelValidationError,
)
from .models import RemoteOrder
from .shopify import ShopifyClient
from .webhooks import sign, verify_signature
from .woocommerce import WooCommerceClient
from .amazon import AmazonSpClient, inventory_feed
