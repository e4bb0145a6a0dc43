"""`make serve` as a shop runs it: prefork public server, job server, job runner.

Starts ``scripts/serve.sh`` on free ports against a copy of the test database
(``make test`` makes it and names it in ``OMS_SERVE_TEST_DB``), sends signed
Shopify webhooks to the public server and checks that their orders are imported
by jobs that the separate runner handed to the job server, never to the public
server. Then breaks it (issue 24's fault tests): a job worker killed in the
middle of an import, public workers killed right after answering, the runner
killed, the database gone in the middle of an import, a channel down for a
minute; each time every payload ends imported exactly once. Real processes,
real PostgreSQL, real HTTP.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import xmlrpc.client
from pathlib import Path

import psycopg2
import pytest

from odoo.addons.oms_channels.channel_clients.webhooks import sign

from tests.simulators.shopify import ShopifySimulator, generate_orders

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("OMS_SERVE_TEST_DB")
SECRET = "serve-smoke-secret"
START_TIMEOUT = 180  # seconds: two prefork servers loading the registry on 2 cores
IMPORT_TIMEOUT = 120
IMPORT_JOBS = "model_name = 'oms.channel' AND method_name = '_oms_import_webhooks'"

pytestmark = pytest.mark.skipif(
    not DB, reason="needs OMS_SERVE_TEST_DB, a copy of the test database (make test makes it)"
)


def _free_ports():
    """A base port whose base, base + 3, base + 4 and base + 5 are all free."""
    for base in range(18300, 19300, 10):
        ports = (base, base + 3, base + 4, base + 5)
        if all(_free(port) for port in ports):
            return ports
    raise RuntimeError("no free ports for make serve")


def _free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def served():
    http, gevent, jobs, _jobs_gevent = _free_ports()
    logs = ROOT / ".local" / "logs"
    # Odoo appends to its log files: remember where this run starts.
    offsets = {
        name: (logs / name).stat().st_size if (logs / name).exists() else 0
        for name in ("serve-http.log", "serve-jobs.log")
    }
    env = {
        **os.environ,
        "OMS_DB": DB,
        "OMS_HTTP_PORT": str(http),
        "OMS_GEVENT_PORT": str(gevent),
        "OMS_JOB_PORT": str(jobs),
        "OMS_WORKERS": "2",
        "OMS_CRON_WORKERS": "0",
        "OMS_JOB_WORKERS": "1",
        "OMS_SIMULATORS": "0",
    }
    output = open(logs.parent / f"serve-{DB}.out", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        runner = ROOT / ".local" / f"odoo-serve-jobrunner-{DB}.pid"
        while not runner.exists():
            assert process.poll() is None, Path(output.name).read_text()[-3000:]
            assert time.monotonic() < deadline, "make serve did not start in time"
            time.sleep(0.5)
        yield {
            "url": f"http://127.0.0.1:{http}",
            "logs": logs,
            "offsets": offsets,
            "pids": {
                name: ROOT / ".local" / f"odoo-serve{name}-{DB}.pid"
                for name in ("", "-jobs", "-jobrunner")
            },
        }
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output.close()
    for port in (http, gevent, jobs):
        assert _free(port), f"port {port} still held after make serve stopped"


def _rpc(served):
    models = xmlrpc.client.ServerProxy(f"{served['url']}/xmlrpc/2/object", allow_none=True)
    uid = xmlrpc.client.ServerProxy(f"{served['url']}/xmlrpc/2/common").authenticate(
        DB, "admin", "admin", {}
    )
    assert uid, "the test database's admin logs in with admin / admin"
    return lambda model, method, *args, **kw: models.execute_kw(
        DB, uid, "admin", model, method, list(args), kw
    )


def _log_since(served, name):
    with open(served["logs"] / name, encoding="utf-8", errors="replace") as log:
        log.seek(served["offsets"][name])
        return log.read()


def _db():
    connection = psycopg2.connect(
        host="127.0.0.1",
        port=os.environ.get("OMS_PG_PORT", "5488"),
        user=os.environ.get("OMS_PG_USER", "oms"),
        password=os.environ.get("OMS_PG_PASSWORD", "oms"),
        dbname=DB,
    )
    connection.autocommit = True
    return connection


def _query(sql, *args):
    with _db() as connection, connection.cursor() as cr:
        cr.execute(sql, args)
        return cr.fetchall()


def _shopify_channel(served, name):
    call = _rpc(served)
    eur = call("res.currency", "search", [("name", "=", "EUR"), ("active", "in", (True, False))])
    call("res.currency", "write", eur, {"active": True})
    return call(
        "oms.channel",
        "create",
        {"name": name, "channel_type": "shopify", "webhook_secret": SECRET},
    )


def _deliver(served, channel, orders, statuses=None):
    """Send each order as a signed ``orders/create`` webhook. Every answer must be
    200, unless ``statuses`` (a dict) is given: then each order's answer (its HTTP
    status, or the error's name when none came) is put there by order id."""
    for order in orders:
        body = json.dumps(order).encode()
        request = urllib.request.Request(
            f"{served['url']}/oms/channels/{channel}/webhook",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Shopify-Hmac-Sha256": sign(body, SECRET),
                "X-Shopify-Topic": "orders/create",
            },
        )
        if statuses is None:
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
            continue
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses[order["id"]] = response.status
        except urllib.error.HTTPError as error:
            statuses[order["id"]] = error.code
        except OSError as error:
            statuses[order["id"]] = type(error).__name__


