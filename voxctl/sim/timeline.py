"""What happened on a call, in simulated time: the timeline tests and the CLI read."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class TimelineEntry:
    """One thing the caller experienced, ``t`` simulated seconds after the call started.

    Kinds (details in docs/simulator.rst): ringing, answer, speak, play, tone, silence,
    dtmf, send_dtmf, bridge, unbridge, conference_join, conference_leave, record,
    transfer, hangup, ringback, bridge_terminate.
    """

    t: float
    kind: str
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class Timeline:
    """An append-only list of entries with listeners (the CLI streams them)."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.entries: list[TimelineEntry] = []
        self.listeners: list[Callable[[TimelineEntry], None]] = []

    def add(self, now: float, kind: str, **detail: object) -> TimelineEntry:
        entry = TimelineEntry(round(now - self.start, 3), kind, dict(detail))
        self.entries.append(entry)
        for listener in list(self.listeners):
            listener(entry)
        return entry

    def heard(self) -> list[str]:
        """Spoken texts and played files/tones, in order."""
        out = []
        for e in self.entries:
            if e.kind == "speak":
                out.append(str(e.detail.get("text", "")))
            elif e.kind in ("play", "tone"):
                out.append(str(e.detail.get("file", "")))
        return out
