"""``Simulator``: the switch. It owns the clock, the channels, the dialplan, the
conferences, the inbound ESL server, and places scripted calls that dial the engine.
"""
from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable

import gevent
import gevent.pool

from .api import Api
from .apps import APPS
from .args import split_args
from .bus import EventBus
from .caller import ScriptedCaller
from .channel import Channel
from .clock import Clock
from .conference import Conferences
from .connection import Connection
from .dialplan import Actions, Dialplan, engine_dialplan
from .events import EventFactory
from .inbound import InboundServer
from .media import Media
from .protocol import Event
from .script import CallScript, Destination
from .timeline import TimelineEntry

log = logging.getLogger(__name__)


class Call:
    """A call placed with :meth:`Simulator.place_call`."""

    def __init__(self, sim: Simulator, script: CallScript, channel: Channel) -> None:
        self.sim = sim
        self.script = script
        self.channel = channel
        self.done = channel.destroyed

    @property
    def uuid(self) -> str:
        return self.channel.uuid

    @property
    def timeline(self) -> list[TimelineEntry]:
        return self.channel.timeline.entries

    @property
    def hangup_cause(self) -> str:
        return self.channel.hangup_cause

    @property
    def answered(self) -> bool:
        return self.channel.answered.is_set()

    @property
    def variables(self) -> dict[str, str]:
        return self.channel.variables

    def heard(self) -> list[str]:
        """What the caller heard, in order: spoken texts and played files/tones."""
        return self.channel.timeline.heard()

    def wait(self, timeout: float | None = None) -> Call:
        """Block until the call and its sockets are over (real seconds); TimeoutError otherwise."""
        if not self.done.wait(timeout):
            raise TimeoutError(f"call {self.uuid} still running after {timeout} s")
        return self


