"""Webhook intake ahead of Odoo's request dispatch, for the common delivery.

Opt-in (this addon): without it, oms_channels' route
(``ChannelWebhookController.receive``) answers every delivery through Odoo's
dispatch, with the same answers and the same records.

A channel sends its webhooks in bursts and wants its 200 at once. Most of the
time Odoo spends on a request goes to its dispatch (request and session,
registry checks, routing, environment, access checks) and to borrowing a
connection from its pool, not to what a delivery needs. The intake wraps Odoo's
WSGI application (``odoo.http.Application.__call__``, replaced when this module
is imported) and answers the common delivery itself:

- the channel is active, of a kind that signs its webhooks, and the signature
  of the raw body matches its ``webhook_secret``;
- the body is a JSON object that names its order;
- it is not in the inbox yet.

It is then stored exactly as ``oms.channel.inbox._oms_store`` stores it, on a
connection of the intake's own, in one statement: an insert that checks the
channel (active, kind, secret as the intake last read them) and that its
import job waits. When no import job waits (the first delivery
since the last import started), the delivery is stored and the job queued
through the ORM instead, on one of Odoo's cursors.

Every other request (another path or database, a bad signature, a body that is
too large or not JSON, a redelivery, a database error) goes on to Odoo's own
route, which answers everything as specified. Answers are the same either way.

Nothing is read before the declared length is known to be within the route's
limit and the channel of the URL is known to be active and of a kind that
signs its webhooks (from what the intake last read of it, else one query).

The intake's connections (``ConnectionPool``) are few, per process and
database: ``MAX_CONNECTIONS`` (6), or ``oms_intake_max_connections`` in Odoo's
configuration file (0 turns the intake off). A delivery that finds them all busy for
``POOL_WAIT`` seconds goes on to Odoo's route. Each connection gives up
connecting after ``CONNECT_TIMEOUT`` seconds and each statement after
``STATEMENT_TIMEOUT_MS``; they are closed when Odoo closes the database's
connections (``odoo.sql_db.close_db``, also wrapped: a database dropped, renamed or
duplicated) and when the database's registry is replaced (a database
restored, modules installed, updated or uninstalled).

The intake serves only the database Odoo serves without a session: the one
``db_name`` names, without ``dbfilter``, once its registry is loaded with this
addon. It is installed when the addon is imported (when a database with the
addon is loaded, or a test runner imports it); for a database whose registry
does not have the addon (never installed, or uninstalled) it passes every
request on.
"""

import contextlib
import hashlib
import io
import json
import logging
import re
import threading
import time
import weakref

import psycopg2
from werkzeug.datastructures import EnvironHeaders

import odoo
from odoo.modules.registry import Registry
from odoo.tools import config

from odoo.addons.oms_channels.channel_connectors import connector_class
from odoo.addons.oms_channels.controllers.webhook import MAX_BODY_BYTES
from odoo.addons.oms_channels.models.oms_channel import import_job_key

_logger = logging.getLogger(__name__)

PATH = re.compile(r"/oms/channels/(\d+)/webhook")
# The intake's own connections per process and database, unless Odoo's
# configuration file says otherwise (``oms_intake_max_connections``; 0 turns
# the intake off: every delivery takes Odoo's route).
MAX_CONNECTIONS = 6
# Seconds a delivery waits for one of them before going on to Odoo's route.
POOL_WAIT = 1.0
# Seconds to connect, milliseconds per statement (the insert, the channel read).
CONNECT_TIMEOUT = 5
STATEMENT_TIMEOUT_MS = 5000
# The states in which queue_job counts a job as waiting (``identity_key``).
WAITING_JOB_STATES = ("wait_dependencies", "pending", "enqueued")
NO_JOB = object()


def served_database():
    """The database a request without a session goes to, when there is one only."""
    names = [name.strip() for name in (config["db_name"] or "").split(",") if name.strip()]
    if config["dbfilter"] or len(names) != 1:
        return None
    return names[0]


