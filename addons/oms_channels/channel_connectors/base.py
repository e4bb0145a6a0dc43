"""One interface for every channel kind, in plain Python (no ``odoo`` import).

A connector knows one kind of channel: how its webhooks are signed and say their
topic, where its payloads name their order and its version, which mapper makes
a draft of them, how its client is built from the channel's credentials and how
it lists the orders changed since a cursor. The Odoo side asks
``oms.channel._oms_connector()`` and never branches on the kind.

Adding a kind: a module ``channel_connectors/<kind>.py`` with a subclass
decorated ``@register("<kind>")``, and its import in ``__init__.py``.
"""

from datetime import datetime, timezone
from typing import NamedTuple

from ..channel_clients.webhooks import verify_signature

_REGISTRY = {}


class ConnectorError(Exception):
    """The connector cannot do what is asked with what it was given."""


class NoApi(ConnectorError):
    """The kind has no API (its orders come in files)."""


class MissingCredentials(ConnectorError):
    """The channel lacks the URL or a credential its client needs."""


class MissingSetting(ConnectorError):
    """The channel lacks a setting (``setting``, as a user names it) this needs."""

    def __init__(self, setting):
        super().__init__(setting)
        self.setting = setting


class StockLine(NamedTuple):
    """A listing whose stock is pushed: ``key`` is the caller's (a listing id),
    ``quantities`` ``{target: quantity}`` (a Shopify location id, or None for
    the channel's one figure)."""

    key: object
    sku: str | None
    remote_id: str | None
    remote_parent_id: str | None
    quantities: dict


class StockPush(NamedTuple):
    """What a stock push did: the keys set, the keys refused with the reason,
    the channel's reference of the push (a feed) and, per key and target, what
    was read and sent (compare-and-set)."""

    pushed: tuple
    refused: dict
    reference: str | None = None
    levels: dict | None = None


class Refused(ConnectorError):
    """The connector will not send this (a message a user can act on)."""


class Shipment(NamedTuple):
    """A delivery to tell the channel about. ``shipped`` is ``{channel line id:
    quantity}``; ``completes_order`` when it is the last part of the order to
    ship; ``part_note`` what the customer is told of a part (in their words)."""

    order_id: str
    reference: str
    package_id: int
    shipped: dict
    carrier: str
    tracking: str
    tracking_url: str | None
    ship_date: str
    completes_order: bool = True
    part_note: str = ""


class RefundRequest(NamedTuple):
    """A refund made in Odoo (a credit note) to make in the channel, once:
    ``marker`` is its note, looked for first. ``items`` ``{channel line id:
    quantity}``, ``shipping`` the shipping amount, ``total`` the credit note's
    total, ``lines`` ``((channel line id, quantity, amount), …)`` per line."""

    order_id: str
    marker: str
    items: dict
    shipping: float
    total: float
    lines: tuple = ()


class Cancellation(NamedTuple):
    """An order cancelled in Odoo to cancel in the channel."""

    order_id: str
    item_ids: tuple = ()
    buyer_asked: bool = False


class CancelSent(NamedTuple):
    """A cancellation the channel processes later (a feed), and its reason."""

    reference: str
    reason: str


class ConnectionCheck(NamedTuple):
    """What a connection test learnt: the shop's name and currency, the
    number of orders, or only that ``vendor`` accepted the credentials."""

    vendor: str
    shop: str | None = None
    currency: str | None = None
    orders: int | None = None


class Identity(NamedTuple):
    """Which order a payload is about: its external id and version, as text, or
    in ``missing`` what it lacks to say so (None when nothing is missing, ""
    when it is not a JSON object, else the key that should name the order)."""

    external_id: str | None
    version: str | None
    missing: str | None


def register(kind):
    """Class decorator: the connector of channels of ``kind``."""

    def decorate(cls):
        cls.kind = kind
        _REGISTRY[kind] = cls
        return cls

    return decorate


def connector_class(kind):
    """The connector class of ``kind``, or None for a kind nobody registered."""
    return _REGISTRY.get(kind)


def registered_kinds():
    """(kind, label) of every registered connector, in registration order."""
    return [(kind, cls.label) for kind, cls in _REGISTRY.items()]


def api_kinds():
    """The kinds that pull orders and push stock through an API."""
    return kinds_with("has_api")


def kinds_with(capability):
    """The registered kinds whose connector declares ``capability`` (one of
    :data:`CAPABILITIES`, or ``has_api``), in registration order."""
    return tuple(kind for kind, cls in _REGISTRY.items() if getattr(cls, capability))


