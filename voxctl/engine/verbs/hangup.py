"""<Hangup>: end the call (``NORMAL_CLEARING``) and the document."""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, runs
from voxctl.xml.verbs import Hangup

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession


@runs(Hangup)
def run_hangup(session: CallSession, verb: Hangup) -> Outcome | None:
    session.end("NORMAL_CLEARING", "document")
    return Outcome.stop()
