"""The VoxXML top-level <Number>: a Dial of that one number (one implementation, in ``dial``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, runs
from voxctl.engine.verbs.dial import dial
from voxctl.xml.verbs import Dial, Number

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession


@runs(Number)
def run_number(session: CallSession, verb: Number) -> Outcome | None:
    """Dial ``verb`` alone; its callerId and statusCallback settings are the Dial's."""
    return dial(session, Dial(nouns=[verb], caller_id=verb.caller_id, status_callback=verb.status_callback,
                              status_callback_event=list(verb.status_callback_event),
                              status_callback_method=verb.status_callback_method, line=verb.line))
