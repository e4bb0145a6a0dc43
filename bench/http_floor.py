"""The machine's floor for ``webhook_ack.py``: a WSGI app that does nothing.

Odoo's threaded server (``make run``) is Werkzeug's threaded WSGI server. This
script serves, on that same server, an app that reads the body and answers ``{}``
with no database, no session and no signature check. What ``webhook_ack.py``
measures against it is the best any webhook endpoint inside Odoo's server can do
on this machine with that client:

    .venv/bin/python bench/http_floor.py --port 8099      # in one terminal
    .venv/bin/python bench/webhook_ack.py --url http://127.0.0.1:8099 --channel-id 1

Stop it with Ctrl-C.
"""

import argparse
import contextlib

from werkzeug.serving import make_server


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"serving a no-op WSGI app on http://{args.host}:{args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
