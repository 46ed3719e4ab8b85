"""<Gather>: collect DTMF (and speech, with an ASR engine) while the nested Say/Play/Pause prompts play.

DTMF (``shared/esl-traces/README.md``, facts 5-7 and traces 17/18): ``say:`` does not
speak inside ``file_string://`` and a digit pressed during a plain playback is lost,
so each prompt is its own ``playback`` with ``playback_terminators=any``: the first
digit stops it and stays in ``playback_terminator_used``; that digit is kept as the
first of the input. The rest is read by ``play_and_get_digits`` behind a short
silent prompt; its result variable is absent on timeout, so ``read_result`` decides.

Speech (``input`` with ``speech`` and ``settings.asr_engine`` set): a
:class:`voxctl.engine.speech.Recognizer` runs ``detect_speech`` beside the prompts
(language, timeout, speechTimeout and hints passed on). The caller starting to speak
stops the prompt (barge-in); the first of speech or DTMF wins: a result stops the
digit reading unless a digit came first, and a digit stops nothing of the speech
until it is read. Once the caller speaks the result is awaited up to speechTimeout
(numeric, at most 60 s; else the timeout). ``input="speech"`` alone waits for speech
with ``sleep`` instead of reading digits, and digits do not stop its prompts. Without
an ASR engine speech input is collected as DTMF only, with a warning.

Attributes: numDigits (None = until finishOnKey or the timeout), timeout (at most
60 s, also the wait between digits), finishOnKey (empty: none), loop (0 = until
input) with repeatDelay. The input lands in ``$GATHER``. VoxXML callbacks:
``partial_input`` per digit or recognized phrase and ``complete_input`` at the end
(``input_method`` dtmf or speech), as asked by statusCallbackEvent. TwiML ``action``:
``Digits``, or ``SpeechResult`` and ``Confidence`` (with the standard parameters)
are posted there and the answer runs; without input it is only posted when
actionOnEmptyResult is set, otherwise the next verb runs.

The variables set for the Gather (``playback_terminators``) and the recognizer are
put back when it ends, also when a REST replace interrupts it
(``session.on_abandon``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from voxctl.engine.esl import EslMessage
from voxctl.engine.speech import Recognizer
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
DTMF, SPEECH = "dtmf", "speech"


@dataclass(frozen=True)
class GatherInput:
    """What the caller gave: digits or words (empty: nothing), how, and the recognizer's confidence."""

    value: str = ""
    method: str = DTMF
    confidence: float | None = None


