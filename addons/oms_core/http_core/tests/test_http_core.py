"""The HTTP core against a local service: which calls are retried and how long the
client waits, token renewal, typed errors, what the log line shows."""

import logging
import random
from types import SimpleNamespace

import pytest
import requests

from tests.simulators.base import Response, route
from tests.simulators.shopify import ChannelSimulator

from .. import (
    NO_RETRY,
    ErrorKinds,
    HttpClient,
    RemoteAuthError,
    RemoteConnectionError,
    RemoteError,
    RemoteNotFoundError,
    RemoteRateLimitError,
    RemoteResponseError,
    RemoteServerError,
    RemoteValidationError,
    RetryPolicy,
    call_with_retries,
    new_session,
)

TOKEN = "tok-secret-1"
NEW_TOKEN = "tok-secret-2"
API_KEY = "key-secret-9"


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class Service(ChannelSimulator):
    """Parcels behind a bearer token; a refreshed token is the only valid one after
    ``expire()``."""

    def __init__(self):
        super().__init__()
        self.valid_tokens = {TOKEN}
        self.created = []
        self.tokens_issued = 0

    def expire(self):
        self.valid_tokens = {NEW_TOKEN}

    def _authorised(self, request):
        return request.headers.get("authorization", "").removeprefix("Bearer ") in (
            self.valid_tokens
        )

    @route("POST", r"/token")
    def token(self, request):
        self.tokens_issued += 1
        return Response(200, {"access_token": NEW_TOKEN})

    @route("GET", r"/parcels/(?P<number>\w+)")
    def parcel(self, request, number):
        if not self._authorised(request):
            return Response(401, {"message": "token expired"})
        if number == "missing":
            return Response(404, {"message": "no such parcel"})
        return Response(200, {"number": number}, headers={"X-Request-Id": f"req-{number}"})

    @route("POST", r"/parcels")
    def new_parcel(self, request):
        if not self._authorised(request):
            return Response(401, {"message": "token expired"})
        body = request.json()
        if not body.get("weight"):
            return Response(422, {"message": "weight is missing"}, headers={"X-Request-Id": "r9"})
        self.created.append(body)
        return Response(201, {"id": len(self.created)})

    @route("GET", r"/garbage")
    def garbage(self, request):
        return Response(200, b"<html>not json</html>", content_type="text/html")


class ParcelClient(HttpClient):
    system = "Parcels"

    def __init__(self, base_url, **kwargs):
        super().__init__(base_url, **kwargs)
        self.token = TOKEN

    def _prepare(self, headers):
        headers["Authorization"] = f"Bearer {self.token}"

    def _renew_auth(self, response):
        answer = self.request("POST", "token", authenticate=False, idempotent=True)
        self.token = answer.json()["access_token"]
        return True

    def _read_error(self, data):
        return data.get("message", ""), data.get("code"), ()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim():
    with Service() as simulator:
        yield simulator


def client_for(sim, clock, **kwargs):
    return ParcelClient(sim.url, sleep=clock.sleep, clock=clock, rng=random.Random(7), **kwargs)


# --- which calls are tried again --------------------------------------------------------
def test_a_429_is_waited_out_as_long_as_retry_after_says(sim, clock):
    sim.fail_next(429, path="/parcels/", headers={"Retry-After": "7"})
    response = client_for(sim, clock).request("GET", "parcels/A1")
    assert response.json() == {"number": "A1"}
    assert len(sim.received) == 2
    (wait,) = clock.sleeps
    assert 7 <= wait <= 7 * 1.25


def test_a_retry_after_beyond_the_policy_is_left_to_the_job_system(sim, clock):
    sim.fail_next(429, path="/parcels/", headers={"Retry-After": "600"})
    with pytest.raises(RemoteRateLimitError) as caught:
        client_for(sim, clock).request("GET", "parcels/A1")
    assert caught.value.retry_after == 600
    assert caught.value.transient
    assert (len(sim.received), clock.sleeps) == (1, [])