ADDON = "oms_fast_intake"
# Per process and database: channel id -> (kind, webhook secret) as last read.
# Only a hint: the insert checks them against the channel row.
_channels = {}

INSERT_DELIVERY = """
    INSERT INTO oms_channel_inbox (
        channel_id, company_id, source, topic, external_id, version,
        channel_updated_at, body, state, create_date, write_date
    )
    SELECT
        id, company_id, 'webhook', %(topic)s, %(external_id)s, %(key)s,
        %(version)s, %(body)s, 'received',
        now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM oms_channel
    WHERE id = %(channel_id)s AND active
        AND channel_type = %(channel_type)s AND webhook_secret = %(secret)s
        AND (NOT %(job_needed)s OR EXISTS(
            SELECT 1 FROM queue_job WHERE identity_key = %(job_key)s AND state IN %(waiting)s
        ))
    ON CONFLICT (channel_id, external_id, version) DO NOTHING
    RETURNING id
"""


def parse_delivery(channel_type, secret, environ, raw):
    """The inbox values of a delivery signed with ``secret``, or None when it is
    not the common case (signature, UTF-8 JSON object that names its order).
    What the signature, topic and order are, the channel kind's connector says."""
    connector = connector_class(channel_type)()
    headers = EnvironHeaders(environ)
    if not connector.verify_webhook(headers, raw, secret):
        return None
    try:
        text = raw.decode("utf-8")
        payload = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError included
        return None
    if connector.webhook_problem(payload):
        return None
    external_id, version, missing = connector.identify(payload)
    if missing is not None:
        return None
    return {
        "channel_type": channel_type,
        "secret": secret,
        "topic": connector.webhook_topic(headers),
        "external_id": external_id,
        "key": version or "sha256:" + hashlib.sha256(text.encode()).hexdigest(),
        "version": version,
        "body": text,
    }


def insert_delivery(cr, channel_id, delivery, job_needed):
    """Insert the delivery if the channel is still active with that kind and
    secret (and, when ``job_needed``, its import job waits), and if it is not in
    the inbox yet; returns the inbox id, or None."""
    cr.execute(
        INSERT_DELIVERY,
        dict(
            delivery,
            channel_id=channel_id,
            job_needed=job_needed,
            job_key=import_job_key(channel_id),
            waiting=WAITING_JOB_STATES,
        ),
    )
    row = cr.fetchone()
    return row[0] if row else None


def store_delivery(cr, channel_id, environ, raw, queue_import=None):
    """Store the delivery if it is the common case; returns the inbox id, or
    None when Odoo's route must answer, or NO_JOB when no import job waits and
    no ``queue_import`` is given (nothing is written in both cases).

    ``queue_import(cr, channel_id)`` queues the channel's import job, on the
    same cursor, when none waits.

    The common delivery takes one statement: the insert, with the channel's
    kind and secret as last read, which the insert checks. Anything else (the
    first delivery, a changed channel, no job waiting, a redelivery) reads the
    channel again and decides."""
    cache_key = _cache_key(cr, channel_id)
    known = _channels.get(cache_key)
    if known and not queue_import:
        delivery = parse_delivery(*known, environ, raw)
        inbox_id = delivery and insert_delivery(cr, channel_id, delivery, job_needed=True)
        if inbox_id:
            return inbox_id
    row = read_channel(cr, channel_id, with_job=True)
    if not row:
        return None
    channel_type, secret, job_waiting = row
    delivery = parse_delivery(channel_type, secret, environ, raw)
    if not delivery:
        return None
    if not job_waiting and not queue_import:
        return NO_JOB
    inbox_id = insert_delivery(cr, channel_id, delivery, job_needed=False)
    if inbox_id and not job_waiting:
        queue_import(cr, channel_id)
    return inbox_id


def _cache_key(cr, channel_id):
    return (getattr(cr, "dbname", None) or cr.connection.info.dbname, channel_id)


