"""The parameters Gather, Dial and Record post to their actions, on calls made with the ``twilio`` package.

Each call is created through the LaML API and run by a real node against the
simulator, whose scripted destination presses keys; every request the engine makes
is checked with the ``twilio`` package's ``RequestValidator`` over the exact URL and
carries the standard parameters (``signed_params``).
"""
from __future__ import annotations

from tests.laml.live import channel_of, heard_after_hangup, on_timeline, record_of, signed_params, wait_final
from voxctl.engine.verbs.record import BEEP
from voxctl.sim import Destination, DtmfOnPrompt
from voxctl.store import ids
from voxctl.store.records import CallStatus

FROM = "+15551114444"
THANKS = "<Response><Say>Thanks</Say></Response>"


def run_call(node, node_twilio, sim, to: str, destination: Destination, twiml: str):
    """A call to ``to`` (behaving as ``destination``) running ``twiml``, run to its end: (call, its channel)."""
    sim.set_destination(to, destination)
    call = node_twilio.calls.create(to=to, from_=FROM, twiml=twiml)
    channel = channel_of(sim, call.sid)
    wait_final(node, call.sid)
    return call, channel


def pressing(digits: str, prompt: str, delay: float) -> Destination:
    """A destination that answers and presses ``digits`` ``delay`` seconds after it starts hearing ``prompt``
    (once that prompt is over, so the verb waiting for them has them however slow the machine is)."""
    return Destination("answer", stay=60, dtmf=[DtmfOnPrompt(digits, prompt, delay)])


def action_params(http_server, path: str, account, call) -> dict[str, str]:
    """The one signed request to ``path``, made for ``call``: its parameters."""
    [request] = http_server.wait_for(path)
    params = signed_params(http_server, request, account.record.auth_token)
    assert (params["CallSid"], params["AccountSid"], params["From"], params["To"]) == (
        call.sid, account.record.sid, FROM, call.to)
    assert (params["CallStatus"], params["Direction"], params["ApiVersion"]) == (
        "in-progress", "outbound-api", "2010-04-01")
    return params


def test_gather_action_posts_the_digits(node, node_twilio, sim, account, http_server):
    action = http_server.route("/gathered", THANKS)
    call, channel = run_call(node, node_twilio, sim, "+15553350001", pressing("42#", "Enter your code", 3.0),
                             f"<Response><Gather action=\"{action}\" timeout=\"20\"><Say>Enter your code</Say>"
                             "</Gather><Say>No input</Say></Response>")
    params = action_params(http_server, "/gathered", account, call)
    assert params["Digits"] == "42"
    assert "ParentCallSid" not in params  # an API call is the first leg
    assert heard_after_hangup(channel) == ["Enter your code", "Thanks"]


def test_dial_action_posts_the_outcome_of_the_dialled_leg(node, node_twilio, sim, account, http_server):
    action = http_server.route("/dialled", THANKS)
    leg_status = http_server.route("/leg", "")
    sim.set_destination("+15553350003", Destination("answer", answer_after=2, stay=3))
    call, channel = run_call(node, node_twilio, sim, "+15553350002", Destination("answer", stay=60),
                             f"<Response><Dial action=\"{action}\"><Number statusCallback=\"{leg_status}\" "
                             "statusCallbackEvent=\"initiated ringing answered completed\">+15553350003</Number>"
                             "</Dial></Response>")
    params = action_params(http_server, "/dialled", account, call)
    [child] = [record for record in node.services.store.calls.list(account.id, 1, 10).records
               if record.parent_call_id == ids.from_sid(call.sid, ids.CALL)]
    assert child.status == CallStatus.COMPLETE and child.direction == "outbound-dial"
    assert (params["DialCallStatus"], params["DialCallSid"]) == ("completed", child.sid)
    assert params["DialCallDuration"] == str(child.duration)
    assert params["DialRingDuration"].isdigit()
    assert heard_after_hangup(channel) == ["Thanks"]

    # the dialled leg's own callbacks are signed and name the call that dialled it
    leg_statuses = []
    for request in http_server.wait_for("/leg", 4):
        leg = signed_params(http_server, request, account.record.auth_token)
        assert (leg["CallSid"], leg["ParentCallSid"], leg["Direction"]) == (child.sid, call.sid, "outbound-dial")
        leg_statuses.append(leg["CallStatus"])
    assert leg_statuses == ["initiated", "ringing", "in-progress", "completed"]


def test_record_action_posts_the_recording_and_the_key_that_ended_it(node, node_twilio, sim, account,
                                                                       http_server):
    action = http_server.route("/recorded", THANKS)
    call, channel = run_call(node, node_twilio, sim, "+15553350004", pressing("#", BEEP, 1.5),
                             f"<Response><Say>Leave a message</Say><Record action=\"{action}\" timeout=\"30\" "
                             "maxLength=\"60\" finishOnKey=\"#\"/><Say>Not reached</Say></Response>")
    params = action_params(http_server, "/recorded", account, call)
    record = record_of(node, call.sid)
    assert (params["Digits"], params["RecordingUrl"], params["RecordingDuration"]) == (
        "#", record.recording_url, str(record.recording_duration))
    assert params["RecordingSid"] == ids.to_sid(ids.RECORDING, record.recording_id)
    assert [entry["path"].endswith(f"{record.recording_id}.wav") for entry in on_timeline(channel, "record")] == [True]
    assert heard_after_hangup(channel) == ["Leave a message", "tone_stream://%(500,0,800)", "Thanks"]
