"""``Channel``: one call, driven over the outbound socket FreeSWITCH opened for it.

Every application is a ``sendmsg`` carrying a fresh ``Event-UUID``; its completion
is the ``CHANNEL_EXECUTE_COMPLETE`` whose ``Application-UUID`` is that uuid (never
the app's name: the ``socket`` app's own completion copies the last app's
response, and channel variables such as ``bridge_hangup_cause`` stay stale).
Sends are serialised and replies consumed in order (``esl.EslProtocolFixes``).

A hangup ends every wait at once: the first of ``CHANNEL_HANGUP``, a
disconnect notice or the end of the stream makes waiting executions raise
``ChannelHungUp``. ``close()`` hands the socket back cleanly: hang up if needed,
read until the end-of-call events (``CHANNEL_HANGUP_COMPLETE`` and the linger
notice, in whichever order they come) or the disconnect notice, say ``exit``,
close.

Interrupting from another greenlet (a REST "modify" replacing the document)
goes through ``interrupt()``: ``uuid_break`` only reaches an application that
has started (FreeSWITCH clears the break flag when an app starts, and ``all``
discards apps still queued), so the break is sent now if our app is running,
or as soon as its ``CHANNEL_EXECUTE`` arrives; the interrupted wait raises
``Interrupted`` and no new app is sent until ``clear_interrupt()``.
"""
from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.socket
from gevent.event import AsyncResult, Event
from greenswitch.esl import NotConnectedError, OutboundSessionHasGoneAway

from voxctl.engine.esl import DISCONNECT_NOTICE, EslMessage, OutboundConnection
from voxctl.engine.log import call_logger

LONG_ARG_BYTES = 1024  # longer application arguments travel in the message body
_APP_NAME = re.compile(r"[A-Za-z0-9_]+")
_VAR_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_MULTISET_DELIMITERS = "|~;!#:^"

DtmfHandler = Callable[[str, EslMessage], None]
HangupHandler = Callable[[str], None]
EventHandler = Callable[[EslMessage], None]


class ChannelError(Exception):
    """Base of everything a channel raises."""


class ChannelHungUp(ChannelError):
    """The call is over (``cause`` is the hangup cause, empty when not known yet)."""

    def __init__(self, cause: str = "") -> None:
        super().__init__(cause or "hung up")
        self.cause = cause


class Interrupted(ChannelError):
    """The running verb was interrupted (``Channel.interrupt``)."""


class CommandFailed(ChannelError):
    """FreeSWITCH answered a command with ``-ERR``."""


class ExecTimeout(ChannelError, TimeoutError):
    """An application did not complete in time; it may still be running."""