def read_channel(cr, channel_id, with_job=False):
    """(kind, webhook secret[, whether its import job waits]) of the channel if
    it is active and of a kind that signs its webhooks, else None; what the
    intake knows of it is updated."""
    cr.execute(
        """
        SELECT channel_type, webhook_secret, %s AND EXISTS(
            SELECT 1 FROM queue_job WHERE identity_key = %s AND state IN %s
        )
        FROM oms_channel WHERE id = %s AND active
        """,
        [with_job, import_job_key(channel_id), WAITING_JOB_STATES, channel_id],
    )
    row = cr.fetchone()
    cache_key = _cache_key(cr, channel_id)
    connector = row and connector_class(row[0])
    if not connector or not connector.receives_webhooks() or not row[1]:
        _channels.pop(cache_key, None)
        return None
    _channels[cache_key] = row[:2]
    return row if with_job else row[:2]


def queue_import(cr, channel_id):
    """Queue the channel's webhook import job through the ORM (queue_job), on
    an up-to-date registry (as Odoo's dispatch makes sure of)."""
    Registry(cr.dbname).check_signaling(cr)
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    env["oms.channel"].browse(channel_id)._oms_queue_webhook_import()


class PoolTimeout(Exception):
    """No connection of the intake's own came free in time (or it has none)."""


def max_connections():
    """The intake's cap on its own connections, per process and database."""
    value = config.get("oms_intake_max_connections")
    return MAX_CONNECTIONS if value in (None, "") else int(value)


class ConnectionPool:
    """The intake's own few connections to one database, kept open.

    Odoo's pool resets each connection it lends, under a lock all its threads
    share; under a burst of deliveries most of the time went to waiting for it.
    Here a connection is taken and given back without a round trip, and a
    request waits (a little) for one when all are busy. There are never more
    than ``size``; each has a connect and a statement timeout. Once closed, the
    pool closes its idle connections, and the busy ones as they come back.
    """

    def __init__(self, database, size=None, registry=None):
        self.database = database
        self.size = max_connections() if size is None else size
        # The registry the pool serves: another one for the database (restored,
        # modules changed) gets a new pool. Weak: a pool keeps no registry alive.
        self.registry = weakref.ref(registry) if registry is not None else None
        self.closed = False
        self._idle = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.size) if self.size > 0 else None

    def connect(self):
        _dbname, info = odoo.sql_db.connection_info_for(self.database)
        connection = psycopg2.connect(**{**info, "connect_timeout": CONNECT_TIMEOUT})
        try:
            # Each statement its own transaction: the insert is the only
            # write, and no BEGIN / COMMIT round trips are spent.
            connection.autocommit = True
            with connection.cursor() as cr:
                cr.execute("SET statement_timeout = %s", [STATEMENT_TIMEOUT_MS])
        except BaseException:
            connection.close()
            raise
        return connection

    @contextlib.contextmanager
    def cursor(self):
        """A cursor in autocommit: each statement is committed as it runs."""
        if self.closed or not self._slots or not self._slots.acquire(timeout=POOL_WAIT):
            raise PoolTimeout(self.database)
        connection = None
        try:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                connection = self.connect()
            with connection.cursor() as cr:
                yield cr
            with self._lock:
                if not self.closed:
                    self._idle.append(connection)
                    connection = None
            if connection is not None:
                connection.close()
        except BaseException:
            if connection is not None:
                connection.close()
            raise
        finally:
            self._slots.release()

    def close(self):
        """Close the idle connections now, the busy ones when given back."""
        with self._lock:
            self.closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        if idle:
            _logger.info("Webhook intake: %s connections to %s closed", len(idle), self.database)


_pools = {}
_pools_lock = threading.Lock()


def pool_for(registry):
    """The intake's pool for the registry's database; a pool of another registry
    of that database (restored, modules installed) is closed and replaced."""
    with _pools_lock:
        pool = _pools.get(registry.db_name)
        if pool is not None and (pool.registry is None or pool.registry() is not registry):
            pool.close()
            pool = None
        if pool is None:
            pool = _pools[registry.db_name] = ConnectionPool(registry.db_name, registry=registry)
    return pool


