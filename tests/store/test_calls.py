import json
import time

import gevent
import pytest

from voxctl.store import ids, keys
from voxctl.store.calls import Calls
from voxctl.store.records import CallRecord, CallStatus, ConferenceRecord, to_hash


@pytest.fixture
def account(store):
    return store.accounts.create("acme")[0]


def _call(account_id, **fields):
    return CallRecord(account_id=account_id, **{"to": "15550001", "from_": "15550002", **fields})


def test_create_and_get(store, account):
    call = store.calls.create(_call(account.id, direction="outbound-api", voxxml="<Response/>"))
    assert ids.is_uuid(call.id) and call.status == CallStatus.QUEUED
    assert call.created_time and call.created_time == call.modified_time
    assert store.calls.get(call.id) == call
    assert store.calls.get(call.id, account.id) == call
    assert store.calls.get(ids.new_id()) is None
    assert store.calls.get("not-an-id") is None
    with pytest.raises(ValueError):
        store.calls.create(CallRecord(to="1"))


def test_another_accounts_calls_and_conferences_are_invisible(store, account):
    other, _ = store.accounts.create("other")
    call = store.calls.create(_call(account.id))
    conf = store.conferences.create(ConferenceRecord(account_id=account.id, name="room1"))
    assert store.calls.get(call.id, other.id) is None
    assert store.calls.list(other.id) == ([], 0)
    assert store.conferences.get(conf.id, other.id) is None
    assert store.conferences.list(other.id) == ([], 0)
    assert store.conferences.active_by_name(other.id, "room1") is None
    assert store.calls.list(account.id).total == 1


def test_lifecycle_times_and_final_status_sticks(store, account, redis_client):
    call = store.calls.create(_call(account.id, direction="outbound-api", node_id="n1"))
    assert [c.id for c in store.calls.active()] == [call.id]
    assert [c.id for c in store.calls.active("n1")] == [call.id]
    assert store.calls.active("n2") == []
    ringing = store.calls.set_status(call.id, CallStatus.RINGING)
    assert ringing.start_time and ringing.answer_time is None
    answered = store.calls.set_status(call.id, CallStatus.ANSWERED)
    assert answered.answer_time and answered.start_time == ringing.start_time
    done = store.calls.set_status(call.id, CallStatus.COMPLETE, hangup_cause="NORMAL_CLEARING", hangup_by="caller")
    assert done.status == CallStatus.COMPLETE and done.hangup_time and done.duration == 0
    assert done.hangup_cause == "NORMAL_CLEARING"
    # final: no other status, no new times
    assert store.calls.set_status(call.id, CallStatus.FAILED) is None
    updated = store.calls.update(call.id, status=CallStatus.ANSWERED, recording_url="http://r/1.wav")
    assert updated.status == CallStatus.COMPLETE and updated.recording_url == "http://r/1.wav"
    assert store.calls.get(call.id).hangup_time == done.hangup_time
    # out of the live sets, kept for 7 days
    assert store.calls.active() == [] and store.calls.active("n1") == []
    ttl = redis_client.ttl(keys.fill(keys.CALL, id=call.id))
    assert 7 * 86400 - 10 < ttl <= 7 * 86400
    assert store.calls.list(account.id, status=CallStatus.COMPLETE).total == 1
    assert store.calls.list(account.id, status=CallStatus.QUEUED).total == 0


def test_duration_counts_from_answer(store, account):
    call = store.calls.create(_call(account.id))
    store.calls.update(call.id, answer_time="2021-07-27T19:02:19.979Z")
    done = store.calls.set_status(call.id, CallStatus.COMPLETE, hangup_time="2021-07-27T19:04:20.479Z")
    assert done.duration == 121


def test_unanswered_call_has_zero_duration(store, account):
    call = store.calls.create(_call(account.id))
    done = store.calls.set_status(call.id, CallStatus.NO_ANSWER)
    assert done.duration == 0 and done.answer_time is None and done.hangup_time


def test_update_and_delete(store, account):
    call = store.calls.create(_call(account.id))
    time.sleep(0.002)
    updated = store.calls.update(call.id, node_id="n1", error={"code": 5107, "description": "x", "time": "t"})
    assert updated.modified_time > call.modified_time and updated.error["code"] == 5107
    assert [c.id for c in store.calls.active("n1")] == [call.id]
    moved = store.calls.update(call.id, node_id="n2")
    assert store.calls.active("n1") == [] and [c.id for c in store.calls.active("n2")] == [call.id]
    assert store.calls.update(call.id, error=None).error is None
    assert store.calls.update(ids.new_id(), node_id="x") is None
    with pytest.raises(TypeError):
        store.calls.update(call.id, nonsense=1)
    assert moved.node_id == "n2"
    assert store.calls.set_status(ids.new_id(), CallStatus.RINGING) is None
    with pytest.raises(ValueError):
        store.calls.set_status(call.id, "in-progress")
    assert store.calls.delete(call.id) and not store.calls.delete(call.id)
    assert store.calls.get(call.id) is None and store.calls.list(account.id).total == 0
    assert store.calls.active() == []


