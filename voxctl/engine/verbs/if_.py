"""<If>: run the nested verbs when a script variable equals (or not) one of the ``|`` values."""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, runs
from voxctl.xml.verbs import If

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession


@runs(If)
def run_if(session: CallSession, verb: If) -> Outcome | None:
    value = session.variable(verb.variable)
    matched = value in verb.values
    if verb.test.upper() == "NOTEQUAL":
        matched = not matched
    session.log.debug("<If> %s=%r %s %s: %s", verb.variable, value, verb.test, verb.values, matched)
    return session.run_verbs(verb.verbs) if matched else None