def secret_fields():
    """The channel fields every registered kind keeps secret, each once."""
    return tuple(dict.fromkeys(name for cls in _REGISTRY.values() for name in cls.secret_fields))


# What the Odoo side asks a connector instead of naming kinds. Each is a class
# attribute; left None by a kind, it follows ``has_api`` (what a kind with an
# HTTP API does).
CAPABILITIES = (
    # A scheduled pull brings its orders in (``pull_setting`` set).
    "pulls_orders",
    # Odoo tells the channel what shipped.
    "pushes_shipments",
    # Odoo tells the channel what was cancelled.
    "pushes_cancellations",
    # Lines matching no product make listings to map; a SKU match maps them.
    "keeps_listings",
    # A new channel imports what is created from its creation on.
    "imports_from_creation",
)
# Names that make a credential field a secret, when a kind does not list its
# ``secret_fields`` itself.
_SECRET_SUFFIXES = ("_token", "_secret", "_key", "_password")


def parse_time(text):
    """An ISO 8601 text as a datetime (``Z`` read as UTC); ValueError otherwise."""
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))


def canonical_version(version):
    """The version as text, a date and time written one way (UTC, ISO 8601):
    Shopify's webhooks give the shop's offset (``-05:00``) where its GraphQL
    Admin API says ``Z``, and one version must be stored once whichever way it
    came. Anything that is not a date and time is kept as it is."""
    if not version:
        return None
    text = str(version)
    try:
        moment = parse_time(text)
    except ValueError:
        return text
    if moment.tzinfo is None:  # WooCommerce's *_gmt: UTC without saying so
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


