"""<Conference> (VoxXML top level) and <Dial><Conference> (through :func:`join`): one room per name.

The conference record is the account's open conference of that name
(``store.conferences.get_or_create_active``: racing callers get the same one); the
node of its first participant claims it on the control bus, and that
participant's statusCallback settings hold for the whole conference (VoxXML spec,
"Callbacks"; TwiML uses the same record). The participant's id is the call id;
its ``member_id`` comes from the CUSTOM ``conference::maintenance`` ``add-member``
event matched on the channel's ``Unique-ID``.

The switch side is the ``conference`` application on
``<fs_room_name>@<settings.conference_profile>+flags{...}``:

* ``mute`` for muted; ``moderator`` for startConferenceOnEnter=true (a moderator
  clears ``wait-mod``); ``endconf`` for endConferenceOnExit;
* startConferenceOnEnter=false sets ``conference_flags=wait-mod`` (it seeds the room's
  flags when this call creates the room, trace 06b), so the caller waits with
  ``conference_moh_sound`` until a moderator arrives; the hold sound is the first
  <Play> of the waitUrl document when there is one (FreeSWITCH loops a hold sound
  itself, so the document is not run verb by verb), else ``settings.hold_music``;
* beep: ``conference_enter_sound``/``conference_exit_sound`` (a beep, or silence for
  the side beep does not cover); maxParticipants: ``conference_max_members``, and a
  full room is refused here with a spoken message before the app runs; record
  (record-from-start): ``conference_auto_record``.

The app completes when the member leaves (hangup, kick, end of the conference; with
``hangup_after_conference=false`` the switch does not hang the members of an ended
room up, so the document goes on after <Conference>);
the participant is then ``complete``; an endConferenceOnExit participant leaves the
reason on the record (FreeSWITCH's ``endconf`` takes the others out) and the last
member to leave ends the conference. Events (start, end, join, leave, mute, unmute,
dtmf; TwiML conference-start ... participant-unmute) go to the conference's
callback URL through :func:`notify`. A REST replace kicks the member out of the
room (``uuid_break`` does not stop ``conference``).
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import gevent

from voxctl.engine.esl import EslMessage
from voxctl.engine.verbs.base import Outcome, runs
from voxctl.engine.verbs.play import play_target
from voxctl.engine.verbs.record import recording_path
from voxctl.engine.watch import router
from voxctl.services import Services
from voxctl.store.records import ConferenceRecord, ConferenceStatus, ParticipantRecord, ParticipantStatus
from voxctl.webhooks import events
from voxctl.webhooks.documents import FetchError
from voxctl.xml import TWIML, DocumentError, Play
from voxctl.xml.verbs import Conference

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession

MAINTENANCE = "conference::maintenance"
BEEP = "tone_stream://%(200,0,800)"
NO_SOUND = "silence_stream://10"
FULL_MESSAGE = "The conference is full."
# VoxXML conference events -> TwiML StatusCallbackEvent
TWIML_EVENTS = {"start": "conference-start", "end": "conference-end", "join": "participant-join",
                "leave": "participant-leave", "mute": "participant-mute", "unmute": "participant-unmute",
                "hold": "participant-hold", "unhold": "participant-unhold"}


@runs(Conference)
def run_conference(session: CallSession, verb: Conference) -> Outcome | None:
    """<Conference>: join the room until the call leaves it, then go on with the next verb."""
    join(session, verb)
    return None


def join(session: CallSession, verb: Conference) -> None:
    """Put the call in ``verb``'s room until it leaves; records and callbacks on the way."""
    Membership(session, verb).run()


def notify(services: Services, conference: ConferenceRecord, event: str,
           participant: ParticipantRecord | None = None, dtmf: str | None = None, account: Any = None) -> None:
    """Send conference ``event`` to the conference's callback URL if its statusCallbackEvent asked for it.

    With the ``account`` given it queues without any I/O (no greenlet switch), so a
    participant's ``leave`` is queued before another member can see the room empty.
    """
    if not conference.status_callback:
        return
    twiml = conference.flavour == TWIML
    name = TWIML_EVENTS.get(event) if twiml else event if event in events.CONFERENCE_EVENTS else None
    if name is None or not events.wants(name, conference.status_callback_events, conference.flavour):
        return
    if twiml:
        payload = events.twiml_conference_event(name, conference, participant)
    else:
        payload = events.vox_conference_event(event, conference.id, participant.id if participant else None,
                                              participant.label if participant else None, dtmf)
    account = account if account is not None else services.store.accounts.get(conference.account_id)
    services.callbacks.send(conference.id, conference.status_callback, conference.status_callback_method,
                            conference.flavour, payload, account, "conference")


