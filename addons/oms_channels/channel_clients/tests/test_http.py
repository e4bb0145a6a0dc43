"""The shared HTTP layer: which calls are retried, how long it waits, what errors say."""

import email.utils
import time

import pytest

from tests.simulators.base import Response, route
from tests.simulators.shopify import ChannelSimulator

from .._http import HttpClient, RetryPolicy, http_core, parse_retry_after
from ..errors import (
    ChannelConnectionError,
    ChannelError,
    ChannelRateLimitError,
    ChannelServerError,
    ChannelValidationError,
)
from .fakes import FakeClock


class Things(ChannelSimulator):
    def __init__(self):
        super().__init__()
        self.created = []

    @route("POST", r"/things")
    def new_thing(self, request):
        self.created.append(request.json())
        return Response(201, {"id": len(self.created)}, headers={"X-Request-Id": "req-42"})

    @route("PUT", r"/things/1")
    def replace(self, request):
        return Response(422, {"message": "name is too long"}, headers={"X-Request-Id": "req-7"})


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sim():
    with Things() as simulator:
        yield simulator


def test_post_is_not_retried_on_5xx(sim, clock):
    sim.fail_next(503, path="/things")
    client = HttpClient(sim.url, sleep=clock.sleep)
    with pytest.raises(ChannelServerError):
        client.request("POST", "things", json={"a": 1})
    assert len(sim.received) == 1
    assert clock.sleeps == []


def test_post_with_an_idempotency_key_is_retried(sim, clock):
    sim.fail_next(503, path="/things")
    client = HttpClient(sim.url, sleep=clock.sleep)
    response = client.request("POST", "things", json={"a": 1}, idempotency_key="order-7-push")
    assert response.status == 201
    assert response.request_id == "req-42"
    assert [r.headers["idempotency-key"] for r in sim.received] == ["order-7-push"] * 2
    assert sim.created == [{"a": 1}]


def test_post_is_retried_after_429_since_nothing_was_done(sim, clock):
    sim.fail_next(429, path="/things", headers={"Retry-After": "1"})
    client = HttpClient(sim.url, sleep=clock.sleep)
    assert client.request("POST", "things", json={"a": 1}).status == 201
    assert sim.created == [{"a": 1}]
    assert 1 <= clock.sleeps[0] <= 1.25


def test_a_retry_after_beyond_the_limit_is_left_to_the_job_system(sim, clock):
    sim.fail_next(503, path="/things", headers={"Retry-After": "3600"})
    client = HttpClient(sim.url, sleep=clock.sleep)
    with pytest.raises(ChannelServerError) as caught:
        client.request("GET", "things")
    assert caught.value.retry_after == 3600
    assert clock.sleeps == []


def test_post_is_not_retried_on_connection_errors(clock):
    with Things() as sim:
        url = sim.url
    client = HttpClient(url, sleep=clock.sleep)
    with pytest.raises(ChannelConnectionError):
        client.request("POST", "things", json={})
    assert clock.sleeps == []


def test_validation_error_carries_message_status_request_id_and_excerpt(sim, clock):
    client = HttpClient(sim.url, sleep=clock.sleep)
    with pytest.raises(ChannelValidationError) as caught:
        client.request("PUT", "things/1", json={"name": "x" * 1000})
    error = caught.value
    assert (error.status, error.request_id) == (422, "req-7")
    assert error.body_excerpt == '{"message": "name is too long"}'
    assert str(error).startswith("channel refused the request: name is too long · HTTP 422")
    assert not error.transient


def test_backoff_grows_within_jitter_and_is_capped():
    policy = RetryPolicy(backoff_base=1, backoff_max=5, jitter=0.25)

    class Fixed:
        def __init__(self, value):
            self.value = value

        def random(self):
            return self.value

    assert [policy.backoff(n, Fixed(0.5)) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]
    assert policy.backoff(1, Fixed(0.0)) == 0.75
    assert policy.backoff(1, Fixed(1.0)) == 1.25


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("2.0") == 2.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= parse_retry_after(later) <= 30


def test_channel_errors_are_the_http_cores_kinds_under_the_channels_names(sim, clock):
    client = HttpClient(sim.url, sleep=clock.sleep)
    with pytest.raises(ChannelValidationError) as caught:
        client.request("PUT", "things/1", json={})
    assert isinstance(caught.value, http_core.RemoteValidationError)
    sim.fail_next(429, times=11, path="/things", headers={"Retry-After": "1"})
    with pytest.raises(ChannelRateLimitError) as caught:
        client.request("POST", "things", json={"a": 1})
    assert isinstance(caught.value, ChannelError)
    assert isinstance(caught.value, http_core.RemoteRateLimitError)
    assert caught.value.transient
    assert len(clock.sleeps) == 10, "the channels' policy waits out ten 429s"
    assert sim.created == []
