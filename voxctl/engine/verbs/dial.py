"""<Dial> (and, through :func:`dial`, the VoxXML top-level <Number>): call other parties.

Numbers, SIP URIs and clients are dialled with one ``bridge``: the legs are
forked in parallel (``,``), the first to answer wins and FreeSWITCH cancels the
others with ``LOSE_RACE``. Everything about the attempt travels in the dial string
(built with :mod:`voxctl.engine.dialstring`, so nothing from a document reaches it
unescaped):

* ``originate_timeout`` (timeout), ``origination_caller_id_number`` (callerId of the
  Dial, or of one Number), ``vox_leg_id`` (the B leg's child call id, the key its
  events are matched on) and ``vox_dial_id`` (all legs of this attempt, for
  ``hupall`` when a REST replace interrupts the Dial: ``uuid_break`` stops neither
  ``bridge`` nor the far end);
* timeLimit and record run on the B leg when it answers, switch side:
  ``execute_on_answer_vox_limit=sched_hangup +N ALLOTTED_TIMEOUT`` and
  ``execute_on_answer_vox_record=record_session <file>`` with ``RECORD_STEREO``
  (FreeSWITCH runs every ``execute_on_answer*`` variable).

On the A leg, before the bridge: ``continue_on_fail``/``hangup_after_bridge=false``
(the document goes on), ``ringback``/``transfer_ringback`` (dialMusic or ringTone:
a URL through ``http_cache://``, a country's ring tone, or nothing for
``disabled``), ``bridge_terminate_key=*`` for hangupOnStar, and
``originate_disposition``/``DIALSTATUS`` cleared so that the result read from the
bridge's own completion can never be a left-over of an earlier Dial. The A leg
is answered first unless answerOnBridge (then the bridge answers it when a B leg
does).

Each B leg is a child call record (direction ``outbound-dial``, ``parent_call_id``)
moved along by the switch link's CHANNEL_CREATE/PROGRESS/ANSWER/HANGUP events of
that leg; the same events send the VoxXML ``number`` callbacks (queued, ringing,
answered, complete, no_connect; a Dial's statusCallback settings override its
Numbers') and the TwiML call-progress callbacks of Number/Sip/Client
(initiated, ringing, answered, completed).

The outcome (DialCallStatus completed, busy, no-answer, failed, canceled) comes from
the leg that answered, else from this bridge's ``originate_disposition``; with an
action URL it is posted there (DialCallSid, DialCallDuration, DialRingDuration,
RecordingUrl) and the answer runs; without one the document goes on.

A child that answered records who hung it up (its ``hangup_by``, hence the TwiML
HangupBy/HangupDirection): ``callee`` when it went while the caller was still
bridged; when the caller's side went first (the bridge then hangs up the leg)
the parent's reason: ``caller``, ``api`` (an API hangup) or ``system`` (a shutdown);
``caller`` as well for hangupOnStar's ``*``, ``document`` for timeLimit and ``api``
for a REST replace. Since the leg's CHANNEL_HANGUP (switch link) and the caller's
(its own socket) race, a leg that ends while the bridge runs is settled when the
bridge returns, when the caller's side is known.

A Sip/Number/Client ``url`` is a screening document run on the called party after it
answers and before the bridge (:mod:`voxctl.engine.screening`): the bridge then
carries ``group_confirm_key=exec``, ``group_confirm_file=socket <this node> async full``
and ``group_confirm_cancel_timeout``; the Dial's timeout becomes each leg's
``leg_timeout`` and ``originate_timeout`` grows by the screening time (a Sip's
``timeout``, else 60 s), since FreeSWITCH's overall originate timeout also cuts a leg
that is still being screened. A leg whose screening hangs it up is declined: the
others keep ringing, and without a winner the Dial is ``no-answer``.
A Dial with a Conference noun joins the room (:mod:`voxctl.engine.verbs.conference`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import gevent
from gevent.event import Event
from gevent.queue import Queue

from voxctl.engine import screening
from voxctl.engine.dialstring import (
    DialStringError,
    client_leg,
    dial_string,
    number_leg,
    sip_leg,
)
from voxctl.engine.esl import EslMessage
from voxctl.engine.screening import ScreeningJob
from voxctl.engine.server import SHUTDOWN_CAUSE
from voxctl.engine.verbs import conference
from voxctl.engine.verbs.base import Outcome, runs
from voxctl.engine.verbs.play import play_target
from voxctl.engine.verbs.record import recording_path, recording_url
from voxctl.engine.watch import router
from voxctl.store.ids import new_id
from voxctl.store.records import CallRecord, CallStatus
from voxctl.webhooks import events
from voxctl.xml import TWIML
from voxctl.xml.sip import join_sip_uri
from voxctl.xml.verbs import Client, Conference, Dial, Number, Sip, StatusCallbacks

LEG_EVENTS = ("CHANNEL_CREATE", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_ANSWER", "CHANNEL_HANGUP")
LEG_HEADER = "variable_vox_leg_id"
SETTLE_SECONDS = 3.0  # after the bridge, how long the legs' last events may lag behind
US_RING = "%(2000,4000,440,480)"
RING_TONES = {"us": US_RING, "ca": US_RING, "uk": "%(400,200,400,450);%(400,2000,400,450)",
              "gb": "%(400,200,400,450);%(400,2000,400,450)", "de": "%(1000,4000,425)",
              "fr": "%(1500,3500,440)", "au": "%(400,200,383,417);%(400,2000,383,417)"}
# the hangup cause of a leg that never answered -> its final status
_FAILED_STATUS = {"USER_BUSY": CallStatus.BUSY, "NO_ANSWER": CallStatus.NO_ANSWER,
                  "NO_USER_RESPONSE": CallStatus.NO_ANSWER, "ALLOTTED_TIMEOUT": CallStatus.NO_ANSWER,
                  "LOSE_RACE": CallStatus.CANCELED, "ORIGINATOR_CANCEL": CallStatus.CANCELED}
SCREENING_SECONDS = 60  # how long a screening may take when the noun does not say (RCML Sip timeout)
_NOT_YET_RINGING = (CallStatus.QUEUED, CallStatus.PROCESSING)
DialTarget = Number | Sip | Client

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession


@dataclass
class DialLeg:
    """One B leg: its child call and what the switch said about it."""

    id: str
    noun: DialTarget
    destination: str
    callbacks: StatusCallbacks
    endpoint: str = ""  # its part of the dial string; empty when it cannot be dialled
    screening: ScreeningJob | None = None  # when the Dial screens its legs
    created: bool = False
    answered_at: float | None = None
    ended_at: float | None = None
    cause: str = ""
    done: Event = field(default_factory=Event)


@dataclass
class DialResult:
    """What the action URL hears about one Dial."""

    status: str
    leg: DialLeg | None = None
    duration: int | None = None
    ring_duration: int | None = None
    recording_url: str | None = None


@runs(Dial)
def run_dial(session: CallSession, verb: Dial) -> Outcome | None:
    """<Dial>: a conference, or numbers/SIP/clients in parallel."""
    return dial(session, verb)


def dial(session: CallSession, verb: Dial) -> Outcome | None:
    """Run one Dial (also the top-level VoxXML <Number>, as a Dial of one Number)."""
    rooms = [noun for noun in verb.nouns if isinstance(noun, Conference)]
    if rooms:
        conference.join(session, rooms[0])
        return _action(session, verb, DialResult(CallStatus.COMPLETE))
    return _action(session, verb, DialAttempt(session, verb).run())


def _action(session: CallSession, verb: Dial, result: DialResult) -> Outcome | None:
    """Post the outcome to the action URL and run its answer; without one, go on."""
    session.log.info("dial %s%s", result.status, f" ({result.leg.destination})" if result.leg else "")
    if not verb.action:
        return None
    params = events.twiml_dial_action(session.call, result.status,
                                      dial_call_sid=result.leg.id if result.leg else None,
                                      dial_call_duration=result.duration, dial_ring_duration=result.ring_duration,
                                      recording_url=result.recording_url)
    document = session.fetch(verb.action, verb.method, params)
    return Outcome.replace(document, session.resolve(verb.action))


class DialAttempt:
    """One bridge to the Dial's legs, their child records and callbacks."""

    def __init__(self, session: CallSession, verb: Dial) -> None:
        self.session = session
        self.verb = verb
        self.services = session.services
        self.dial_id = new_id()
        targets = [noun for noun in verb.nouns if isinstance(noun, (Number, Sip, Client))]
        self.screened = any(noun.url for noun in targets)
        self.legs = [self._leg(noun) for noun in targets]
        self.recording_id = new_id() if verb.record else None
        self.started = time.monotonic()
        self._queue: Queue = Queue()
        self.bridge_over = False  # the bridge returned (or the caller's side is gone)
        self.canceled = False  # a REST replace hung the legs up
        self.star = False  # the caller pressed hangupOnStar's key while a leg was up
        self._ended_in_bridge: list[DialLeg] = []  # answered legs gone while the bridge ran

    # -- the attempt -------------------------------------------------------------------

    def run(self) -> DialResult:
        """Dial, bridge the winner until one side hangs up, settle the records; the result."""
        session = self.session
        if not self.verb.answer_on_bridge:
            session.ensure_answered()
        for leg in self.legs:
            self._create_record(leg)
        dialable = [leg for leg in self.legs if leg.endpoint]
        if not dialable:
            self._settle(None)
            return DialResult(CallStatus.FAILED)
        route = router(self.services.switch)
        offs = [route.on(name, LEG_HEADER, leg.id, self._queue.put) for leg in dialable for name in LEG_EVENTS]
        offs += [screening.register(leg.screening) for leg in dialable if leg.screening is not None]
        if self.verb.hangup_on_star:
            offs.append(session.channel.on_dtmf(self._on_caller_digit))
        worker = gevent.spawn(self._work)
        disposition = ""
        try:
            session.channel.multiset(self._a_leg_variables())
            session.on_interrupt(self._stop)
            completion = session.channel.execute("bridge", self._dial_string(dialable))
            disposition = completion.var("originate_disposition") or ""
        finally:
            self._bridge_returned()
            gevent.wait([leg.done for leg in dialable if leg.created], timeout=SETTLE_SECONDS)
            for off in offs:
                off()
            self._queue.put(StopIteration)
            worker.join()
            self._settle(disposition)
        return self._result(disposition)

    def _stop(self) -> None:
        """A REST replace: mark the channel interrupted, then hang up every leg of this attempt."""
        self.canceled = True
        self.session.channel.interrupt()
        self.services.switch.api(f"hupall ORIGINATOR_CANCEL vox_dial_id {self.dial_id}")

    def _on_caller_digit(self, digit: str, _event: EslMessage) -> None:
        """hangupOnStar: the caller's ``*`` while a leg is up ends the bridge (the switch hangs the leg up)."""
        if digit == "*" and any(leg.answered_at is not None for leg in self.legs):
            self.star = True

    def _bridge_returned(self) -> None:
        """The bridge is over: settle the legs that ended while it ran, now that the caller's side is known."""
        self.bridge_over = True
        ended, self._ended_in_bridge = self._ended_in_bridge, []
        for leg in ended:
            self._close_leg(leg)

    def _result(self, disposition: str) -> DialResult:
        winner = next((leg for leg in self.legs if leg.answered_at is not None and not _declined(leg)), None)
        recorded = recording_url(self.session, self.recording_id) if self.recording_id else None
        if winner is not None:
            end = winner.ended_at or time.monotonic()
            return DialResult(CallStatus.COMPLETE, winner, round(end - winner.answered_at),
                              round(winner.answered_at - self.started), recorded)
        cause = disposition if disposition and disposition != "SUCCESS" else next(
            (leg.cause for leg in self.legs if leg.cause and leg.cause != "LOSE_RACE"), "NO_ANSWER")
        declined = any(_declined(leg) for leg in self.legs)
        status = CallStatus.NO_ANSWER if declined else _FAILED_STATUS.get(cause, CallStatus.FAILED)
        last = self.legs[-1] if len(self.legs) == 1 else None
        return DialResult(status, last, 0, round(time.monotonic() - self.started))

    # -- dial strings ------------------------------------------------------------------

    def _leg(self, noun: DialTarget) -> DialLeg:
        callbacks = self.verb if self.verb.status_callback else noun
        destination = noun.number if isinstance(noun, Number) else noun.uri if isinstance(noun, Sip) else noun.name
        leg = DialLeg(new_id(), noun, destination, callbacks)
        settings = self.session.settings
        variables: dict[str, object] = {"vox_leg_id": leg.id}
        if self.screened:
            session = self.session
            leg.screening = ScreeningJob(leg.id, session.resolve(noun.url) if noun.url else None, noun.method,
                                         session.flavour, session.account)
            variables["leg_timeout"] = self.verb.timeout
        if isinstance(noun, Number) and noun.caller_id:
            variables["origination_caller_id_number"] = noun.caller_id
        try:
            if isinstance(noun, Number):
                leg.endpoint = number_leg(settings, noun.number, variables=variables)
            elif isinstance(noun, Sip):
                leg.endpoint = sip_leg(settings, join_sip_uri(noun.uri, noun.headers), username=noun.username,
                                       password=noun.password, transport=noun.transport, variables=variables)
            else:
                leg.endpoint = client_leg(settings, noun.name, variables=variables)
        except DialStringError as exc:
            self.session.log.warning("cannot dial %r: %s", destination, exc)
            leg.cause = "INVALID_NUMBER_FORMAT"
        return leg

    def _dial_string(self, legs: list[DialLeg]) -> str:
        verb = self.verb
        variables: dict[str, object] = {
            "vox_dial_id": self.dial_id, "vox_parent_call_id": self.session.call.id,
            "originate_timeout": verb.timeout,
        }
        if verb.caller_id:
            variables["origination_caller_id_number"] = verb.caller_id
        if self.screened:
            screen_for = max((leg.noun.timeout if isinstance(leg.noun, Sip) else SCREENING_SECONDS)
                             for leg in legs if leg.noun.url)
            variables.update(originate_timeout=verb.timeout + screen_for, group_confirm_key="exec",
                             group_confirm_file=f"socket {self.services.socket_address} async full",
                             group_confirm_cancel_timeout="true")
        if verb.time_limit:
            variables["execute_on_answer_vox_limit"] = f"sched_hangup +{verb.time_limit} ALLOTTED_TIMEOUT"
        if self.recording_id:
            variables["RECORD_STEREO"] = "true"
            variables["execute_on_answer_vox_record"] = f"record_session {self._recording_path()}"
        return dial_string((leg.endpoint for leg in legs), variables)

    def _a_leg_variables(self) -> dict[str, str]:
        ringback = _ringback(self.session, self.verb)
        return {"continue_on_fail": "true", "hangup_after_bridge": "false",
                "originate_disposition": "", "DIALSTATUS": "",
                "ringback": ringback, "transfer_ringback": ringback,
                "bridge_terminate_key": "*" if self.verb.hangup_on_star else ""}

    def _recording_path(self) -> str:
        return recording_path(self.session.settings.recordings_dir, self.session.call.account_id, self.recording_id)

    # -- child records and callbacks ---------------------------------------------------

    def _create_record(self, leg: DialLeg) -> None:
        call = self.session.call
        caller_id = (leg.noun.caller_id if isinstance(leg.noun, Number) else None) or self.verb.caller_id
        self.services.store.calls.create(CallRecord(
            id=leg.id, account_id=call.account_id, flavour=call.flavour, direction="outbound-dial",
            to=leg.destination, from_=caller_id or call.from_, status=CallStatus.QUEUED,
            parent_call_id=call.id, node_id=self.services.node_id, timeout=self.verb.timeout,
            time_limit=self.verb.time_limit, record=bool(self.recording_id),
            status_callback=leg.callbacks.status_callback,
            status_callback_events=list(leg.callbacks.status_callback_event),
            status_callback_method=leg.callbacks.status_callback_method))
        self._notify(leg, "queued", "initiated")

    def _work(self) -> None:
        """Apply the legs' events in order (off the switch link's event greenlet)."""
        for message in self._queue:
            if message is StopIteration:
                return
            try:
                self._on_event(message)
            except Exception:
                self.session.log.exception("dial leg event failed")

    def _on_event(self, message: EslMessage) -> None:
        leg = next((leg for leg in self.legs if leg.id == message.headers.get(LEG_HEADER)), None)
        if leg is None or leg.done.is_set():
            return
        name = message.name
        calls = self.services.store.calls
        if name == "CHANNEL_CREATE":
            leg.created = True
        elif name in ("CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA"):
            if calls.set_status(leg.id, CallStatus.RINGING, only_from=_NOT_YET_RINGING) is not None:
                self._notify(leg, "ringing", "ringing")
        elif name == "CHANNEL_ANSWER":
            leg.created = True
            leg.answered_at = time.monotonic()
            calls.set_status(leg.id, CallStatus.ANSWERED)
            self._notify(leg, "answered", "answered")
        elif name == "CHANNEL_HANGUP":
            leg.created = True
            self._end_leg(leg, message.headers.get("Hangup-Cause", "NORMAL_CLEARING"))

    def _end_leg(self, leg: DialLeg, cause: str) -> None:
        leg.cause = leg.cause or cause
        leg.ended_at = time.monotonic()
        if _bridged(leg) and not self.bridge_over:
            self._ended_in_bridge.append(leg)  # who hung up is known when the bridge returns
            return
        self._close_leg(leg)

    def _close_leg(self, leg: DialLeg) -> None:
        """The leg's final record and callback."""
        answered = leg.answered_at is not None
        status = CallStatus.COMPLETE if answered else _FAILED_STATUS.get(leg.cause, CallStatus.FAILED)
        self.services.store.calls.set_status(leg.id, status, hangup_cause=leg.cause,
                                             hangup_by=self._hung_up_by(leg) if answered else "system")
        self._notify(leg, "complete" if answered else "no_connect", "completed")
        leg.done.set()

    def _hung_up_by(self, leg: DialLeg) -> str:
        """Who ended an answered leg (``hangup_by``); see the module docstring."""
        if leg.cause == "ALLOTTED_TIMEOUT":
            return "document"  # timeLimit's sched_hangup
        if self.canceled:
            return "api"
        channel = self.session.channel
        if channel.hung_up:  # the caller's side went first and the bridge took the leg with it
            return self.session.hangup_by or ("system" if channel.hangup_cause == SHUTDOWN_CAUSE else "caller")
        return "caller" if self.star else "callee"

    def _settle(self, disposition: str | None) -> None:
        """Legs the switch never reported on (no channel, or events lost) end with the bridge's cause."""
        for leg in self.legs:
            if not leg.done.is_set():
                self._end_leg(leg, disposition if disposition and disposition != "SUCCESS" else "NO_ANSWER")

    def _notify(self, leg: DialLeg, vox_event: str, twiml_event: str) -> None:
        """The leg's callback for this step, if its statusCallbackEvent asked for it."""
        callbacks, session = leg.callbacks, self.session
        if not callbacks.status_callback:
            return
        if session.flavour == TWIML:
            if not events.wants(twiml_event, callbacks.status_callback_event, TWIML):
                return
            record = self.services.store.calls.get(leg.id)
            payload = events.twiml_status_callback(record if record is not None else {"id": leg.id})
            if twiml_event == "initiated":
                payload["CallStatus"] = "initiated"
        else:
            if not events.wants(vox_event, callbacks.status_callback_event, session.flavour):
                return
            payload = events.vox_number_event(vox_event, leg.id, leg.destination)
        # keyed by the leg: its own order, and TwiML SequenceNumber from 0 per leg (a call of its own)
        self.services.callbacks.send(leg.id, session.resolve(callbacks.status_callback),
                                     callbacks.status_callback_method, session.flavour, payload, session.account)


def _bridged(leg: DialLeg) -> bool:
    """The leg answered and was (or is being) bridged: not a race loser, its screening (if any) accepted it."""
    return (leg.answered_at is not None and leg.cause != "LOSE_RACE"
            and (leg.screening is None or leg.screening.accepted))


def _declined(leg: DialLeg) -> bool:
    """The leg answered, but its screening ended with it hung up: it was never bridged."""
    return leg.screening is not None and leg.screening.ran and not leg.screening.accepted


def _ringback(session: CallSession, verb: Dial) -> str:
    """What the caller hears while the legs ring (empty: nothing generated)."""
    value = (verb.dial_music or verb.ring_tone or "").strip()
    if not value:
        return US_RING
    if value.lower() == "disabled":
        return ""
    if value.lower().startswith(("http://", "https://")) or "/" in value:
        return play_target(session, value)
    return RING_TONES.get(value.lower(), US_RING)