def member_id_of(services: Services, conference: ConferenceRecord, call_id: str) -> str | None:
    """The switch's member id of ``call_id`` in ``conference`` (the record, else ``conference list``)."""
    participant = services.store.participants.get(conference.id, call_id)
    if participant is not None and participant.member_id is not None:
        return str(participant.member_id)
    for line in services.switch.conference(conference.fs_name, "list").splitlines():
        fields = line.split(";")
        if len(fields) > 2 and fields[2] == call_id:
            return fields[0]
    return None


class Membership:
    """One call's stay in one conference."""

    def __init__(self, session: CallSession, verb: Conference) -> None:
        self.session = session
        self.verb = verb
        self.services = session.services
        self.conference: ConferenceRecord | None = None
        self.joined = False
        self._pending: deque[EslMessage] = deque()  # this member's switch events not yet applied
        self._worker: gevent.Greenlet | None = None  # applies them; exists only while some are pending

    @property
    def call_id(self) -> str:
        return self.session.call.id

    def run(self) -> None:
        session, services, verb = self.session, self.services, self.verb
        session.ensure_answered()
        self.conference = self._open()
        if services.store.participants.count(self.conference.id) >= (self.conference.max_participants
                                                                     or verb.max_participants):
            session.log.warning("conference %s is full: not joining", self.conference.id)
            engine, voice = session.tts_args(None)
            session.channel.execute("speak", f"{engine}|{voice}|{FULL_MESSAGE}")
            return
        services.store.participants.add(ParticipantRecord(
            call_id=self.call_id, conference_id=self.conference.id, account_id=self.conference.account_id,
            label=verb.participant_label, status=ParticipantStatus.CONNECTING, muted=verb.muted, beep=verb.beep,
            start_conference_on_enter=verb.start_conference_on_enter,
            end_conference_on_exit=verb.end_conference_on_exit))
        session.update_call(conference_id=self.conference.id)
        off = router(services.switch).on(MAINTENANCE, "Unique-ID", session.channel.uuid, self._received)
        try:
            session.channel.multiset(self._variables())
            session.on_interrupt(self._stop)
            session.channel.execute("conference", self._target())
        finally:
            off()
            if self._worker is not None:
                self._worker.join()
            self._leave()

    # -- joining -----------------------------------------------------------------------

    def _open(self) -> ConferenceRecord:
        """The open conference of this name, created (and claimed) by its first participant."""
        session, verb = self.session, self.verb
        defaults: dict[str, Any] = {
            "node_id": self.services.node_id, "flavour": session.flavour, "status_callback": verb.status_callback,
            "status_callback_events": list(verb.status_callback_event),
            "status_callback_method": verb.status_callback_method, "max_participants": verb.max_participants}
        record, created = self.services.store.conferences.get_or_create_active(session.call.account_id, verb.name,
                                                                               defaults)
        if created:
            self.services.bus.claim(record.id)
            session.log.info("conference %s (%s) created", record.id, verb.name)
        return record

    def _target(self) -> str:
        verb = self.verb
        flags = [flag for flag, on in (("mute", verb.muted), ("moderator", verb.start_conference_on_enter),
                                       ("endconf", verb.end_conference_on_exit)) if on]
        room = f"{self.conference.fs_name}@{self.session.settings.conference_profile}"
        return room + (f"+flags{{{'|'.join(flags)}}}" if flags else "")

    def _variables(self) -> dict[str, str]:
        verb = self.verb
        beep = verb.beep.lower()
        record = ""
        if verb.record == "record-from-start":
            record = recording_path(self.session.settings.recordings_dir, self.conference.account_id,
                                    self.conference.id)
        return {"conference_flags": "" if verb.start_conference_on_enter else "wait-mod",
                "conference_moh_sound": self._hold_sound(),
                "conference_enter_sound": BEEP if beep in ("true", "onenter") else NO_SOUND,
                "conference_exit_sound": BEEP if beep in ("true", "onexit") else NO_SOUND,
                "conference_max_members": str(self.conference.max_participants or verb.max_participants),
                "conference_auto_record": record, "hangup_after_conference": "false"}

    def _hold_sound(self) -> str:
        """The first <Play> of the waitUrl document, else the configured hold music."""
        if not self.verb.wait_url:
            return self.session.settings.hold_music
        try:
            document = self.session.fetch(self.verb.wait_url, self.verb.wait_method, self.session.twiml_params()
                                          if self.session.flavour == TWIML else None)
        except (FetchError, DocumentError) as exc:
            self.session.log.warning("waitUrl %s: %s; using the hold music", self.verb.wait_url, exc)
            return self.session.settings.hold_music
        play = next((v for v in document.verbs if isinstance(v, Play) and v.url), None)
        return play_target(self.session, play.url) if play else self.session.settings.hold_music

    # -- switch events -----------------------------------------------------------------

    def _received(self, message: EslMessage) -> None:
        """Queue a switch event for this member (on the switch link's greenlet: never blocks)."""
        self._pending.append(message)
        if self._worker is None:
            self._worker = gevent.spawn(self._work)

    def _work(self) -> None:
        """Apply this member's pending events in order, then end: an idle member holds no greenlet."""
        try:
            while self._pending:
                message = self._pending.popleft()
                try:
                    self._on_event(message)
                except Exception:
                    self.session.log.exception("conference event failed")
                del message
        finally:
            self._worker = None

    def _on_event(self, message: EslMessage) -> None:
        action = message.headers.get("Action", "")
        participants = self.services.store.participants
        conf_id = self.conference.id
        if action == "add-member":
            self.joined = True
            participant = participants.set_status(conf_id, self.call_id, ParticipantStatus.CONNECTED,
                                                  member_id=int(message.headers.get("Member-ID", "0")))
            started = self.services.store.conferences.set_status(conf_id, ConferenceStatus.IN_PROGRESS,
                                                                 only_from=(ConferenceStatus.QUEUED,))
            if started is not None:  # one member's add-member starts it, however many race
                self.conference = started
                notify(self.services, started, "start")
            notify(self.services, self.conference, "join", participant)
        elif action in ("mute-member", "unmute-member"):
            if message.headers.get("Hear") == "false":
                return  # a hold or unhold (mute plus deaf), reported as such by conference_control
            muted = action == "mute-member"
            participant = participants.update(conf_id, self.call_id, muted=muted)
            notify(self.services, self.conference, "mute" if muted else "unmute", participant)
        elif action == "dtmf-member":
            participant = participants.get(conf_id, self.call_id)
            notify(self.services, self.conference, "dtmf", participant, message.headers.get("DTMF-Key"))

    # -- leaving -----------------------------------------------------------------------

    def _stop(self) -> None:
        """A REST replace: mark the channel interrupted and take the member out of the room."""
        self.session.channel.interrupt()
        member = member_id_of(self.services, self.conference, self.session.channel.uuid)
        if member is not None:
            self.services.switch.conference(self.conference.fs_name, f"kick {member}")

    def _leave(self) -> None:
        store, conf_id = self.services.store, self.conference.id
        if not self.joined:
            store.participants.set_status(conf_id, self.call_id, ParticipantStatus.FAILED)
            if store.participants.count(conf_id) == 0:
                end_conference(self.services, conf_id)
            return
        # ``leave`` is queued before the member is out of the member list, so a member that then
        # finds the room empty queues ``end`` after it
        notify(self.services, self.conference, "leave", store.participants.get(conf_id, self.call_id),
               account=self.session.account)
        if self.verb.end_conference_on_exit:  # before leaving: whoever then leaves last ends it so
            store.conferences.update(conf_id, reason_ended="participant-with-end-conference-on-exit-left",
                                     ended_by_call_id=self.call_id)
        store.participants.leave(conf_id, self.call_id)
        self.session.log.info("left conference %s", conf_id)
        if store.participants.count(conf_id) == 0:
            end_conference(self.services, conf_id)


def end_conference(services: Services, conf_id: str) -> None:
    """The last member left: mark the conference complete (once), send ``end``, drop its bus claim
    (held by the node of its first participant, which may not be this one).

    The reason is the one an endConferenceOnExit participant left on the record, else
    ``last-participant-left``. A conference nobody ever joined (still queued) is
    ``conf_failed``, without an ``end`` event.
    """
    conferences = services.store.conferences
    if conferences.set_status(conf_id, ConferenceStatus.CONF_FAILED, only_from=(ConferenceStatus.QUEUED,)):
        services.bus.drop(conf_id)
        return
    current = conferences.get(conf_id)
    reason = (current.reason_ended if current else None) or "last-participant-left"
    ended = conferences.end(conf_id, reason_ended=reason)
    if ended is None:
        return
    notify(services, ended, "end")
    services.bus.drop(conf_id)  # whichever node claimed it: the last member may have been elsewhere
