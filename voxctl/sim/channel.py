"""A simulated channel: state, caller profile, variables, the event header set, and
the machinery apps run on (an inbox of queued ``sendmsg`` executes, DTMF, breaks,
transfers and hangup), modelled on the channel data of traces 02, 05, 10 and 15.
"""
from __future__ import annotations

import logging
import uuid as uuidlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gevent
from gevent.event import Event as Flag

from .protocol import Headers, Memo
from .timeline import Timeline

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger(__name__)

STATE_NUMBERS = {"CS_NEW": 0, "CS_INIT": 2, "CS_ROUTING": 2, "CS_SOFT_EXECUTE": 3, "CS_EXECUTE": 4,
                 "CS_EXCHANGE_MEDIA": 5, "CS_PARK": 6, "CS_CONSUME_MEDIA": 7, "CS_HIBERNATE": 8,
                 "CS_RESET": 9, "CS_HANGUP": 10, "CS_REPORTING": 11, "CS_DESTROY": 12}
CALLSTATE_NUMBERS = {"DOWN": 0, "DIALING": 1, "RINGING": 2, "EARLY": 3, "ACTIVE": 4, "HELD": 5,
                     "RING_WAIT": 6, "HANGUP": 7, "UNHELD": 8}

# events that carry the channel data without the variable_* headers (traces 04, 14)
NO_VARIABLES = frozenset({"DTMF", "CHANNEL_STATE", "CHANNEL_CALLSTATE", "PRIVATE_COMMAND", "CODEC"})

VARIABLE_HEADERS = Memo(lambda name: f"variable_{name}")  # the same str each time: its hash is kept

Q850 = {"UNALLOCATED_NUMBER": 1, "NO_ROUTE_DESTINATION": 3, "NORMAL_CLEARING": 16, "USER_BUSY": 17,
        "NO_USER_RESPONSE": 18, "NO_ANSWER": 19, "CALL_REJECTED": 21, "REDIRECTION_TO_NEW_DESTINATION": 23,
        "DESTINATION_OUT_OF_ORDER": 27, "INVALID_NUMBER_FORMAT": 28, "NORMAL_UNSPECIFIED": 31,
        "NORMAL_TEMPORARY_FAILURE": 41, "ORIGINATOR_CANCEL": 487, "LOSE_RACE": 502,
        "MANAGER_REQUEST": 503, "ALLOTTED_TIMEOUT": 602, "SUBSCRIBER_ABSENT": 20}


@dataclass
class Message:
    """A queued ``sendmsg`` (from the outbound socket or ``sendmsg <uuid>`` inbound)."""

    command: str  # execute | hangup | unicast | nomedia
    app: str = ""
    arg: str = ""
    event_uuid: str = ""
    loops: int = 1
    event_lock: bool = False
    hangup_cause: str = "NORMAL_CLEARING"
    raw: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    action: Callable[[Channel], None] | None = None  # internal work queued by the api (uuid_bridge)
    before_park: bool = False  # queued before the socket parked: no PRIVATE_COMMAND (trace 14)


