"""Documents to the verb tree: ``parse(source, flavour, context) -> Response``.

The schema table (``voxctl.xml.schema``) says what each verb accepts; this module
only walks the elements, applies the table and reports what does not fit, as
``DocumentError`` (the only exception a document can cause) or as warnings.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, ClassVar

from lxml import etree

from voxctl.xml.errors import BAD_SYNTAX, ROOT_MISSING, DocumentError
from voxctl.xml.safe import MAX_BYTES, MAX_DEPTH, load
from voxctl.xml.schema import (
    CONTEXTS,
    EMPTY,
    NOUN_TAGS,
    NOUNS,
    PROMPT_TAGS,
    PROMPTS,
    SCHEMAS,
    SIP_URI,
    SSML,
    TEXT_CONTENT,
    VERBS,
    Attr,
    VerbSchema,
    new_verb,
)
from voxctl.xml.sip import split_sip_uri
from voxctl.xml.ssml import inner_markup, is_ssml, plain_text, qualified_name
from voxctl.xml.verbs import FLAVOURS, Conference, Number, Response, Verb, Warning_


def parse(source: str | bytes, flavour: str = "voxxml", context: str = "call", *,
          max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Response:
    """Parse a VoxXML (``flavour="voxxml"``) or TwiML (``"twiml"``) document.

    ``context`` is the resource the document drives: ``call``, ``conference``,
    ``participant`` or ``screening`` (a Sip/Number ``url`` document). Raises
    ``DocumentError`` (5105/5106) for a document that cannot run, ``ValueError``
    for an unknown flavour or context.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, not {flavour!r}")
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {context!r}")
    root, repairs = load(source, max_bytes=max_bytes, max_depth=max_depth)
    reader = _Reader(flavour, context, repairs)
    try:
        return reader.response(root)
    except DocumentError as exc:
        exc.warnings = reader.warnings
        raise


def _error(element: etree._Element, message: str) -> DocumentError:
    return DocumentError(BAD_SYNTAX, message, line=element.sourceline or 0,
                         verb=qualified_name(element))


