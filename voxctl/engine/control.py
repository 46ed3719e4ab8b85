"""The engine's side of the control vocabulary (``voxctl.control``): commands for what this node holds.

``ControlHandler`` is the node's ``ControlBus.serve`` handler. Call commands go to
the live ``CallSession`` (``Sessions``) or, for a call still being dialled, to the
``Dialer``:

* ``replace``: parse the document now and ``session.replace()`` it;
* ``redirect``: fetch the document (a failed fetch leaves the call as it is), then replace;
* ``hangup``: hang up with the given cause;
* ``cancel``: stop dialling (or hang up a call that is not answered yet).

Conference and participant commands go to ``voxctl.engine.conference_control.handle``
(``handle(services, sessions, target_id, command)``), imported when first needed.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from voxctl.control import NORMAL_CLEARING, ORIGINATOR_CANCEL, Command
from voxctl.engine.channel import ChannelError
from voxctl.engine.session import CallSession, Sessions
from voxctl.services import Services
from voxctl.webhooks.documents import FetchError
from voxctl.xml import VOXXML, DocumentError, parse

if TYPE_CHECKING:
    from voxctl.engine.dialer import Dialer

log = logging.getLogger(__name__)

CONFERENCE_CONTROL = "voxctl.engine.conference_control"
CONFERENCE_OPS = frozenset({"document", "end", "announce", "participant_document", "mute", "hold", "kick"})


class ControlHandler:
    """Runs bus commands against this node's sessions, dialer and conferences."""

    def __init__(self, services: Services, sessions: Sessions, dialer: Dialer | None = None) -> None:
        self.services = services
        self.sessions = sessions
        self.dialer = dialer
        self._call_ops: dict[str, Callable[[CallSession, Command], None]] = {
            "replace": self._replace, "redirect": self._redirect, "hangup": self._hangup, "cancel": self._cancel,
        }

    def __call__(self, target_id: str, command: Command) -> None:
        op = command.get("op", "")
        if op in self._call_ops:
            session = self.sessions.get(target_id)
            if session is not None:
                self._call_ops[op](session, command)
            elif op in ("cancel", "hangup") and self.dialer is not None and self.dialer.cancel(target_id):
                log.info("[%s] dialling cancelled", target_id)
            else:
                log.info("[%s] %s: no live call here", target_id, op)
        elif op in CONFERENCE_OPS:
            importlib.import_module(CONFERENCE_CONTROL).handle(self.services, self.sessions, target_id, command)
        else:
            log.warning("[%s] unknown control command %r", target_id, op)

    def _replace(self, session: CallSession, command: Command) -> None:
        try:
            document = parse(command.get("document", ""), command.get("flavour") or VOXXML)
        except DocumentError as exc:
            session.log.warning("replace: bad document (%s: %s); the call goes on", exc.code, exc.message)
            return
        session.log.info("replace: new document")
        session.replace(document)

    def _redirect(self, session: CallSession, command: Command) -> None:
        url = session.resolve(command.get("url", ""))
        try:
            document = session.fetch(url, command.get("method") or "POST", session.document_params())
        except (FetchError, DocumentError) as exc:
            session.log.warning("redirect to %s failed (%s: %s); the call goes on", url, exc.code, exc.message)
            return
        session.log.info("redirect: %s", url)
        session.replace(document, url)

    def _hangup(self, session: CallSession, command: Command) -> None:
        self._end(session, command.get("cause") or NORMAL_CLEARING)

    def _cancel(self, session: CallSession, command: Command) -> None:
        if session.channel.answered:
            session.log.info("cancel: already answered, ignored")
            return
        self._end(session, ORIGINATOR_CANCEL)

    @staticmethod
    def _end(session: CallSession, cause: str) -> None:
        session.log.info("hangup requested by the API (%s)", cause)
        try:
            session.hangup_from_api(cause)
        except ChannelError as exc:
            session.log.debug("hangup: %s", exc)
