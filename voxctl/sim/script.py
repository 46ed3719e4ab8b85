"""Call scripts: who calls whom, when the caller presses keys or hangs up, and how
dialled destinations behave. Loaded from Python, JSON or YAML (if PyYAML is installed).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

OUTCOMES = ("answer", "busy", "no-answer", "failed", "reject")

# the hangup cause a destination's failure outcome produces
OUTCOME_CAUSES = {"busy": "USER_BUSY", "no-answer": "NO_ANSWER", "failed": "NORMAL_TEMPORARY_FAILURE",
                  "reject": "CALL_REJECTED"}


@dataclass
class DtmfAt:
    """Press ``digits`` ``at`` simulated seconds after the call is answered."""

    digits: str
    at: float


@dataclass
class DtmfOnPrompt:
    """Press ``digits`` ``delay`` seconds after a prompt whose text or file contains ``contains`` starts."""

    digits: str
    contains: str
    delay: float = 0.2


Dtmf = DtmfAt | DtmfOnPrompt


@dataclass
class SpeechAt:
    """Say ``text`` ``at`` simulated seconds after the answer (``detect_speech`` recognizes it
    with ``confidence``)."""

    text: str
    at: float
    confidence: float = 0.9


@dataclass
class SpeechOnPrompt:
    """Say ``text`` ``delay`` seconds after a prompt whose text or file contains ``contains`` starts."""

    text: str
    contains: str
    delay: float = 0.2
    confidence: float = 0.9


Phrase = SpeechAt | SpeechOnPrompt


@dataclass
class Destination:
    """How a dialled number behaves: ``outcome`` after ``answer_after`` s of ringing, then ``stay`` s."""

    outcome: str = "answer"
    answer_after: float = 0.0
    stay: float = 30.0
    dtmf: list[Dtmf] = field(default_factory=list)
    ring: bool = True

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown destination outcome {self.outcome!r} (one of {', '.join(OUTCOMES)})")


@dataclass
class CallScript:
    """A simulated caller calling ``to`` from ``from_``; the dialplan's ``socket`` app connects to ``target``."""

    to: str
    from_: str = "15550000000"
    target: tuple[str, int] | None = None
    variables: dict[str, str] = field(default_factory=dict)
    dtmf: list[Dtmf] = field(default_factory=list)
    hangup_after: float | None = None
    speech: list[tuple[float, float]] = field(default_factory=list)  # (start, end) after answer: caller talks
    phrases: list[Phrase] = field(default_factory=list)  # words the caller says (a recognizer hears them)
    caller_name: str = ""
    destinations: dict[str, Destination] = field(default_factory=dict)


_AT = r"@(?P<at>\d+(?:\.\d+)?)s?$"
_PROMPT = r"@prompt:(?P<text>.+?)(?:\+(?P<delay>\d+(?:\.\d+)?)s?)?$"
_DTMF_AT = re.compile(r"^(?P<value>[0-9A-Da-d*#wW]+)" + _AT)
_DTMF_PROMPT = re.compile(r"^(?P<value>[0-9A-Da-d*#]+)" + _PROMPT)
_SPEECH_AT = re.compile(r"^(?P<value>[^@]+)" + _AT)
_SPEECH_PROMPT = re.compile(r"^(?P<value>[^@]+)" + _PROMPT)


def _parse_step(spec: str, at: re.Pattern, prompt: re.Pattern, kinds: tuple[type, type], what: str):
    m = prompt.match(spec.strip())
    if m:
        delay = float(m.group("delay")) if m.group("delay") else 0.2
        return kinds[1](m.group("value").strip(), m.group("text").strip().strip('"'), delay)
    m = at.match(spec.strip())
    if m:
        return kinds[0](m.group("value").strip(), float(m.group("at")))
    raise ValueError(f"bad {what} spec {spec!r}: use {what}@SECONDS or {what}@prompt:TEXT")


def parse_dtmf(spec: str) -> Dtmf:
    """``1@2s`` -> DtmfAt; ``2@prompt:press two`` (optionally ``+0.5s``) -> DtmfOnPrompt."""
    return _parse_step(spec, _DTMF_AT, _DTMF_PROMPT, (DtmfAt, DtmfOnPrompt), "DIGITS")


def parse_phrase(spec: str) -> Phrase:
    """``sales@2s`` -> SpeechAt; ``sales@prompt:say a department`` (optionally ``+0.5s``) -> SpeechOnPrompt."""
    return _parse_step(spec, _SPEECH_AT, _SPEECH_PROMPT, (SpeechAt, SpeechOnPrompt), "WORDS")


def _step_from(obj: object, key: str, kinds: tuple[type, type], parse) -> object:
    """A DTMF or speech step from a spec string or a mapping (``key``: digits or text)."""
    if isinstance(obj, str):
        return parse(obj)
    if isinstance(obj, dict):
        extra = {"confidence": float(obj["confidence"])} if "confidence" in obj else {}
        if "contains" in obj or "prompt" in obj:
            return kinds[1](str(obj[key]), str(obj.get("contains", obj.get("prompt"))),
                            float(obj.get("delay", 0.2)), **extra)
        return kinds[0](str(obj[key]), float(obj.get("at", 0)), **extra)
    raise ValueError(f"bad {key} entry {obj!r}")


def _dtmf_from(obj: object) -> Dtmf:
    return _step_from(obj, "digits", (DtmfAt, DtmfOnPrompt), parse_dtmf)


def _phrase_from(obj: object) -> Phrase:
    return _step_from(obj, "text", (SpeechAt, SpeechOnPrompt), parse_phrase)


def destination_from(obj: dict) -> Destination:
    """A Destination from a mapping (script files)."""
    return Destination(outcome=str(obj.get("outcome", "answer")),
                       answer_after=float(obj.get("answer_after", 0.0)),
                       stay=float(obj.get("stay", 30.0)),
                       dtmf=[_dtmf_from(d) for d in obj.get("dtmf", [])],
                       ring=bool(obj.get("ring", True)))


def script_from(obj: dict) -> CallScript:
    """A CallScript from a mapping: the keys of CallScript (``from`` or ``from_``)."""
    target = obj.get("target") or obj.get("engine")
    if isinstance(target, str):
        host, _, port = target.rpartition(":")
        target = (host or "127.0.0.1", int(port))
    elif target is not None:
        target = (str(target[0]), int(target[1]))
    return CallScript(
        to=str(obj["to"]),
        from_=str(obj.get("from", obj.get("from_", "15550000000"))),
        target=target,
        variables={str(k): str(v) for k, v in (obj.get("variables") or {}).items()},
        dtmf=[_dtmf_from(d) for d in obj.get("dtmf", [])],
        hangup_after=None if obj.get("hangup_after") is None else float(obj["hangup_after"]),
        speech=[(float(a), float(b)) for a, b in obj.get("speech", [])],
        phrases=[_phrase_from(p) for p in obj.get("phrases", [])],
        caller_name=str(obj.get("caller_name", "")),
        destinations={str(k): destination_from(v) for k, v in (obj.get("destinations") or {}).items()},
    )


def load_mapping(path: str | Path) -> dict:
    """The mapping in a call script file: JSON, or YAML when PyYAML is importable."""
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError as exc:
            raise ValueError("YAML call scripts need PyYAML (pip install pyyaml); use JSON") from exc
        return dict(yaml.safe_load(text))
    return dict(json.loads(text))


def load_script(path: str | Path) -> CallScript:
    """Read a call script file (see :func:`script_from` for the keys)."""
    return script_from(load_mapping(path))
