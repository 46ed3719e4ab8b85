"""<Gather>: collect DTMF while the nested Say/Play/Pause prompts play.

How (``shared/esl-traces/README.md``, facts 5-7 and traces 17/18): ``say:`` does not
speak inside ``file_string://`` and a digit pressed during a plain playback is lost,
so each prompt is its own ``playback`` with ``playback_terminators=any``: the first
digit stops it and stays in ``playback_terminator_used``; that digit is kept as the
first of the input. The rest is read by ``play_and_get_digits`` behind a short
silent prompt; its result variable is absent on timeout, so ``read_result`` decides.

Attributes: numDigits (None = until finishOnKey or the timeout), timeout (at most
60 s, also the wait between digits), finishOnKey (empty: none), loop (0 = until
input) with repeatDelay. The input lands in ``$GATHER``. VoxXML callbacks:
``partial_input`` per digit and ``complete_input`` at the end, as asked by
statusCallbackEvent. TwiML ``action``: the Digits (and the standard parameters) are
posted there and the answer runs; without input it is only posted when
actionOnEmptyResult is set, otherwise the next verb runs. ``input="speech"`` is
collected as DTMF only: speech recognition is not wired to the engine yet, and a
warning says so.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.esl import EslMessage
from voxctl.engine.verbs.base import Outcome, runs
from voxctl.engine.verbs.play import play_target
from voxctl.engine.verbs.say import say_text
from voxctl.webhooks import events
from voxctl.xml.verbs import TWIML, Gather, Pause, Play, Say

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession

MAX_TIMEOUT = 60
MAX_DIGITS = 128  # numDigits unset: read until finishOnKey or the timeout
RESULT_VAR = "vox_gather_digits"
SILENT_PROMPT = "silence_stream://250"


class _Collector:
    """One Gather on one call: prompts, digit reading, partial callbacks."""

    def __init__(self, session: CallSession, verb: Gather) -> None:
        self.session = session
        self.verb = verb
        self.channel = session.channel
        self.timeout_ms = max(1, min(verb.timeout, MAX_TIMEOUT)) * 1000
        self.finish = verb.finish_on_key or ""
        self.max_digits = verb.num_digits or MAX_DIGITS
        self.voice: tuple[str, str] | None = None  # the tts_engine/tts_voice set on the channel
        self.partial = ""

    def collect(self) -> str:
        """The input (without the finishing key); empty when nothing came."""
        attempt = 0
        while self.verb.loop == 0 or attempt < self.verb.loop:
            if attempt and self.verb.repeat_delay > 0:
                self.channel.execute("sleep", str(self.verb.repeat_delay * 1000))
            attempt += 1
            digits, finished = self._attempt()
            if digits or finished:
                return digits
        return ""

    def _attempt(self) -> tuple[str, bool]:
        """One round of prompts and reading: (digits, whether finishOnKey ended it)."""
        first = self._prompts()
        if first and first in self.finish:
            return "", True
        if first and len(first) >= self.max_digits:
            return first, False
        rest = self._read(self.max_digits - len(first))
        return first + rest, False

    def _prompts(self) -> str:
        """Play every prompt until a digit stops one; that digit (or empty)."""
        for prompt in self.verb.prompts:
            for target in self._targets(prompt):
                result = self.channel.execute("playback", target)
                digit = result.var("playback_terminator_used") if result is not None else None
                if digit:
                    return digit
        return ""

    def _targets(self, prompt: Say | Play | Pause) -> list[str]:
        """The playback targets of one prompt (its loop unrolled; a forever loop plays once)."""
        if isinstance(prompt, Pause):
            return [f"silence_stream://{prompt.length * 1000}"] if prompt.length > 0 else []
        times = max(1, prompt.loop)
        gap = [f"silence_stream://{prompt.repeat_delay * 1000}"] if prompt.repeat_delay > 0 else []
        if isinstance(prompt, Play):
            target = play_target(self.session, prompt.url)
            if target is None:
                return []
            one = [target]
        else:
            text = say_text(self.session, prompt)
            if not text:
                return []
            self._use_voice(self.session.tts_args(prompt.voice, prompt.language))
            one = ["say:" + text]
        return (one + gap) * (times - 1) + one

    def _use_voice(self, voice: tuple[str, str]) -> None:
        if voice != self.voice:
            self.channel.multiset({"tts_engine": voice[0], "tts_voice": voice[1]})
            self.voice = voice

    def _read(self, max_digits: int) -> str:
        """``play_and_get_digits`` for the rest of the input; empty on timeout."""
        terminators = self.finish or "none"
        arg = (f"1 {max_digits} 1 {self.timeout_ms} {terminators} {SILENT_PROMPT} {SILENT_PROMPT} "
               f"{RESULT_VAR} .+ {self.timeout_ms}")
        result = self.channel.execute("play_and_get_digits", arg)
        if result is None or result.var("read_result") not in ("success", "timeout"):
            return ""
        return result.var(RESULT_VAR) or ""

    def on_digit(self, digit: str, event: EslMessage) -> None:
        """A partial_input callback per digit (runs on the channel's event greenlet)."""
        if digit in self.finish:
            return
        self.partial += digit
        verb = self.verb
        self.session.callback(verb.status_callback or "", verb.status_callback_method,
                              events.vox_gather_event("partial_input", self.session.call.id, self.partial),
                              kind="gather")


def _wants(session: CallSession, verb: Gather, event: str) -> bool:
    return bool(verb.status_callback) and session.flavour != TWIML and events.wants(
        event, verb.status_callback_event, session.flavour)


@runs(Gather)
def run_gather(session: CallSession, verb: Gather) -> Outcome | None:
    session.ensure_answered()
    if "speech" in verb.input:
        session.log.warning("<Gather input=%s> (line %d): speech input is not available, collecting DTMF only",
                            " ".join(verb.input), verb.line)
    collector = _Collector(session, verb)
    unsubscribe = session.channel.on_dtmf(collector.on_digit) if _wants(session, verb, "partial_input") else None
    session.channel.set("playback_terminators", "any")
    try:
        digits = collector.collect()
    finally:
        if unsubscribe is not None:
            unsubscribe()
    session.channel.set("playback_terminators", "none")
    session.variables["GATHER"] = digits
    session.log.info("<Gather> (line %d): %r", verb.line, digits)
    if _wants(session, verb, "complete_input"):
        session.callback(verb.status_callback or "", verb.status_callback_method,
                         events.vox_gather_event("complete_input", session.call.id, digits), kind="gather")
    if session.flavour == TWIML and verb.action and (digits or verb.action_on_empty_result):
        url = session.resolve(verb.action)
        document = session.fetch(url, verb.method, events.twiml_gather_action(session.call, digits))
        return Outcome.replace(document, url)
    return None
