"""The carriers' HTTP layer: oms_core's HTTP core with the carriers' policy and names."""

import pytest

from tests.simulators.base import Response, route
from tests.simulators.shopify import ChannelSimulator

from .._http import NO_RETRY, HttpClient, RetryPolicy
from ..errors import CarrierError, CarrierRateLimitError, CarrierServerError


class Labels(ChannelSimulator):
    def __init__(self):
        super().__init__()
        self.bought = []

    @route("POST", r"/labels")
    def buy(self, request):
        self.bought.append(request.json())
        return Response(201, {"id": len(self.bought)})

    @route("GET", r"/labels/1")
    def label(self, request):
        return Response(200, {"id": 1})


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sim():
    with Labels() as simulator:
        yield simulator


def test_a_label_bought_with_a_post_is_never_bought_twice_after_a_429(sim):
    sleep = Sleeps()
    sim.fail_next(429, path="/labels", headers={"Retry-After": "1"})
    with pytest.raises(CarrierRateLimitError) as caught:
        HttpClient(sim.url, sleep=sleep).request("POST", "labels", json={"parcel": 1})
    assert isinstance(caught.value, CarrierError)
    assert caught.value.transient and caught.value.retry_after == 1
    assert (sim.bought, sleep) == ([], [])


def test_a_lookup_is_tried_again_on_a_5xx_as_the_policy_allows(sim):
    sleep = Sleeps()
    sim.fail_next(503, times=2, path="/labels/1")
    assert HttpClient(sim.url, sleep=sleep).request("GET", "labels/1").json() == {"id": 1}
    assert len(sleep) == 2
    sim.fail_next(503, path="/labels/1")
    with pytest.raises(CarrierServerError):
        HttpClient(sim.url, sleep=sleep, retry=NO_RETRY).request("GET", "labels/1")
    assert RetryPolicy().max_retry_after == 120.0