@pytest.mark.parametrize("status", [502, 503])
def test_a_5xx_is_tried_again_on_an_idempotent_call(sim, clock, status):
    sim.fail_next(status, times=2, path="/parcels/")
    assert client_for(sim, clock).request("GET", "parcels/A1").status == 200
    assert len(sim.received) == 3
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize("status", [429, 502, 503])
def test_a_post_is_not_tried_again_unless_the_caller_says_it_may(sim, clock, status):
    sim.fail_next(status, path="/parcels")
    with pytest.raises(RemoteError) as caught:
        client_for(sim, clock).request("POST", "parcels", json={"weight": 2})
    assert caught.value.status == status
    assert len(sim.received) == 1
    assert (sim.created, clock.sleeps) == ([], [])


@pytest.mark.parametrize(
    "marks", [{"idempotent": True}, {"idempotency_key": "shipment-7"}], ids=["idempotent", "key"]
)
def test_a_post_marked_safe_to_repeat_is_tried_again(sim, clock, marks):
    sim.fail_next(503, path="/parcels")
    response = client_for(sim, clock).request("POST", "parcels", json={"weight": 2}, **marks)
    assert response.status == 201
    assert sim.created == [{"weight": 2}]
    assert len(sim.received) == 2
    if "idempotency_key" in marks:
        assert {r.headers["idempotency-key"] for r in sim.received} == {"shipment-7"}


def test_a_policy_that_waits_out_throttling_retries_a_post_after_a_429(sim, clock):
    policy = RetryPolicy(max_throttle_waits=2)
    sim.fail_next(429, times=2, path="/parcels", headers={"Retry-After": "1"})
    client = client_for(sim, clock, retry=policy)
    assert client.request("POST", "parcels", json={"weight": 2}).status == 201
    assert sim.created == [{"weight": 2}]
    assert len(clock.sleeps) == 2
    sim.fail_next(429, times=3, path="/parcels", headers={"Retry-After": "1"})
    with pytest.raises(RemoteRateLimitError):
        client.request("POST", "parcels", json={"weight": 3})
    assert sim.created == [{"weight": 2}]


