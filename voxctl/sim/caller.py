"""The scripted caller of a simulated call: digits at times or on prompts, hangup, speech."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .channel import Channel
from .script import CallScript, DtmfAt, DtmfOnPrompt
from .timeline import TimelineEntry

if TYPE_CHECKING:
    from .simulator import Simulator


class ScriptedCaller:
    """Drives one channel from a :class:`CallScript` (times are simulated seconds)."""

    def __init__(self, sim: Simulator, channel: Channel, script: CallScript) -> None:
        self.sim = sim
        self.channel = channel
        self.script = script
        self.answered_at: float | None = None
        self._prompts = [d for d in script.dtmf if isinstance(d, DtmfOnPrompt)]
        channel.on_answer.append(self._answered)
        channel.timeline.listeners.append(self._heard)
        channel.hears_noise = self.noise
        if script.hangup_after is not None:
            sim.spawn_later(script.hangup_after, self._hang_up)

    def _answered(self, ch: Channel) -> None:
        self.answered_at = self.sim.clock.now()
        for press in self.script.dtmf:
            if isinstance(press, DtmfAt):
                self.sim.spawn_later(press.at, self._press, press.digits)

    def _heard(self, entry: TimelineEntry) -> None:
        if entry.kind not in ("speak", "play", "tone", "silence"):
            return
        heard = str(entry.detail.get("text") or entry.detail.get("file") or "").lower()
        for press in list(self._prompts):
            if press.contains.lower() in heard:
                self._prompts.remove(press)
                self.sim.spawn_later(press.delay, self._press, press.digits)

    def _press(self, digits: str) -> None:
        if self.channel.is_up:
            self.channel.receive_dtmf(digits, "RTP")

    def _hang_up(self) -> None:
        self.channel.hangup("NORMAL_CLEARING")

    def noise(self, start: float, end: float) -> list[tuple[float, float]]:
        """When the caller talks, in simulated time (``speech`` offsets count from the answer)."""
        if self.answered_at is None:
            return []
        spans = [(self.answered_at + a, self.answered_at + b) for a, b in self.script.speech]
        return [(a, b) for a, b in spans if b > start and a < end]
