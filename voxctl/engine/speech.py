"""Speech recognition on a channel with FreeSWITCH's ``detect_speech`` (for <Gather input="speech">).

``Recognizer(channel, engine, ...).start()`` sets ``fire_asr_events=true`` (without it
the switch only queues the results to the session, never to the socket) and runs
``detect_speech <engine> vox_gather {params}builtin:speech/transcribe``; the params are
the MRCP-style ``speech-language``, ``no-input-timeout``, ``speech-complete-timeout``
(ms) and ``speech-hints`` (URL-encoded, commas included). The channel's
``DETECTED_SPEECH`` events then say ``begin-speaking`` (:attr:`speaking`) and
``detected-speech`` with the result as NLSML (or plain text) in the body
(:attr:`result`, :attr:`done`); ``on_speech`` is told of both, on the event greenlet.
One recognition per ``start``/``resume``; ``stop()`` ends it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from gevent.event import Event
from lxml import etree

from voxctl.engine.channel import Channel
from voxctl.engine.esl import EslMessage

GRAMMAR_NAME = "vox_gather"
GRAMMAR = "builtin:speech/transcribe"
EVENT = "DETECTED_SPEECH"


@dataclass(frozen=True)
class SpeechResult:
    """What the recognizer heard (empty text: no match) and how sure it is (0..1, None if not said)."""

    text: str
    confidence: float | None = None


def parse_result(body: str) -> SpeechResult:
    """The words and confidence of a ``detected-speech`` body: NLSML (any namespace) or plain text."""
    text = body.strip()
    if not text.startswith("<"):
        return SpeechResult(text)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return SpeechResult("")
    found = root.xpath("//*[local-name()='interpretation']")
    if not found:
        return SpeechResult("")
    interpretation = found[0]
    words = ""
    for name in ("input", "instance"):
        nodes = interpretation.xpath(f".//*[local-name()='{name}']")
        if nodes and (nodes[0].text or "").strip():
            words = " ".join(nodes[0].text.split())
            break
    return SpeechResult(words, _confidence(interpretation.get("confidence")))


def _confidence(value: str | None) -> float | None:
    """NLSML confidence: 0.0-1.0 (MRCPv2) or 0-100 (MRCPv1, pocketsphinx)."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None:
        return None
    return round(number / 100 if number > 1 else number, 4)


class Recognizer:
    """One ``detect_speech`` on one channel."""

    def __init__(self, channel: Channel, engine: str, *, language: str | None = None,
                 no_input_ms: int | None = None, complete_ms: int | None = None, hints: str | None = None,
                 on_speech: Callable[[str], None] | None = None) -> None:
        self.channel = channel
        self.engine = engine
        self.params = {k: v for k, v in (("speech-language", language), ("no-input-timeout", no_input_ms),
                                         ("speech-complete-timeout", complete_ms),
                                         ("speech-hints", quote(hints, safe="") if hints else None))
                       if v is not None and v != ""}
        self.on_speech = on_speech
        self.speaking = False
        self.result: SpeechResult | None = None
        self.done = Event()
        self._off: Callable[[], None] | None = None

    @property
    def heard(self) -> bool:
        """The caller has started speaking (or a result is in)."""
        return self.speaking or self.result is not None

    def start(self, variables: Mapping[str, str] | None = None) -> None:
        """Subscribe to the results, set ``variables`` and ``fire_asr_events`` (one multiset),
        start recognizing."""
        self._off = self.channel.on_event(EVENT, self._on_event)
        self.channel.multiset({**(variables or {}), "fire_asr_events": "true"})
        params = ",".join(f"{k}={v}" for k, v in self.params.items())
        self.channel.execute("detect_speech", f"{self.engine} {GRAMMAR_NAME} "
                                              f"{'{' + params + '}' if params else ''}{GRAMMAR}")

    def resume(self) -> None:
        """Forget the last recognition and listen again."""
        self.speaking, self.result = False, None
        self.done.clear()
        self.channel.execute("detect_speech", "resume")

    def wait(self, timeout: float) -> SpeechResult | None:
        """The result, waiting up to ``timeout`` seconds for it once the caller is speaking."""
        if self.result is None and self.speaking:
            self.done.wait(timeout)
        return self.result

    def detach(self) -> None:
        """Stop listening to the results (no application; the recognizer may still run)."""
        if self._off is not None:
            self._off()
            self._off = None

    def stop(self) -> None:
        """Detach and stop the recognizer (if the call is still up)."""
        self.detach()
        if not self.channel.hung_up:
            self.channel.execute("detect_speech", "stop")

    def _on_event(self, message: EslMessage) -> None:
        kind = message.headers.get("Speech-Type", "")
        if kind == "begin-speaking":
            self.speaking = True
        elif kind == "detected-speech":
            self.result = parse_result(message.body or "")
            self.done.set()
        else:
            return
        if self.on_speech is not None:
            self.on_speech(kind)
