import uuid

import pytest

from voxctl.store import ids
from voxctl.store.records import (
    NATIVE_CALL_STATUS,
    CallRecord,
    CallStatus,
    ConferenceRecord,
    from_dict,
    from_hash,
    from_json,
    now,
    parse_time,
    time_ms,
    to_dict,
    to_hash,
    to_json,
    twilio_call_status,
    twilio_conference_status,
)


def test_sid_round_trip():
    call_id = ids.new_id()
    assert uuid.UUID(call_id).version == 4
    sid = ids.to_sid(ids.CALL, call_id)
    assert sid == "CA" + uuid.UUID(call_id).hex and len(sid) == 34
    assert ids.from_sid(sid) == call_id
    assert ids.from_sid(sid.upper().replace("CA", "CA", 1)) == call_id  # hex case does not matter


def test_validation():
    assert ids.is_uuid("8d658f67-3879-4938-bbad-863878bd5341")
    assert not ids.is_uuid("8d658f6738794938bbad863878bd5341")
    assert not ids.is_uuid(None)
    sid = "AC" + "ab" * 16
    assert ids.is_sid(sid) and ids.is_sid(sid, ids.ACCOUNT) and not ids.is_sid(sid, ids.CALL)
    assert not ids.is_sid("XX" + "ab" * 16)
    assert not ids.is_sid("AC" + "ab" * 15)
    with pytest.raises(ValueError):
        ids.from_sid("CA123")
    with pytest.raises(ValueError):
        ids.from_sid(sid, ids.CALL)
    with pytest.raises(ValueError):
        ids.to_sid("ZZ", ids.new_id())
    assert ids.normalize(sid, ids.ACCOUNT) == ids.normalize(ids.from_sid(sid).upper(), ids.ACCOUNT)


def test_timestamps():
    stamp = now()
    assert len(stamp) == 24 and stamp.endswith("Z") and stamp[19] == "."
    assert parse_time("2021-07-27T19:02:19.979Z").microsecond == 979000
    assert time_ms("1970-01-01T00:00:01.500Z") == 1500


def test_codec_round_trips_every_type():
    record = CallRecord(id=ids.new_id(), account_id=ids.new_id(), to="15551", from_="15552",
                        duration=12, record=True, status_callback_events=["answered", "completed"],
                        error={"code": 5105, "description": "bad", "time": now()})
    data = to_dict(record)
    assert data["from"] == "15552" and "from_" not in data and data["answer_time"] is None
    assert from_dict(CallRecord, data) == record
    assert from_json(CallRecord, to_json(record)) == record
    stored = to_hash(record)
    assert stored["from"] == "15552" and stored["to"] == "15551"  # strings stay raw
    assert stored["duration"] == "12" and stored["record"] == "true"
    assert "answer_time" not in stored  # None is an absent field
    assert from_hash(CallRecord, stored) == record
    assert from_dict(ConferenceRecord, {"id": "x", "unknown": 1}).id == "x"


def test_twilio_statuses():
    assert twilio_call_status(CallStatus.ANSWERED) == "in-progress"
    assert twilio_call_status(CallStatus.NO_ANSWER) == "no-answer"
    assert twilio_call_status(CallStatus.COMPLETE) == "completed"
    assert twilio_call_status(CallStatus.PROCESSING) == "initiated"
    assert twilio_call_status(CallStatus.PROCESSING, "inbound") == "ringing"
    assert NATIVE_CALL_STATUS["in-progress"] == CallStatus.ANSWERED
    assert {twilio_call_status(s) for s in CallStatus.ALL} >= {"queued", "busy", "failed", "canceled"}
    assert twilio_conference_status("in_progress") == "in-progress"
