"""``SwitchLink``: the node's inbound ESL connection to its switch.

``api`` and ``bgapi`` (the ``BACKGROUND_JOB`` matched on a ``Job-UUID`` we send,
so the result can never arrive before we wait for it), event subscriptions that
survive reconnects, ``originate`` and the ``uuid_*`` / ``conference`` helpers.
``start()`` keeps the link up in the background, reconnecting with exponential
backoff; ``connect()`` is one attempt.
"""
from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import gevent
from gevent.event import AsyncResult, Event
from greenswitch.esl import NotConnectedError

from voxctl.config import Settings
from voxctl.engine.dialstring import GLOBAL, format_variables
from voxctl.engine.esl import EslMessage, InboundConnection
from voxctl.engine.log import call_logger

EventHandler = Callable[[EslMessage], None]

# every event the engine's handlers may ask for (what the traces were recorded with); the
# link itself subscribes only to BACKGROUND_JOB and what ``subscribe`` asks for: the
# switch sends each subscribed event of every channel, and parsing the ones no
# handler reads was a quarter of the engine's CPU per call (bench/)
DEFAULT_EVENTS = (
    "CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE",
    "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "BACKGROUND_JOB",
    "CUSTOM", "conference::maintenance",
)
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 10.0


class SwitchError(Exception):
    """The switch could not be reached, or refused a command."""


class SwitchUnavailable(SwitchError):
    """No connection to the switch right now."""


class SwitchAuthError(SwitchError):
    """The switch refused the ESL password."""


@dataclass(frozen=True)
class OriginateResult:
    """What ``originate`` reported: ``+OK <uuid>`` or ``-ERR <cause>``."""

    uuid: str
    ok: bool
    cause: str  # empty on success: USER_BUSY, NO_ANSWER, CALL_REJECTED, ...
    reply: str