class Simulator:
    """A FreeSWITCH stand-in that speaks real ESL (see docs/simulator.rst)."""

    def __init__(self, esl_host: str = "127.0.0.1", esl_port: int = 8021, password: str = "ClueCon",
                 speed: float = 1.0, destinations: dict[str, Destination] | None = None,
                 default_destination: Destination | None = None,
                 engine: tuple[str, int] = ("127.0.0.1", 8084), dialplan: Dialplan | None = None,
                 files_root: str | None = None, default_duration: float = 3.0,
                 sip_address: str = "127.0.0.1:5080") -> None:
        self.esl_host = esl_host
        self.esl_port = esl_port
        self.password = password
        self.sip_address = sip_address
        self.clock = Clock(speed)
        self.events = EventFactory(self.clock)
        self.media = Media(files_root, default_duration)
        self.api = Api(self)
        self.conferences = Conferences(self)
        self.apps = dict(APPS)
        self.dialplan = dialplan or engine_dialplan(*engine)
        self.destinations: dict[str, Destination] = dict(destinations or {})
        self.default_destination = default_destination or Destination("answer", answer_after=1.0, stay=30.0)
        self.channels: dict[str, Channel] = {}
        self.calls: list[Call] = []
        self.bus = EventBus(self.events)
        self.session_count = 0
        self.peak = 0
        self._session_ids = itertools.count(1)
        self._finished: set[str] = set()
        self._greenlets = gevent.pool.Group()
        self._server: InboundServer | None = None

    # -- life --------------------------------------------------------------------------
    def start(self) -> Simulator:
        """Listen for inbound ESL (``esl_port`` 0: an ephemeral port, then ``self.esl_port``)."""
        self._server = InboundServer(self, self.esl_host, self.esl_port)
        self.esl_port = self._server.start()
        log.info("sim: inbound ESL on %s:%s (speed %s)", self.esl_host, self.esl_port, self.clock.speed)
        return self

    def stop(self) -> None:
        """Hang up every channel, close every socket, stop listening."""
        for ch in list(self.channels.values()):
            ch.hangup("MANAGER_REQUEST")
        if self._server is not None:
            self._server.stop()
        for conn in list(self.bus.connections):
            conn.close()
        self._greenlets.kill(block=True, timeout=2)
        self.media.close()

    def spawn(self, fn: Callable, *args) -> gevent.Greenlet:
        return self._greenlets.spawn(fn, *args)

    def spawn_later(self, seconds: float, fn: Callable, *args) -> gevent.Greenlet:
        """Run ``fn`` after ``seconds`` of simulated time."""
        g = gevent.Greenlet(fn, *args)
        self._greenlets.add(g)
        g.start_later(self.clock.real(seconds))
        return g

    def next_session_id(self) -> int:
        return next(self._session_ids)

    # -- destinations and dialplan --------------------------------------------------------
    def set_destination(self, number: str, destination: Destination) -> None:
        """How calls to ``number`` (the user part of any dial string) behave from now on."""
        self.destinations[number] = destination

    def destination_for(self, number: str) -> Destination:
        return self.destinations.get(number) or self.destinations.get(number.lstrip("+")) or self.default_destination

    def target_actions(self, target: str) -> Actions:
        """What an originated leg runs: ``&app(args)`` or ``<extension> [dialplan] [context]``."""
        target = target.strip()
        if target.startswith("&"):
            name, _, rest = target[1:].partition("(")
            arg = rest.rsplit(")", 1)[0].strip()
            if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
                arg = arg[1:-1]
            return [(name.strip(), arg)]
        words = split_args(target)
        route = self.dialplan.route(words[0], words[2] if len(words) > 2 else "default")
        return route if route is not None else [("hangup", "NO_ROUTE_DESTINATION")]

    # -- channels ------------------------------------------------------------------------
    def add_channel(self, ch: Channel) -> None:
        """A new channel exists: CHANNEL_CREATE."""
        self.channels[ch.uuid] = ch
        self.session_count += 1
        self.peak = max(self.peak, len(self.channels))
        ch.fire("CHANNEL_CREATE")

    def run(self, ch: Channel, actions: Actions | None) -> None:
        """Give ``ch`` its executor: ``actions`` (None: nothing, until it hangs up), then the reports."""
        ch.greenlet = self.spawn(self._execute, ch, actions)

    def _execute(self, ch: Channel, actions: Actions | None) -> None:
        try:
            if actions is None:
                ch.hungup.wait()
            else:
                self._run_actions(ch, actions)
        except Exception:
            log.exception("sim %s: executor failed", ch.uuid)
            ch.hangup("NORMAL_TEMPORARY_FAILURE")
        finally:
            ch.finish()

    def _run_actions(self, ch: Channel, actions: Actions) -> None:
        ch.state = "CS_EXECUTE"
        ch.call_state = "RINGING" if ch.direction == "inbound" and not ch.answered.is_set() else ch.call_state
        while True:
            for app, arg in actions:
                if ch.interrupted():
                    break
                ch.run_app(app, arg)
            if not ch.is_up or ch.transfer_to is None:
                break
            extension, context = ch.transfer_to
            ch.transfer_to = None
            ch.record("transfer", to=extension, context=context)
            ch.set_state("CS_ROUTING")
            ch.set_state("CS_EXECUTE")
            route = self.dialplan.route(extension, context)
            if route is None:
                ch.hangup("NO_ROUTE_DESTINATION")
                break
            actions = route
        if ch.is_up:
            ch.hangup(ch.pending_hangup or "NORMAL_CLEARING")

    def channel_gone(self, ch: Channel) -> None:
        """The channel reported its hangup; it is destroyed once no socket holds it (fact 6)."""
        self._finished.add(ch.uuid)
        self.session_detached(ch)

    def session_detached(self, ch: Channel) -> None:
        if ch.uuid in self._finished and not any(not s.closed for s in ch.sessions):
            self._finished.discard(ch.uuid)
            ch.state = "CS_DESTROY"
            ch.fire("CHANNEL_DESTROY")
            self.channels.pop(ch.uuid, None)
            self.bus.forget(ch.uuid)
            ch.destroyed.set()

    # -- event bus -----------------------------------------------------------------------
    def connection_opened(self, conn: Connection) -> None:
        self.bus.opened(conn)

    def connection_closed(self, conn: Connection) -> None:
        self.bus.closed(conn)

    def dispatch(self, ev: Event, channel: Channel | None) -> None:
        """Deliver an event to every connection that wants it (see ``EventBus``)."""
        self.bus.dispatch(ev, channel)

    # -- scripted calls ------------------------------------------------------------------
    def place_call(self, script: CallScript) -> Call:
        """Start a simulated inbound call; its dialplan connects to ``script.target`` (or routes ``to``)."""
        for number, dest in script.destinations.items():
            self.set_destination(number, dest)
        ch = Channel(self, name=f"sofia/external/{script.from_}@127.0.0.1", direction="inbound",
                     destination=script.to, caller_number=script.from_, caller_name=script.caller_name,
                     context="public", source="mod_sofia",
                     variables={"sip_from_user": script.from_, "sip_to_user": script.to,
                                "sip_req_user": script.to, "sip_network_ip": "127.0.0.1",
                                "sip_user_agent": "voxctl-sim", "vox_to": script.to, **script.variables})
        ch.variables["sip_call_id"] = f"{ch.uuid}@127.0.0.1"
        if script.target is not None:
            actions: Actions = [("socket", f"{script.target[0]}:{script.target[1]} async full")]
        else:
            actions = self.dialplan.route(script.to, "public") or [("hangup", "NO_ROUTE_DESTINATION")]
        call = Call(self, script, ch)
        self.calls.append(call)
        ScriptedCaller(self, ch, script)
        self.add_channel(ch)
        ch.record("ringing", to=script.to, **{"from": script.from_})
        self.run(ch, actions)
        return call

    def stream_timeline(self, call: Call) -> None:
        """Fire each timeline entry of ``call`` as a CUSTOM ``sim::timeline`` event (and ``end``)."""
        def send(entry: TimelineEntry) -> None:
            headers = [("Unique-ID", call.uuid), ("Timeline-T", f"{entry.t:.3f}"),
                       ("Timeline-Kind", entry.kind), ("Timeline-Detail", json.dumps(entry.detail))]
            self.dispatch(self.events.build("CUSTOM", headers, subclass="sim::timeline"), None)

        for entry in list(call.timeline):
            send(entry)
        call.channel.timeline.listeners.append(send)

        def finished() -> None:
            call.done.wait()
            send(TimelineEntry(round(self.clock.now() - call.channel.timeline.start, 3), "end",
                               {"cause": call.hangup_cause}))

        self.spawn(finished)
