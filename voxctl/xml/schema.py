"""The schema table: for every verb, its attributes, its content and where it may stand.

One row per verb drives the parser, the serializer and the builder. An attribute
row gives the XML name, its kind (type, allowed values, clamping), aliases (values
that map to another value, e.g. Dial ``record="true"``), its required flag and
the defaults that differ by flavour; every other default is the dataclass default
in ``verbs.py``.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voxctl.xml import verbs as v
from voxctl.xml.kinds import (
    BOOLEAN,
    DIGITS_TO_SEND,
    DTMF_KEYS,
    METHOD,
    TEXT,
    Alternatives,
    Choice,
    Integer,
    Keys,
    Kind,
    SpeechTimeout,
    Words,
)

# what a verb holds between its tags
EMPTY = "empty"        # nothing (Hangup, Pause, ...)
TEXT_CONTENT = "text"  # plain text -> schema.text_field (Play's URL, Number's number, ...)
SSML = "ssml"          # text with SSML markup kept (Say)
SIP_URI = "sip"        # a SIP URI with headers (Sip)
PROMPTS = "prompts"    # Say/Play/Pause (Gather)
VERBS = "verbs"        # verbs allowed in the document's context (If)
NOUNS = "nouns"        # Number/Sip/Client/Conference, or a bare number (Dial)

PROMPT_TAGS = frozenset({"Say", "Play", "Pause"})
NOUN_TAGS = frozenset({"Number", "Sip", "Client", "Conference"})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Attr:
    """One XML attribute: ``name`` as written, the field it fills, how to read it."""

    name: str
    kind: Kind = TEXT
    aliases: Mapping[str, Any] = field(default_factory=dict)  # lower-case text -> value
    defaults: Mapping[str, Any] = field(default_factory=dict)  # flavour -> default
    required: bool = False
    field_name: str = ""

    @property
    def key(self) -> str:
        """The dataclass field this attribute fills."""
        return self.field_name or _snake(self.name)


@dataclass(frozen=True)
class VerbSchema:
    """A verb's row: its class, attributes, content model and required fields."""

    cls: type
    attrs: tuple[Attr, ...] = ()
    content: str = EMPTY
    text_field: str = ""
    needs: tuple[str, ...] = ()  # at least one of these fields must be non-empty

    @property
    def tag(self) -> str:
        return self.cls.TAG

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)


def default(cls: type, attr: Attr, flavour: str) -> Any:
    """The value a field takes when its attribute is absent, in ``flavour``."""
    if flavour in attr.defaults:
        return attr.defaults[flavour]
    spec = next(f for f in dataclasses.fields(cls) if f.name == attr.key)
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return spec.default


def new_verb(cls: type, flavour: str, **values: Any) -> v.Verb:
    """An instance of ``cls`` with the flavour's defaults for every field not given.

    ``None`` counts as not given: a document cannot write it, so it reads back as absent.
    """
    for attr in SCHEMAS_BY_CLASS[cls].attrs:
        if values.get(attr.key) is None and flavour in attr.defaults:
            values[attr.key] = attr.defaults[flavour]
    return cls(**values)


STATUS_CALLBACKS = (
    Attr("statusCallback"),
    Attr("statusCallbackEvent", Words()),
    Attr("statusCallbackMethod", METHOD),
)
LOOP = Attr("loop", Integer())  # 0 = forever
REPEAT_DELAY = Attr("repeatDelay", Integer(high=60, seconds=True))
SCREENING = (Attr("url"), Attr("method", METHOD))
ACTION = (Attr("action"), Attr("method", METHOD))
ANY_KEY = Keys(DTMF_KEYS)

