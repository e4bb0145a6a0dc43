"""The carriers' side of oms_core's HTTP core: their retry policy and errors.

The core (``oms_core/http_core``) sends, retries, renews tokens, types errors and
logs. A carrier call is tried again on connection errors, 429 and 5xx only when it
is safe to repeat (an idempotent method, a quote or a lookup the client declares
idempotent, a call with an idempotency key); a 401 may be cured once by a new
token (``_renew_auth``) without using up an attempt.
"""

try:
    from ...oms_core import http_core
except ImportError:  # imported on its own by the unit tests (addons/ on sys.path)
    from oms_core import http_core

import hashlib
import uuid

from .errors import CARRIER_ERRORS, CarrierError

DEFAULT_TIMEOUT = http_core.DEFAULT_TIMEOUT
RetryPolicy = http_core.RetryPolicy  # the core's defaults are the carriers'
excerpt = http_core.excerpt
new_session = http_core.new_session
RemoteClient = http_core.RemoteClient
NO_RETRY = RetryPolicy(max_attempts=1)


class HttpClient(http_core.HttpClient):
    """Base of the REST carrier clients."""

    system = "carrier"
    errors = CARRIER_ERRORS


class OAuthClient(HttpClient):
    """Base of the carrier clients whose calls carry an OAuth client-credentials
    bearer token (UPS, FedEx): kept until shortly before it expires, in a token
    store clients of the same credentials may share, and fetched again once when
    a call answers 401. A subclass says how the token is asked for
    (:meth:`_token_response`)."""

    token_margin = 60.0  # seconds before expiry when a token is renewed
    production_url = ""

    def __init__(
        self,
        client_id,
        client_secret,
        account_number,
        base_url=None,
        token_store=None,
        **transport,
    ):
        """``base_url``: the carrier's production URL unless given. ``token_store``:
        a mapping where tokens are kept between clients of the same credentials
        (the Odoo side passes one per process, so that each call does not ask for
        a token of its own); one of this client's by default. ``transport``: see
        :class:`RemoteClient`."""
        super().__init__(base_url or self.production_url, **transport)
        self.account_number = account_number
        self._credentials = (client_id, client_secret)
        self._tokens = {} if token_store is None else token_store
        secret = hashlib.sha256(f"{client_id}\0{client_secret}".encode()).hexdigest()
        self._token_key = (self.base_url, secret)  # never the secret itself

    def _token_response(self):
        """The answer of the carrier's token endpoint (``authenticate=False``)."""
        raise NotImplementedError

    def access_token(self):
        """A valid bearer token, fetched when none is kept or it is about to expire."""
        token, expires = self._tokens.get(self._token_key) or (None, 0.0)
        if token and self.clock() < expires - self.token_margin:
            return token
        response = self._token_response()
        data = response.json() or {}
        self.ensure(data.get("access_token"), "no access token in the answer", response)
        try:
            lifetime = float(data.get("expires_in") or 0)
        except (TypeError, ValueError):
            lifetime = 0.0
        self._tokens[self._token_key] = (data["access_token"], self.clock() + lifetime)
        return data["access_token"]

    def _prepare(self, headers):
        """The bearer token, and our request id (logged) in the first of
        ``request_id_headers`` unless the call gave one."""
        headers["Authorization"] = f"Bearer {self.access_token()}"
        headers.setdefault(self.request_id_headers[0], uuid.uuid4().hex)
        return headers

    def _renew_auth(self, response):
        # expired or revoked on the carrier's side: fetch a new one, once
        self._tokens.pop(self._token_key, None)
        return True


def call_with_retries(call, policy, sleep, rng):
    """``call()`` (raising carrier errors), tried again as ``policy`` allows."""
    return http_core.call_with_retries(call, policy, sleep, rng, CARRIER_ERRORS)


__all__ = [
    "DEFAULT_TIMEOUT",
    "NO_RETRY",
    "CarrierError",
    "HttpClient",
    "OAuthClient",
    "RemoteClient",
    "RetryPolicy",
    "call_with_retries",
    "excerpt",
    "new_session",
]
