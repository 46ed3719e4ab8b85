"""Conference and participant commands of the control vocabulary (``voxctl.control``), switch side.

``handle(services, sessions, target_id, command)`` is called by
``voxctl.engine.control.ControlHandler`` on the node that holds the target. The
target is a conference id (``document``, ``end``, ``announce``) or a participant's
call id (``participant_document``, ``mute``, ``hold``, ``announce``, ``kick``).

Documents are parsed in the "conference" or "participant" context and run verb by
verb with the ``conference`` API:

* Say: ``conference <room> say <text>`` (the room's TTS) or ``saymember <member> <text>``;
* Play: ``conference <room> play <http_cache url> [<member>]``;
* Pause: waits ``length`` seconds; If: tests against no script variables (a
  conference has none: ``$X`` is the empty string);
* SetMute: ``mute|unmute all`` (mute_all/unmute_all callbacks) or one member
  (:mod:`voxctl.engine.verbs.set_mute`);
* Redirect: conference scope fetches the document and runs it instead; participant
  scope moves the participant's call out of the room to the fetched document
  (its session's ``replace``, which kicks the member);
* Hangup: ``hup all`` / the participant's call is hung up.

``end`` (the API's DELETE) hangs up every participant's call.

Hold is mute plus deaf (``hold``/``unhold`` are not in every FreeSWITCH version): deaf
first, and on unhold undeaf last (a participant muted before stays muted), so the
mute/unmute events a hold causes carry ``Hear: false`` and are reported as hold/unhold only.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import gevent

from voxctl import control
from voxctl.engine.verbs.conference import member_id_of, notify
from voxctl.engine.verbs.set_mute import mute_conference, mute_participant
from voxctl.services import Services
from voxctl.store.records import ConferenceRecord, ConferenceStatus, ParticipantRecord
from voxctl.webhooks.documents import FetchError, fetch_document
from voxctl.xml import VOXXML, DocumentError, parse
from voxctl.xml.verbs import Hangup, If, Pause, Play, Redirect, Say, SetMute

if TYPE_CHECKING:
    from voxctl.engine.session import Sessions

log = logging.getLogger(__name__)

Command = dict[str, Any]


class Target:
    """Where a command applies: a conference, or one of its participants."""

    def __init__(self, services: Services, sessions: Sessions, conference: ConferenceRecord,
                 participant: ParticipantRecord | None = None) -> None:
        self.services = services
        self.sessions = sessions
        self.conference = conference
        self.participant = participant

    @property
    def room(self) -> str:
        return self.conference.fs_name

    def api(self, subcommand: str) -> str:
        """``conference <room> <subcommand>``."""
        reply = self.services.switch.conference(self.room, subcommand)
        log.info("conference %s: %s -> %s", self.conference.id, subcommand.split(" ", 1)[0], reply.strip())
        return reply

    def member(self) -> str | None:
        """The participant's member id (None for the conference, or once it has left)."""
        if self.participant is None:
            return None
        return member_id_of(self.services, self.conference, self.participant.call_id)


def handle(services: Services, sessions: Sessions, target_id: str, command: Command) -> None:
    """Run one conference or participant command; unknown targets and failures are logged."""
    target = _target(services, sessions, target_id, command)
    if target is None:
        log.info("[%s] %s: no live conference or participant here", target_id, command.get("op"))
        return
    try:
        _OPS[command.get("op", "")](target, command)
    except (FetchError, DocumentError) as exc:
        log.warning("[%s] %s: document error %s: %s", target_id, command.get("op"), exc.code, exc.message)
    except KeyError:
        log.warning("[%s] unknown conference command %r", target_id, command.get("op"))


def _target(services: Services, sessions: Sessions, target_id: str, command: Command) -> Target | None:
    store = services.store
    if command.get("op") != "participant_document":
        conference = store.conferences.get(target_id)
        if conference is not None:
            return Target(services, sessions, conference) if conference.status not in ConferenceStatus.FINAL else None
    participant = store.participants.by_call_id(target_id)
    if participant is None:
        return None
    conference = store.conferences.get(participant.conference_id)
    return Target(services, sessions, conference, participant) if conference is not None else None


# -- commands -------------------------------------------------------------------------------