def close_pool(database):
    """Close the intake's connections to ``database`` (dropped, renamed...)."""
    with _pools_lock:
        pool = _pools.pop(database, None)
    if pool is not None:
        pool.close()


def _cursor(registry):
    """A cursor for the intake's work: Odoo's own while tests hold the database
    in one transaction, else one of the intake's pool."""
    if registry.in_test_mode():
        return registry.cursor()
    return pool_for(registry).cursor()


def _delivery_target(environ):
    """(registry, channel id, declared length) of a webhook delivery the intake
    may take, from its path, method and headers alone; else None."""
    match = PATH.fullmatch(environ.get("PATH_INFO") or "")
    if not match or environ.get("REQUEST_METHOD") != "POST":
        return None
    database = served_database()
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY_BYTES or database not in Registry.registries:
        return None
    registry = Registry.registries[database]
    if not registry.ready or ADDON not in registry._init_modules:
        return None  # the addon is not (or no longer) installed in the database
    if max_connections() <= 0 and not registry.in_test_mode():
        return None  # the intake is turned off
    return registry, int(match.group(1)), length


def _known_before_reading(registry, channel_id):
    """Whether the channel may be sent webhooks, known before the body is read:
    from what the intake last read of it (the insert checks it), else read now."""
    if (registry.db_name, channel_id) in _channels:
        return True
    try:
        with _cursor(registry) as cr:
            return read_channel(cr, channel_id) is not None
    except PoolTimeout:
        _logger.info("Channel %s: intake connections busy, webhook left to Odoo", channel_id)
    except psycopg2.Error:
        _logger.info("Channel %s: webhook left to Odoo's route", channel_id, exc_info=True)
    return False


def answer(environ, start_response):
    """Answer the request if it is a common webhook delivery; returns the WSGI
    body, or None when Odoo must answer (the body can then be read again)."""
    target = _delivery_target(environ)
    if target is None:
        return None
    registry, channel_id, length = target
    thread = threading.current_thread()
    thread.dbname, thread.query_count, thread.query_time = registry.db_name, 0, 0
    thread.perf_t0 = time.time()
    if not _known_before_reading(registry, channel_id):
        return None
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        with _cursor(registry) as cr:
            inbox_id = store_delivery(cr, channel_id, environ, raw)
        if inbox_id is NO_JOB:
            # The first delivery since the last import started: the job is
            # queued through the ORM, on a cursor of Odoo's, with the payload.
            with registry.cursor() as cr:
                inbox_id = store_delivery(cr, channel_id, environ, raw, queue_import)
    except PoolTimeout:
        _logger.info("Channel %s: intake connections busy, webhook left to Odoo", channel_id)
        return None
    except psycopg2.Error:
        _logger.info("Channel %s: webhook left to Odoo's route", channel_id, exc_info=True)
        return None
    except Exception:
        _logger.exception("Channel %s: webhook intake failed, left to Odoo's route", channel_id)
        return None
    if inbox_id is None:
        return None
    body = json.dumps({"status": "received", "inbox_id": inbox_id}).encode()
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ]
    start_response("200 OK", headers)
    return [body]


def install():
    """Put the intake in front of Odoo's WSGI application, once per process."""
    application = odoo.http.Application
    if getattr(application.__call__, "oms_webhook_intake", False):
        return
    dispatch = application.__call__

    def __call__(self, environ, start_response):
        response = answer(environ, start_response)
        return dispatch(self, environ, start_response) if response is None else response

    __call__.oms_webhook_intake = True
    application.__call__ = __call__

    # Odoo closes a database's connections before it drops, renames or
    # duplicates it: the intake's go too (else DROP DATABASE may find one).
    close_db = odoo.sql_db.close_db

    def close_db_and_intake(db_name):
        close_pool(db_name)
        return close_db(db_name)

    close_db_and_intake.oms_webhook_intake = True
    odoo.sql_db.close_db = close_db_and_intake
