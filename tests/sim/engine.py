"""A minimal engine for the simulator's tests: accepts the simulator's outbound
sockets and runs a test function per call over raw ESL (``Session``)."""
from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable

import gevent
from gevent.event import Event as Flag
from gevent.queue import Queue
from gevent.server import StreamServer

from .replay import Msg, read_msg


class Session:
    """One outbound ESL connection seen from the engine's side."""

    def __init__(self, sock) -> None:
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.replies: Queue = Queue()
        self.events: list[dict] = []
        self.notices: list[Msg] = []
        self.changed = Flag()
        self.closed = Flag()
        gevent.spawn(self._read)

    def _read(self) -> None:
        try:
            while (msg := read_msg(self.reader)) is not None:
                if msg.event is not None:
                    self.events.append(msg.event)
                elif msg.ctype == "text/disconnect-notice":
                    self.notices.append(msg)
                else:
                    self.replies.put(msg)
                self.changed.set()
        except OSError:
            return
        finally:
            self.closed.set()
            self.changed.set()

    def command(self, text: str, timeout: float = 10) -> Msg:
        self.sock.sendall((text + "\n\n").encode())
        return self.replies.get(timeout=timeout)

    def wait_event(self, pred: Callable[[dict], bool], timeout: float = 10) -> dict:
        with gevent.Timeout(timeout, AssertionError("event not seen")):
            while True:
                for ev in self.events:
                    if pred(ev):
                        return ev
                if self.closed.is_set():
                    raise AssertionError("socket closed before the event")
                self.changed.clear()
                self.changed.wait()

    def execute(self, app: str, arg: str = "", timeout: float = 10) -> dict:
        """sendmsg execute and wait for its CHANNEL_EXECUTE_COMPLETE (matched on Application-UUID)."""
        event_uuid = str(uuidlib.uuid4())
        text = f"sendmsg\ncall-command: execute\nexecute-app-name: {app}\nEvent-UUID: {event_uuid}"
        if arg:
            text += f"\nexecute-app-arg: {arg}"
        reply = self.command(text)
        assert reply.headers["Reply-Text"] == "+OK"
        return self.wait_event(lambda e: e.get("Event-Name") == "CHANNEL_EXECUTE_COMPLETE"
                               and e.get("Application-UUID") == event_uuid, timeout)

    def start(self) -> dict:
        """connect, myevents, linger: returns the channel data."""
        data = self.command("connect").headers
        self.command("myevents")
        self.command("linger")
        return data

    def finish(self) -> None:
        """After the app hung up: wait for the linger notice, then exit."""
        with gevent.Timeout(10, AssertionError("no linger notice")):
            while not any(n.headers.get("Content-Disposition") == "linger" for n in self.notices):
                self.changed.clear()
                self.changed.wait()
        self.command("exit")
        self.closed.wait(5)


class MiniEngine:
    """Listens like the engine's outbound server; ``app(session)`` runs for every call."""

    def __init__(self, app: Callable[[Session], None]) -> None:
        self.app = app
        self.sessions: list[Session] = []
        self.errors: list[BaseException] = []
        self.server = StreamServer(("127.0.0.1", 0), self._handle)
        self.server.start()
        self.port = self.server.server_port

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def _handle(self, sock, addr) -> None:
        session = Session(sock)
        self.sessions.append(session)
        try:
            self.app(session)
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
            raise
        finally:
            session.closed.wait(5)

    def stop(self) -> None:
        self.server.stop(timeout=1)
