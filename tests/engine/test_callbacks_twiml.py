"""TwiML status callbacks end to end: real calls through the simulator, a real local receiver.

Specs: shared/spec/cxml-voice-xml-and-callbacks.txt (Status Callbacks),
laml-calls-api.txt, rcml-dial-sip-noun.txt. Form parameters, every request signed
with X-Twilio-Signature and checked with twilio's own RequestValidator.
"""
from __future__ import annotations

from email.utils import parsedate_to_datetime

from tests.engine.helpers import entries, hang_up_when, wait_until
from tests.engine.test_dialer import final, queue_call
from tests.webhooks.conftest import twilio_signed
from voxctl import control
from voxctl.sim import Destination
from voxctl.store import ids
from voxctl.store.records import ConferenceStatus

STANDARD = {"CallSid", "AccountSid", "From", "To", "CallStatus", "ApiVersion", "Direction"}
PROGRESS = STANDARD | {"CallbackSource", "Timestamp", "SequenceNumber"}
CONFERENCE = {"ConferenceSid", "FriendlyName", "AccountSid", "StatusCallbackEvent", "CallbackSource", "Timestamp",
              "SequenceNumber"}
PARTICIPANT = CONFERENCE | {"CallSid", "Muted", "Hold", "Coaching", "EndConferenceOnExit", "StartConferenceOnEnter"}


def sid(prefix, value):
    return ids.to_sid(prefix, value)


def _received(http_server, account, path, count):
    """The ``count`` callbacks that reached ``path`` as one-value dicts, each signature validated."""
    requests = http_server.wait_for(path, count)
    assert len(requests) == count, [r.form for r in requests]
    params = []
    for request in requests:
        assert request.method == "POST" and twilio_signed(http_server, request, account.record.auth_token)
        values = {name: v[0] for name, v in request.form.items()}
        assert parsedate_to_datetime(values["Timestamp"]).utcoffset().total_seconds() == 0
        params.append(values)
    return params


def test_every_call_progress_event_with_its_parameters(node, sim, account, http_server):
    sim.set_destination("15558880001", Destination("answer", answer_after=1, stay=30))
    doc = http_server.route("/doc", "<Response><Say>Leave a message</Say><Record maxLength='2' playBeep='false'/>"
                                    "</Response>")
    hook = http_server.route("/status", "")
    call_id = queue_call(node, account, "15558880001", document_url=doc, flavour="twiml", status_callback=hook,
                         status_callback_events=["initiated", "ringing", "answered", "completed"])
    record = final(node, call_id)
    events = _received(http_server, account, "/status", 4)
    assert [(e["CallStatus"], e["SequenceNumber"]) for e in events] == [
        ("initiated", "0"), ("ringing", "1"), ("in-progress", "2"), ("completed", "3")]
    for event in events:
        assert event["CallSid"] == sid(ids.CALL, call_id) and event["AccountSid"] == sid(ids.ACCOUNT, account.id)
        assert (event["From"], event["To"], event["Direction"]) == ("15551112222", "15558880001", "outbound-api")
        assert (event["ApiVersion"], event["CallbackSource"]) == ("2010-04-01", "call-progress-events")
    assert all(set(e) == PROGRESS for e in events[:3]), events
    completed = events[-1]
    assert set(completed) == PROGRESS | {"CallDuration", "RecordingUrl", "RecordingSid", "RecordingDuration",
                                         "HangupBy", "HangupDirection"}
    assert completed["CallDuration"] == str(record.duration)
    assert (completed["RecordingUrl"], completed["RecordingSid"]) == (
        record.recording_url, sid(ids.RECORDING, record.recording_id))
    assert completed["RecordingDuration"] == str(record.recording_duration)
    # the document ended the call: our side (the From of an outbound call) hung up, outwards
    assert (completed["HangupBy"], completed["HangupDirection"]) == ("15551112222", "outbound")


def test_completed_alone_by_default_with_the_callers_hangup(dial, http_server, account):
    hook = http_server.route("/status", "")
    call = dial("<Response><Say>Hold on</Say><Pause length='30'/></Response>", flavour="twiml", from_="15554443333",
                application={"status_callback": hook})
    hang_up_when(call, lambda c: entries(c, "silence"), "the pause").wait(10)
    [completed] = _received(http_server, account, "/status", 1)
    assert (completed["CallStatus"], completed["SequenceNumber"], completed["Direction"]) == (
        "completed", "0", "inbound")
    assert completed["CallSid"] == sid(ids.CALL, call.uuid)
    assert (completed["HangupBy"], completed["HangupDirection"]) == ("15554443333", "inbound")
    assert set(completed) == PROGRESS | {"CallDuration", "HangupBy", "HangupDirection"}


