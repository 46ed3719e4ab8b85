"""Call-screening jobs: what a Dial expects to run on each of its legs when it answers.

The Dial registers one :class:`ScreeningJob` per leg before its bridge (and forgets
them after); :mod:`voxctl.engine.screener` runs the job when the leg's screening
connection arrives and records what came of it. In-process state on purpose: the
leg's ``socket`` application dials this node's own address.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gevent.event import Event

from voxctl.store.records import Account

LEG_VARIABLE = "vox_leg_id"


@dataclass
class ScreeningJob:
    """What to run on one leg when it answers, and what came of it."""

    leg_id: str
    url: str | None
    method: str
    flavour: str
    account: Account | None
    accepted: bool = False  # the leg was still up when its document ended: it may be bridged
    ran: bool = False  # the leg connected and its screening ended
    done: Event = field(default_factory=Event)


JOBS: dict[str, ScreeningJob] = {}  # by leg id, while the Dial that owns them runs


def register(job: ScreeningJob) -> Callable[[], None]:
    """Expect a screening connection for ``job.leg_id``; returns the function that forgets it."""
    JOBS[job.leg_id] = job
    return lambda: JOBS.pop(job.leg_id, None) if JOBS.get(job.leg_id) is job else None


def job_for(leg_id: str) -> ScreeningJob | None:
    """The job registered for ``leg_id``, if its Dial is still running."""
    return JOBS.get(leg_id)