class ChannelVariables(Mapping[str, str]):
    """The channel variables in the ``connect`` reply (its ``variable_*`` headers), read from it on demand.

    A view, not a copy: the reply's headers stay one undecoded block (``esl.EventHeaders``)
    instead of two dicts of a few hundred decoded strings for every held call.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str]) -> None:
        self._data = data

    def __getitem__(self, name: str) -> str:
        return self._data["variable_" + name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get("variable_" + name, default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and "variable_" + name in self._data

    def __iter__(self) -> Iterator[str]:
        return (name[len("variable_"):] for name in self._data if name.startswith("variable_"))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class ExecResult:
    """The ``CHANNEL_EXECUTE_COMPLETE`` of one application.

    ``interrupted`` is true when ``break_()`` was sent while it was pending: a
    broken playback still says ``FILE PLAYED``.
    """

    app: str
    app_uuid: str
    headers: Mapping[str, str]
    interrupted: bool = False

    @property
    def response(self) -> str:
        """``Application-Response`` (``FILE PLAYED``, ``_none_``, ...)."""
        return self.headers.get("Application-Response", "")

    def var(self, name: str, default: str | None = None) -> str | None:
        """A channel variable as it was when this application completed."""
        return self.headers.get("variable_" + name, default)


class Execution:
    """An application sent to the channel and not yet waited for."""

    def __init__(self, channel: Channel, app: str) -> None:
        self.channel = channel
        self.app = app
        self.app_uuid = str(uuidlib.uuid4())
        self.started = False  # its CHANNEL_EXECUTE arrived
        self.broken = False  # a uuid_break was sent while it was pending
        self.stop_on_start = False  # stop_app() came before its CHANNEL_EXECUTE
        self._result: AsyncResult = AsyncResult()

    def wait(self, timeout: float | None = None) -> ExecResult:
        """Its completion; raises ``ChannelHungUp``, ``Interrupted`` or ``ExecTimeout``."""
        try:
            message: EslMessage = self._result.get(timeout=timeout)
        except gevent.Timeout:
            raise ExecTimeout(f"{self.app} did not complete within {timeout} s") from None
        if self.channel.interrupted:
            raise Interrupted(self.app)
        return ExecResult(self.app, self.app_uuid, message.headers, self.broken)


class Channel:
    """One call on one outbound socket. ``connect()`` first, ``close()`` last."""

    def __init__(self, sock: gevent.socket.socket, *, linger: bool = True,
                 end_timeout: float = 5.0) -> None:
        self._conn = OutboundConnection(sock)
        self._linger = linger
        self._end_timeout = end_timeout
        self.log = call_logger(__name__, "-")
        self.data: Mapping[str, str] = {}  # the connect reply's headers: the channel's data
        self.variables: Mapping[str, str] = {}
        self.answer_state = ""
        self.answered = False
        self.hangup_cause = ""
        self.hangup_complete: Mapping[str, str] | None = None
        self._pending: dict[str, Execution] = {}
        self._hung_up = Event()
        self._interrupt = Event()
        self._lingering = False
        self._released = False  # handed back with release(): not ours to hang up any more
        self._finished = Event()  # the end-of-call events are in: time to say exit
        self._dtmf_handlers: list[DtmfHandler] = []
        self._event_handlers: dict[str, list[EventHandler]] = {}
        self._hangup_handlers: list[HangupHandler] = []
        self._hangup_reported = False
        self._conn.register_handle("*", self._on_event)

    # -- identity -------------------------------------------------------------------

    @property
    def uuid(self) -> str:
        return self.data.get("Unique-ID", "")

    @property
    def caller_number(self) -> str:
        return self.data.get("Caller-Caller-ID-Number", "")

    @property
    def caller_name(self) -> str:
        return self.data.get("Caller-Caller-ID-Name", "")

    @property
    def called_number(self) -> str:
        return self.data.get("Caller-Destination-Number", "")

    @property
    def direction(self) -> str:
        """``inbound`` (a call to us) or ``outbound`` (a leg we originated)."""
        return self.data.get("Call-Direction", "")

    @property
    def hung_up(self) -> bool:
        return self._hung_up.is_set()

    @property
    def interrupted(self) -> bool:
        return self._interrupt.is_set()

    # -- session --------------------------------------------------------------------

    def connect(self) -> None:
        """``connect`` (channel data), ``myevents`` and, if configured, ``linger``."""
        reply = self._command("connect")
        self.data = reply.headers
        self.variables = ChannelVariables(self.data)
        self.answer_state = self.data.get("Answer-State", "")
        self.answered = self.answer_state == "answered"
        self.log = self._conn.log = call_logger(__name__, self.uuid)
        self._command("myevents")
        if self._linger:
            self._command("linger")
        self.log.info("connected: %s -> %s (%s, %s)", self.caller_number, self.called_number,
                       self.direction, self.answer_state)

    def release(self) -> None:
        """Hand the channel back to the switch without hanging it up: ``exit`` and close.

        The ``socket`` application returns and the channel goes on with what follows it
        (in a bridge's ``group_confirm``: the bridge). ``close()`` afterwards does nothing.
        Never raises.
        """
        self._released = True
        self._conn.stop()
        self._end_call("")

    def close(self) -> None:
        """Hang up if still up, wait for the end of the call, ``exit``, close. Never raises."""
        if self._released:
            return
        try:
            self.hangup()
        except ChannelError as exc:
            self.log.debug("hangup on close: %s", exc)
        reader = self._conn.reader
        gevent.wait([self._finished, *([reader] if reader else [])], count=1, timeout=self._end_timeout)
        self._conn.stop()
        self._end_call("")
        self._report_hangup()

    # -- applications ---------------------------------------------------------------

    def start(self, app: str, arg: str | None = None) -> Execution:
        """Send one application; ``Execution.wait()`` gives its completion."""
        if self.hung_up:
            raise ChannelHungUp(self.hangup_cause)
        if self.interrupted:
            raise Interrupted(app)
        if not _APP_NAME.fullmatch(app):
            raise ValueError(f"not an application name: {app!r}")
        execution = Execution(self, app)
        self._pending[execution.app_uuid] = execution
        try:
            self._sendmsg(app, arg, execution.app_uuid)
        except ChannelError:
            self._pending.pop(execution.app_uuid, None)
            raise
        return execution

    def execute(self, app: str, arg: str | None = None, *, wait: bool = True,
                timeout: float | None = None) -> ExecResult | None:
        """Run one application and (by default) wait for its completion."""
        execution = self.start(app, arg)
        return execution.wait(timeout) if wait else None

    def hangup(self, cause: str | None = "NORMAL_CLEARING") -> None:
        """Hang the call up (``None``: FreeSWITCH's default cause) and wait until it is down."""
        if self.hung_up:
            return
        try:
            self._sendmsg("hangup", cause, str(uuidlib.uuid4()))
        except ChannelHungUp:
            return
        self.wait_hangup(self._end_timeout)

    def wait_hangup(self, timeout: float | None = None) -> bool:
        """Block until the call is down; false if ``timeout`` passed first."""
        return self._hung_up.wait(timeout)

    def set(self, name: str, value: str) -> None:
        """Set one channel variable."""
        self.execute("set", f"{_var_name(name)}={value}")

    def multiset(self, values: Mapping[str, str]) -> None:
        """Set several channel variables with one application."""
        text = "".join(f"{_var_name(k)}{v}" for k, v in values.items())
        delimiter = next((d for d in _MULTISET_DELIMITERS if d not in text), None)
        if delimiter is None:
            for name, value in values.items():
                self.set(name, value)
            return
        self.execute("multiset", f"^^{delimiter}" + delimiter.join(f"{k}={v}" for k, v in values.items()))

    def getvar(self, name: str) -> str | None:
        """A channel variable's current value (``None`` when unset)."""
        return self._command(f"getvar {_var_name(name)}").data or None

    def api(self, command: str) -> str:
        """An API command on this socket; its output."""
        return self._command(f"api {command}").body

    def break_(self) -> None:
        """``uuid_break <uuid> all``: stop the running application (the call goes on).

        From an event handler (the reader greenlet) the command goes from a greenlet of
        its own: its reply can only be read once the handler has returned.
        """
        for execution in self._pending.values():
            execution.broken = True
        if self._in_handler():
            gevent.spawn(self._send_break)
        else:
            self._send_break()

    def _send_break(self) -> None:
        try:
            self.api(f"uuid_break {self.uuid} all")
        except ChannelHungUp:
            pass

    def stop_app(self) -> None:
        """Stop the running application now, or the one sent as soon as it starts (the call
        and the verb go on; nothing happens when no application is pending)."""
        pending = list(self._pending.values())
        if any(e.started and not e.broken for e in pending):
            self.break_()
        for execution in pending:
            execution.stop_on_start = not execution.started

    def interrupt(self) -> None:
        """Stop the running verb from another greenlet; see the module docstring."""
        self._interrupt.set()
        if any(e.started and not e.broken for e in self._pending.values()):
            self.break_()

    def clear_interrupt(self) -> None:
        """Accept applications again after an interrupt."""
        self._interrupt.clear()

    # -- subscriptions --------------------------------------------------------------

    def on_dtmf(self, handler: DtmfHandler) -> Callable[[], None]:
        """Call ``handler(digit, event)`` for every DTMF; returns the unsubscribe function.

        Handlers run on the connection's reader greenlet and must not block: a command sent from
        one raises ``ChannelError`` (``stop_app``/``break_`` are fine, they send from a greenlet of their own).
        """
        self._dtmf_handlers.append(handler)
        return lambda: self._dtmf_handlers.remove(handler)

    def on_event(self, name: str, handler: EventHandler) -> Callable[[], None]:
        """Call ``handler(event)`` for every event called ``name``; returns the unsubscribe function.

        Handlers run on the connection's reader greenlet and must not block: a command sent from
        one raises ``ChannelError`` (``stop_app``/``break_`` are fine, they send from a greenlet of their own).
        """
        self._event_handlers.setdefault(name, []).append(handler)
        return lambda: self._event_handlers[name].remove(handler)

    def on_hangup(self, handler: HangupHandler) -> None:
        """Call ``handler(cause)`` once when the call is down (at once if it already is)."""
        if self._hangup_reported:
            handler(self.hangup_cause)
        else:
            self._hangup_handlers.append(handler)

    # -- internals ------------------------------------------------------------------

    def _in_handler(self) -> bool:
        """True on the reader greenlet, where event handlers run (``esl.OutboundConnection``)."""
        return gevent.getcurrent() is self._conn.reader

    def _command(self, text: str) -> EslMessage:
        if self._in_handler():  # the reply would wait for this very greenlet: never returns
            raise ChannelError(f"{text.splitlines()[0]}: an event handler cannot wait for a reply")
        try:
            reply = self._conn.send(text)
        except (NotConnectedError, OutboundSessionHasGoneAway) as exc:
            self._end_call("")
            raise ChannelHungUp(self.hangup_cause) from exc
        if reply.content_type == "command/reply" and reply.data.startswith("-ERR"):
            raise CommandFailed(f"{text.splitlines()[0]}: {reply.data}")
        return reply

    def _sendmsg(self, app: str, arg: str | None, app_uuid: str) -> None:
        lines = ["sendmsg", "call-command: execute", f"execute-app-name: {app}"]
        in_body = bool(arg) and _needs_body(arg)
        if arg and not in_body:
            lines.append(f"execute-app-arg: {arg}")
        lines.append(f"Event-UUID: {app_uuid}")
        if in_body:
            lines += ["content-type: text/plain", f"content-length: {len(arg.encode('utf-8'))}", "", arg]
        self._command("\n".join(lines))

    def _on_event(self, message: EslMessage) -> None:
        if message.content_type == DISCONNECT_NOTICE:
            self._on_disconnect_notice(message)
            return
        state = message.headers.get("Answer-State")
        if state:
            self.answer_state = state
        name = message.name
        if name == "CHANNEL_EXECUTE":
            self._on_execute(message)
        elif name == "CHANNEL_EXECUTE_COMPLETE":
            execution = self._pending.pop(message.headers.get("Application-UUID", ""), None)
            if execution is not None:
                execution._result.set(message)
        elif name == "CHANNEL_ANSWER":
            self.answered = True
        elif name == "DTMF":
            digit = message.headers.get("DTMF-Digit", "")
            for handler in list(self._dtmf_handlers):
                self._call_safely(handler, digit, message)
        elif name == "CHANNEL_HANGUP":
            self._end_call(message.headers.get("Hangup-Cause", ""))
            self._report_hangup()
        elif name == "CHANNEL_HANGUP_COMPLETE":
            self.hangup_complete = message.headers
            self.hangup_cause = self.hangup_cause or message.headers.get("Hangup-Cause", "")
            if self._lingering:
                self._finished.set()
        for handler in list(self._event_handlers.get(name, ())):
            self._call_safely(handler, message)

    def _on_execute(self, message: EslMessage) -> None:
        execution = self._pending.get(message.headers.get("Application-UUID", ""))
        if execution is None:
            return
        execution.started = True
        if (self.interrupted or execution.stop_on_start) and not execution.broken:
            self.break_()

    def _on_disconnect_notice(self, message: EslMessage) -> None:
        self._end_call("")
        if message.headers.get("Content-Disposition") == "linger":
            self._lingering = True
            if self.hangup_complete is not None:
                self._finished.set()
        else:
            self._finished.set()

    def _end_call(self, cause: str) -> None:
        """The call is down: remember why, and fail every wait at once."""
        self.hangup_cause = self.hangup_cause or cause
        if self._hung_up.is_set():
            return
        self._hung_up.set()
        pending, self._pending = self._pending, {}
        for execution in pending.values():
            execution._result.set_exception(ChannelHungUp(self.hangup_cause))

    def _report_hangup(self) -> None:
        if self._hangup_reported:
            return
        self._hangup_reported = True
        self.log.info("hung up: %s", self.hangup_cause or "unknown cause")
        for handler in self._hangup_handlers:
            self._call_safely(handler, self.hangup_cause)

    def _call_safely(self, handler: Callable[..., None], *args: object) -> None:
        """Run a subscriber; its failure is logged and touches nothing else."""
        try:
            handler(*args)
        except Exception:
            self.log.exception("handler %r failed", handler)


def _needs_body(arg: str) -> bool:
    """Arguments a header line cannot carry: long, multi-line, or with edge whitespace."""
    return len(arg.encode("utf-8")) > LONG_ARG_BYTES or "\n" in arg or "\r" in arg or arg != arg.strip()


def _var_name(name: str) -> str:
    if not _VAR_NAME.fullmatch(name):
        raise ValueError(f"not a channel variable name: {name!r}")
    return name
