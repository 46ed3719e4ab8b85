import gevent
import pytest

from voxctl.store.bus import ControlBus


@pytest.fixture
def nodes(redis_client):
    buses = [ControlBus(redis_client, "node-a"), ControlBus(redis_client, "node-b")]
    yield buses
    for bus in buses:
        bus.stop()


def _wait(condition, timeout=5.0):
    with gevent.Timeout(timeout):
        while not condition():
            gevent.sleep(0.005)


def test_commands_reach_the_owning_node_in_order(nodes):
    a, b = nodes
    got_a, got_b = [], []
    a.serve(lambda target, command: got_a.append((target, command["n"])))
    b.serve(lambda target, command: got_b.append((target, command["n"])))
    assert a.claim("call-1")
    assert not b.claim("call-1")
    assert a.owner("call-1") == "node-a"
    for n in range(50):
        assert b.send("call-1", {"op": "say", "n": n})
    _wait(lambda: len(got_a) == 50)
    assert got_a == [("call-1", n) for n in range(50)] and got_b == []


def test_one_target_runs_in_order_while_others_proceed(nodes):
    a, b = nodes
    seen = []

    def handler(target, command):
        if command["op"] == "slow":
            gevent.sleep(0.05)
        seen.append((target, command["op"]))

    a.serve(handler)
    a.claim("call-1")
    a.claim("call-2")
    b.send("call-1", {"op": "slow"})
    b.send("call-1", {"op": "after-slow"})
    b.send("call-2", {"op": "quick"})
    _wait(lambda: len(seen) == 3)
    assert seen == [("call-2", "quick"), ("call-1", "slow"), ("call-1", "after-slow")]


def test_unknown_target_is_false(nodes):
    a, b = nodes
    a.serve(lambda target, command: None)
    assert not b.send("nobody-holds-this", {"op": "hangup"})
    assert a.owner("nobody-holds-this") is None


def test_send_is_false_when_the_owner_does_not_listen(nodes):
    a, b = nodes
    a.claim("call-1")  # claimed, but node-a never serves (e.g. it died)
    assert not b.send("call-1", {"op": "hangup"})


def test_handler_exception_is_isolated(nodes):
    a, b = nodes
    seen = []

    def handler(target, command):
        if command["op"] == "boom":
            raise RuntimeError("boom")
        seen.append(command["op"])

    listener = a.serve(handler)
    a.claim("call-1")
    b.send("call-1", {"op": "boom"})
    b.send("call-1", {"op": "next"})
    _wait(lambda: seen == ["next"])
    assert not listener.dead


def test_release_and_ttl(nodes, redis_client):
    a, b = nodes
    assert a.claim("conf-1", ttl=30)
    assert 0 < redis_client.pttl("vox:owner:conf-1") <= 30_000
    assert not b.release("conf-1")
    assert a.release("conf-1")
    assert b.claim("conf-1") and b.owner("conf-1") == "node-b"
    b.stop()
    assert a.owner("conf-1") is None  # a stopping node lets go of what it held


def test_node_registry(nodes, redis_client):
    a, b = nodes
    a.register_node({"api": "http://10.0.0.1:8080"})
    b.register_node({}, ttl=0.3)
    assert [n["node_id"] for n in a.nodes()] == ["node-a", "node-b"]
    assert a.nodes()[0]["api"] == "http://10.0.0.1:8080"
    gevent.sleep(0.25)  # node-b's heartbeat keeps it alive past its first ttl
    assert len(a.nodes()) == 2
    b.stop()
    assert [n["node_id"] for n in a.nodes()] == ["node-a"]
    redis_client.delete("vox:nodeinfo:node-a")  # a node whose heartbeat stopped
    assert a.nodes() == [] and redis_client.zcard("vox:nodes") == 0