class ChannelConnector:
    """The interface; each kind overrides what it has.

    ``credentials`` is a mapping of the channel's settings the kind's client
    needs (``credential_fields``), read by the Odoo side from the record."""

    kind = None
    label = None
    # The channel's fields (besides ``api_base_url``) its client is built from.
    credential_fields = ()
    # Those of them that are secrets: forgotten when an API URL changes. None:
    # the credential fields named as secrets (``*_token``, ``*_secret``, ``*_key``).
    secret_fields = None
    # Capabilities (see CAPABILITIES); None: as ``has_api``.
    pulls_orders = None
    pushes_shipments = None
    pushes_cancellations = None
    keeps_listings = None
    imports_from_creation = None
    # The channel field a scheduled pull needs set (the API URL, a folder).
    pull_setting = "api_base_url"
    # Orders come in files uploaded by a user (Import File).
    takes_files = False

    def __init_subclass__(cls, **kwargs):  # pylint: disable=missing-return
        super().__init_subclass__(**kwargs)
        for name in CAPABILITIES:
            if getattr(cls, name) is None:
                setattr(cls, name, bool(cls.has_api))
        if cls.secret_fields is None:
            cls.secret_fields = tuple(
                name for name in cls.credential_fields if name.endswith(_SECRET_SUFFIXES)
            )

    # The HTTP headers of a webhook's signature and topic; None: no webhooks.
    signature_header = None
    topic_header = None
    # The key of a webhook body with the order's update time, checked to be a date.
    webhook_version_key = None

    def __init__(self, credentials=None):
        self.credentials = dict(credentials or {})

    # Webhooks -----------------------------------------------------------------

    @classmethod
    def receives_webhooks(cls):
        return bool(cls.signature_header)

    def verify_webhook(self, headers, body, secret):
        """True when ``body`` (raw bytes) carries in ``headers`` (any mapping
        with ``get`` by header name) its signature with ``secret``."""
        if not self.signature_header:
            return False
        return verify_signature(body, headers.get(self.signature_header), secret)

    def webhook_signature(self, headers):
        return headers.get(self.signature_header) if self.signature_header else None

    def webhook_topic(self, headers):
        """What the webhook says its body is about, or None."""
        return headers.get(self.topic_header) if self.topic_header else None

    def webhook_problem(self, payload):
        """Why a parsed webhook body is refused (answered 400, not stored), or
        None: it is not a JSON object, or its update time (the order's version)
        is not an ISO 8601 date and time."""
        if not isinstance(payload, dict):
            return "the body is not a JSON object"
        key = self.webhook_version_key
        version = payload.get(key) if key else None
        if version in (None, ""):
            return None
        try:
            parse_time(version)
        except (AttributeError, ValueError):
            return f"{key} is not a date and time"
        return None

    # Identify and map -----------------------------------------------------------

    def locate(self, payload):
        """(external id, version, key naming the order) as the payload has them."""
        return payload.get("id"), payload.get("updated_at"), "id"

    def identify(self, payload):
        """The :class:`Identity` of a parsed payload."""
        if not isinstance(payload, dict):
            return Identity(None, None, "")
        external_id, version, id_key = self.locate(payload)
        if external_id in (None, "") or isinstance(external_id, (dict, list)):
            return Identity(None, None, id_key)
        return Identity(str(external_id), canonical_version(version), None)

    # The webhook topic whose body is a refund, not an order (None: no such topic).
    refund_topic = None
    # Whether stock is set per location of the channel (mapped to warehouses on
    # the channel, read with "Read Locations"), else as one figure.
    stock_by_location = False
    # Whether the kind's listings are its seller SKUs (else variant or product ids).
    listings_by_sku = False
    # Fee lines (channel_mappers.draft.FEE_KINDS) the kind's orders bring as lines
    # of the channel's own service products, made with the channel.
    fee_kinds = ()

    def can_map_orders(self):
        return self.map_order.__func__ is not ChannelConnector.map_order

    def map_order(self, body, **options):
        """The order draft of a payload (channel_mappers); MappingError else."""
        raise NotImplementedError(f"orders of {self.kind} channels cannot be imported")

    def can_map_refunds(self):
        return self.map_refund.__func__ is not ChannelConnector.map_refund

    def map_refund(self, body):
        """The refund draft of a refund payload (channel_mappers.refund)."""
        raise NotImplementedError(f"refunds of {self.kind} channels cannot be imported")

    # The API ------------------------------------------------------------------------

    has_api = False
    # Where the kind's production API lives (offered on a new channel), if one.
    default_api_url = None
    # Whether the channel assesses an order's fraud risk (read by the import job).
    reads_risks = False
    # Whether an order lists only the ids of its refunds, read one order at a time.
    lists_refunds_by_id = False

    def client(self):
        """The kind's API client, built from the credentials."""
        raise NoApi(self.kind)

    def _required(self, *names):
        """The credentials ``names``, or MissingCredentials when one is empty."""
        values = [self.credentials.get(name) for name in names]
        if not all(values):
            raise MissingCredentials(self.kind)
        return values

    def test_connection(self, client):
        """A :class:`ConnectionCheck` of one cheap call that needs the credentials."""
        raise NoApi(self.kind)

    def order_risks(self, client, external_id):
        """The channel's risk assessments of an order, for ``map_order(risks=)``."""
        return None

    def listed_refund_ids(self, payload):
        """The ids (text) of the refunds an order's payload lists by id only."""
        return []

    def list_refunds(self, client, external_id):
        """The refunds (payload dicts) of an order, read from the channel."""
        return []

    def find_remote_ids(self, client, lines):
        """``{key: {"remote_id": …, "remote_parent_id": …}}`` of the lines without
        a remote id that the channel has by their SKU (kept on the listings before
        the push, so that a failed push does not look them up again)."""
        return {}

    def push_stock(self, client, lines):
        """Send the lines' quantities (``StockLine``, remote ids found); a
        :class:`StockPush`."""
        raise NoApi(self.kind)

    def iter_catalogue(self, client):
        """The channel's catalogue (``CatalogItem``), page after page."""
        return client.iter_catalogue()

    # Whether refunds made in Odoo are sent to the channel.
    pushes_refunds = False
    # Whether only an order the seller ships and nothing of which shipped yet
    # can be cancelled (the caller checks it first).
    cancels_unshipped_only = False

    def push_shipment(self, client, shipment):
        """Tell the channel a :class:`Shipment` shipped; the channel's reference."""
        raise NoApi(self.kind)

    def push_refund(self, client, request):
        """Make the :class:`RefundRequest` in the channel unless its marker is
        there already; (the channel's refund id, the amount it returned)."""
        raise NoApi(self.kind)

    def cancel_order(self, client, cancellation):
        """Cancel the order in the channel; None, or a :class:`CancelSent`."""
        raise NoApi(self.kind)

    def first_pull_since(self, import_from, now):
        """Where a first pull without a cursor starts (None: the whole history)."""
        return None

    def iter_orders(self, client, since=None):
        """The channel's orders (``RemoteOrder``) updated since ``since`` (an
        aware UTC datetime, None for all), in a stable order across pages."""
        raise NoApi(self.kind)