def test_the_attempts_are_bounded_by_the_policy(sim, clock):
    sim.fail_next(503, times=10, path="/parcels/")
    client = client_for(sim, clock, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(RemoteServerError):
        client.request("GET", "parcels/A1")
    assert len(sim.received) == 3
    assert len(clock.sleeps) == 2
    with pytest.raises(RemoteServerError):
        client_for(sim, clock, retry=NO_RETRY).request("GET", "parcels/A1")
    assert len(sim.received) == 4


def test_statuses_outside_the_policy_are_not_tried_again(sim, clock):
    sim.fail_next(503, path="/parcels/")
    client = client_for(sim, clock, retry=RetryPolicy(retry_statuses=frozenset({429})))
    with pytest.raises(RemoteServerError):
        client.request("GET", "parcels/A1")
    assert len(sim.received) == 1


def test_no_answer_is_tried_again_on_an_idempotent_call_only(clock):
    with Service() as sim:
        url = sim.url  # nobody listens there any more
    client = ParcelClient(url, sleep=clock.sleep, clock=clock, timeout=(0.5, 0.5))
    with pytest.raises(RemoteConnectionError) as caught:
        client.request("GET", "parcels/A1")
    assert caught.value.transient
    assert len(clock.sleeps) == 3  # four attempts
    clock.sleeps.clear()
    with pytest.raises(RemoteConnectionError):
        client.request("POST", "parcels", json={"weight": 1})
    assert clock.sleeps == []


# --- token renewal -------------------------------------------------------------------------
def test_an_expired_token_is_renewed_once_and_the_call_sent_again(sim, clock):
    client = client_for(sim, clock)
    sim.expire()
    assert client.request("GET", "parcels/A1").json() == {"number": "A1"}
    reads = sim.requests_to("GET", "/parcels/A1")
    assert [r.headers["authorization"] for r in reads] == [
        f"Bearer {TOKEN}",
        f"Bearer {NEW_TOKEN}",
    ]
    assert sim.tokens_issued == 1
    assert clock.sleeps == []


def test_a_token_refused_after_its_renewal_is_an_auth_error(sim, clock):
    client = client_for(sim, clock)
    sim.valid_tokens = set()
    with pytest.raises(RemoteAuthError) as caught:
        client.request("GET", "parcels/A1")
    assert caught.value.status == 401
    assert not caught.value.transient
    assert sim.tokens_issued == 1, "renewed once, not in a loop"
    assert len(sim.requests_to("GET", "/parcels/A1")) == 2


# --- typed errors ------------------------------------------------------------------------
def test_errors_are_typed_and_carry_the_systems_words(sim, clock):
    client = client_for(sim, clock)
    with pytest.raises(RemoteValidationError) as caught:
        client.request("POST", "parcels", json={})
    error = caught.value
    assert (error.status, error.request_id) == (422, "r9")
    assert str(error) == "Parcels refused the request: weight is missing · HTTP 422 · request id r9"
    assert error.body_excerpt == '{"message": "weight is missing"}'
    with pytest.raises(RemoteNotFoundError):
        client.request("GET", "parcels/missing")
    with pytest.raises(RemoteResponseError):
        client.request("GET", "garbage").json()


def test_a_system_gets_its_own_error_classes(sim, clock):
    class ParcelError(RemoteError):
        pass

    class ParcelNotFound(ParcelError, RemoteNotFoundError):
        pass

    class Named(ParcelClient):
        errors = ErrorKinds(base=ParcelError, not_found=ParcelNotFound)

    with pytest.raises(ParcelNotFound) as caught:
        Named(sim.url, sleep=clock.sleep).request("GET", "parcels/missing")
    assert isinstance(caught.value, RemoteNotFoundError)
    assert not caught.value.transient


def test_call_with_retries_repeats_transient_errors_only(clock):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RemoteServerError("down", status=503)
        return "done"

    assert call_with_retries(flaky, RetryPolicy(), clock.sleep, random.Random(1)) == "done"
    assert len(clock.sleeps) == 2

    def refused():
        calls.append(1)
        raise RemoteValidationError("no", status=400)

    calls.clear()
    with pytest.raises(RemoteValidationError):
        call_with_retries(refused, RetryPolicy(), clock.sleep, random.Random(1))
    assert len(calls) == 1


# --- the session and the log ---------------------------------------------------------
def test_the_session_never_retries_behind_the_policys_back():
    session = new_session()
    for prefix in ("https://", "http://"):
        assert session.get_adapter(prefix + "example.com").max_retries.total == 0
    assert isinstance(session, requests.Session)


def test_the_log_line_has_path_status_and_request_id_never_secrets(sim, clock, caplog):
    caplog.set_level(logging.DEBUG, logger=ParcelClient.__module__)
    client = client_for(sim, clock)
    sim.expire()
    client.request("GET", "parcels/A1", params={"api_key": API_KEY})
    text = caplog.text
    assert "GET parcels/A1 → Parcels 401" in text
    assert "GET parcels/A1 → Parcels 200" in text
    assert "request id req-A1" in text
    for secret in (TOKEN, NEW_TOKEN, API_KEY, "api_key"):
        assert secret not in text


def test_waits_back_off_within_jitter_and_honour_retry_after():
    policy = RetryPolicy(backoff_base=1, backoff_max=5, jitter=0.25)
    low, middle, high = (SimpleNamespace(random=lambda v=v: v) for v in (0.0, 0.5, 1.0))
    assert [policy.wait(n, None, middle) for n in range(1, 6)] == [1, 2, 4, 5, 5]
    assert (policy.wait(3, None, low), policy.wait(3, None, high)) == (3, 5)
    assert (policy.wait(1, 10, low), policy.wait(1, 10, high)) == (10, 12.5)