def test_paging_newest_first_with_counts(store, account):
    made = [store.calls.create(_call(account.id)).id for _ in range(7)]
    newest_first = made[::-1]
    first = store.calls.list(account.id, page=1, page_size=3)
    assert first.total == 7 and [c.id for c in first.records] == newest_first[:3]
    assert [c.id for c in store.calls.list(account.id, page=3, page_size=3).records] == newest_first[6:]
    assert store.calls.list(account.id, page=4, page_size=3) == ([], 7)
    records, total = store.calls.list(account.id)
    assert total == 7 and [c.id for c in records] == newest_first
    with pytest.raises(ValueError):
        store.calls.list(account.id, page=0)


def test_filters(store, account):
    a = store.calls.create(_call(account.id, to="1001", direction="outbound-api"))
    b = store.calls.create(_call(account.id, to="1002", from_="2002", direction="inbound"))
    c = store.calls.create(_call(account.id, to="1001", direction="outbound-dial", parent_call_id=b.id))
    store.calls.set_status(a.id, CallStatus.BUSY)

    def listed(**filters):
        return [r.id for r in store.calls.list(account.id, **filters).records]

    assert listed(to="1001") == [c.id, a.id]
    assert listed(from_="2002") == [b.id]
    assert listed(status=CallStatus.BUSY) == [a.id]
    assert listed(direction="inbound") == [b.id]
    assert listed(parent_call_id=b.id) == [c.id]
    assert listed(to="1001", status=CallStatus.QUEUED) == [c.id]
    assert listed(to="1001", direction="outbound-api", status=CallStatus.BUSY) == [a.id]
    assert store.calls.list(account.id, to="1001", status=CallStatus.QUEUED).total == 1
    assert listed(to="9999") == []
    assert not any(k.startswith("vox:tmp:") for k in store.redis.scan_iter("vox:*"))


def test_expired_calls_leave_every_index(store, account, redis_client):
    calls = Calls(redis_client, retention=0.2)
    kept = calls.create(_call(account.id))
    gone = calls.create(_call(account.id, to="1001"))
    calls.set_status(gone.id, CallStatus.COMPLETE)
    assert calls.list(account.id).total == 2
    gevent.sleep(0.3)
    assert calls.get(gone.id) is None
    records, total = calls.list(account.id)
    assert total == 1 and [r.id for r in records] == [kept.id]
    assert calls.list(account.id, to="1001").total == 0
    assert redis_client.zcard(keys.EXPIRING) == 0 and redis_client.hlen(keys.EXPIRING_INDEXES) == 0


# Loads calls straight into Redis in the store's layout (100,000 script inserts would take
# the whole time budget): one hash per call, in the account's index and its to/status indexes.
_BULK_LOAD = """
local template = cjson.decode(ARGV[1])
for i = tonumber(ARGV[2]), tonumber(ARGV[3]) do
  local id = string.format('%08x-0000-4000-8000-000000000000', i)
  local to = string.format('1555%04d', i % 100)
  local rkey = string.gsub(ARGV[4], '{id}', id)
  local flat = {'id', id, 'to', to}
  for k, v in pairs(template) do
    if k ~= 'id' and k ~= 'to' then
      flat[#flat + 1] = k
      flat[#flat + 1] = v
    end
  end
  redis.call('HSET', rkey, unpack(flat))
  redis.call('ZADD', ARGV[5], i, rkey)
  redis.call('ZADD', ARGV[6], i, rkey)
  redis.call('ZADD', string.gsub(ARGV[7], '{to}', to), i, rkey)
end
"""


def test_pages_are_right_with_100k_calls(store, account, redis_client):
    template = to_hash(store.calls.create(_call(account.id)))
    store.calls.delete(template["id"])
    load = redis_client.register_script(_BULK_LOAD)
    index, by_status = (keys.fill(t, account_id=account.id, status=CallStatus.QUEUED)
                        for t in (keys.ACCOUNT_CALLS, keys.CALLS_BY_STATUS))
    by_to = keys.CALLS_BY_TO.replace("{account_id}", account.id)
    for first in range(0, 100_000, 20_000):
        load(args=[json.dumps(template), first, first + 19_999, keys.CALL, index, by_status, by_to])
    assert store.calls.list(account.id).total == 100_000

    for page in (1, 2, 50, 2000, 4000):
        records, total = store.calls.list(account.id, page=page, page_size=25)
        assert total == 100_000 and len(records) == 25
        assert records[0].id == ids.normalize(f"{100_000 - 1 - (page - 1) * 25:08x}-0000-4000-8000-000000000000",
                                             ids.CALL)
    records, total = store.calls.list(account.id, to="15550042", status=CallStatus.QUEUED, page=3, page_size=25)
    assert total == 1000 and len(records) == 25 and {r.to for r in records} == {"15550042"}