def _document(target: Target, command: Command) -> None:
    flavour = command.get("flavour") or VOXXML
    context = "participant" if target.participant is not None else "conference"
    run_verbs(target, parse(command.get("document", ""), flavour, context).verbs, flavour)


def _end(target: Target, command: Command) -> None:
    """Hang up every participant's call (``control.hangup`` to the node holding it; ``hup`` the rest).

    ``hup all`` alone only takes the members out of the room: their documents would go on.
    """
    for participant in target.services.store.participants.list(target.conference.id, page_size=1000).records:
        if not target.services.bus.send(participant.call_id, control.hangup()) and participant.member_id:
            target.api(f"hup {participant.member_id}")


def _announce(target: Target, command: Command) -> None:
    _play(target, command.get("url", ""))


def _mute(target: Target, command: Command) -> None:
    if target.participant is not None:
        mute_participant(target.services, target.conference, target.participant, bool(command.get("muted", True)))


def _hold(target: Target, command: Command) -> None:
    member = target.member()
    if member is None:
        return
    on = bool(command.get("hold", True))
    # the member is deaf whenever its mute/unmute events come from a hold: they are not reported
    if on:
        target.api(f"deaf {member}")
        target.api(f"mute {member}")
    else:
        if not target.participant.muted:
            target.api(f"unmute {member}")
        target.api(f"undeaf {member}")
    participant = target.services.store.participants.update(target.conference.id, target.participant.id, hold=on)
    notify(target.services, target.conference, "hold" if on else "unhold", participant)


def _kick(target: Target, command: Command) -> None:
    member = target.member()
    if member is not None:
        target.api(f"kick {member}")


_OPS = {"document": _document, "participant_document": _document, "end": _end, "announce": _announce,
        "mute": _mute, "hold": _hold, "kick": _kick}


# -- conference-scope verbs ------------------------------------------------------------------

def run_verbs(target: Target, verbs: list[Any], flavour: str) -> None:
    """Run a conference- or participant-scope document's verbs in order."""
    for verb in verbs:
        if isinstance(verb, Say):
            _say(target, verb)
        elif isinstance(verb, Play):
            for _ in range(max(1, verb.loop)):
                _play(target, verb.url)
        elif isinstance(verb, Pause):
            gevent.sleep(verb.length)
        elif isinstance(verb, SetMute):
            _set_mute(target, verb.muted)
        elif isinstance(verb, If):
            matched = "" in verb.values
            if matched != (verb.test.upper() == "NOTEQUAL"):
                run_verbs(target, verb.verbs, flavour)
        elif isinstance(verb, Redirect):
            _redirect(target, verb, flavour)
            return
        elif isinstance(verb, Hangup):
            _hangup(target)
            return


def _say(target: Target, verb: Say) -> None:
    text = " ".join(verb.text.split())
    if not text:
        return
    member = target.member()
    for _ in range(max(1, verb.loop)):
        target.api(f"saymember {member} {text}" if member else f"say {text}")


def _play(target: Target, url: str) -> None:
    url = url.strip()
    if not url:
        return
    file = "http_cache://" + url if url.startswith(("http://", "https://")) else url
    member = target.member()
    target.api(f"play {file} {member}" if member else f"play {file}")


def _set_mute(target: Target, muted: bool) -> None:
    if target.participant is not None:
        mute_participant(target.services, target.conference, target.participant, muted)
    else:
        mute_conference(target.services, target.conference, muted)


def _redirect(target: Target, verb: Redirect, flavour: str) -> None:
    if target.participant is not None:
        session = target.sessions.get(target.participant.call_id)
        if session is None:
            log.info("participant %s is not on this node: redirect ignored", target.participant.call_id)
            return
        document = session.fetch(verb.url, verb.method, session.document_params())
        session.replace(document, session.resolve(verb.url))
        return
    account = target.services.store.accounts.get(target.conference.account_id)
    params = {"type": "conference", "event": "redirect", "conference_id": target.conference.id}
    text = fetch_document(target.services.http, verb.url, verb.method, params, flavour, account,
                          target.conference.id)
    run_verbs(target, parse(text, flavour, "conference").verbs, flavour)


def _hangup(target: Target) -> None:
    if target.participant is None:
        target.api("hup all")
        return
    session = target.sessions.get(target.participant.call_id)
    if session is not None:
        session.hangup_from_api()
        return
    member = target.member()
    if member is not None:
        target.api(f"hup {member}")
