import gevent
import pytest

from voxctl.store import ids, keys
from voxctl.store.conferences import fs_room_name
from voxctl.store.records import ConferenceStatus, ParticipantRecord, ParticipantStatus


@pytest.fixture
def account(store):
    return store.accounts.create("acme")[0]


def _member(conf, call_id=None, **fields):
    return ParticipantRecord(call_id=call_id or ids.new_id(), conference_id=conf.id, account_id=conf.account_id,
                             **fields)


def test_twenty_callers_racing_into_a_new_room_share_one_conference(store, account):
    results = []

    def join():
        results.append(store.conferences.get_or_create_active(
            account.id, "room1", {"status_callback": f"http://cb/{len(results)}"}))

    gevent.joinall([gevent.spawn(join) for _ in range(20)], raise_error=True)
    assert len({conf.id for conf, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    first = next(conf for conf, created in results if created)
    assert store.conferences.list(account.id).total == 1
    assert store.conferences.get(first.id).status_callback == first.status_callback  # the first caller's settings


def test_rooms_are_per_account_and_reopen_after_ending(store, account):
    other, _ = store.accounts.create("other")
    mine, created = store.conferences.get_or_create_active(account.id, "room1", {"node_id": "n1"})
    theirs, _ = store.conferences.get_or_create_active(other.id, "room1")
    assert created and mine.id != theirs.id and mine.fs_name != theirs.fs_name
    assert mine.fs_name == fs_room_name(account.id, "room1")
    assert store.conferences.active_by_name(account.id, "room1").id == mine.id
    assert [c.id for c in store.conferences.active("n1")] == [mine.id]
    assert store.conferences.set_status(mine.id, ConferenceStatus.IN_PROGRESS).start_time
    ended = store.conferences.end(mine.id, reason_ended="last-participant-left")
    assert ended.status == ConferenceStatus.COMPLETE and ended.end_time
    assert store.conferences.end(mine.id) is None
    assert store.conferences.active_by_name(account.id, "room1") is None
    assert store.conferences.active("n1") == []
    again, created = store.conferences.get_or_create_active(account.id, "room1")
    assert created and again.id != mine.id
    assert [c.id for c in store.conferences.list(account.id).records] == [again.id, mine.id]
    assert [c.id for c in store.conferences.list(account.id, status=ConferenceStatus.COMPLETE).records] == [mine.id]
    assert store.conferences.list(account.id, name="room2").total == 0


def test_room_names_are_safe_for_the_switch(account):
    assert fs_room_name(account.id, "room1").endswith("-room1")
    odd = fs_room_name(account.id, "a room@default+flags")
    assert "@" not in odd and " " not in odd and "+" not in odd


def test_participants_list_only_current_members(store, account):
    conf, _ = store.conferences.get_or_create_active(account.id, "room1")
    alice = store.participants.add(_member(conf, label="alice", member_id=7))
    bob = store.participants.add(_member(conf, label="bob"))
    carol = store.participants.add(_member(conf, label="carol"))
    assert alice.id == alice.call_id
    joined = store.participants.set_status(conf.id, bob.id, ParticipantStatus.CONNECTED, member_id=8)
    assert joined.joined_time and joined.member_id == 8
    assert [p.label for p in store.participants.list(conf.id).records] == ["carol", "bob", "alice"]
    left = store.participants.leave(conf.id, bob.id)
    assert left.status == ParticipantStatus.COMPLETE and left.left_time
    page = store.participants.list(conf.id, page=1, page_size=1)
    assert page.total == 2 and [p.label for p in page.records] == ["carol"]
    assert store.participants.count(conf.id) == 2
    assert store.participants.get(conf.id, bob.id).status == ParticipantStatus.COMPLETE  # kept, not listed
    assert store.participants.by_member_id(conf.id, 7).id == alice.id
    assert store.participants.by_member_id(conf.id, 8) is None
    assert store.participants.by_call_id(carol.id).conference_id == conf.id
    assert store.participants.by_call_id(bob.id) is None
    assert store.participants.remove(conf.id, carol.id)
    assert store.participants.get(conf.id, carol.id) is None
    assert [p.label for p in store.participants.list(conf.id).records] == ["alice"]


def test_participant_updates_rejoin_and_isolation(store, account):
    other, _ = store.accounts.create("other")
    conf, _ = store.conferences.get_or_create_active(account.id, "room1")
    member = store.participants.add(_member(conf))
    assert store.participants.update(conf.id, member.id, muted=True, hold=True).muted
    assert store.participants.get(conf.id, member.id, other.id) is None
    assert store.participants.get(conf.id, member.id, account.id).hold
    with pytest.raises(ValueError):
        store.participants.add(_member(conf, call_id=member.id))  # already a member
    store.participants.leave(conf.id, member.id)
    back = store.participants.add(_member(conf, call_id=member.id))  # the same call joins again
    assert back.status == ParticipantStatus.CONNECTING and not back.muted
    assert store.participants.list(conf.id).total == 1
    assert store.redis.ttl(keys.fill(keys.PARTICIPANT, conference_id=conf.id, id=member.id)) == -1
