"""What inbound and outbound ESL sockets share: ordered writes, event subscriptions
(``event``, ``myevents``, ``filter``, ``nixevent``, ``noevents``), ``api``/``bgapi``,
``sendmsg`` and ``exit`` (fact 3: one reply per command, in order; no events
delivered on a connection while its ``api`` runs).
"""
from __future__ import annotations

import logging
import socket
import uuid as uuidlib
from typing import TYPE_CHECKING

import gevent
from gevent.queue import Queue

from .channel import Channel, Message
from .protocol import (
    Command,
    Event,
    api_response,
    command_reply,
    disconnect_notice,
    read_command,
)

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger(__name__)

# what `myevents` delivers (fact 6)
MYEVENTS = frozenset({
    "CHANNEL_ANSWER", "CHANNEL_APPLICATION", "CHANNEL_BRIDGE", "CHANNEL_CREATE", "CHANNEL_DATA",
    "CHANNEL_DESTROY", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE", "CHANNEL_ORIGINATE", "CHANNEL_UUID", "CHANNEL_OUTGOING", "CHANNEL_PARK",
    "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_STATE", "CHANNEL_UNBRIDGE", "CHANNEL_UNPARK",
    "DETECTED_SPEECH", "DTMF", "NOTALK", "TALK"})


def message_from(cmd: Command) -> Message:
    """A channel Message from a ``sendmsg`` command (argument in a header or the body)."""
    arg = cmd.header("execute-app-arg") or (cmd.body if cmd.body else "")
    return Message(command=cmd.header("call-command", "execute").lower(),
                   app=cmd.header("execute-app-name"), arg=arg, event_uuid=cmd.header("event-uuid"),
                   loops=int(cmd.header("loops", "1") or 1),
                   event_lock=cmd.header("event-lock").lower() == "true",
                   hangup_cause=cmd.header("hangup-cause", "NORMAL_CLEARING"),
                   raw=cmd.raw.rstrip("\n"), headers=dict(cmd.headers))