def _children(pid):
    """The worker processes of an Odoo prefork master (not its gevent process)."""
    result = []
    for path in Path("/proc").glob("[0-9]*"):
        try:
            status = (path / "status").read_text()
            cmdline = (path / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        if int(ppid) == pid and b"gevent" not in cmdline:
            result.append(int(path.name))
    return result


def _wait_imported(channel, count, timeout=IMPORT_TIMEOUT * 2):
    """Every payload of ``channel`` done; ``count`` orders, each reference once."""
    deadline = time.monotonic() + timeout
    while True:
        states = dict(
            _query(
                "SELECT state, count(*) FROM oms_channel_inbox WHERE channel_id = %s "
                "GROUP BY state",
                channel,
            )
        )
        if states == {"done": count}:
            break
        assert time.monotonic() < deadline, f"not all imported in time: {states}"
        time.sleep(1)
    refs = _query(
        "SELECT oms_external_ref, count(*) FROM sale_order WHERE oms_channel_id = %s "
        "GROUP BY oms_external_ref",
        channel,
    )
    assert len(refs) == count and all(n == 1 for _ref, n in refs), refs
    half_made = _query(
        "SELECT so.name FROM sale_order so WHERE so.oms_channel_id = %s "
        "AND NOT EXISTS (SELECT 1 FROM sale_order_line l WHERE l.order_id = so.id)",
        channel,
    )
    assert not half_made, f"orders without lines: {half_made}"


def test_webhooks_are_answered_by_the_public_server_and_imported_by_the_job_server(served):
    channel = _shopify_channel(served, "Shopify (make serve)")
    since = _query("SELECT now() AT TIME ZONE 'utc'")[0][0]
    orders = generate_orders(4, seed=71, start_id=7100000)
    _deliver(served, channel, orders)
    _wait_imported(channel, len(orders), timeout=IMPORT_TIMEOUT)
    imported = _query(
        "SELECT oms_external_ref FROM sale_order WHERE oms_channel_id = %s ORDER BY 1", channel
    )
    assert [ref for (ref,) in imported] == sorted(str(o["id"]) for o in orders)
    jobs = _query(f"SELECT state FROM queue_job WHERE {IMPORT_JOBS} AND date_created >= %s", since)
    assert jobs and all(state == "done" for (state,) in jobs), jobs

    # The runner handed the import jobs to the job server, never to the public one.
    assert "/queue_job/runjob" in _log_since(served, "serve-jobs.log")
    public = _log_since(served, "serve-http.log")
    assert "/queue_job/runjob" not in public


# --- faults ---------------------------------------------------------------------------------
def test_a_job_worker_killed_in_the_middle_of_an_import_runs_it_again_once(served):
    channel = _shopify_channel(served, "Shopify (job worker killed)")
    since = _query("SELECT now() AT TIME ZONE 'utc'")[0][0]
    orders = generate_orders(120, seed=72, start_id=7200000, lines=3)
    # Held while the webhooks come in, so that the import starts after them.
    runner = int(served["pids"]["-jobrunner"].read_text())
    os.kill(runner, signal.SIGSTOP)
    try:
        _deliver(served, channel, orders)
    finally:
        os.kill(runner, signal.SIGCONT)
    master = int(served["pids"]["-jobs"].read_text())
    deadline = time.monotonic() + IMPORT_TIMEOUT
    while not _query(
        f"SELECT 1 FROM queue_job WHERE {IMPORT_JOBS} AND state = 'started' AND date_created >= %s",
        since,
    ):
        assert time.monotonic() < deadline, "no import job started"
        time.sleep(0.05)
    killed = _children(master)
    assert killed, "the job server has workers"
    for pid in killed:
        os.kill(pid, signal.SIGKILL)  # in the middle of the batch: nothing committed
    _wait_imported(channel, len(orders))
    retried = _query(
        # A job counts its runs: one found dead and run again has run twice.
        f"SELECT count(*) FROM queue_job WHERE {IMPORT_JOBS} AND retry > 1 "
        "AND state = 'done' AND date_created >= %s",
        since,
    )
    assert retried[0][0] >= 1, "the killed job was found dead and run again"


def test_public_workers_killed_right_after_answering_lose_nothing(served):
    channel = _shopify_channel(served, "Shopify (public workers killed)")
    orders = generate_orders(20, seed=73, start_id=7300000)
    _deliver(served, channel, orders)  # each answered 200: stored before the answer
    master = int(served["pids"][""].read_text())
    for pid in _children(master):
        os.kill(pid, signal.SIGKILL)
    _wait_imported(channel, len(orders))


def test_a_runner_killed_is_started_again_and_the_queue_drains(served):
    channel = _shopify_channel(served, "Shopify (runner killed)")
    runner_pid = served["pids"]["-jobrunner"]
    first = int(runner_pid.read_text())
    os.kill(first, signal.SIGKILL)
    orders = generate_orders(20, seed=74, start_id=7400000)
    _deliver(served, channel, orders)  # queued while no runner runs
    deadline = time.monotonic() + 30
    while int(runner_pid.read_text()) == first:
        assert time.monotonic() < deadline, "the runner was not started again"
        time.sleep(0.2)
    _wait_imported(channel, len(orders))


def test_the_database_gone_in_the_middle_of_an_import_loses_nothing(served):
    """PostgreSQL going away as a restart does, for the served database: every
    connection of the servers and the runner cut in the middle of an import batch,
    and no new one accepted for a while; deliveries meanwhile are refused (the
    channel sends them again), never answered 200 and dropped. Afterwards every
    order is imported once and none is half made. (The cluster itself is not
    restarted: the test run's own connections live in it.)"""
    channel = _shopify_channel(served, "Shopify (database gone)")
    since = _query("SELECT now() AT TIME ZONE 'utc'")[0][0]
    orders = generate_orders(120, seed=75, start_id=7500000, lines=3)
    runner = int(served["pids"]["-jobrunner"].read_text())
    os.kill(runner, signal.SIGSTOP)
    try:
        _deliver(served, channel, orders)
    finally:
        os.kill(runner, signal.SIGCONT)
    deadline = time.monotonic() + IMPORT_TIMEOUT
    while not _query(
        f"SELECT 1 FROM queue_job WHERE {IMPORT_JOBS} AND state = 'started' AND date_created >= %s",
        since,
    ):
        assert time.monotonic() < deadline, "no import job started"
        time.sleep(0.05)
    late = generate_orders(5, seed=76, start_id=7600000)
    refused = {}
    with _maintenance() as cr:
        cr.execute(f'ALTER DATABASE "{DB}" WITH ALLOW_CONNECTIONS false')
        try:
            cr.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB],
            )
            assert cr.fetchone()[0] >= 1, "the servers were connected"
            _deliver(served, channel, late, statuses=refused)
            time.sleep(10)
        finally:
            cr.execute(f'ALTER DATABASE "{DB}" WITH ALLOW_CONNECTIONS true')
    assert refused and all(status != 200 for status in refused.values()), refused
    _deliver(served, channel, late)  # the channel's redelivery
    _wait_imported(channel, len(orders) + len(late))


