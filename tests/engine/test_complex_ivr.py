"""The VoxXML spec's Complex IVR, down every branch: support, both conferences with the waiting and the
moderator PIN (typed, and spoken with an ASR engine), invalid PIN, invalid conference, hours of
operation, and no input."""
from __future__ import annotations

import pytest

from tests.engine.helpers import WAV, entries, wait_until
from tests.xml.documents import VOX_COMPLEX_IVR as COMPLEX_IVR
from voxctl.sim import Destination, DtmfOnPrompt, SpeechOnPrompt
from voxctl.store.records import CallStatus, ConferenceStatus, ParticipantStatus

MENU = ["Hello, and welcome.", "For support, press one.", "To join a conference, press two."]
ENDED = "Conference has ended. Thank you"


def _keys(*steps: tuple[str, str]) -> list[DtmfOnPrompt]:
    return [DtmfOnPrompt(digits, prompt) for digits, prompt in steps]


def _conference_keys(room: str, pin: str | None) -> list[DtmfOnPrompt]:
    steps = [("2", "To join a conference"), (room, "Please enter conference ID")]
    return _keys(*steps, *([(pin, "Please enter pin")] if pin else []))


def test_support(dial, node, sim):
    sim.set_destination("15556667777", Destination("answer", answer_after=1.0, stay=3.0))
    call = dial(COMPLEX_IVR, dtmf=_keys(("1", "For support"))).wait(15)
    assert call.heard() == ["Hello, and welcome.", "For support, press one.",
                            "Dialing support. Please wait.", "Call has ended. Goodbye."]
    assert "15556667777" in str(entries(call, "bridge")[0].detail)
    assert node.services.store.calls.get(call.uuid).status == CallStatus.COMPLETE


@pytest.mark.parametrize("room", ["2233", "3344"])
def test_conference_waits_for_the_moderator_pin_and_ends_with_it(dial, node, account, room):
    waiter = dial(COMPLEX_IVR, dtmf=_conference_keys(room, "1111"))
    wait_until(lambda: "local_stream://moh" in waiter.heard(), timeout=10, what="hold music")
    conf = node.services.store.conferences.list(account.id, name=room).records[0]
    moderator = dial(COMPLEX_IVR, dtmf=_conference_keys(room, "9999"))
    wait_until(lambda: entries(moderator, "conference_join"), timeout=10, what="the moderator")
    assert entries(waiter, "conference_join")[0].detail["flags"] == []
    assert sorted(entries(moderator, "conference_join")[0].detail["flags"]) == ["endconf", "moderator"]
    moderator.channel.hangup("NORMAL_CLEARING")
    waiter.wait(15)
    moderator.wait(15)
    assert waiter.heard()[-1] == ENDED and waiter.heard()[:3] == MENU
    assert entries(waiter, "hangup")[-1].detail["cause"] == "NORMAL_CLEARING"
    ended = node.services.store.conferences.get(conf.id)
    assert ended.status == ConferenceStatus.COMPLETE
    assert ended.reason_ended == "participant-with-end-conference-on-exit-left"
    assert ended.ended_by_call_id == moderator.uuid
    participants = node.services.store.participants
    assert {participants.get(conf.id, c.uuid).status for c in (waiter, moderator)} == {ParticipantStatus.COMPLETE}
    assert node.services.bus.owner(conf.id) is None


def test_spoken_pin_with_an_asr_engine(dial, node, account):
    node.services.settings.asr_engine = "unimrcp:default"
    steps = _keys(("2", "To join a conference"), ("2233", "Please enter conference ID"))
    call = dial(COMPLEX_IVR, dtmf=steps, phrases=[SpeechOnPrompt("9999", "Please enter pin")], hangup_after=60)
    wait_until(lambda: entries(call, "conference_join"), timeout=10, what="the conference")
    assert sorted(entries(call, "conference_join")[0].detail["flags"]) == ["endconf", "moderator"]
    assert entries(call, "recognized")[0].detail["text"] == "9999"
    call.channel.hangup("NORMAL_CLEARING")
    call.wait(10)


@pytest.mark.parametrize("room, pin, last", [
    ("2233", "1234", "Invalid pin. Goodbye."), ("3344", None, "Invalid pin. Goodbye."),
    ("5555", None, "Invalid conference. Goodbye.")])
def test_wrong_pin_or_conference(dial, room, pin, last):
    call = dial(COMPLEX_IVR, dtmf=_conference_keys(room, pin)).wait(15)
    assert call.heard()[-1] == last and not entries(call, "conference_join")


def test_hours_of_operation(dial, http_server):
    url = http_server.route("/hours-of-operation.mp3", WAV, content_type="audio/mpeg")
    document = COMPLEX_IVR.replace("https://example.com/hours-of-operation.mp3", url)
    assert document != COMPLEX_IVR
    call = dial(document, dtmf=_keys(("3", "hours of operation"))).wait(15)
    assert call.heard()[-1] == "http_cache://" + url
    assert http_server.requests_to("/hours-of-operation.mp3")


def test_no_option_selected(dial):
    call = dial(COMPLEX_IVR).wait(20)
    heard = call.heard()
    assert heard.count("For updates on hours of operation, press three.") == 3
    assert heard[-1] == "No option selected. Goodbye."
