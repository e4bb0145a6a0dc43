"""The simulator base every service simulator is built on."""

import time

import requests

from tests.simulators.base import Response, Simulator, route


class Echo(Simulator):
    def __init__(self):
        super().__init__()
        self.created = []

    @route("POST", r"/things")
    def create(self, request):
        self.created.append(request.json())
        return Response(201, {"id": len(self.created)})

    @route("GET", r"/things/(?P<thing_id>\d+)")
    def read(self, request, thing_id):
        return Response(200, self.created[int(thing_id) - 1])


def test_routes_state_and_request_log():
    with Echo() as sim:
        created = requests.post(f"{sim.url}/things", json={"a": 1}, timeout=5)
        assert created.status_code == 201
        assert requests.get(f"{sim.url}/things/1", timeout=5).json() == {"a": 1}
        assert requests.get(f"{sim.url}/nothing", timeout=5).status_code == 404
        assert requests.delete(f"{sim.url}/things/1", timeout=5).status_code == 405
    assert [r.method for r in sim.received] == ["POST", "GET", "GET", "DELETE"]
    assert sim.requests_to("POST", r"^/things$")[0].json() == {"a": 1}


def test_injected_failure_then_normal_answer():
    with Echo() as sim:
        sim.fail_next(429, path=r"^/things$", headers={"Retry-After": "2"}, body={"errors": "x"})
        first = requests.post(f"{sim.url}/things", json={"a": 1}, timeout=5)
        assert (first.status_code, first.headers["Retry-After"]) == (429, "2")
        assert sim.created == [], "a refused call does no work"
        assert requests.post(f"{sim.url}/things", json={"a": 1}, timeout=5).status_code == 201


def test_delayed_answer_still_does_the_work():
    with Echo() as sim:
        sim.delay_next(0.5, path=r"^/things$")
        start = time.monotonic()
        try:
            requests.post(f"{sim.url}/things", json={"a": 1}, timeout=0.1)
        except requests.Timeout:
            pass
        else:
            raise AssertionError("the client should have timed out")
        assert time.monotonic() - start < 0.5
        time.sleep(0.6)
        assert sim.created == [{"a": 1}], "the service accepted the call before the timeout"
