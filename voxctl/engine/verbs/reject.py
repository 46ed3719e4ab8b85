"""<Reject>: refuse the call without answering; only as the first verb, before answer.

``reason="rejected"`` (default) hangs up ``CALL_REJECTED`` (SIP 603), ``busy``
``USER_BUSY`` (486); the call ends ``failed`` or ``busy``. Anywhere else the spec
says it has no effect: a logged no-op.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, runs
from voxctl.store.records import CallStatus
from voxctl.xml.verbs import Reject

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession

# reason -> (hangup cause, final call status)
REASONS = {"busy": ("USER_BUSY", CallStatus.BUSY), "rejected": ("CALL_REJECTED", CallStatus.FAILED)}


@runs(Reject)
def run_reject(session: CallSession, verb: Reject) -> Outcome | None:
    if session.verbs_run > 1 or session.channel.answered:
        session.log.info("<Reject> (line %d) after answer or other verbs: no effect", verb.line)
        return None
    cause, status = REASONS.get(verb.reason, REASONS["rejected"])
    session.final_status = status
    session.end(cause, "document")
    return Outcome.stop()
