"""`make serve` as a shop runs it: prefork public server, job server, job runner.

Starts ``scripts/serve.sh`` on free ports against a copy of the test database
(``make test`` makes it and names it in ``OMS_SERVE_TEST_DB``), sends signed
Shopify webhooks to the public server and checks that their orders are imported
by jobs that the separate runner handed to the job server, never to the public
server. Real processes, real PostgreSQL, real HTTP.
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

import pytest

from odoo.addons.oms_channels.channel_clients.webhooks import sign

from tests.simulators.shopify import generate_orders

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("OMS_SERVE_TEST_DB")
SECRET = "serve-smoke-secret"
START_TIMEOUT = 180  # seconds: two prefork servers loading the registry on 2 cores
IMPORT_TIMEOUT = 120

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


def _get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


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
        yield {"url": f"http://127.0.0.1:{http}", "logs": logs, "offsets": offsets}
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


def test_webhooks_are_answered_by_the_public_server_and_imported_by_the_job_server(served):
    call = _rpc(served)
    eur = call("res.currency", "search", [("name", "=", "EUR"), ("active", "in", (True, False))])
    call("res.currency", "write", eur, {"active": True})
    channel = call(
        "oms.channel",
        "create",
        {"name": "Shopify (make serve)", "channel_type": "shopify", "webhook_secret": SECRET},
    )
    orders = generate_orders(4, seed=71, start_id=7100000)
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
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200

    deadline = time.monotonic() + IMPORT_TIMEOUT
    while True:
        inbox = call(
            "oms.channel.inbox",
            "search_read",
            [("channel_id", "=", channel)],
            fields=["state", "error_message"],
        )
        if len(inbox) == len(orders) and all(r["state"] == "done" for r in inbox):
            break
        assert time.monotonic() < deadline, f"not imported in {IMPORT_TIMEOUT} s: {inbox}"
        time.sleep(1)
    imported = call(
        "sale.order", "search_read", [("oms_channel_id", "=", channel)], fields=["oms_external_ref"]
    )
    assert sorted(o["oms_external_ref"] for o in imported) == sorted(str(o["id"]) for o in orders)
    jobs = call(
        "queue.job",
        "search_read",
        [("model_name", "=", "oms.channel.inbox"), ("state", "!=", "done")],
        fields=["state", "exc_info"],
    )
    assert not jobs, jobs

    # The runner handed the import jobs to the job server, never to the public one.
    assert "/queue_job/runjob" in _log_since(served, "serve-jobs.log")
    public = _log_since(served, "serve-http.log")
    assert "/queue_job/runjob" not in public
