"""The scripted caller of a simulated call: digits and spoken phrases at times or on prompts, hangup, speech."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .channel import Channel
from .script import CallScript, DtmfAt, DtmfOnPrompt, SpeechAt, SpeechOnPrompt
from .speech import utter
from .timeline import TimelineEntry

if TYPE_CHECKING:
    from .simulator import Simulator


def on_prompts(sim: Simulator, channel: Channel, steps: list, act: Callable[[Any], None]) -> None:
    """Run ``act(step)`` ``step.delay`` s after ``channel`` starts hearing a prompt containing
    ``step.contains``, once per ``DtmfOnPrompt``/``SpeechOnPrompt`` step (other steps are ignored)."""
    waiting = [s for s in steps if isinstance(s, DtmfOnPrompt | SpeechOnPrompt)]
    if not waiting:
        return

    def heard(entry: TimelineEntry) -> None:
        if entry.kind not in ("speak", "play", "tone", "silence"):
            return
        text = str(entry.detail.get("text") or entry.detail.get("file") or "").lower()
        for step in list(waiting):
            if step.contains.lower() in text:
                waiting.remove(step)
                sim.spawn_later(step.delay, act, step)

    channel.timeline.listeners.append(heard)


class ScriptedCaller:
    """Drives one channel from a :class:`CallScript` (times are simulated seconds)."""

    def __init__(self, sim: Simulator, channel: Channel, script: CallScript) -> None:
        self.sim = sim
        self.channel = channel
        self.script = script
        self.answered_at: float | None = None
        self._spoken: list[tuple[float, float]] = []  # when the scripted phrases were said
        channel.on_answer.append(self._answered)
        on_prompts(sim, channel, [*script.dtmf, *script.phrases], self._act)
        channel.hears_noise = self.noise
        if script.hangup_after is not None:
            sim.spawn_later(script.hangup_after, self._hang_up)

    def _answered(self, ch: Channel) -> None:
        self.answered_at = self.sim.clock.now()
        for step in [*self.script.dtmf, *self.script.phrases]:
            if isinstance(step, DtmfAt | SpeechAt):
                self.sim.spawn_later(step.at, self._act, step)

    def _act(self, step: DtmfAt | DtmfOnPrompt | SpeechAt | SpeechOnPrompt) -> None:
        """Press the step's digits or say its words."""
        if not self.channel.is_up:
            return
        if isinstance(step, SpeechAt | SpeechOnPrompt):
            start = self.sim.clock.now()
            self._spoken.append((start, start + utter(self.channel, step.text, step.confidence)))
        else:
            self.channel.receive_dtmf(step.digits, "RTP")

    def _hang_up(self) -> None:
        self.channel.hangup("NORMAL_CLEARING")

    def noise(self, start: float, end: float) -> list[tuple[float, float]]:
        """When the caller talks, in simulated time (``speech`` offsets count from the answer)."""
        if self.answered_at is None:
            return []
        spans = [(self.answered_at + a, self.answered_at + b) for a, b in self.script.speech] + self._spoken
        return [(a, b) for a, b in spans if b > start and a < end]
