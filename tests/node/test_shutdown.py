"""Graceful shutdown (``Node.stop(grace)``, what SIGTERM runs): drain, then hang up and finalise."""
from __future__ import annotations

import logging
import socket

import gevent

from tests.engine.helpers import entries, wait_until
from tests.engine.test_dial_effects import _leg_channel, leg_entries
from tests.engine.test_dialer import queue_call
from tests.fixtures.node import start_node
from voxctl.sim import CallScript, Destination
from voxctl.store.records import CallStatus

# ten minutes of hold (Pause is at most 60 s): 12 s at the simulator's speed 50
LONG_CALL = "<Response><Say>Please hold</Say>" + "<Pause length='60'/>" * 10 + "</Response>"


def refuses(port: int) -> bool:
    """True when nothing accepts connections on ``port`` any more."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_a_call_still_running_after_the_grace_is_hung_up_and_finalised(node, dial, sim, account):
    store = node.services.store
    call = dial(LONG_CALL)
    wait_until(lambda: node.sessions.get(call.uuid) is not None, 5, "the call running")
    port = node.outbound_port
    stopping = gevent.spawn(node.stop, 3.0)
    wait_until(lambda: refuses(port), 5, "the outbound socket closed")

    # during the drain: the switch cannot hand us a new call, the dialer pops nothing
    late = sim.place_call(CallScript(to="15550109999", target=("127.0.0.1", port))).wait(10)
    assert not late.answered and store.calls.get(late.uuid) is None
    queued = queue_call(node, account, "15553339999", "<Response><Say>later</Say></Response>")
    assert not call.done.is_set(), "the running call was cut before its grace"

    stopping.join(20)
    assert stopping.dead and stopping.exception is None
    call.wait(10)
    record = store.calls.get(call.uuid)
    assert record.status == CallStatus.COMPLETE
    assert record.hangup_time and record.answer_time and record.duration is not None
    assert (record.hangup_cause, record.hangup_by) == ("SYSTEM_SHUTDOWN", "system")
    assert call.hangup_cause == "SYSTEM_SHUTDOWN"
    assert store.calls.get(queued).status == CallStatus.QUEUED  # left for another node
    assert len(node.sessions) == 0 and node.services.bus.owner(call.uuid) is None


def test_a_call_that_ends_within_the_grace_finishes_its_document(node, dial):
    call = dial("<Response><Say>Almost done</Say><Pause length='20'/><Say>Goodbye</Say></Response>")
    wait_until(lambda: node.sessions.get(call.uuid) is not None, 5, "the call running")
    node.stop(30.0)
    call.wait(10)
    record = node.services.store.calls.get(call.uuid)
    assert (record.status, record.hangup_by, record.hangup_cause) == (CallStatus.COMPLETE, "document",
                                                                      "NORMAL_CLEARING")
    assert call.heard()[-1] == "Goodbye"


def test_a_bridged_call_is_hung_up_at_the_grace_with_its_far_leg(node, dial, sim):
    sim.set_destination("15552227001", Destination("answer", answer_after=1, stay=600))
    call = dial("<Response><Dial><Number>15552227001</Number></Dial><Say>never</Say></Response>")
    leg = _leg_channel(sim, "15552227001")
    wait_until(lambda: entries(call, "bridge"), 10, "the bridge")
    stopping = gevent.spawn(node.stop, 0.5)
    stopping.join(20)
    assert stopping.dead and stopping.exception is None
    call.wait(10)
    assert call.hangup_cause == "SYSTEM_SHUTDOWN" and "never" not in call.heard()
    [unbridge] = entries(call, "unbridge")
    [answered], [hung_up] = leg_entries(leg, "answer"), leg_entries(leg, "hangup")
    assert hung_up.t - answered.t < 600  # the far leg went with the caller, not at the end of its stay
    assert unbridge.detail["cause"] == hung_up.detail["cause"] == "NORMAL_CLEARING"
    store = node.services.store
    [child] = store.calls.list(store.calls.get(call.uuid).account_id, parent_call_id=call.uuid).records
    assert (child.status, child.hangup_by) == (CallStatus.COMPLETE, "system")
    assert store.calls.get(call.uuid).hangup_by == "system"


def blpop_clients(node) -> set[str]:
    """Ids of the Redis connections blocked in the dialer's BLPOP right now."""
    return {c["id"] for c in node.services.redis.client_list() if c.get("cmd") == "blpop"}


def test_the_dialer_outlives_blpop_socket_timeouts_and_stops_quietly(sim, redis_server, redis_client, tmp_path,
                                                                      account, caplog, capfd):
    """redis-py's clients time out reads (5 s by default since 6.x; 0.1 s here): the dialer's
    BLPOP then fails with TimeoutError, which must neither end the dialer nor make noise on stop."""
    node = start_node(sim, redis_server.url + "?socket_timeout=0.1", tmp_path, "timeout-node")
    try:
        seen: set[str] = set()
        wait_until(lambda: len(seen.__ior__(blpop_clients(node))) >= 3, 10, "three BLPOPs after timeouts")
        call_id = queue_call(node, account, "15553338888", "<Response><Say>still here</Say></Response>")
        wait_until(lambda: node.services.store.calls.get(call_id).status == CallStatus.COMPLETE, 10, "complete")
    finally:
        node.stop(1.0)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("voxctl.engine")]
    assert "Traceback" not in capfd.readouterr().err
