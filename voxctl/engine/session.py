"""``CallSession``: one call's document, run verb by verb on its channel.

Lifecycle (``run()``, one greenlet per call, started by the outbound server):

1. *Which call.* A leg we originated for the API carries ``vox_call_id``: its stored
   ``CallRecord`` says what runs (the inline voxXML, else its URL). Any other leg is
   an inbound call: the dialplan's ``vox_url``/``vox_method``/``vox_flavour``
   (``vox_account`` names the account) override the application bound to the
   called number (``vox_to`` when our dialplan sets it, else the destination
   number). Its record is created (id = the channel's uuid, status processing).
2. *Claim* the call on the control bus and register the session, so ``replace``,
   ``redirect`` and ``hangup`` commands reach it.
3. *Fetch and parse* the document (VoxXML: the JSON ``incoming_call`` event;
   TwiML: the standard form parameters), then run its verbs through
   ``voxctl.engine.verbs.base.RUNNERS``. An ``Outcome.replace`` runs another
   document; ``Interrupted`` (a REST replace) runs the replacement. When the
   document runs out the call is hung up (``NORMAL_CLEARING``).
4. *Finalise* whatever ended the call (document, caller, API, an error, a crash):
   the record gets its final status, hangup cause and who hung up; the bus claim
   is released; TwiML status callbacks report ``completed``.

Fetch and document errors (5105-5108) are recorded on the call as
``{code, description, time}``, the call fails and is hung up cleanly. An
unexpected exception is logged with the call id and ends only this call.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin

from voxctl import metrics
from voxctl.config import Settings
from voxctl.engine.channel import Channel, ChannelError, ChannelHungUp, Interrupted
from voxctl.engine.log import call_logger
from voxctl.engine.server import SHUTDOWN_CAUSE
from voxctl.engine.verbs import base
from voxctl.services import Services
from voxctl.store.records import Account, CallRecord, CallStatus, now
from voxctl.webhooks import events
from voxctl.webhooks.documents import FetchError, fetch_document
from voxctl.xml import TWIML, VOXXML, DocumentError, Redirect, Response, Verb, parse

log = logging.getLogger(__name__)

NORMAL_CLEARING = "NORMAL_CLEARING"
UNALLOCATED_NUMBER = "UNALLOCATED_NUMBER"
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

Stopper = Callable[[], None]


class Sessions:
    """The live sessions of one node, by call id (the control handler looks calls up here)."""

    def __init__(self) -> None:
        self._by_id: dict[str, CallSession] = {}

    def add(self, session: CallSession) -> None:
        self._by_id[session.call.id] = session

    def remove(self, session: CallSession) -> None:
        if self._by_id.get(session.call.id) is session:
            del self._by_id[session.call.id]

    def get(self, call_id: str) -> CallSession | None:
        return self._by_id.get(call_id)

    def __len__(self) -> int:
        return len(self._by_id)


class CallSession:
    """One call: its channel, record, account and the document being run."""

    def __init__(self, services: Services, channel: Channel, sessions: Sessions) -> None:
        self.services = services
        self.settings: Settings = services.settings
        self.channel = channel
        self.sessions = sessions
        self.call = CallRecord(id=channel.uuid)
        self.account: Account | None = None
        self.flavour = VOXXML
        self.variables: dict[str, str] = {}
        self.base_url: str | None = None
        self.log = call_logger(__name__, channel.uuid)
        self.verbs_run = 0  # verbs started so far (Reject only works as the first)
        self.final_status: str | None = None  # set by a verb that decides it (Reject)
        self.hangup_by: str | None = None  # who ended the call when it was us ("document", "api", ...)
        self._replacement: tuple[Response, str | None] | None = None
        self._stoppers: list[Stopper] = []
        self._abandon: list[tuple[str, str]] = []  # apps that undo what an interrupted verb set (on_abandon)
        self._redirects = 0  # Redirects in a row without another verb in between
        self._error = False

    # -- lifecycle ------------------------------------------------------------------

    def run(self) -> None:
        """Run the call from its first verb to its record's final status. Never raises."""
        metrics.ACTIVE_CALLS.inc()
        try:
            document = self._start()
            if document is not None:
                self._run_documents(document)
                self.end(NORMAL_CLEARING, "document")
        except ChannelHungUp:
            self.log.info("call ended: %s", self.channel.hangup_cause or "hung up")
        except (FetchError, DocumentError) as exc:
            self.fail(exc)
        except Exception:
            self.log.exception("call failed")
            self._error = True
            self._quiet_hangup("NORMAL_TEMPORARY_FAILURE", "system")
        finally:
            self._finish()
            metrics.ACTIVE_CALLS.dec()

    def _start(self) -> Response | None:
        """Set up the record and return the first document (None: nothing to run)."""
        call_id = self.channel.variables.get("vox_call_id")
        if call_id:
            return self._start_api_call(call_id)
        return self._start_inbound()

    def _start_inbound(self) -> Response | None:
        variables = self.channel.variables
        to = variables.get("vox_to") or self.channel.called_number
        app = self.services.store.numbers.get(to) if to else None
        url = variables.get("vox_url") or (app.url if app else None)
        account_id = variables.get("vox_account") or (app.account_id if app else None)
        if not url or not account_id:
            self.log.warning("no application for %r: refusing the call", to)
            self._quiet_hangup(UNALLOCATED_NUMBER, "system")
            return None
        self.flavour = variables.get("vox_flavour") or (app.flavour if app else VOXXML)
        method = variables.get("vox_method") or (app.method if app else "POST")
        record = CallRecord(
            id=self.channel.uuid, account_id=account_id, flavour=self.flavour, direction="inbound",
            to=to, from_=self.channel.caller_number, status=CallStatus.PROCESSING,
            created_time=now(), start_time=now(), node_id=self.services.node_id, document_url=url,
            document_method=method, caller_name=self.channel.caller_name or None,
            sip_call_id=variables.get("sip_call_id"),
            status_callback=app.status_callback if app else None,
            status_callback_method=app.status_callback_method if app else "POST",
            status_callback_events=list(app.status_callback_events) if app else [],
        )
        self.call = self.services.store.calls.create(record)
        self.account = self.services.store.accounts.get(account_id)
        self._hold()
        self.status_event("initiated")
        return self.fetch(url, method, self.document_params())

    def _start_api_call(self, call_id: str) -> Response | None:
        record = self.services.store.calls.get(call_id)
        if record is None or record.status in CallStatus.FINAL:
            self.log.warning("originated call %s is %s: hanging up", call_id,
                             record.status if record else "unknown")
            self._quiet_hangup(NORMAL_CLEARING, "system")
            return None
        self.call = record
        self.flavour = record.flavour
        self.account = self.services.store.accounts.get(record.account_id)
        self._hold()
        self._mark_answered()
        if record.voxxml:
            return parse(record.voxxml, self.flavour)
        return self.fetch(record.document_url or "", record.document_method, self.document_params())

    def _hold(self) -> None:
        """Claim the call on the bus and make it reachable from the control handler."""
        if not self.services.bus.claim(self.call.id):
            self.log.warning("another node claims this call; running it here anyway")
        self.sessions.add(self)

    def _run_documents(self, document: Response) -> None:
        """Run ``document`` and whatever replaces it until one runs out or stops."""
        current: Response | None = document
        while current is not None:
            try:
                outcome = self.run_verbs(current.verbs)
            except Interrupted:
                self.channel.clear_interrupt()
                self._stoppers.clear()
                self._undo_abandoned()
                replacement, self._replacement = self._replacement, None
                if replacement is None:
                    self.log.warning("interrupted without a replacement document: ending")
                    return
                current, self.base_url = replacement
                self.log.info("document replaced")
                continue
            if outcome is None or outcome.document is None:
                return
            current = outcome.document
            self.base_url = outcome.base_url or self.base_url

    def run_verbs(self, verbs: list[Any]) -> base.Outcome | None:
        """Run ``verbs`` in order; the first outcome that is not "go on" is returned."""
        for verb in verbs:
            runner = base.RUNNERS.get(type(verb))
            if runner is None:
                self.log.error("no runner for <%s> (line %d): skipped", verb.tag, verb.line)
                continue
            self.log.debug("<%s> (line %d)", verb.tag, verb.line)
            self.verbs_run += 1
            started = time.monotonic()
            try:
                outcome = runner(self, verb)
            finally:
                self._stoppers.clear()
                metrics.VERB_SECONDS.observe(time.monotonic() - started, verb=verb.tag)
            if not self._count_redirect(verb, outcome):
                return base.Outcome.stop()
            if outcome is not None:
                return outcome
        return None

    def _count_redirect(self, verb: Verb, outcome: base.Outcome | None) -> bool:
        """Count Redirects in a row; false once ``settings.redirect_limit`` is passed."""
        if not isinstance(verb, Redirect) or outcome is None:
            self._redirects = 0
            return True
        self._redirects += 1
        if self._redirects > self.settings.redirect_limit:
            self.log.warning("more than %d redirects in a row: ending the call", self.settings.redirect_limit)
            return False
        return True

    def end(self, cause: str = NORMAL_CLEARING, by: str = "document") -> None:
        """Hang the call up (``by`` says who decided it) and wait until it is down."""
        if self.channel.hung_up:
            return
        self.hangup_by = self.hangup_by or by
        self.channel.hangup(cause)

    def fail(self, exc: FetchError | DocumentError) -> None:
        """Record a fetch or document error on the call and end it cleanly."""
        self.log.warning("document error %s: %s", exc.code, exc.message)
        self._error = True
        if self.call.account_id:
            self.update_call(error={"code": exc.code, "description": exc.message, "time": now()})
        self._quiet_hangup(NORMAL_CLEARING, "system")

    def _quiet_hangup(self, cause: str, by: str) -> None:
        try:
            self.end(cause, by)
        except ChannelError as exc:
            self.log.debug("hangup: %s", exc)

    def _finish(self) -> None:
        """The call is down (or going down): final status, bus release, callbacks."""
        self.sessions.remove(self)
        if not self.call.account_id:  # no record was created
            return
        try:
            self._finalise_record()
        except Exception:
            self.log.exception("could not finalise the call record")
        finally:
            self.services.bus.release(self.call.id)

    def _finalise_record(self) -> None:
        self.channel.wait_hangup(self.settings.shutdown_grace)
        cause = self.channel.hangup_cause or NORMAL_CLEARING
        far_end = "caller" if self.call.direction == "inbound" else "callee"
        by = self.hangup_by or ("system" if cause == SHUTDOWN_CAUSE else far_end)  # a node or switch shutdown
        record = self.services.store.calls.set_status(self.call.id, self._final_status(by), hangup_cause=cause,
                                                      hangup_by=by)
        if record is None:
            return
        self.call = record
        self.log.info("call %s (%s, by %s)", record.status, cause, by)
        self.status_event("completed")

    def _final_status(self, by: str) -> str:
        if self._error:
            return CallStatus.FAILED
        if self.final_status:
            return self.final_status
        if self.call.status == CallStatus.ANSWERED or self.channel.answered:
            return CallStatus.COMPLETE
        if by in ("caller", "api"):
            return CallStatus.CANCELED
        return CallStatus.NO_ANSWER

    # -- interruption (called from other greenlets) -----------------------------------

    def replace(self, document: Response, base_url: str | None = None) -> None:
        """Stop the running verb and run ``document`` instead (REST modify)."""
        self._replacement = (document, base_url)
        for stopper in list(self._stoppers):
            try:
                stopper()
            except Exception:
                self.log.exception("interrupt stopper failed")
        self.channel.interrupt()

    def on_interrupt(self, stopper: Stopper) -> Callable[[], None]:
        """Call ``stopper`` when the running verb is interrupted (for apps ``uuid_break`` does not stop).

        Stoppers are dropped when the verb that registered them ends; the returned
        function removes this one earlier.
        """
        self._stoppers.append(stopper)
        return lambda: self._stoppers.remove(stopper) if stopper in self._stoppers else None

    def on_abandon(self, *apps: tuple[str, str]) -> Callable[[], None]:
        """Run ``apps`` ((application, argument) pairs) if the running verb is interrupted, once the
        interrupt is cleared and before the replacement runs: what the verb set for its own
        duration is put back. The returned function drops them (the verb ended normally)."""
        self._abandon.extend(apps)

        def drop() -> None:
            for app in apps:
                if app in self._abandon:
                    self._abandon.remove(app)
        return drop

    def _undo_abandoned(self) -> None:
        undo, self._abandon = self._abandon, []
        for app, arg in undo:
            self.channel.execute(app, arg)

    def hangup_from_api(self, cause: str = NORMAL_CLEARING) -> None:
        """Hang the call up on the API's behalf; the running verb ends with ``ChannelHungUp``."""
        self.hangup_by = "api"
        for stopper in list(self._stoppers):
            stopper()
        self.channel.hangup(cause)

    # -- helpers for verbs --------------------------------------------------------------

    def ensure_answered(self) -> None:
        """Answer the call if it is not yet (verbs call this before any media)."""
        if not self.channel.answered:
            self.channel.execute("answer")
            self.channel.set("playback_terminators", "none")  # digits only stop the media that asks for them
        if self.call.status != CallStatus.ANSWERED:
            self._mark_answered()

    def _mark_answered(self) -> None:
        record = self.services.store.calls.set_status(self.call.id, CallStatus.ANSWERED)
        if record is not None:
            self.call = record
            self.log.info("answered")
            self.status_event("answered")

    def update_call(self, **fields: object) -> CallRecord:
        """Change fields of the call record (one round trip); the session keeps the result."""
        record = self.services.store.calls.update(self.call.id, **fields)
        if record is not None:
            self.call = record
        return self.call

    def callback(self, url: str, method: str, payload: Mapping[str, Any], kind: str = "status") -> None:
        """Queue a signed callback for this call (never blocks)."""
        self.services.callbacks.send(self.call.id, self.resolve(url), method, self.flavour, payload,
                                     self.account, kind)

    def status_event(self, event: str) -> None:
        """A TwiML call-progress callback, when the call's statusCallbackEvent asked for ``event``."""
        send_status_event(self.services, self.call, self.account, event)

    def resolve(self, url: str) -> str:
        """``url`` made absolute against the current document's URL."""
        return urljoin(self.base_url, url) if self.base_url else url

    def fetch(self, url: str, method: str = "POST", params: Mapping[str, Any] | None = None,
              context: str = "call") -> Response:
        """Fetch and parse a document; raises ``FetchError`` or ``DocumentError``.

        The document's URL becomes the base for relative URLs of the verbs that
        follow when the caller runs it (``Outcome.replace(doc, session.resolve(url))``);
        the call's first document sets it here.
        """
        target = self.resolve(url)
        text = fetch_document(self.services.http, target, method, params, self.flavour, self.account,
                              self.call.id)
        try:
            document = parse(text, self.flavour, context)
        except DocumentError as exc:  # fetch failures are counted where they happen (documents.py)
            metrics.DOCUMENT_ERRORS.inc(code=exc.code)
            raise
        if self.base_url is None:
            self.base_url = target
        return document

    def document_params(self) -> dict[str, Any]:
        """What a document request carries: the ``incoming_call`` event or the TwiML parameters."""
        if self.flavour == TWIML:
            return self.twiml_params()
        return events.vox_incoming_call(self.call.id, self.call.to, self.call.from_)

    def twiml_params(self, **extra: Any) -> dict[str, Any]:
        """The standard TwiML request parameters of this call, plus ``extra``."""
        return {**events.twiml_call_params(self.call), **{k: v for k, v in extra.items() if v is not None}}

    def vox_event(self, type_: str, event: str, **fields: Any) -> dict[str, Any]:
        """A VoxXML callback body for this call: ``type``, ``event``, ``call_id``, ``time`` and ``fields``."""
        return {"type": type_, "event": event, "call_id": self.call.id, "time": events.vox_time(), **fields}

    def variable(self, name: str) -> str:
        """A script variable (``$GATHER`` or ``GATHER``); empty when unset."""
        return self.variables.get(name.lstrip("$"), "")

    def expand(self, text: str) -> str:
        """``text`` with ``$NAME`` replaced by the script variables (unknown names stay as written)."""
        return _VARIABLE.sub(lambda m: self.variables.get(m.group(1), m.group(0)), text)

    def tts_args(self, voice: str | None, language: str | None = None) -> tuple[str, str]:
        """(engine, voice) for a Say: the voice map (``Joanna=flite|slt``), by voice then language."""
        for key in (voice, language):
            mapped = self.settings.tts_voices.get(key) if key else None
            if mapped:
                engine, _, name = mapped.partition("|")
                return (engine, name) if name else (self.settings.tts_engine, engine)
        return self.settings.tts_engine, self.settings.tts_default_voice


def send_status_event(services: Services, call: CallRecord, account: Account | None, event: str) -> None:
    """Queue TwiML's call-progress callback ``event`` for ``call`` if its statusCallbackEvent asked for it
    (HangupBy/HangupDirection come from the final record's ``hangup_by``)."""
    if call.flavour != TWIML or not call.status_callback:
        return
    if events.wants(event, call.status_callback_events, TWIML):
        services.callbacks.send(call.id, call.status_callback, call.status_callback_method, TWIML,
                                events.twiml_status_callback(call), account)


def session_handler(services: Services, sessions: Sessions) -> Callable[[Channel], None]:
    """The outbound server's call handler: one ``CallSession`` per connected channel."""
    def handle(channel: Channel) -> None:
        CallSession(services, channel, sessions).run()
    return handle
