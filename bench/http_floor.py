"""The machine's floor for ``webhook_ack.py``: a WSGI app that does nothing.

Odoo's threaded server (``make run``) is Werkzeug's threaded WSGI server. This
script serves, on that same server, an app that reads the body and answers ``{}``
with no database, no session and no signature check. What ``webhook_ack.py``
measures against it is the best any webhook endpoint inside Odoo's server can do
on this machine with that client:

    .venv/bin/python bench/http_floor.py --port 8099      # in one terminal
    .venv/bin/python bench/webhook_ack.py --url http://127.0.0.1:8099 --channel-id 1

``--odoo`` serves the same app on Odoo's own threaded server instead (its
request handler, a thread per connection, its request log line through Odoo's
logging), with no database: the floor of any webhook endpoint in Odoo's server,
the opt-in webhook intake (addon oms_fast_intake) included. Give it
``--logfile`` to log as a server does, to a file.

Stop it with Ctrl-C.
"""

import argparse
import contextlib

from werkzeug.serving import make_server

from odoo import netsvc
from odoo.service.server import ThreadedWSGIServerReloadable
from odoo.tools import config


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def odoo_server(args):
    """Odoo's threaded HTTP server, set up as ``odoo-bin`` sets it up, serving ``app``."""
    config.parse_config(["--logfile", args.logfile] if args.logfile else [])
    netsvc.init_logger()
    return ThreadedWSGIServerReloadable(args.host, args.port, app)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--odoo", action="store_true", help="on Odoo's threaded server")
    parser.add_argument("--logfile", help="with --odoo: Odoo's log file")
    args = parser.parse_args()
    if args.odoo:
        server = odoo_server(args)
    else:
        server = make_server(args.host, args.port, app, threaded=True)
    print(f"serving a no-op WSGI app on http://{args.host}:{args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