class Connection:
    """One ESL socket served by the simulator."""

    def __init__(self, sim: Simulator, sock, label: str) -> None:
        self.sim = sim
        self.sock = sock
        self.label = label
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle/delayed-ACK stalls
        self.reader = sock.makefile("rb")
        self.out: Queue = Queue()
        self.fmt = "plain"
        self.names: set[str] = set()
        self.all_events = False
        self.subclasses: set[str] = set()
        self._only_uuid: str | None = None
        self.filters: list[tuple[str, str]] = []
        self.closed = False
        self._held: list[bytes] | None = None
        self._writer = gevent.spawn(self._write_loop)

    # -- writing -------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        if not self.closed:
            self.out.put(data)

    def close(self) -> None:
        """Flush what is queued, then close the socket."""
        if not self.closed:
            self.closed = True
            self.out.put(None)

    def _write_loop(self) -> None:
        """Write what is queued, in order: whatever is queued together goes in one ``sendall``
        (the same bytes on the wire, fewer system calls); None ends the loop."""
        out = self.out
        done = False
        while not done:
            chunks = [out.get()]
            while out.qsize():
                chunks.append(out.get_nowait())
            if None in chunks:
                chunks = chunks[:chunks.index(None)]
                done = True
            try:
                if chunks:
                    self.sock.sendall(b"".join(chunks))
            except OSError:
                self.closed = True
                break
        try:
            self.sock.close()
        except OSError:
            pass
        self.sim.connection_closed(self)

    # -- events --------------------------------------------------------------------
    @property
    def only_uuid(self) -> str | None:
        """The channel this connection hears about (``myevents``), None for every channel."""
        return self._only_uuid

    @only_uuid.setter
    def only_uuid(self, uuid: str | None) -> None:
        old, self._only_uuid = self._only_uuid, uuid
        self.sim.bus.reroute(self, old)

    def subscribes(self, name: str, subclass: str, channel: Channel | None) -> bool:
        """Whether events ``name`` (``subclass``) of ``channel`` are subscribed to (filters aside)."""
        if self.closed or not (self.all_events or self.names):
            return False
        if self._only_uuid is not None and (channel is None or channel.uuid != self._only_uuid):
            return False
        if self.all_events:
            return True
        if name == "CUSTOM":
            return "CUSTOM" in self.names and (not self.subclasses or subclass in self.subclasses)
        return name in self.names

    def wants(self, ev: Event, channel: Channel | None) -> bool:
        """Subscribed to and passing the filters."""
        return self.subscribes(ev.name, ev.subclass, channel) and \
            (not self.filters or any(ev.get(h) == v for h, v in self.filters))

    def deliver(self, ev: Event, channel: Channel | None) -> None:
        if not self.wants(ev, channel):
            return
        data = ev.encode(self.fmt)
        if self._held is not None:
            self._held.append(data)
        else:
            self.send(data)

    # -- serving -------------------------------------------------------------------
    def serve(self) -> None:
        """Read commands until the client or the switch ends the connection."""
        try:
            self.greet()
            while not self.closed:
                cmd = read_command(self.reader)
                if cmd is None:
                    break
                self.handle(cmd)
        except OSError as exc:
            log.debug("sim %s: %s", self.label, exc)
        finally:
            self.client_gone()
            self.close()

    def greet(self) -> None:
        """Sent when the connection opens."""

    def client_gone(self) -> None:
        """The client closed its side (or we did)."""

    def handle(self, cmd: Command) -> None:
        handler = getattr(self, f"cmd_{cmd.verb}", None)
        if handler is None:
            self.send(command_reply("-ERR command not found"))
        else:
            handler(cmd)

    def cmd_event(self, cmd: Command) -> None:
        words = cmd.arg.split()
        if words and words[0].lower() in ("plain", "json", "xml"):
            self.fmt = "json" if words[0].lower() == "json" else "plain"
            words = words[1:]
        if not words:
            self.send(command_reply("-ERR no keywords supplied"))
            return
        self._subscribe(words)
        self.send(command_reply(f"+OK event listener enabled {self.fmt}"))

    def _subscribe(self, words: list[str]) -> None:
        custom = False
        for word in words:
            if custom:
                self.subclasses.add(word)
            elif word.upper() == "ALL":
                self.all_events = True
            elif word.upper() == "CUSTOM":
                custom = True
                self.names.add("CUSTOM")
            else:
                self.names.add(word.upper())

    def cmd_nixevent(self, cmd: Command) -> None:
        for word in cmd.arg.split():
            if word.upper() == "ALL":
                self.all_events = False
                self.names.clear()
            self.names.discard(word.upper())
            self.subclasses.discard(word)
        self.send(command_reply("+OK events nixed"))

    def cmd_noevents(self, cmd: Command) -> None:
        self.names.clear()
        self.subclasses.clear()
        self.all_events = False
        self.send(command_reply("+OK no longer listening for events"))

    def cmd_filter(self, cmd: Command) -> None:
        words = cmd.arg.split(" ", 2)
        if words and words[0].lower() == "delete" and len(words) > 1:
            self.filters = [f for f in self.filters if f[0] != words[1] or (len(words) > 2 and f[1] != words[2])]
            self.send(command_reply(f"+OK filter deleted. [{words[1]}]"))
        elif len(words) >= 2:
            self.filters.append((words[0], " ".join(words[1:])))
            self.send(command_reply(f"+OK filter added. [{words[0]}]=[{' '.join(words[1:])}]"))
        else:
            self.send(command_reply("-ERR invalid syntax"))

    def cmd_divert_events(self, cmd: Command) -> None:
        on = cmd.arg.lower() == "on"
        self.send(command_reply("+OK events diverted" if on else "+OK events not diverted"))

    def cmd_log(self, cmd: Command) -> None:
        self.send(command_reply(f"+OK log level {cmd.arg or 'debug'} [7]"))

    def cmd_nolog(self, cmd: Command) -> None:
        self.send(command_reply("+OK no longer spewing logs."))

    def cmd_api(self, cmd: Command) -> None:
        self._held = []
        try:
            result = self.sim.api.execute(cmd.arg, self)
        finally:
            held, self._held = self._held, None
        self.send(api_response(result))
        for data in held:
            self.send(data)

    def cmd_bgapi(self, cmd: Command) -> None:
        job = cmd.header("job-uuid") or str(uuidlib.uuid4())
        self.send(command_reply(f"+OK Job-UUID: {job}", ("Job-UUID", job)))
        self.sim.spawn(self._background_job, job, cmd.arg)

    def _background_job(self, job: str, text: str) -> None:
        result = self.sim.api.execute(text, self)
        name, _, arg = text.partition(" ")
        headers = [("Job-UUID", job), ("Job-Command", name)] + ([("Job-Command-Arg", arg)] if arg else [])
        self.sim.dispatch(self.sim.events.build("BACKGROUND_JOB", headers, body=result), None)

    def sendmsg_to(self, uuid: str, cmd: Command) -> None:
        ch = self.sim.channels.get(uuid)
        if ch is None:
            self.send(command_reply(f"-ERR invalid session id [{uuid}]"))
            return
        self.send(command_reply("+OK"))
        ch.queue(message_from(cmd))

    def cmd_sendmsg(self, cmd: Command) -> None:
        self.sendmsg_to(cmd.arg, cmd)

    def cmd_exit(self, cmd: Command) -> None:
        self.send(command_reply("+OK bye"))
        self.say_goodbye()

    def say_goodbye(self) -> None:
        """The disconnect notice, then close."""
        self.send(disconnect_notice())
        self.close()