class _Collector:
    """One Gather on one call: prompts, digit reading, speech, partial callbacks."""

    def __init__(self, session: CallSession, verb: Gather, asr_engine: str) -> None:
        self.session = session
        self.verb = verb
        self.channel = session.channel
        self.timeout_ms = max(1, min(verb.timeout, MAX_TIMEOUT)) * 1000
        self.finish = verb.finish_on_key or ""
        self.max_digits = verb.num_digits or MAX_DIGITS
        self.voice: tuple[str, str] | None = None  # the tts_engine/tts_voice set on the channel
        self.partial = ""
        self.digits_seen = False
        self.reading = False  # play_and_get_digits (or the speech-only sleep) is running
        self.dtmf = DTMF in verb.input or not asr_engine
        self.speech_timeout = _seconds(verb.speech_timeout) or self.timeout_ms // 1000
        self.speech = Recognizer(
            self.channel, asr_engine, language=verb.language, no_input_ms=self.timeout_ms,
            complete_ms=(_seconds(verb.speech_timeout) or 0) * 1000 or None, hints=verb.hints,
            on_speech=self._on_speech) if asr_engine and SPEECH in verb.input else None

    def collect(self) -> GatherInput:
        """The input (without the finishing key); empty when nothing came."""
        attempt = 0
        while self.verb.loop == 0 or attempt < self.verb.loop:
            if attempt and self.verb.repeat_delay > 0:
                self.channel.execute("sleep", str(self.verb.repeat_delay * 1000))
            attempt += 1
            got, finished = self._attempt()
            if got.value or finished:
                return got
        return GatherInput()

    def _attempt(self) -> tuple[GatherInput, bool]:
        """One round of prompts and reading: (input, whether finishOnKey ended it)."""
        first = self._prompts()
        if self._spoken_first(first):
            return self._spoken(), False
        if first and first in self.finish:
            return GatherInput(), True
        if first and len(first) >= self.max_digits:
            return GatherInput(first), False
        self.reading = True
        try:
            rest = self._read(self.max_digits - len(first)) if self.dtmf else self._listen()
        finally:
            self.reading = False
        if self._spoken_first(first + rest):
            return self._spoken(), False
        return GatherInput(first + rest), False

    def _spoken_first(self, digits: str) -> bool:
        return self.speech is not None and self.speech.heard and not digits

    def _spoken(self) -> GatherInput:
        """The recognized words (waiting for them up to speechTimeout); else listen again."""
        assert self.speech is not None
        result = self.speech.wait(self.speech_timeout)
        if result is not None and result.text:
            self._partial(result.text, SPEECH)
            return GatherInput(result.text, SPEECH, result.confidence)
        self.session.log.info("<Gather> (line %d): no words recognized", self.verb.line)
        self.speech.resume()
        return GatherInput(method=SPEECH)

    def _prompts(self) -> str:
        """Play every prompt until a digit or the caller's speech stops one; that digit (or empty)."""
        for prompt in self.verb.prompts:
            for target in self._targets(prompt):
                if self.speech is not None and self.speech.heard:
                    return ""
                result = self.channel.execute("playback", target)
                digit = result.var("playback_terminator_used") if result is not None else None
                if digit and self.dtmf:
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

    def _listen(self) -> str:
        """Speech only: wait ``timeout`` for the caller to speak (the recognizer stops the wait)."""
        self.channel.execute("sleep", str(self.timeout_ms))
        return ""

    def _on_speech(self, kind: str) -> None:
        """The recognizer heard something (event greenlet): barge-in, and a result ends the reading
        unless a digit came first."""
        if kind == "begin-speaking" and (not self.reading or not self.dtmf):
            self.channel.stop_app()
        elif kind == "detected-speech" and not self.digits_seen:
            self.channel.stop_app()

    def on_digit(self, digit: str, event: EslMessage) -> None:
        """A digit arrived (event greenlet): it counts against speech; a partial_input callback."""
        if not self.dtmf:
            return
        self.digits_seen = True
        if digit not in self.finish:
            self.partial += digit
            self._partial(self.partial, DTMF)

    def _partial(self, value: str, method: str) -> None:
        if _wants(self.session, self.verb, "partial_input"):
            verb = self.verb
            self.session.callback(verb.status_callback or "", verb.status_callback_method,
                                  events.vox_gather_event("partial_input", self.session.call.id, value, method),
                                  kind="gather")


def _seconds(value: str | None) -> int | None:
    """speechTimeout in whole seconds (at most 60); None for ``auto`` or nothing."""
    return min(int(value), MAX_TIMEOUT) if value and value.strip().isdigit() else None


def _wants(session: CallSession, verb: Gather, event: str) -> bool:
    return bool(verb.status_callback) and session.flavour != TWIML and events.wants(
        event, verb.status_callback_event, session.flavour)


@runs(Gather)
def run_gather(session: CallSession, verb: Gather) -> Outcome | None:
    session.ensure_answered()
    asr_engine = session.settings.asr_engine
    if SPEECH in verb.input and not asr_engine:
        session.log.warning("<Gather input=%s> (line %d): no ASR engine configured (asr_engine), "
                            "collecting DTMF only", " ".join(verb.input), verb.line)
    collector = _Collector(session, verb, asr_engine)
    channel = session.channel
    unsubscribe = channel.on_dtmf(collector.on_digit)
    terminators = {"playback_terminators": "any" if collector.dtmf else "none"}
    abandon = session.on_abandon(("set", "playback_terminators=none"),
                                 *([("detect_speech", "stop")] if collector.speech else []))
    try:
        if collector.speech is not None:
            collector.speech.start(terminators)
        else:
            channel.multiset(terminators)
        got = collector.collect()
    finally:
        unsubscribe()
        if collector.speech is not None:
            collector.speech.detach()  # a late result must not stop what runs next
    abandon()
    if collector.speech is not None:
        collector.speech.stop()
    channel.set("playback_terminators", "none")
    session.variables["GATHER"] = got.value
    session.log.info("<Gather> (line %d): %r (%s)", verb.line, got.value, got.method)
    if _wants(session, verb, "complete_input"):
        session.callback(verb.status_callback or "", verb.status_callback_method,
                         events.vox_gather_event("complete_input", session.call.id, got.value, got.method),
                         kind="gather")
    if session.flavour == TWIML and verb.action and (got.value or verb.action_on_empty_result):
        url = session.resolve(verb.action)
        speech = got.method == SPEECH and bool(got.value)
        params = events.twiml_gather_action(session.call, None if speech else got.value,
                                            speech_result=got.value if speech else None,
                                            confidence=got.confidence if speech else None)
        document = session.fetch(url, verb.method, params)
        return Outcome.replace(document, url)
    return None
