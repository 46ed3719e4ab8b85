"""``VoxResponse``: write documents in code, one chained method per verb.

    VoxResponse().say("Welcome").gather(lambda g: g.say("Press 1"), num_digits=1).to_xml()

Attributes are the verb's field names (``num_digits=4``, ``status_callback=...``);
fields not given take the flavour's defaults, exactly as the parser fills them, so
``parse(builder.to_xml(), builder.flavour)`` equals ``builder.response``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from voxctl.xml.parser import parse
from voxctl.xml.schema import new_verb
from voxctl.xml.serializer import to_xml
from voxctl.xml.sip import split_sip_uri
from voxctl.xml.verbs import (
    FLAVOURS,
    VOXXML,
    Client,
    Conference,
    Dial,
    Gather,
    Hangup,
    If,
    Number,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    Response,
    Say,
    SetMute,
    Sip,
    Verb,
)

if TYPE_CHECKING:
    from typing import Self

N = TypeVar("N", bound="_Builder")


class _Builder:
    """A list of verbs (or nouns) in one flavour."""

    def __init__(self, flavour: str = VOXXML) -> None:
        if flavour not in FLAVOURS:
            raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, not {flavour!r}")
        self.flavour = flavour
        self.verbs: list[Verb] = []

    def append(self, verb: Verb) -> Self:
        """Add a ready-made verb or noun."""
        self.verbs.append(verb)
        return self

    def _add(self, cls: type, **values: Any) -> Self:
        return self.append(new_verb(cls, self.flavour, **values))

    def _nested(self, kind: type[N], build: N | Callable[[N], Any] | None) -> list[Verb]:
        if isinstance(build, _Builder):
            return list(build.verbs)
        nested = kind(self.flavour)
        if build is not None:
            build(nested)
        return nested.verbs


class Prompts(_Builder):
    """What a Gather may hold: Say, Play, Pause."""

    def say(self, text: str = "", *, ssml: str | None = None, **attrs: Any) -> Self:
        """``<Say>``: plain ``text``, or ``ssml`` markup (its plain text is derived)."""
        if ssml is not None:
            parsed = parse(f"<Response><Say>{ssml}</Say></Response>", self.flavour).verbs
            if len(parsed) != 1:
                raise ValueError("ssml must be the markup inside one <Say>")
            text, ssml = parsed[0].text, parsed[0].ssml
        return self._add(Say, text=text, ssml=ssml, **attrs)

    def play(self, url: str = "", **attrs: Any) -> Self:
        """``<Play>``: an audio URL (or ``digits=...`` to send DTMF)."""
        return self._add(Play, url=url, **attrs)

    def pause(self, length: int = 1) -> Self:
        """``<Pause length=...>``."""
        return self._add(Pause, length=length)


class _Endpoints(_Builder):
    """Number and Conference: verbs at the top of a VoxXML document, nouns inside Dial."""

    def number(self, number: str, **attrs: Any) -> Self:
        """``<Number>``: dial one number."""
        return self._add(Number, number=number, **attrs)

    def conference(self, name: str, **attrs: Any) -> Self:
        """``<Conference>``: join the named room."""
        return self._add(Conference, name=name, **attrs)


class DialNouns(_Endpoints):
    """What a Dial may hold: Number, Sip, Client, Conference."""

    def sip(self, uri: str, headers: dict[str, str] | None = None, **attrs: Any) -> Self:
        """``<Sip>``: a SIP URI; ``?headers`` and ``;transport=`` in it are understood."""
        bare, in_uri, transport = split_sip_uri(uri)
        return self._add(Sip, uri=bare, headers={**in_uri, **(headers or {})},
                         transport=transport, **attrs)

    def client(self, name: str, **attrs: Any) -> Self:
        """``<Client>``: a registered client by name."""
        return self._add(Client, name=name, **attrs)


class VoxResponse(Prompts, _Endpoints):
    """A whole document, built verb by verb."""

    def gather(self, prompts: Prompts | Callable[[Prompts], Any] | None = None,
               **attrs: Any) -> Self:
        """``<Gather>``: ``prompts`` is a ``Prompts`` builder or a function filling one."""
        return self._add(Gather, prompts=self._nested(Prompts, prompts), **attrs)

    def dial(self, number: str | None = None,
             nouns: DialNouns | Callable[[DialNouns], Any] | None = None,
             **attrs: Any) -> Self:
        """``<Dial>``: a ``number``, and/or nouns from a ``DialNouns`` builder or function."""
        items = self._nested(DialNouns, nouns)
        if number:
            items.insert(0, new_verb(Number, self.flavour, number=number))
        return self._add(Dial, nouns=items, **attrs)

    def hangup(self) -> Self:
        """``<Hangup/>``."""
        return self._add(Hangup)

    def reject(self, reason: str = "rejected") -> Self:
        """``<Reject reason=...>``: ``rejected`` or ``busy``."""
        return self._add(Reject, reason=reason)

    def redirect(self, url: str, **attrs: Any) -> Self:
        """``<Redirect>``: fetch and run the document at ``url``."""
        return self._add(Redirect, url=url, **attrs)

    def record(self, **attrs: Any) -> Self:
        """``<Record>``."""
        return self._add(Record, **attrs)

    def set_mute(self, muted: bool) -> Self:
        """``<SetMute muted=...>`` (conference and participant documents)."""
        return self._add(SetMute, muted=muted)

    def if_(self, variable: str, values: str | Iterable[str],
            then: VoxResponse | Callable[[VoxResponse], Any] | None = None,
            test: str = "EQUAL") -> Self:
        """``<If>``: run ``then``'s verbs when ``variable`` matches one of ``values``."""
        alternatives = values.split("|") if isinstance(values, str) else list(values)
        return self._add(If, variable=variable, test=test, values=alternatives,
                         verbs=self._nested(VoxResponse, then))

    @property
    def response(self) -> Response:
        """The verb tree built so far."""
        return Response(verbs=list(self.verbs), flavour=self.flavour)

    def to_xml(self) -> str:
        """The document as XML text."""
        return to_xml(self.response)

    def __str__(self) -> str:
        return self.to_xml()
