"""The verb tree: one class per verb or noun, shared by every dialect we accept.

A parsed document is a :class:`Response` holding verbs in document order. The same
class serves VoxXML and TwiML/LaML/RCML/cXML: an attribute that only one family
defines is simply an attribute here, left at its default by the other family.
Attribute names are the XML names in snake_case (``finishOnKey`` -> ``finish_on_key``);
durations are seconds; booleans are ``bool``; "0 = forever" loops stay ``0``.

The parser (``voxctl.xml.parser``) fills every field from the document, applying
the specs' types, allowed values, defaults and clamping; the engine reads them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

VOXXML = "voxxml"
TWIML = "twiml"
FLAVOURS = (VOXXML, TWIML)


@dataclass
class Verb:
    """Common part of every verb and noun: where it stood in the document."""

    TAG: ClassVar[str] = ""
    line: int = field(default=0, compare=False, repr=False)

    @property
    def tag(self) -> str:
        return self.TAG


@dataclass
class StatusCallbacks:
    """The statusCallback* attribute trio that several verbs and nouns share."""

    status_callback: str | None = None
    status_callback_event: list[str] = field(default_factory=list)
    status_callback_method: str = "POST"


@dataclass
class Say(Verb):
    TAG: ClassVar[str] = "Say"
    text: str = ""          # the plain text (SSML markup removed, $GATHER left as written)
    ssml: str | None = None  # the inner markup when the text contains SSML elements
    voice: str | None = None      # filled per flavour: VoxXML "Joanna", TwiML "man"
    language: str | None = None   # TwiML "en-US"; VoxXML None = the voice's own language
    loop: int = 1
    repeat_delay: int = 0
    separate_numbers: bool = False


@dataclass
class Play(Verb):
    TAG: ClassVar[str] = "Play"
    url: str = ""
    loop: int = 1
    repeat_delay: int = 0
    digits: str | None = None  # TwiML <Play digits="..."/>: send DTMF instead of audio


@dataclass
class Pause(Verb):
    TAG: ClassVar[str] = "Pause"
    length: int = 1


@dataclass
class Gather(Verb, StatusCallbacks):
    TAG: ClassVar[str] = "Gather"
    prompts: list[Say | Play | Pause] = field(default_factory=list)
    input: list[str] = field(default_factory=lambda: ["dtmf"])
    timeout: int = 30             # VoxXML 30, TwiML 5; at most 60
    speech_timeout: str | None = None  # seconds as text (VoxXML "30"), or "auto"; TwiML None = timeout
    num_digits: int | None = 1  # VoxXML 1; TwiML None = no fixed count
    finish_on_key: str = "#"
    loop: int = 1
    repeat_delay: int = 0
    language: str = "en-US"
    hints: str | None = None
    action: str | None = None
    method: str = "POST"
    action_on_empty_result: bool = False
    partial_result_callback: str | None = None
    partial_result_callback_method: str = "POST"


@dataclass
class Number(Verb, StatusCallbacks):
    TAG: ClassVar[str] = "Number"
    number: str = ""
    caller_id: str | None = None
    send_digits: str | None = None
    url: str | None = None
    method: str = "POST"


@dataclass
class Sip(Verb, StatusCallbacks):
    TAG: ClassVar[str] = "Sip"
    uri: str = ""                 # without the ?headers part
    headers: dict[str, str] = field(default_factory=dict)
    transport: str | None = None  # "udp" | "tcp" | "tls" from ;transport=
    username: str | None = None
    password: str | None = None
    url: str | None = None     # call-screening document run on the called party
    method: str = "POST"
    timeout: int = 60


@dataclass
class Client(Verb, StatusCallbacks):
    TAG: ClassVar[str] = "Client"
    name: str = ""
    url: str | None = None
    method: str = "POST"


@dataclass
class Conference(Verb, StatusCallbacks):
    TAG: ClassVar[str] = "Conference"
    name: str = ""
    muted: bool = False
    beep: str = "true"            # "true" | "false" | "onEnter" | "onExit"
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    participant_label: str | None = None
    wait_url: str | None = None
    wait_method: str = "POST"
    max_participants: int = 250
    record: str | None = None  # None (also "do-not-record") | "record-from-start"
    hold: bool = False


DialNoun = Number | Sip | Client | Conference


@dataclass
class Dial(Verb, StatusCallbacks):
    TAG: ClassVar[str] = "Dial"
    nouns: list[DialNoun] = field(default_factory=list)  # a bare number becomes one Number
    action: str | None = None
    method: str = "POST"
    timeout: int = 30
    time_limit: int = 14400
    caller_id: str | None = None
    record: str | None = None  # None | "record-from-answer" | "record-from-ringing" ...; "true" -> record-from-answer
    dial_music: str | None = None  # URL, or "disabled"; TwiML's ringTone lands in ring_tone
    ring_tone: str | None = None
    hangup_on_star: bool = False
    answer_on_bridge: bool = False


@dataclass
class Hangup(Verb):
    TAG: ClassVar[str] = "Hangup"


@dataclass
class Reject(Verb):
    TAG: ClassVar[str] = "Reject"
    reason: str = "rejected"      # "rejected" | "busy"


@dataclass
class Redirect(Verb):
    TAG: ClassVar[str] = "Redirect"
    url: str = ""
    method: str = "POST"


@dataclass
class Record(Verb):
    TAG: ClassVar[str] = "Record"
    action: str | None = None
    method: str = "POST"
    timeout: int = 5              # seconds of silence that end the recording; 0 = never
    finish_on_key: str = "1234567890*#"
    max_length: int = 3600
    play_beep: bool = True
    trim: str = "trim-silence"    # "trim-silence" | "do-not-trim"
    recording_status_callback: str | None = None
    recording_status_callback_method: str = "POST"


@dataclass
class SetMute(Verb):
    TAG: ClassVar[str] = "SetMute"
    muted: bool = False


@dataclass
class If(Verb):
    TAG: ClassVar[str] = "If"
    variable: str = ""
    test: str = "EQUAL"           # "EQUAL" | "NOTEQUAL"
    values: list[str] = field(default_factory=list)  # value="1|english" -> ["1", "english"]
    verbs: list[AnyVerb] = field(default_factory=list)


AnyVerb = (Say | Play | Pause | Gather | Dial | Number | Conference | Hangup | Reject
           | Redirect | Record | SetMute | If)


@dataclass
class Warning_:
    """A problem that does not stop the document (an unknown attribute, say)."""

    code: int
    message: str
    line: int
    verb: str


@dataclass
class Response:
    """A whole document: its verbs in order and what the parser noticed on the way."""

    verbs: list[AnyVerb] = field(default_factory=list)
    flavour: str = VOXXML
    warnings: list[Warning_] = field(default_factory=list, compare=False)