def test_dial_nouns_report_their_own_legs(dial, node, sim, http_server, account):
    sim.set_destination("15558880002", Destination("answer", answer_after=1, stay=1))
    number_hook = http_server.route("/number", "")
    sip_hook = http_server.route("/sip", "")
    call = dial(f"<Response><Dial><Number statusCallback='{number_hook}' "
                "statusCallbackEvent='initiated ringing answered completed'>15558880002</Number></Dial>"
                f"<Dial><Sip statusCallback='{sip_hook}'>sip:alice@example.com</Sip></Dial></Response>",
                flavour="twiml").wait(10)
    page = node.services.store.calls.list(account.id, page_size=50).records
    legs = {c.to: c for c in page if c.parent_call_id == call.uuid}
    number_leg = legs["15558880002"]
    events = _received(http_server, account, "/number", 4)
    assert [(e["CallStatus"], e["SequenceNumber"]) for e in events] == [
        ("initiated", "0"), ("ringing", "1"), ("in-progress", "2"), ("completed", "3")]
    for event in events:
        assert (event["CallSid"], event["ParentCallSid"]) == (sid(ids.CALL, number_leg.id), sid(ids.CALL, call.uuid))
        assert (event["Direction"], event["To"]) == ("outbound-dial", "15558880002")
    assert events[-1]["CallDuration"] == str(number_leg.duration)
    assert (events[-1]["HangupBy"], events[-1]["HangupDirection"]) == ("15558880002", "inbound")
    [sip_leg] = [c for to, c in legs.items() if to != "15558880002"]
    [sip_completed] = _received(http_server, account, "/sip", 1)
    assert (sip_completed["CallStatus"], sip_completed["SequenceNumber"]) == ("completed", "0")
    assert sip_completed["CallSid"] == sid(ids.CALL, sip_leg.id)
    assert sip_completed["ParentCallSid"] == sid(ids.CALL, call.uuid)


def test_conference_events(dial, node, http_server, account):
    hook = http_server.route("/conf", "")
    first = dial(f"<Response><Dial><Conference statusCallback='{hook}' "
                 "statusCallbackEvent='start end join leave mute hold'>tw-room</Conference></Dial></Response>",
                 flavour="twiml")
    http_server.wait_for("/conf", 2)  # conference-start and the first join
    second = dial("<Response><Dial><Conference endConferenceOnExit='true'>tw-room</Conference></Dial></Response>",
                  flavour="twiml")
    store, bus = node.services.store, node.services.bus
    wait_until(lambda: store.conferences.list(account.id, name="tw-room").records, 10, "conference")
    conf = store.conferences.list(account.id, name="tw-room").records[0]
    wait_until(lambda: store.participants.count(conf.id) == 2
               and all(p.member_id is not None for p in store.participants.list(conf.id).records), 10, "joined")
    http_server.wait_for("/conf", 3)
    control.deliver(bus, first.uuid, control.mute(True))
    wait_until(lambda: any(r.param("StatusCallbackEvent") == "participant-mute" for r in http_server.requests_to(
        "/conf")), 10, "mute")
    control.deliver(bus, first.uuid, control.hold(True))
    wait_until(lambda: any(r.param("StatusCallbackEvent") == "participant-hold" for r in http_server.requests_to(
        "/conf")), 10, "hold")
    second.channel.hangup("NORMAL_CLEARING")
    first.wait(10)
    second.wait(10)
    wait_until(lambda: store.conferences.get(conf.id).status == ConferenceStatus.COMPLETE, 10, "ended")
    wait_until(lambda: any(r.param("StatusCallbackEvent") == "conference-end" for r in http_server.requests_to(
        "/conf")), 10, "end")
    events = _received(http_server, account, "/conf", len(http_server.requests_to("/conf")))
    assert [e["SequenceNumber"] for e in events] == [str(n) for n in range(len(events))]
    names = [(e["StatusCallbackEvent"], e.get("CallSid")) for e in events]
    first_sid, second_sid = sid(ids.CALL, first.uuid), sid(ids.CALL, second.uuid)
    assert names[:3] == [("conference-start", None), ("participant-join", first_sid),
                         ("participant-join", second_sid)]
    assert ("participant-mute", first_sid) in names and ("participant-hold", first_sid) in names
    assert {("participant-leave", first_sid), ("participant-leave", second_sid)} <= set(names)
    assert names[-1] == ("conference-end", None), names
    for event in events:
        assert (event["ConferenceSid"], event["FriendlyName"]) == (sid(ids.CONFERENCE, conf.id), "tw-room")
        assert event["AccountSid"] == sid(ids.ACCOUNT, account.id) and event["CallbackSource"] == "conference-events"
        expected = PARTICIPANT if event["StatusCallbackEvent"].startswith("participant-") else CONFERENCE
        if event["StatusCallbackEvent"] == "conference-end":
            expected = CONFERENCE | {"ReasonConferenceEnded", "CallSidEndingConference"}
        assert set(event) == expected, event
    held = next(e for e in events if e["StatusCallbackEvent"] == "participant-hold")
    assert (held["Hold"], held["Muted"]) == ("true", "true")
    end = events[-1]
    assert (end["ReasonConferenceEnded"], end["CallSidEndingConference"]) == (
        "participant-with-end-conference-on-exit-left", second_sid)
