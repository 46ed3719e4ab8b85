"""Conferences and Participants driven with the official ``twilio`` package against a real local server."""
from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from voxctl import control
from voxctl.store import ids
from voxctl.xml import TWIML, Conference, Dial, parse


def test_list_filters_by_friendly_name_and_status(twilio, account):
    live = account.conference("sales", status="in_progress")
    waiting = account.conference("support", status="queued")
    ended = account.conference("sales", status="complete")
    assert [c.sid for c in twilio.conferences.list(friendly_name="sales")] == [ended.sid, live.sid]
    assert [c.sid for c in twilio.conferences.list(status="init")] == [waiting.sid]
    assert [c.sid for c in twilio.conferences.list(status="completed", page_size=1)] == [ended.sid]
    assert len(twilio.conferences.list(limit=2, page_size=1)) == 2


def test_fetch_returns_the_conference_resource(twilio, account):
    room = account.conference("sales", reason_ended=None)
    fetched = twilio.conferences(room.sid).fetch()
    assert (fetched.sid, fetched.friendly_name, fetched.status) == (room.sid, "sales", "in-progress")
    assert fetched.subresource_uris["participants"] == \
        f"/2010-04-01/Accounts/{account.record.sid}/Conferences/{room.sid}/Participants.json"


def test_status_completed_ends_the_conference_on_its_node(twilio, account, engine_node):
    room = account.conference("sales")
    engine_node.claim(room.id)
    twilio.conferences(room.sid).update(status="completed")
    assert engine_node.wait_for(1) == [(room.id, control.end())]


def test_announce_url_plays_into_the_conference(twilio, account, engine_node):
    room = account.conference("sales")
    engine_node.claim(room.id)
    twilio.conferences(room.sid).update(announce_url="https://app.example.com/news.mp3")
    assert engine_node.wait_for(1) == [(room.id, control.announce("https://app.example.com/news.mp3"))]


def test_participants_lists_current_members_filtered_by_muted_and_hold(twilio, account):
    room = account.conference("sales")
    talking = account.participant(room)
    muted = account.participant(room, muted=True)
    held = account.participant(room, hold=True, label="caller")
    account.participant(room, status="complete")
    members = twilio.conferences(room.sid).participants
    assert [p.call_sid for p in members.list()] == [ids.to_sid(ids.CALL, p.call_id) for p in (held, muted, talking)]
    assert [p.call_sid for p in members.list(muted=True)] == [ids.to_sid(ids.CALL, muted.call_id)]
    assert [p.label for p in members.list(hold=True, page_size=1)] == ["caller"]
    assert members("caller").fetch().hold is True  # a participant by its label


def test_participant_updates_become_commands_for_the_node_holding_its_call(twilio, account, engine_node):
    room = account.conference("sales")
    member = account.participant(room)
    engine_node.claim(member.call_id)
    call_sid = ids.to_sid(ids.CALL, member.call_id)
    updated = twilio.conferences(room.sid).participants(call_sid).update(
        muted=True, hold=True, announce_url="https://app.example.com/hi.mp3")
    assert (updated.muted, updated.hold, updated.call_sid, updated.conference_sid) == (True, True, call_sid, room.sid)
    assert engine_node.wait_for(3) == [(member.call_id, control.mute(True)), (member.call_id, control.hold(True)),
                                       (member.call_id, control.announce("https://app.example.com/hi.mp3"))]


def test_deleting_a_participant_kicks_it(twilio, account, engine_node):
    room = account.conference("sales")
    member = account.participant(room)
    engine_node.claim(member.call_id)
    assert twilio.conferences(room.sid).participants(ids.to_sid(ids.CALL, member.call_id)).delete() is True
    assert engine_node.wait_for(1) == [(member.call_id, control.kick())]


def test_a_participant_that_left_is_not_found(twilio, account):
    room = account.conference("sales")
    left = account.participant(room, status="complete")
    with pytest.raises(TwilioRestException) as caught:
        twilio.conferences(room.sid).participants(ids.to_sid(ids.CALL, left.call_id)).fetch()
    assert caught.value.code == 20404


def test_adding_a_participant_dials_a_call_into_the_room(twilio, account, store):
    room = account.conference("sales")
    added = twilio.conferences(room.sid).participants.create(
        from_="+15557770002", to="+15557770001", label="agent", muted=True, beep="onEnter",
        start_conference_on_enter=False, end_conference_on_exit=True, early_media=True,
        status_callback="https://app.example.com/leg", status_callback_event=["answered"],
        conference_status_callback="https://app.example.com/room", conference_status_callback_event=["join"],
        wait_url="https://app.example.com/wait", conference_record="true", timeout=20)
    assert (added.conference_sid, added.label, added.status, added.muted) == (room.sid, "agent", "queued", True)
    assert (added.start_conference_on_enter, added.end_conference_on_exit) == (False, True)

    call = store.calls.get(ids.from_sid(added.call_sid))
    assert (call.flavour, call.direction, call.to, call.from_, call.timeout) == (
        "twiml", "outbound-api", "+15557770001", "+15557770002", 20)
    assert (call.status_callback, call.status_callback_events) == ("https://app.example.com/leg", ["answered"])
    dial = parse(call.voxxml, TWIML, "call").verbs[0]
    assert isinstance(dial, Dial) and isinstance(dial.nouns[0], Conference)
    noun = dial.nouns[0]
    assert (noun.name, noun.participant_label, noun.muted, noun.beep) == ("sales", "agent", True, "onEnter")
    assert (noun.start_conference_on_enter, noun.end_conference_on_exit) == (False, True)
    assert (noun.status_callback, noun.status_callback_event) == ("https://app.example.com/room", ["join"])
    assert (noun.wait_url, noun.record) == ("https://app.example.com/wait", "record-from-start")


def test_adding_a_participant_by_friendly_name_opens_the_room_when_it_joins(twilio, account, store):
    added = twilio.conferences("Team Room").participants.create(from_="+15557770002", to="sip:bob@example.com")
    assert added.conference_sid is None and added.status == "queued"
    call = store.calls.get(ids.from_sid(added.call_sid))
    noun = parse(call.voxxml, TWIML, "call").verbs[0].nouns[0]
    assert (noun.name, noun.muted, noun.beep, noun.start_conference_on_enter) == ("Team Room", False, "true", True)


def test_another_accounts_conference_is_not_found(twilio, other_account):
    foreign = other_account.conference("sales")
    for attempt in (lambda: twilio.conferences(foreign.sid).fetch(),
                    lambda: twilio.conferences(foreign.sid).update(status="completed"),
                    lambda: twilio.conferences(foreign.sid).participants.create(from_="+15550001", to="+15550002")):
        with pytest.raises(TwilioRestException) as caught:
            attempt()
        assert (caught.value.status, caught.value.code) == (404, 20404)