SCHEMAS: dict[str, VerbSchema] = {s.tag: s for s in (
    VerbSchema(v.Say, (
        LOOP, REPEAT_DELAY,
        Attr("voice", defaults={v.VOXXML: "Joanna", v.TWIML: "man"}),
        Attr("language", defaults={v.TWIML: "en-US"}),
        Attr("separateNumbers", BOOLEAN),
    ), SSML),
    VerbSchema(v.Play, (
        LOOP, REPEAT_DELAY, Attr("digits", Keys(DIGITS_TO_SEND)),
    ), TEXT_CONTENT, "url", needs=("url", "digits")),
    VerbSchema(v.Pause, (Attr("length", Integer(low=1, high=60, seconds=True)),)),
    VerbSchema(v.Gather, (
        *ACTION, *STATUS_CALLBACKS, LOOP, REPEAT_DELAY,
        Attr("input", Words("dtmf", "speech")),
        Attr("timeout", Integer(low=1, high=60, seconds=True), defaults={v.VOXXML: 30, v.TWIML: 5}),
        Attr("speechTimeout", SpeechTimeout(high=60, seconds=True), defaults={v.VOXXML: "30"}),
        Attr("numDigits", Integer(minimum=1), defaults={v.VOXXML: 1, v.TWIML: None}),
        Attr("finishOnKey", ANY_KEY),
        Attr("language"),
        Attr("hints"),
        Attr("actionOnEmptyResult", BOOLEAN),
        Attr("partialResultCallback"),
        Attr("partialResultCallbackMethod", METHOD),
    ), PROMPTS),
    VerbSchema(v.Dial, (
        *ACTION, *STATUS_CALLBACKS,
        Attr("timeout", Integer(minimum=1, seconds=True)),
        Attr("timeLimit", Integer(minimum=1, seconds=True)),
        Attr("callerId"),
        Attr("record", Choice("record-from-answer", "record-from-ringing",
                              "record-from-answer-dual", "record-from-ringing-dual"),
             aliases={"true": "record-from-answer", "false": None, "do-not-record": None}),
        Attr("dialMusic", aliases={"disabled": "disabled"}),
        Attr("ringTone"),
        Attr("hangupOnStar", BOOLEAN),
        Attr("answerOnBridge", BOOLEAN),
    ), NOUNS, needs=("nouns",)),
    VerbSchema(v.Number, (
        *SCREENING, *STATUS_CALLBACKS,
        Attr("callerId"),
        Attr("sendDigits", Keys(DIGITS_TO_SEND)),
    ), TEXT_CONTENT, "number", needs=("number",)),
    VerbSchema(v.Sip, (
        *SCREENING, *STATUS_CALLBACKS,
        Attr("username"),
        Attr("password"),
        Attr("timeout", Integer(minimum=1, seconds=True)),
    ), SIP_URI),
    VerbSchema(v.Client, (*SCREENING, *STATUS_CALLBACKS), TEXT_CONTENT, "name", needs=("name",)),
    VerbSchema(v.Conference, (
        *STATUS_CALLBACKS,
        Attr("muted", BOOLEAN),
        Attr("beep", Choice("true", "false", "onEnter", "onExit")),
        Attr("startConferenceOnEnter", BOOLEAN),
        Attr("endConferenceOnExit", BOOLEAN),
        Attr("participantLabel"),
        Attr("waitUrl"),
        Attr("waitMethod", METHOD),
        Attr("maxParticipants", Integer(minimum=1, low=2, high=250)),
        Attr("record", Choice("record-from-start"), aliases={"do-not-record": None}),
        Attr("hold", BOOLEAN),
    ), TEXT_CONTENT, "name", needs=("name",)),
    VerbSchema(v.Hangup),
    VerbSchema(v.Reject, (Attr("reason", Choice("rejected", "busy")),)),
    VerbSchema(v.Redirect, (Attr("method", METHOD),), TEXT_CONTENT, "url", needs=("url",)),
    VerbSchema(v.Record, (
        *ACTION,
        Attr("timeout", Integer(seconds=True)),
        Attr("finishOnKey", ANY_KEY),
        Attr("maxLength", Integer(minimum=1, seconds=True)),
        Attr("playBeep", BOOLEAN),
        Attr("trim", Choice("trim-silence", "do-not-trim")),
        Attr("recordingStatusCallback"),
        Attr("recordingStatusCallbackMethod", METHOD),
    )),
    VerbSchema(v.SetMute, (Attr("muted", BOOLEAN),)),
    VerbSchema(v.If, (
        Attr("variable", required=True),
        Attr("test", Choice("EQUAL", "NOTEQUAL"), required=True),
        Attr("value", Alternatives(), required=True, field_name="values"),
    ), VERBS),
)}
SCHEMAS_BY_CLASS: dict[type, VerbSchema] = {s.cls: s for s in SCHEMAS.values()}

# which verbs each kind of document may hold (VoxXML "Supported Resources")
CALL_VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Dial", "Number", "Conference",
                        "Hangup", "Reject", "Redirect", "Record", "If"})
CONFERENCE_VERBS = frozenset({"Say", "Play", "Pause", "If", "Redirect", "Hangup", "SetMute"})
CONTEXTS: dict[str, frozenset[str]] = {
    "call": CALL_VERBS,
    "conference": CONFERENCE_VERBS,
    "participant": CONFERENCE_VERBS,
    # a Sip/Number ``url`` document runs on the called party: it may not dial on
    "screening": CALL_VERBS - {"Dial", "Number", "Conference"},
}