class _Reader:
    """One parse: the flavour, the context's verbs and the warnings so far."""

    def __init__(self, flavour: str, context: str, warnings: list[Warning_]) -> None:
        self.flavour = flavour
        self.context = context
        self.warnings = warnings

    def response(self, root: etree._Element) -> Response:
        name = qualified_name(root)
        if name != "Response":
            raise DocumentError(ROOT_MISSING, f'root element "Response" missing (found <{name}>)',
                                line=root.sourceline or 0, verb=name)
        for key in root.attrib:
            self.warn(root, f"unknown attribute {etree.QName(key).localname!r} ignored")
        verbs = self.children(root, CONTEXTS[self.context], f"in a {self.context} document")
        return Response(verbs=verbs, flavour=self.flavour, warnings=self.warnings)

    def warn(self, element: etree._Element, message: str) -> None:
        self.warnings.append(Warning_(BAD_SYNTAX, message, element.sourceline or 0,
                                      qualified_name(element)))

    def children(self, parent: etree._Element, allowed: frozenset[str], where: str) -> list[Any]:
        """The verbs (or nouns) inside ``parent``; only ``allowed`` tags may stand there."""
        if (parent.text or "").strip():
            raise _error(parent, f"unexpected text {parent.text.strip()[:40]!r} inside <{qualified_name(parent)}>")
        for child in parent:
            if (child.tail or "").strip():
                raise _error(child, f"unexpected text {child.tail.strip()[:40]!r} after <{qualified_name(child)}>")
        return [self.verb(child, allowed, where) for child in parent]

    def verb(self, element: etree._Element, allowed: frozenset[str], where: str) -> Verb:
        name = qualified_name(element)
        schema = SCHEMAS.get(name)
        if schema is None:
            hint = next((f" (names are case-sensitive: <{tag}>)" for tag in SCHEMAS
                         if tag.lower() == name.lower()), "")
            raise _error(element, f"unknown verb <{name}>{hint}")
        if name not in allowed:
            raise _error(element, f"<{name}> is not allowed {where}")
        values = self.attributes(element, schema)
        values.update(self.CONTENT[schema.content](self, element, schema))
        if schema.needs and not any(values.get(key) for key in schema.needs):
            raise _error(element, f"<{name}> needs {' or '.join(schema.needs)}")
        return new_verb(schema.cls, self.flavour, line=element.sourceline or 0, **values)

    def attributes(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, raw in element.attrib.items():
            attr = schema.attr(key)
            if attr is None:
                self.warn(element, self.unknown_attribute(key, schema))
            else:
                values[attr.key] = self.value(element, attr, raw)
        for attr in schema.attrs:
            if attr.required and attr.name not in element.attrib:
                raise _error(element, f"<{schema.tag}> needs the attribute {attr.name}")
        return values

    @staticmethod
    def unknown_attribute(key: str, schema: VerbSchema) -> str:
        name = etree.QName(key).localname
        close = difflib.get_close_matches(name, [a.name for a in schema.attrs], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown attribute {name!r} ignored{hint}"

    def value(self, element: etree._Element, attr: Attr, raw: str) -> Any:
        alias = raw.strip().lower()
        if alias in attr.aliases:
            return attr.aliases[alias]
        try:
            parsed = attr.kind.parse(raw)
        except ValueError as exc:
            raise _error(element, f"invalid {attr.name}: {exc}") from None
        limited = attr.kind.limit(parsed)
        if limited != parsed:
            self.warn(element, f"{attr.name}={raw.strip()!r} is out of range, using {attr.kind.format(limited)}")
        return limited

    # content models: element -> the fields its content fills

    def _empty(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        if (element.text or "").strip() or len(element):
            raise _error(element, f"<{schema.tag}> takes no content")
        return {}

    def _text(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        if len(element):
            raise _error(element[0], f"<{qualified_name(element[0])}> is not allowed inside <{schema.tag}>")
        return {schema.text_field: (element.text or "").strip()}

    def _ssml(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        for inner in element.iterdescendants():
            if not is_ssml(inner):
                raise _error(inner, f"<{qualified_name(inner)}> is not allowed inside <{schema.tag}>")
        ssml = inner_markup(element).strip() if len(element) else None
        return {"text": plain_text(element), "ssml": ssml}

    def _sip(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        text = self._text(element, schema)[schema.text_field]
        try:
            uri, headers, transport = split_sip_uri(text)
        except ValueError as exc:
            raise _error(element, str(exc)) from None
        return {"uri": uri, "headers": headers, "transport": transport}

    def _prompts(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        return {"prompts": self.children(element, PROMPT_TAGS, f"inside <{schema.tag}>")}

    def _verbs(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        return {"verbs": self.children(element, CONTEXTS[self.context], f"in a {self.context} document")}

    def _nouns(self, element: etree._Element, schema: VerbSchema) -> dict[str, Any]:
        if not len(element):
            number = (element.text or "").strip()
            bare = new_verb(Number, self.flavour, number=number, line=element.sourceline or 0)
            return {"nouns": [bare] if number else []}
        nouns = self.children(element, NOUN_TAGS, f"inside <{schema.tag}>")
        if len(nouns) > 1 and any(isinstance(n, Conference) for n in nouns):
            raise _error(element, f"a <Conference> must be the only noun inside <{schema.tag}>")
        return {"nouns": nouns}

    CONTENT: ClassVar[dict[str, Callable[[_Reader, etree._Element, VerbSchema], dict[str, Any]]]] = {
        EMPTY: _empty, TEXT_CONTENT: _text, SSML: _ssml, SIP_URI: _sip,
        PROMPTS: _prompts, VERBS: _verbs, NOUNS: _nouns,
    }