def _maintenance():
    """A connection to the cluster's maintenance database, to act on ``DB``."""
    connection = psycopg2.connect(
        host="127.0.0.1",
        port=os.environ.get("OMS_PG_PORT", "5488"),
        user=os.environ.get("OMS_PG_USER", "oms"),
        password=os.environ.get("OMS_PG_PASSWORD", "oms"),
        dbname="postgres",
    )
    connection.autocommit = True
    return _Closing(connection)


class _Closing:
    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self.connection.cursor()

    def __exit__(self, *exc_info):
        self.connection.close()


def test_a_channel_down_for_a_minute_loses_nothing(served):
    """The shop answers 500 (and once, nothing before the client's timeout) for a
    minute while the pulls go on: each pull fails, saying why, and stores nothing;
    the first pull after the shop is back stores every order, each imported once."""
    call = _rpc(served)
    with ShopifySimulator() as shop:
        orders = shop.add_orders(generate_orders(30, seed=77, start_id=7700000))
        channel = _shopify_channel(served, "Shopify (down for a minute)")
        call(
            "oms.channel",
            "write",
            [channel],
            {
                "api_base_url": shop.url,
                "shopify_access_token": shop.access_token,
                "allow_insecure_http": True,
                "import_orders_from": "2020-01-01 00:00:00",
            },
        )
        shop.delay_next(35, times=1)  # past the client's read timeout (30 s)
        shop.fail_next(500, times=10**6)
        down_until = time.monotonic() + 60
        failures = 0
        while time.monotonic() < down_until:
            with pytest.raises(xmlrpc.client.Fault, match="Pull failed"):
                call("oms.channel", "action_pull_orders", [channel])
            failures += 1
            stored = _query("SELECT count(*) FROM oms_channel_inbox WHERE channel_id = %s", channel)
            assert stored == [(0,)], "a failed pull stores nothing"
            time.sleep(5)
        with shop.lock:
            shop._faults.clear()  # the shop is back
        call("oms.channel", "action_pull_orders", [channel])
        _wait_imported(channel, len(orders))
    assert failures >= 2, failures


def test_no_secret_reaches_the_logs(served):
    """Last: everything above ran; its logs name no webhook secret and no master
    password (issue 24 point 5)."""
    master = (ROOT / ".local" / "master-password").read_text().strip()
    logs = "".join(_log_since(served, name) for name in ("serve-http.log", "serve-jobs.log"))
    runner = (served["logs"] / "serve-jobrunner.log").read_text(errors="replace")
    assert logs, "the servers logged the run"
    for secret in (SECRET, master):
        assert secret not in logs and secret not in runner