class SwitchLink:
    """One inbound ESL connection, kept alive; see the module docstring.

    ``events`` are subscribed from the start (``BACKGROUND_JOB`` always is); ``subscribe``
    adds the others when a handler needs them.
    """

    def __init__(self, settings: Settings, events: Iterable[str] = ()) -> None:
        self.settings = settings
        self._events = _subscription(events)
        self._conn: InboundConnection | None = None
        self._connected = Event()
        self._jobs: dict[str, AsyncResult] = {}
        self._handlers: dict[str, list[EventHandler]] = {}
        self._keeper: gevent.Greenlet | None = None
        self._closing = False
        self.log = call_logger(__name__, f"switch {self._address}")

    # -- connection -----------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def connect(self) -> None:
        """One attempt: connect, authenticate, subscribe. Raises ``SwitchError``."""
        conn = InboundConnection(self.settings.esl_host, self.settings.esl_port,
                                 self.settings.esl_password, timeout=5)
        conn.log = self.log
        try:
            conn.connect()
        except ValueError as exc:  # greenswitch: "Invalid password."
            conn.stop()
            raise SwitchAuthError(f"ESL password refused by {self._address}") from exc
        except (OSError, NotConnectedError) as exc:
            if conn.reader is not None:
                conn.stop()
            else:
                conn.sock.close()
            raise SwitchUnavailable(f"cannot reach the switch at {self._address}: {exc}") from exc
        conn.register_handle("BACKGROUND_JOB", self._on_job)
        conn.register_handle("*", self._dispatch)
        self._conn = conn
        try:
            self._send(f"event plain {' '.join(self._events)}")
        except SwitchError:
            self._drop()
            raise
        self._connected.set()
        self.log.info("connected")

    def start(self) -> None:
        """Keep the link up in the background (reconnecting with backoff); returns at once."""
        if self._keeper is None:
            self._keeper = gevent.spawn(self._keep_connected)

    def wait_connected(self, timeout: float | None = None) -> bool:
        return self._connected.wait(timeout)

    def close(self) -> None:
        """Stop reconnecting, say ``exit``, close."""
        self._closing = True
        if self._keeper is not None:
            self._keeper.kill()
            self._keeper = None
        self._drop()

    # -- commands -------------------------------------------------------------------

    def api(self, command: str) -> str:
        """A synchronous API command; its output (``-ERR ...`` texts included)."""
        return self._send(f"api {command}").body

    def bgapi(self, command: str, timeout: float | None = None) -> str:
        """A background API command; the output its ``BACKGROUND_JOB`` carries."""
        job_uuid = str(uuidlib.uuid4())
        result: AsyncResult = AsyncResult()
        self._jobs[job_uuid] = result
        try:
            self._send(f"bgapi {command}\nJob-UUID: {job_uuid}")
            return result.get(timeout=timeout)
        except gevent.Timeout:
            raise SwitchError(f"bgapi {command.split(' ', 1)[0]}: no result within {timeout} s") from None
        finally:
            self._jobs.pop(job_uuid, None)

    def originate(self, dial_string: str, variables: Mapping[str, object] | None = None,
                  target: str = "&park()", timeout: float | None = None) -> OriginateResult:
        """``bgapi originate {origination_uuid=...,<variables>}<dial_string> <target>``.

        ``variables`` may set ``origination_uuid`` (the call id); otherwise one is made up.
        """
        all_vars = {"origination_uuid": str(uuidlib.uuid4()), **(variables or {})}
        call_uuid = str(all_vars["origination_uuid"])
        token = _quote_argument(format_variables(all_vars, GLOBAL) + dial_string)
        reply = self.bgapi(f"originate {token} {target}", timeout=timeout).strip()
        if reply.startswith("+OK"):
            return OriginateResult(call_uuid, True, "", reply)
        cause = reply.removeprefix("-ERR").strip() or "NORMAL_TEMPORARY_FAILURE"
        return OriginateResult(call_uuid, False, cause, reply)

    def uuid_kill(self, call_uuid: str, cause: str | None = None) -> str:
        return self.api(f"uuid_kill {call_uuid}" + (f" {cause}" if cause else ""))

    def uuid_break(self, call_uuid: str, all_: bool = True) -> str:
        return self.api(f"uuid_break {call_uuid}" + (" all" if all_ else ""))

    def uuid_transfer(self, call_uuid: str, destination: str, dialplan: str = "XML",
                      context: str = "default") -> str:
        return self.api(f"uuid_transfer {call_uuid} {destination} {dialplan} {context}")

    def uuid_setvar(self, call_uuid: str, name: str, value: str) -> str:
        return self.api(f"uuid_setvar {call_uuid} {name} {value}")

    def conference(self, name: str, subcommand: str) -> str:
        """``conference <name> <subcommand>`` (``<name>`` as FreeSWITCH knows the room)."""
        return self.api(f"conference {name} {subcommand}")

    # -- events ---------------------------------------------------------------------

    def subscribe(self, event: str, handler: EventHandler) -> None:
        """Call ``handler(event)`` for an event name or a ``CUSTOM`` subclass (``conference::maintenance``).

        Handlers run on the connection's event greenlet and must not block.
        """
        self._handlers.setdefault(event, []).append(handler)
        if event in self._events:
            return
        self._events = _subscription([*self._events, event])
        if self.connected:
            is_subclass = "::" in event
            self._send(f"event plain {'CUSTOM ' if is_subclass else ''}{event}")

    # -- internals ------------------------------------------------------------------

    @property
    def _address(self) -> str:
        return f"{self.settings.esl_host}:{self.settings.esl_port}"

    def _send(self, text: str) -> EslMessage:
        conn = self._conn
        if conn is None:
            raise SwitchUnavailable(f"not connected to the switch at {self._address}")
        try:
            reply = conn.send(text)
        except NotConnectedError as exc:
            raise SwitchUnavailable(f"connection to {self._address} lost") from exc
        if reply.content_type == "command/reply" and reply.data.startswith("-ERR"):
            raise SwitchError(f"{text.splitlines()[0]}: {reply.data}")
        return reply

    def _on_job(self, message: EslMessage) -> None:
        result = self._jobs.get(message.headers.get("Job-UUID", ""))
        if result is not None:
            result.set(message.body)

    def _dispatch(self, message: EslMessage) -> None:
        key = message.headers.get("Event-Subclass", "") if message.name == "CUSTOM" else message.name
        for handler in self._handlers.get(key, ()):
            try:
                handler(message)
            except Exception:
                self.log.exception("handler for %s failed", key)

    def _keep_connected(self) -> None:
        delay = BACKOFF_FIRST
        while not self._closing:
            try:
                self.connect()
            except SwitchError as exc:
                self.log.warning("%s; retrying in %.1f s", exc, delay)
                gevent.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            delay = BACKOFF_FIRST
            reader = self._conn.reader if self._conn else None
            if reader is not None:
                reader.join()
            self.log.warning("connection lost")
            self._drop()

    def _drop(self) -> None:
        """Forget the connection; waiting bgapi calls fail (their job result cannot arrive)."""
        self._connected.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.stop()
        jobs, self._jobs = self._jobs, {}
        for result in jobs.values():
            result.set_exception(SwitchUnavailable(f"connection to {self._address} lost"))


def _subscription(events: Iterable[str]) -> list[str]:
    """Event names first, ``CUSTOM`` and its subclasses last (every word after it is a subclass)."""
    events = list(dict.fromkeys(e for e in events if e != "CUSTOM"))
    names = [e for e in events if "::" not in e]
    subclasses = [e for e in events if "::" in e]
    if "BACKGROUND_JOB" not in names:
        names.append("BACKGROUND_JOB")
    return names + (["CUSTOM", *subclasses] if subclasses else [])


def _quote_argument(token: str) -> str:
    """Protect one argument of an API command line from the switch's blank split.

    ``originate`` splits its line on spaces and then unescapes each argument
    (``\\\\`` -> ``\\``, ``\\'`` -> ``'``), before the ``{}`` block is parsed; escaping
    backslashes and quotes once more hands the block over exactly as built.
    """
    return token.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"')