class Channel:
    """One leg. All apps of a channel run in its executor greenlet (see ``Simulator``)."""

    def __init__(self, sim: Simulator, *, name: str, direction: str, destination: str,
                 caller_number: str, caller_name: str = "", callee_number: str = "",
                 callee_name: str = "", context: str = "default", source: str = "mod_loopback",
                 uuid: str | None = None, hit_dialplan: bool = True,
                 variables: dict[str, str] | None = None) -> None:
        self.sim = sim
        self.uuid = uuid or str(uuidlib.uuid4())
        self.name = name
        self.direction = direction
        self.source = source
        self.hit_dialplan = hit_dialplan
        self.state = "CS_INIT"
        self.call_state = "DOWN"
        self.answer_state = "ringing"
        self.hangup_cause = ""
        self.profile = {"caller_id_name": caller_name, "caller_id_number": caller_number,
                        "orig_caller_id_number": caller_number, "callee_id_name": callee_name,
                        "callee_id_number": callee_number, "ani": caller_number,
                        "destination_number": destination, "context": context}
        now = sim.clock.epoch_us()
        self.times = {"created": now, "answered": 0, "progress": 0, "progress_media": 0,
                      "hangup": 0, "transfer": 0, "bridged": 0}
        self.variables: dict[str, str] = {
            "direction": direction, "uuid": self.uuid, "session_id": str(sim.next_session_id()),
            "channel_name": name, "read_codec": "L16", "read_rate": "8000",
            "write_codec": "L16", "write_rate": "8000"}
        if direction == "outbound":
            self.variables["is_outbound"] = "true"
        self.variables.update(variables or {})
        self.variables.setdefault("call_uuid", self.uuid)
        self.timeline = Timeline(sim.clock.now())
        self.other_leg: Channel | None = None  # Other-Leg-* headers (stale after unbridge, fact 11)
        self.other_type = ""
        self.bridged_to: Channel | None = None
        self.loopback_peer: Channel | None = None
        self.sessions: list = []  # outbound sockets attached to this channel
        self.inbox: deque[Message] = deque()
        self.dtmf_queue: deque[str] = deque()
        self.app_depth = 0
        self.event_locked = False
        self.last_response = "_none_"
        self.break_requested = False
        self.parked_in_app = False
        self.parked = False
        self.pending_hangup = ""
        self.transfer_to: tuple[str, str] | None = None
        self.hungup = Flag()
        self.reported = False  # CHANNEL_HANGUP_COMPLETE sent: the api cannot locate it any more (trace 17)
        self.answered = Flag()
        self.destroyed = Flag()
        self.noise: list[tuple[float, float]] = []  # (start, end) simulated times this leg made sound
        self.hears_noise: Callable[[float, float], list[tuple[float, float]]] = lambda a, b: []
        self.recognizer: Any = None  # a running detect_speech (voxctl.sim.speech.Recognizer)
        self.on_answer: list[Callable[[Channel], None]] = []
        self.on_progress: list[Callable[[Channel], None]] = []
        self.socket_released = False  # the engine closed its socket: the socket app returns (park ends)
        self.session_recordings: dict[str, float] = {}  # record_session media bugs: path -> start
        self.on_hangup: list[Callable[[Channel], None]] = []
        self._wake = Flag()
        self._profiles: dict[tuple[str, bool], tuple[tuple, Headers]] = {}  # see _profile
        self.greenlet: gevent.Greenlet | None = None

    def __repr__(self) -> str:
        return f"<Channel {self.name} {self.uuid}>"

    # -- headers -------------------------------------------------------------------
    def _profile(self, prefix: str, other: bool = False) -> Headers:
        """The caller profile headers under ``prefix``; rebuilt only when something in them changed."""
        key = (self.name, self.direction, self.source, self.uuid, *self.profile.values(), *self.times.values())
        cached = self._profiles.get((prefix, other))
        if cached is None or cached[0] != key:
            cached = self._profiles[prefix, other] = (key, self._build_profile(prefix, other))
        return list(cached[1])

    def _build_profile(self, prefix: str, other: bool) -> Headers:
        p, t = self.profile, self.times
        h: Headers = [(f"{prefix}-Direction", self.direction),
                      (f"{prefix}-Logical-Direction", self.direction if not other else "inbound"),
                      (f"{prefix}-Dialplan", "xml")]
        if p["caller_id_name"]:
            h.append((f"{prefix}-Caller-ID-Name", p["caller_id_name"]))
        h += [(f"{prefix}-Caller-ID-Number", p["caller_id_number"]),
              (f"{prefix}-Orig-Caller-ID-Number", p["orig_caller_id_number"])]
        if p["callee_id_name"]:
            h.append((f"{prefix}-Callee-ID-Name", p["callee_id_name"]))
        if p["callee_id_number"]:
            h.append((f"{prefix}-Callee-ID-Number", p["callee_id_number"]))
        h += [(f"{prefix}-ANI", p["ani"]), (f"{prefix}-Destination-Number", p["destination_number"]),
              (f"{prefix}-Unique-ID", self.uuid), (f"{prefix}-Source", self.source),
              (f"{prefix}-Context", p["context"]), (f"{prefix}-Channel-Name", self.name)]
        if not other:
            h.append((f"{prefix}-Profile-Index", "1"))
        h += [(f"{prefix}-Profile-Created-Time", str(t["created"])),
              (f"{prefix}-Channel-Created-Time", str(t["created"])),
              (f"{prefix}-Channel-Answered-Time", str(t["answered"])),
              (f"{prefix}-Channel-Progress-Time", str(t["progress"])),
              (f"{prefix}-Channel-Progress-Media-Time", str(t["progress_media"])),
              (f"{prefix}-Channel-Hangup-Time", str(t["hangup"])),
              (f"{prefix}-Channel-Transfer-Time", str(t["transfer"])),
              (f"{prefix}-Channel-Resurrect-Time", "0"),
              (f"{prefix}-Channel-Bridged-Time", str(t["bridged"])),
              (f"{prefix}-Channel-Last-Hold", "0"), (f"{prefix}-Channel-Hold-Accum", "0"),
              (f"{prefix}-Screen-Bit", "true"), (f"{prefix}-Privacy-Hide-Name", "false"),
              (f"{prefix}-Privacy-Hide-Number", "false")]
        return h

    def basic_headers(self) -> Headers:
        """The channel part every channel event carries (without profile and variables)."""
        h: Headers = [("Channel-State", self.state), ("Channel-Call-State", self.call_state),
                      ("Channel-State-Number", str(STATE_NUMBERS.get(self.state, 4))),
                      ("Channel-Name", self.name), ("Unique-ID", self.uuid),
                      ("Call-Direction", self.direction), ("Presence-Call-Direction", self.direction),
                      ("Channel-HIT-Dialplan", "true" if self.hit_dialplan else "false"),
                      ("Channel-Call-UUID", self.variables.get("call_uuid", self.uuid)),
                      ("Answer-State", self.answer_state)]
        if self.hangup_cause:
            h.append(("Hangup-Cause", self.hangup_cause))
        return h

    def data_headers(self, variables: bool = True) -> Headers:
        """Channel data: basic headers, codecs, caller profile, other leg, ``variable_*``."""
        h = self.basic_headers()
        h += [("Channel-Read-Codec-Name", "L16"), ("Channel-Read-Codec-Rate", "8000"),
              ("Channel-Read-Codec-Bit-Rate", "128000"), ("Channel-Write-Codec-Name", "L16"),
              ("Channel-Write-Codec-Rate", "8000"), ("Channel-Write-Codec-Bit-Rate", "128000")]
        h += self._profile("Caller")
        if self.other_leg is not None:
            h.append(("Other-Type", self.other_type))
            h += self.other_leg._profile("Other-Leg", other=True)
        if variables:
            h += [(VARIABLE_HEADERS[k], v) for k, v in self.variables.items()]
        return h

    def connect_data(self) -> Headers:
        """The CHANNEL_DATA of the outbound ``connect`` reply (fact 2)."""
        return self.sim.events.build("CHANNEL_DATA", self._profile("Channel") + self.data_headers()).headers

    # -- events --------------------------------------------------------------------
    def fire(self, name: str, *extra: tuple[str, str], leading: Headers = (), pre: Headers = (),
             body: str = "") -> None:
        """Build and dispatch one channel event: ``pre`` before Event-Name, ``leading`` before
        the channel data, ``extra`` after it (nothing is built when no connection subscribes)."""
        if self.sim.bus.unwanted(name, self):
            return
        headers = list(leading) + self.data_headers(name not in NO_VARIABLES) + list(extra)
        self.sim.dispatch(self.sim.events.build(name, headers, pre=pre, body=body), self)

    def set_state(self, state: str) -> None:
        self.state = state
        self.fire("CHANNEL_STATE")

    def set_call_state(self, call_state: str) -> None:
        if call_state == self.call_state:
            return
        original = self.call_state
        self.call_state = call_state
        self.fire("CHANNEL_CALLSTATE", leading=[("Original-Channel-Call-State", original),
                                                ("Channel-Call-State-Number", str(CALLSTATE_NUMBERS[call_state]))])

    def record(self, kind: str, **detail: object) -> None:
        """Add a timeline entry (and log it with the channel uuid)."""
        self.timeline.add(self.sim.clock.now(), kind, **detail)
        log.debug("sim %s %s %s", self.uuid, kind, detail)

    # -- lifecycle -----------------------------------------------------------------
    @property
    def is_up(self) -> bool:
        return not self.hungup.is_set()

    def progress(self, media: bool = False, propagate: bool = True) -> None:
        """Ringing (CHANNEL_PROGRESS) or early media (CHANNEL_PROGRESS_MEDIA)."""
        if not self.is_up or self.answered.is_set():
            return
        key = "progress_media" if media else "progress"
        if self.times[key]:
            return
        self.times[key] = self.sim.clock.epoch_us()
        if self.loopback_peer is not None and propagate:
            self.loopback_peer.progress(media)
        if media:
            self.answer_state = "early"
        self.fire("CHANNEL_PROGRESS_MEDIA" if media else "CHANNEL_PROGRESS")
        self.set_call_state("EARLY" if media else "RINGING")
        for cb in list(self.on_progress):
            cb(self)

    def answer(self) -> None:
        """Mark answered: CHANNEL_ANSWER (the loopback peer answers first, as in trace 02)."""
        if not self.is_up or self.answered.is_set():
            return
        if self.source == "mod_sofia" and self.direction == "inbound" and not self.times["progress_media"]:
            self.progress(media=True, propagate=False)  # a SIP answer: early media first (trace 15)
        self.answered.set()
        self.times["answered"] = self.sim.clock.epoch_us()
        peer = self.loopback_peer
        if peer is not None:
            peer.answer()
        self.answer_state = "answered"
        self.variables["endpoint_disposition"] = "ANSWER"
        self.fire("CHANNEL_ANSWER")
        self.set_call_state("ACTIVE")
        self.record("answer")
        for cb in list(self.on_answer):
            cb(self)

    def hangup(self, cause: str = "NORMAL_CLEARING") -> None:
        """Hang up now: CHANNEL_HANGUP; the executor unwinds the running apps and reports."""
        if not self.is_up:
            return
        self.hangup_cause = cause
        self.answer_state = "hangup"
        self.times["hangup"] = self.sim.clock.epoch_us()
        self.variables.setdefault("endpoint_disposition", "ANSWER" if self.answered.is_set() else "DISCONNECTED")
        self.hungup.set()
        self.fire("CHANNEL_HANGUP")
        self.record("hangup", cause=cause)
        for session in list(self.sessions):
            session.channel_hung_up(self)
        self.wake()
        for cb in list(self.on_hangup):
            cb(self)
        peer = self.loopback_peer
        if peer is not None:
            self.sim.spawn(peer.peer_gone, cause)
        if self.greenlet is None:
            self.sim.spawn(self.finish)

    def peer_gone(self, cause: str) -> None:
        """The loopback peer hung up: a parked leg leaves ``park`` first, then hangs up (trace 02)."""
        if self.parked_in_app:
            self.pending_hangup = cause
            self.wake()
        else:
            self.hangup(cause)

    def finish(self) -> None:
        """After the last app: the end-of-call reports of fact 7."""
        if self.is_up:
            self.hangup("NORMAL_CLEARING")
        self.set_state("CS_HANGUP")
        self.set_call_state("HANGUP")
        self.set_state("CS_REPORTING")
        self._hangup_variables()
        self.fire("CHANNEL_HANGUP_COMPLETE", leading=[("Hangup-Cause", self.hangup_cause)])
        self.reported = True
        for session in list(self.sessions):
            session.channel_complete(self)
        self.sim.channel_gone(self)

    def _hangup_variables(self) -> None:
        t, clock = self.times, self.sim.clock
        end = t["hangup"] or clock.epoch_us()
        answered = t["answered"]
        v = self.variables
        v["hangup_cause"] = self.hangup_cause
        v["hangup_cause_q850"] = str(Q850.get(self.hangup_cause, 16))
        for stamp, key in (("start", "created"), ("answer", "answered"), ("end", "hangup")):
            if t[key]:
                v[f"{stamp}_stamp"] = self.sim.events.local_time(t[key])
            v[f"{stamp}_epoch"] = str(t[key] // 1_000_000)
            v[f"{stamp}_uepoch"] = str(t[key])
        v["end_epoch"], v["end_uepoch"] = str(end // 1_000_000), str(end)
        v["last_app"] = v.get("current_application", "")
        v["caller_id"] = self.profile["caller_id_number"]
        duration_us = end - t["created"]
        bill_us = end - answered if answered else 0
        v["duration"] = str(round(duration_us / 1e6))
        v["billsec"] = str(round(bill_us / 1e6))
        v["mduration"] = str(duration_us // 1000)
        v["billmsec"] = str(bill_us // 1000)
        v["uduration"] = str(duration_us)
        v["billusec"] = str(bill_us)
        v["answersec"] = str(round((answered - t["created"]) / 1e6) if answered else 0)

    # -- media and control -------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def queue(self, message: Message) -> None:
        """A sendmsg for this channel: run by the executor, or nested by the running app."""
        message.before_park = not self.parked
        self.inbox.append(message)
        self.wake()

    def request_break(self, flush: bool = False) -> None:
        """``uuid_break``: the running media operation ends now (CF_BREAK). A break that no app
        reads stays pending until the next app starts, which clears it. ``flush`` (``all``)
        also discards the queued sendmsgs."""
        if flush:
            self.inbox = deque(m for m in self.inbox if m.action is not None)
        self.break_requested = True
        self.wake()

    def request_transfer(self, extension: str, context: str) -> None:
        """``uuid_transfer``: stop the running apps and run the dialplan for ``extension``."""
        self.transfer_to = (extension, context)
        self.times["transfer"] = self.sim.clock.epoch_us()
        self.wake()

    def receive_dtmf(self, digits: str, source: str = "UNKNOWN") -> None:
        """Digits arriving on this channel: one DTMF event each, queued for the apps."""
        for digit in digits:
            if digit in "wW":
                continue
            if not self.is_up:
                return
            self.fire("DTMF", ("DTMF-Digit", digit), ("DTMF-Duration", "2000"), ("DTMF-Source", source))
            self.dtmf_queue.append(digit)
            self.record("dtmf", digits=digit)
        self.wake()

    def peer_sends_media(self) -> bool:
        """False when the other side sends no audio frames at all (a parked loopback caller)."""
        return not (self.loopback_peer is not None and self.loopback_peer.parked_in_app)

    def interrupted(self) -> bool:
        return not self.is_up or self.transfer_to is not None

    def wait(self, seconds: float | None, digits: bool = False, nested: bool = True,
             until: Callable[[], bool] | None = None) -> str:
        """Let ``seconds`` of simulated time pass (None: until interrupted).

        Returns why it ended: ``timeout``, ``dtmf`` (when ``digits``), ``break``,
        ``hangup``, ``transfer`` or ``done`` (``until()`` became true; whoever makes
        it true calls :meth:`wake`). Queued sendmsg executes run nested meanwhile,
        as FreeSWITCH's apps do when they parse the channel's events.
        """
        clock = self.sim.clock
        deadline = None if seconds is None else clock.now() + seconds
        while True:
            self._wake.clear()
            if not self.is_up:
                return "hangup"
            if self.transfer_to is not None:
                return "transfer"
            if self.break_requested:
                self.break_requested = False
                return "break"
            if digits and self.dtmf_queue:
                return "dtmf"
            if until is not None and until():
                return "done"
            if nested and self.inbox and not self.event_locked:
                self.run_message(self.inbox.popleft())
                continue
            if deadline is None:
                self._wake.wait()
                continue
            remaining = deadline - clock.now()
            if remaining <= 0:
                return "timeout"
            self._wake.wait(timeout=clock.real(remaining))

    def run_message(self, message: Message) -> None:
        """Carry out one sendmsg."""
        if message.action is not None:
            message.action(self)
        elif message.command == "hangup":
            self.hangup(message.hangup_cause or "NORMAL_CLEARING")
        elif message.command == "execute":
            locked_before = self.event_locked
            self.event_locked = message.event_lock or locked_before
            try:
                loops = max(1, message.loops)
                for n in range(1, loops + 1):
                    started = self.sim.clock.now()
                    self.variables["current_loop"] = str(n)
                    self.variables["total_loops"] = str(loops)
                    self.run_app(message.app, message.arg, message.event_uuid or None)
                    # FreeSWITCH stops looping when a run took less than 0.5 s (trace 16)
                    if not self.is_up or self.sim.clock.now() - started < 0.5:
                        break
            finally:
                self.event_locked = locked_before
                self.variables.pop("current_loop", None)
                self.variables.pop("total_loops", None)
            if message.raw and not message.before_park:
                self.fire("PRIVATE_COMMAND", pre=[("Command", message.raw), *message.headers.items()])

    def run_app(self, name: str, arg: str = "", app_uuid: str | None = None) -> str:
        """Execute one application with its CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE."""
        app = self.sim.apps.get(name)
        if app is None:
            log.info("sim %s: unknown application %r", self.uuid, name)
            self.hangup("DESTINATION_OUT_OF_ORDER")
            return "_none_"
        app_uuid = app_uuid or str(uuidlib.uuid4())
        self.variables["current_application"] = name
        if arg:
            self.variables["current_application_data"] = arg
        else:
            self.variables.pop("current_application_data", None)
        self.variables["app_uuid"] = app_uuid
        app_headers = [("Application", name)] + ([("Application-Data", arg)] if arg else [])
        self.fire("CHANNEL_EXECUTE", *app_headers, ("Application-UUID", app_uuid))
        self.break_requested = False  # switch_core_session_exec clears CF_BREAK: a pending break never reaches it
        self.app_depth += 1
        try:
            response = app(self, arg) or "_none_"
        finally:
            self.app_depth -= 1
        self.last_response = response if name != "socket" else self.last_response
        self.fire("CHANNEL_EXECUTE_COMPLETE", *app_headers, ("Application-Response", response),
                  ("Application-UUID", app_uuid))
        return response

    def park(self, announce: bool = True) -> None:
        """Run queued messages until hangup or transfer (the socket and park apps)."""
        self.state = "CS_EXECUTE"
        self.parked = True
        if announce:
            self.fire("CHANNEL_PARK")
        while self.wait(None, until=lambda: bool(self.pending_hangup) or self.socket_released) \
                not in ("hangup", "transfer", "done"):
            pass
        self.socket_released = False
        if self.is_up or not self.pending_hangup:
            self.fire("CHANNEL_UNPARK")
