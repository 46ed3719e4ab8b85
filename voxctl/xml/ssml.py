"""SSML kept inside ``<Say>``: which elements are allowed, the plain text, the markup."""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from lxml import etree

XML_NS = "http://www.w3.org/XML/1998/namespace"
# SSML elements Polly/Google/Twilio accept inside <Say>; any prefixed element
# (``amazon:effect``, ``amazon:domain``, ...) is a vendor extension and kept too
SSML_TAGS = frozenset({"break", "emphasis", "lang", "mark", "p", "phoneme", "prosody", "s",
                       "say-as", "speak", "sub", "w"})


def qualified_name(element: etree._Element) -> str:
    """The element's name as written: ``say-as``, ``amazon:effect``."""
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def is_ssml(element: etree._Element) -> bool:
    """Whether ``element`` may stand inside ``<Say>``."""
    return element.prefix is not None or etree.QName(element).localname in SSML_TAGS


def plain_text(element: etree._Element) -> str:
    """Every piece of text inside ``element``, markup removed, ends stripped."""
    return "".join(element.itertext()).strip()


def _attribute_name(element: etree._Element, key: str) -> str:
    name = etree.QName(key)
    if name.namespace is None:
        return key
    if name.namespace == XML_NS:
        return f"xml:{name.localname}"
    prefix = next((p for p, uri in element.nsmap.items() if p and uri == name.namespace), None)
    return f"{prefix}:{name.localname}" if prefix else name.localname


def _markup(element: etree._Element) -> str:
    attributes = "".join(f" {_attribute_name(element, k)}={quoteattr(v)}"
                         for k, v in element.attrib.items())
    name = qualified_name(element)
    inner = inner_markup(element)
    body = f"<{name}{attributes}>{inner}</{name}>" if inner else f"<{name}{attributes}/>"
    return body + escape(element.tail or "")


def inner_markup(element: etree._Element) -> str:
    """What stands between ``element``'s tags, as XML text without namespace declarations."""
    return escape(element.text or "") + "".join(_markup(child) for child in element)
