"""Speech recognition: the ``detect_speech`` application and what a scripted caller says.

``detect_speech <mod_name> <gram_name> <gram_path> [<addr>]`` starts a recognizer on the
channel and returns at once (FreeSWITCH runs it as a media bug beside the other apps).
``<gram_path>`` may start with ``{name=value,...}`` recognizer parameters. The other
forms: ``pause``, ``resume`` (after a result or a pause: listen again), ``stop``,
``grammar <name> [<path>]``, ``nogrammar <name>``, ``grammaron|grammaroff <name>``,
``grammarsalloff``, ``param <name> <value>`` and ``start_input_timers``; those that
need a running recognizer log and do nothing without one.

When the caller speaks (:func:`utter`) a listening recognizer reports, as
``switch_ivr_async.c``'s ``speech_thread`` does, ``DETECTED_SPEECH`` with
``Speech-Type: begin-speaking`` when the speech starts and ``Speech-Type:
detected-speech`` with an NLSML body (the words and a confidence) when it ends; it
then waits for ``resume`` (one recognition at a time, as with mod_unimrcp). The
events reach an ESL socket only when ``fire_asr_events`` was true as the recognizer
started (``SWITCH_ASR_FLAG_FIRE_EVENTS``); otherwise FreeSWITCH only queues them to
the session. Speech with no listening recognizer is heard, not recognized.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .args import split_args
from .channel import Channel
from .media import speech_duration

log = logging.getLogger(__name__)

TRUE = ("true", "yes", "on", "1")
NEEDS_RECOGNIZER = ("pause", "resume", "stop", "grammar", "nogrammar", "grammaron", "grammaroff",
                    "grammarsalloff", "param", "start_input_timers")


@dataclass
class Recognizer:
    """One channel's running ``detect_speech``."""

    module: str
    grammars: dict[str, str]
    params: dict[str, str]
    fire_events: bool
    listening: bool = True
    enabled: set[str] = field(default_factory=set)


def _grammar(path: str) -> tuple[str, dict[str, str]]:
    """``{a=1,b=2}builtin:x`` -> (``builtin:x``, {a: 1, b: 2})."""
    if not path.startswith("{") or "}" not in path:
        return path, {}
    head, _, rest = path[1:].partition("}")
    params = dict(item.partition("=")[::2] for item in head.split(",") if item)
    return rest, params


def detect_speech(ch: Channel, arg: str) -> str:
    """The ``detect_speech`` application (see the module docstring)."""
    a = split_args(arg)
    if not a:
        log.info("sim %s: detect_speech needs arguments", ch.uuid)
        return "_none_"
    command = a[0].lower()
    rec: Recognizer | None = ch.recognizer
    if command in NEEDS_RECOGNIZER:
        if rec is None:
            log.info("sim %s: detect_speech %s: no recognizer running", ch.uuid, command)
            return "_none_"
        _control(ch, rec, command, a[1:])
        return "_none_"
    if len(a) < 3:
        log.info("sim %s: detect_speech <mod_name> <gram_name> <gram_path> [<addr>]: %r", ch.uuid, arg)
        return "_none_"
    path, params = _grammar(a[2])
    fire = ch.variables.get("fire_asr_events", "").lower() in TRUE
    ch.recognizer = Recognizer(a[0], {a[1]: path}, params, fire, enabled={a[1]})
    ch.record("detect_speech", module=a[0], grammar=a[1], path=path, params=params)
    return "_none_"


def _control(ch: Channel, rec: Recognizer, command: str, rest: list[str]) -> None:
    if command == "stop":
        ch.recognizer = None
    elif command in ("pause", "resume"):
        rec.listening = command == "resume"
    elif command == "grammar" and rest:
        rec.grammars[rest[0]] = rest[1] if len(rest) > 1 else rest[0]
        rec.enabled.add(rest[0])
    elif command == "nogrammar" and rest:
        rec.grammars.pop(rest[0], None)
        rec.enabled.discard(rest[0])
    elif command in ("grammaron", "grammaroff") and rest:
        (rec.enabled.add if command == "grammaron" else rec.enabled.discard)(rest[0])
    elif command == "grammarsalloff":
        rec.enabled.clear()
    elif command == "param" and len(rest) > 1:
        rec.params[rest[0]] = rest[1]


def nlsml(text: str, grammar: str, confidence: float) -> str:
    """The recognition result as NLSML (the body mod_unimrcp passes on)."""
    return (f'<?xml version="1.0"?>\n<result>\n  <interpretation grammar={quoteattr(grammar)} '
            f'confidence="{confidence:.2f}">\n    <instance>{escape(text)}</instance>\n'
            f'    <input mode="speech">{escape(text)}</input>\n  </interpretation>\n</result>\n')


def utter(ch: Channel, text: str, confidence: float = 0.9) -> float:
    """The caller says ``text``: timeline, recognizer events; returns how long it takes."""
    duration = speech_duration(text)
    ch.record("speech", text=text)
    rec = ch.recognizer
    if rec is None or not rec.listening or not rec.enabled:
        return duration
    rec.listening = False  # this utterance is its recognition; resume listens again
    _fire(ch, rec, "begin-speaking")
    grammar = sorted(rec.enabled)[0]
    ch.sim.spawn_later(duration, _detected, ch, rec, text, grammar, confidence)
    return duration


def _detected(ch: Channel, rec: Recognizer, text: str, grammar: str, confidence: float) -> None:
    if not ch.is_up or ch.recognizer is not rec:
        return  # hung up or stopped meanwhile: no result
    ch.record("recognized", text=text, grammar=grammar, confidence=confidence)
    _fire(ch, rec, "detected-speech", nlsml(text, grammar, confidence))


def _fire(ch: Channel, rec: Recognizer, kind: str, body: str = "") -> None:
    if rec.fire_events:
        ch.fire("DETECTED_SPEECH", leading=[("Speech-Type", kind)], body=body)
