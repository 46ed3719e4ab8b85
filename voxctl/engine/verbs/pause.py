"""<Pause>: silence for ``length`` seconds (``sleep``); it does not answer the call."""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, runs
from voxctl.xml.verbs import Pause

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession


@runs(Pause)
def run_pause(session: CallSession, verb: Pause) -> Outcome | None:
    if verb.length > 0:
        session.channel.execute("sleep", str(verb.length * 1000))
    return None
