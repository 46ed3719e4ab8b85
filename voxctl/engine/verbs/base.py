"""The verb registry and the common lifecycle every verb runner follows.

A runner is ``runner(session, verb) -> Outcome | None``: it drives the call's
channel for one verb (answering first through ``session.ensure_answered()`` when it
needs media) and returns ``None`` to go on with the next verb, ``Outcome.stop()``
to end the document, or ``Outcome.replace(document)`` to run another document
instead (Redirect, an action URL's answer). Runners let ``ChannelHungUp`` and
``Interrupted`` propagate: the session owns both. ``@runs(VerbClass, ...)``
registers a runner in :data:`RUNNERS`; ``voxctl.engine.verbs`` imports every verb
module so the table is complete.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voxctl.xml.verbs import Response, Verb

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession

VerbRunner = Callable[["CallSession", Verb], "Outcome | None"]
RUNNERS: dict[type, VerbRunner] = {}


@dataclass(frozen=True)
class Outcome:
    """What a verb tells the session once it is done (``None`` = go on with the next verb)."""

    document: Response | None = None
    base_url: str | None = None

    @staticmethod
    def stop() -> Outcome:
        """End of the document: the session ends the call cleanly."""
        return Outcome()

    @staticmethod
    def replace(document: Response, base_url: str | None = None) -> Outcome:
        """Run ``document`` instead of the rest of the current one (``base_url``: its URL)."""
        return Outcome(document, base_url)


def runs(*verb_classes: type) -> Callable[[VerbRunner], VerbRunner]:
    """Register the decorated function as the runner of ``verb_classes``."""
    def register(runner: VerbRunner) -> VerbRunner:
        for verb_class in verb_classes:
            if verb_class in RUNNERS:
                raise ValueError(f"two runners for {verb_class.__name__}")
            RUNNERS[verb_class] = runner
        return runner
    return register


def repeat(session: CallSession, loop: int, repeat_delay: int, once: Callable[[], None]) -> None:
    """Run ``once()`` ``loop`` times (0 = until the call ends or the verb is interrupted),
    sleeping ``repeat_delay`` seconds between runs."""
    count = 0
    while loop == 0 or count < loop:
        if count and repeat_delay > 0:
            session.channel.execute("sleep", str(repeat_delay * 1000))
        once()
        count += 1
