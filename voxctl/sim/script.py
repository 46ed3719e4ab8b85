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
    caller_name: str = ""
    destinations: dict[str, Destination] = field(default_factory=dict)


_DTMF_AT = re.compile(r"^(?P<digits>[0-9A-Da-d*#wW]+)@(?P<at>\d+(?:\.\d+)?)s?$")
_DTMF_PROMPT = re.compile(r"^(?P<digits>[0-9A-Da-d*#]+)@prompt:(?P<text>.+?)(?:\+(?P<delay>\d+(?:\.\d+)?)s?)?$")


def parse_dtmf(spec: str) -> Dtmf:
    """``1@2s`` -> DtmfAt; ``2@prompt:press two`` (optionally ``+0.5s``) -> DtmfOnPrompt."""
    m = _DTMF_PROMPT.match(spec.strip())
    if m:
        delay = float(m.group("delay")) if m.group("delay") else 0.2
        return DtmfOnPrompt(m.group("digits"), m.group("text").strip().strip('"'), delay)
    m = _DTMF_AT.match(spec.strip())
    if m:
        return DtmfAt(m.group("digits"), float(m.group("at")))
    raise ValueError(f"bad DTMF spec {spec!r}: use DIGITS@SECONDS or DIGITS@prompt:TEXT")


def _dtmf_from(obj: object) -> Dtmf:
    if isinstance(obj, str):
        return parse_dtmf(obj)
    if isinstance(obj, dict):
        if "contains" in obj or "prompt" in obj:
            return DtmfOnPrompt(str(obj["digits"]), str(obj.get("contains", obj.get("prompt"))),
                                float(obj.get("delay", 0.2)))
        return DtmfAt(str(obj["digits"]), float(obj.get("at", 0)))
    raise ValueError(f"bad DTMF entry {obj!r}")


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
