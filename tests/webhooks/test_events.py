"""Every payload builder, field for field as the specs show them, and the event-selection rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from voxctl.store.records import CallRecord, ConferenceRecord, ParticipantRecord
from voxctl.webhooks import events as ev

NOW = datetime(2021, 8, 16, 19, 37, 4, 400000, tzinfo=timezone.utc)
VOX_NOW = "2021-08-16T19:37:04Z"
RFC_NOW = "Mon, 16 Aug 2021 19:37:04 +0000"
CALL_ID = "c88f9b06-7ef2-4cfd-9581-ed2da634aff2"
CALL_SID = "CAc88f9b067ef24cfd9581ed2da634aff2"
ACCOUNT_ID = "5af7f6e6-746e-402d-ad17-9a29ce9e2a84"
ACCOUNT_SID = "AC5af7f6e6746e402dad179a29ce9e2a84"
PARENT_ID = "3d0716cc-10b4-4c73-a494-6069017c2d54"
CONF_ID = "f1918438-4acf-1bc3-98f9-ac485545ef7a"
PART_ID = "56ce700d-cc4f-4eb9-b1b4-e884ea811c42"


# -- time -------------------------------------------------------------------------------------

def test_times():
    assert ev.vox_time(NOW) == VOX_NOW
    assert ev.vox_time(NOW + timedelta(milliseconds=200)) == "2021-08-16T19:37:05Z"  # nearest second
    assert ev.vox_time(NOW.astimezone(timezone(timedelta(hours=-5)))) == VOX_NOW
    assert ev.vox_time(NOW.timestamp()) == VOX_NOW
    assert ev.rfc2822_time(NOW) == RFC_NOW


# -- VoxXML -----------------------------------------------------------------------------------

def test_vox_incoming_call():
    assert ev.vox_incoming_call(CALL_ID, "15556667777", "15556668888", now=NOW) == {
        "type": "api", "event": "incoming_call", "time": VOX_NOW, "call_id": CALL_ID,
        "to": "15556667777", "from": "15556668888"}


@pytest.mark.parametrize("event, value", [("partial_input", "7"), ("complete_input", "7785")])
def test_vox_gather(event, value):
    assert ev.vox_gather_event(event, CALL_ID, value, "dtmf", now=NOW) == {
        "type": "gather", "event": event, "call_id": CALL_ID, "time": VOX_NOW, event: value,
        "input_method": "dtmf"}
    assert ev.vox_gather_event(event, CALL_ID, "four", "speech", now=NOW)["input_method"] == "speech"


@pytest.mark.parametrize("event", ["queued", "ringing", "answered", "complete", "no_connect"])
def test_vox_number(event):
    assert ev.vox_number_event(event, CALL_ID, "15556667777", now=NOW) == {
        "type": "number", "event": event, "call_id": CALL_ID, "destination_number": "15556667777",
        "time": VOX_NOW}


@pytest.mark.parametrize("event", ["start", "end"])
def test_vox_conference_start_end(event):
    assert ev.vox_conference_event(event, CONF_ID, PART_ID, "john", now=NOW) == {
        "type": "conference", "event": event, "time": VOX_NOW, "conference_id": CONF_ID}


@pytest.mark.parametrize("event", ["join", "leave", "mute", "unmute", "mute_all", "unmute_all"])
def test_vox_conference_participant_events(event):
    assert ev.vox_conference_event(event, CONF_ID, PART_ID, "john", now=NOW) == {
        "type": "conference", "event": event, "time": VOX_NOW, "participant_id": PART_ID,
        "conference_id": CONF_ID, "participant_label": "john"}
    unlabelled = ev.vox_conference_event(event, CONF_ID, PART_ID, now=NOW)
    assert "participant_label" not in unlabelled and unlabelled["participant_id"] == PART_ID


def test_vox_conference_dtmf():
    assert ev.vox_conference_event("dtmf", CONF_ID, PART_ID, dtmf="2", now=NOW) == {
        "type": "conference", "event": "dtmf", "participant_id": PART_ID, "conference_id": CONF_ID,
        "dtmf": "2", "time": VOX_NOW}
    assert ev.vox_conference_event("dtmf", CONF_ID, PART_ID, "george", "#", now=NOW)["participant_label"] == "george"


def test_vox_conference_mute_all_without_participant():
    assert ev.vox_conference_event("mute_all", CONF_ID, now=NOW) == {
        "type": "conference", "event": "mute_all", "time": VOX_NOW, "conference_id": CONF_ID}


@pytest.mark.parametrize("call", [
    lambda: ev.vox_number_event("busy", CALL_ID, "1"),
    lambda: ev.vox_gather_event("input", CALL_ID, "1"),
    lambda: ev.vox_conference_event("kick", CONF_ID, PART_ID),
    lambda: ev.vox_conference_event("join", CONF_ID),
    lambda: ev.vox_conference_event("dtmf", CONF_ID, PART_ID),
    lambda: ev.twiml_conference_event("participant-join", {"id": CONF_ID}),
    lambda: ev.twiml_conference_event("start", {"id": CONF_ID}),
])
def test_builders_reject_unknown_or_incomplete_events(call):
    with pytest.raises(ValueError):
        call()


# -- TwiML ------------------------------------------------------------------------------------

def _call(**changes) -> CallRecord:
    base = {"id": CALL_ID, "account_id": ACCOUNT_ID, "flavour": "twiml", "direction": "outbound-api",
            "to": "+15556667777", "from_": "+15556668888", "status": "answered"}
    return CallRecord(**{**base, **changes})


STANDARD = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "From": "+15556668888", "To": "+15556667777",
            "CallStatus": "in-progress", "ApiVersion": "2010-04-01", "Direction": "outbound-api"}


def test_twiml_standard_params_from_record_and_mapping():
    assert ev.twiml_call_params(_call()) == STANDARD
    mapping = {"id": CALL_ID, "account_id": ACCOUNT_ID, "from": "+15556668888", "to": "+15556667777",
               "status": "in-progress", "direction": "outbound-api"}
    assert ev.twiml_call_params(mapping) == STANDARD
    full = ev.twiml_call_params(_call(parent_call_id=PARENT_ID, forwarded_from="+15550001111",
                                      caller_name="ALICE", direction="outbound-dial"))
    assert full == {**STANDARD, "Direction": "outbound-dial", "ParentCallSid": "CA3d0716cc10b44c73a4946069017c2d54",
                    "ForwardedFrom": "+15550001111", "CallerName": "ALICE"}


@pytest.mark.parametrize("status, direction, expected", [
    ("queued", "outbound-api", "queued"), ("processing", "outbound-api", "initiated"),
    ("processing", "inbound", "ringing"), ("ringing", "outbound-api", "ringing"),
    ("answered", "inbound", "in-progress"), ("complete", "inbound", "completed"),
    ("no_answer", "outbound-api", "no-answer"), ("busy", "outbound-dial", "busy"),
    ("canceled", "outbound-api", "canceled"), ("no-answer", "outbound-api", "no-answer"),
])
def test_twiml_call_status(status, direction, expected):
    assert ev.twiml_call_status(status, direction) == expected


def test_twiml_status_callback_in_progress():
    assert ev.twiml_status_callback(_call(), now=NOW) == {
        **STANDARD, "CallbackSource": "call-progress-events", "Timestamp": RFC_NOW}


def test_twiml_status_callback_completed_has_duration_recording_and_hangup():
    call = _call(status="complete", duration=42, recording_url="https://x/rec.wav",
                 recording_id=PART_ID, recording_duration=40)
    assert ev.twiml_status_callback(call, now=NOW, hangup_by="+15556667777", hangup_direction="inbound") == {
        **STANDARD, "CallStatus": "completed", "CallbackSource": "call-progress-events", "Timestamp": RFC_NOW,
        "CallDuration": "42", "RecordingUrl": "https://x/rec.wav",
        "RecordingSid": "RE56ce700dcc4f4eb9b1b4e884ea811c42", "RecordingDuration": "40",
        "HangupBy": "+15556667777", "HangupDirection": "inbound"}
    assert ev.twiml_status_callback(_call(status="no_answer"), now=NOW)["CallDuration"] == "0"


@pytest.mark.parametrize("direction, hangup_by, expected", [
    ("inbound", "caller", ("+15556668888", "inbound")),        # the far end (From) hung up
    ("outbound-api", "callee", ("+15556667777", "inbound")),   # the far end (To) hung up
    ("inbound", "document", ("+15556667777", "outbound")),     # we did: our side of an inbound call is To
    ("outbound-api", "api", ("+15556668888", "outbound")),     # our side of an outbound call is From
    ("outbound-dial", "system", ("+15556668888", "outbound")),
    ("inbound", None, (None, None)),
])
def test_hangup_by_and_direction_come_from_the_record(direction, hangup_by, expected):
    call = _call(status="complete", direction=direction, hangup_by=hangup_by)
    assert ev.twiml_hangup(call) == expected
    params = ev.twiml_status_callback(call, now=NOW)
    assert (params.get("HangupBy"), params.get("HangupDirection")) == expected
    assert "HangupBy" not in ev.twiml_status_callback(_call(hangup_by=hangup_by), now=NOW)  # not before the end


def test_twiml_gather_action():
    assert ev.twiml_gather_action(_call(), "1234") == {**STANDARD, "Digits": "1234"}
    speech = ev.twiml_gather_action(_call(), "", speech_result="sales", confidence=0.91)
    assert speech == {**STANDARD, "Digits": "", "SpeechResult": "sales", "Confidence": "0.91"}


def test_twiml_dial_action():
    assert ev.twiml_dial_action(_call(), "completed", dial_call_sid=PARENT_ID, dial_call_duration=12,
                                dial_ring_duration=3, recording_url="https://x/d.wav") == {
        **STANDARD, "DialCallStatus": "completed", "DialCallSid": "CA3d0716cc10b44c73a4946069017c2d54",
        "DialCallDuration": "12", "DialRingDuration": "3", "RecordingUrl": "https://x/d.wav"}
    # after a conference only the status is sent; native statuses become TwiML ones
    assert ev.twiml_dial_action(_call(), "no_answer") == {**STANDARD, "DialCallStatus": "no-answer"}


def test_twiml_record_action():
    assert ev.twiml_record_action(_call(), "https://x/r.wav", 7, "#") == {
        **STANDARD, "RecordingUrl": "https://x/r.wav", "RecordingDuration": "7", "Digits": "#"}
    assert ev.twiml_record_action(_call(), "https://x/r.wav", 7, recording_id=PART_ID)["RecordingSid"] == \
        "RE56ce700dcc4f4eb9b1b4e884ea811c42"


CONFERENCE = ConferenceRecord(id=CONF_ID, account_id=ACCOUNT_ID, name="room1")
CONF_BASE = {"ConferenceSid": "CFf19184384acf1bc398f9ac485545ef7a", "FriendlyName": "room1",
             "AccountSid": ACCOUNT_SID, "CallbackSource": "conference-events", "Timestamp": RFC_NOW}


def test_twiml_conference_start_and_end():
    assert ev.twiml_conference_event("conference-start", CONFERENCE, now=NOW) == {
        **CONF_BASE, "StatusCallbackEvent": "conference-start"}
    ended = ConferenceRecord(id=CONF_ID, account_id=ACCOUNT_ID, name="room1", reason_ended="last-participant-left",
                             ended_by_call_id=CALL_ID)
    assert ev.twiml_conference_event("conference-end", ended, now=NOW) == {
        **CONF_BASE, "StatusCallbackEvent": "conference-end", "ReasonConferenceEnded": "last-participant-left",
        "CallSidEndingConference": CALL_SID}


@pytest.mark.parametrize("event", ["participant-join", "participant-leave", "participant-mute",
                                   "participant-unmute", "participant-hold", "participant-unhold"])
def test_twiml_conference_participant_events(event):
    participant = ParticipantRecord(id=CALL_ID, conference_id=CONF_ID, call_id=CALL_ID, label="john",
                                    muted=True, end_conference_on_exit=True)
    assert ev.twiml_conference_event(event, CONFERENCE, participant, now=NOW) == {
        **CONF_BASE, "StatusCallbackEvent": event, "CallSid": CALL_SID, "ParticipantLabel": "john",
        "Muted": "true", "Hold": "false", "Coaching": "false", "EndConferenceOnExit": "true",
        "StartConferenceOnEnter": "true"}


# -- selection --------------------------------------------------------------------------------

@pytest.mark.parametrize("event, keywords, expected", [
    ("partial_input", "partialResult fullResult", True),
    ("complete_input", ["fullResult"], True),
    ("partial_input", "fullResult", False),
    ("no_connect", "ringing noConnect", True),
    ("answered", "ringing answered", True),
    ("complete", "ringing answered", False),
    ("mute_all", "start end muteAll", True),
    ("unmute_all", "muteAll", False),
    ("unmute_all", "unmuteAll", True),
    ("dtmf", "start end dtmf", True),
    ("join", "start,end", False),
    ("complete", "", False),  # the spec's default: no events
    ("complete", None, False),
])
def test_wants_voxxml(event, keywords, expected):
    assert ev.wants(event, keywords, "voxxml") is expected


@pytest.mark.parametrize("event, keywords, expected", [
    ("completed", [], True),  # StatusCallback without events: completed only
    ("completed", None, True),
    ("ringing", "", False),
    ("ringing", "initiated ringing", True),
    ("answered", "initiated,ringing,answered,completed", True),
    ("answered", ["initiated ringing", "answered"], True),  # repeated form keys
    ("no-answer", "completed", True),  # a final CallStatus is the completed event
    ("in-progress", "Answered", True),
    ("initiated", "ringing", False),
    ("participant-unmute", "start end mute", True),
    ("participant-unhold", "hold", True),
    ("conference-start", "start", True),
    ("participant-join", "start end", False),
    ("conference-end", [], False),  # no default for conference events
])
def test_wants_twiml(event, keywords, expected):
    assert ev.wants(event, keywords, "twiml") is expected


def test_split_events():
    assert ev.split_events("a, b  c,d") == ["a", "b", "c", "d"]
    assert ev.split_events(["a b", "c"]) == ["a", "b", "c"]
    assert ev.split_events(None) == []
