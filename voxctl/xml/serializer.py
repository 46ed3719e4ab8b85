"""The verb tree back to a document: ``to_xml(response) -> str``.

Driven by the same schema table as the parser: an attribute is written when its
value differs from the flavour's default (or when it is required), so parsing the
output gives back an equal tree.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from voxctl.xml.schema import (
    EMPTY,
    NOUNS,
    PROMPTS,
    SCHEMAS_BY_CLASS,
    SIP_URI,
    SSML,
    TEXT_CONTENT,
    VERBS,
    VerbSchema,
    default,
)
from voxctl.xml.sip import join_sip_uri
from voxctl.xml.verbs import Response, Verb

INDENT = "  "


def to_xml(response: Response) -> str:
    """``response`` as a document in its flavour, with an XML declaration."""
    body = "".join(_render(verb, response.flavour, 1) for verb in response.verbs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n{body}</Response>\n'


def _attributes(verb: Verb, schema: VerbSchema, flavour: str) -> str:
    written = []
    for attr in schema.attrs:
        value = getattr(verb, attr.key)
        if value is not None and (attr.required or value != default(schema.cls, attr, flavour)):
            written.append(f" {attr.name}={quoteattr(attr.kind.format(value))}")
    return "".join(written)


def _children(items: list[Verb], flavour: str, depth: int) -> str:
    if not items:
        return ""
    return "\n" + "".join(_render(item, flavour, depth + 1) for item in items) + INDENT * depth


def _render(verb: Verb, flavour: str, depth: int) -> str:
    schema = SCHEMAS_BY_CLASS[type(verb)]
    attributes = _attributes(verb, schema, flavour)
    content = _CONTENT[schema.content](verb, schema, flavour, depth)
    tag = schema.tag
    element = f"<{tag}{attributes}>{content}</{tag}>" if content else f"<{tag}{attributes}/>"
    return INDENT * depth + element + "\n"


_Content = Callable[[Any, VerbSchema, str, int], str]
_CONTENT: dict[str, _Content] = {
    EMPTY: lambda verb, schema, flavour, depth: "",
    TEXT_CONTENT: lambda verb, schema, flavour, depth: escape(getattr(verb, schema.text_field)),
    SSML: lambda verb, schema, flavour, depth: verb.ssml if verb.ssml is not None else escape(verb.text),
    SIP_URI: lambda verb, schema, flavour, depth: escape(join_sip_uri(verb.uri, verb.headers)),
    PROMPTS: lambda verb, schema, flavour, depth: _children(verb.prompts, flavour, depth),
    VERBS: lambda verb, schema, flavour, depth: _children(verb.verbs, flavour, depth),
    NOUNS: lambda verb, schema, flavour, depth: _children(verb.nouns, flavour, depth),
}
