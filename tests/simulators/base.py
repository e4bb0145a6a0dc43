"""A small threaded HTTP server to build simulators on.

A simulator subclasses :class:`Simulator`, declares its routes with
:func:`route` and keeps whatever state it needs. Tests start it with ``with``,
point a client at ``simulator.url`` and then assert on ``simulator.received``
(every request, in order) and on the simulator's own state.

Faults are injected per test: :meth:`Simulator.fail_next` answers the next
matching requests with an error (a 429 with ``Retry-After``, a 503...), and
:meth:`Simulator.delay_next` answers them late, after doing the work, as a
service does when the client times out after the service accepted the call.
"""

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the simulator received it."""

    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: bytes | str | dict | list | None = None
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self):
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode()
        if isinstance(self.body, str):
            return self.body.encode()
        return self.body or b""


def route(method, pattern):
    """Declare a handler: ``@route("GET", r"/orders/(?P<order_id>\\d+)\\.json")``.

    The handler gets the :class:`Request` and the named groups as keyword
    arguments and returns a :class:`Response`.
    """

    def decorate(function):
        function._route = (method.upper(), re.compile(pattern + r"\Z"))
        return function

    return decorate


@dataclass
class _Fault:
    method: str | None
    pattern: re.Pattern | None
    times: int
    response: Response | None = None
    delay: float = 0.0

    def matches(self, request):
        if self.method and self.method != request.method:
            return False
        return not self.pattern or bool(self.pattern.search(request.path))


class Simulator:
    """Base of the simulators: routing, request log, faults, start and stop."""

    def __init__(self):
        self.received = []
        self.lock = threading.RLock()
        self._faults = []
        self._routes = [
            (*getattr(type(self), name)._route, getattr(self, name))
            for name in dir(type(self))
            if hasattr(getattr(type(self), name, None), "_route")
        ]
        self._server = None
        self._thread = None

    # --- life cycle ------------------------------------------------------------
    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port=0):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Answer at once instead of waiting for the client's delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # keep test output clean
                pass

            def _handle(self):
                simulator._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # --- fault injection -------------------------------------------------------
    def fail_next(self, status, times=1, method=None, path=None, body=None, headers=None):
        """Answer the next ``times`` matching requests with ``status`` instead."""
        response = Response(status=status, body=body, headers=headers or {})
        with self.lock:
            self._faults.append(
                _Fault(method, re.compile(path) if path else None, times, response=response)
            )

    def delay_next(self, seconds, times=1, method=None, path=None):
        """Do the work of the next matching requests, then answer ``seconds`` late."""
        with self.lock:
            self._faults.append(
                _Fault(method, re.compile(path) if path else None, times, delay=seconds)
            )

    def requests_to(self, method, path_pattern):
        """The received requests whose method and path match."""
        pattern = re.compile(path_pattern)
        return [r for r in self.received if r.method == method and pattern.search(r.path)]

    # --- serving ---------------------------------------------------------------
    def _take_fault(self, request):
        with self.lock:
            for fault in self._faults:
                if fault.times > 0 and fault.matches(request):
                    fault.times -= 1
                    return fault
        return None

    def _serve(self, handler):
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method=handler.command,
            path=parts.path,
            query={k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        with self.lock:
            self.received.append(request)
        fault = self._take_fault(request)
        if fault and fault.response:
            response = fault.response
        else:
            response = self._dispatch(request)
            if fault and fault.delay:
                time.sleep(fault.delay)
        payload = response.encoded()
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", response.content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                handler.send_header(name, str(value))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): the work is done all the same

    def _dispatch(self, request):
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if not match:
                continue
            allowed = True
            if method == request.method:
                with self.lock:
                    return handler(request, **match.groupdict())
        if allowed:
            return Response(405, {"errors": "method not allowed"})
        return Response(404, {"errors": "Not Found"})
