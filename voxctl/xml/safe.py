"""Safe XML loading: no entities, no DTD, no network, a size and a depth limit.

``load`` turns text or bytes into an lxml element, or raises ``DocumentError``;
nothing from lxml escapes. Two common slips are repaired rather than refused: a
bare ``&`` (as in ``sip:a@b?x=1&y=2``, written so in the RCML spec) is read as
``&amp;`` with a warning, and namespace prefixes used without a declaration
(SSML's ``<amazon:effect>`` is written that way) are declared on the root.
"""
from __future__ import annotations

import re

from lxml import etree

from voxctl.xml.errors import BAD_SYNTAX, ROOT_MISSING, DocumentError
from voxctl.xml.verbs import Warning_

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 16
UNDECLARED_NS = "urn:voxctl:undeclared:"
_DECLARED_ENCODING = re.compile(r"""\A(\ufeff?<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_UNDEFINED_PREFIX = re.compile(r"Namespace prefix ([A-Za-z_][\w.-]*) (?:on|for) ")
_ROOT_TAG = re.compile(rb"<Response(?=[\s/>])")
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True, collect_ids=False)


def _to_bytes(source: str | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    # text is already decoded: whatever encoding the declaration names, it is UTF-8 now
    text = _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", source)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DocumentError(BAD_SYNTAX, f"the text is not valid Unicode: {exc.reason}") from None


def _escape_bare_ampersands(data: bytes) -> tuple[bytes, list[Warning_]]:
    found = _BARE_AMPERSAND.search(data)
    if not found or b"\x00" in data:  # none, or a UTF-16/32 document: leave it to lxml
        return data, []
    line = data[:found.start()].count(b"\n") + 1
    note = Warning_(BAD_SYNTAX, "a bare '&' is read as '&amp;' (write &amp; in XML)", line, "")
    return _BARE_AMPERSAND.sub(b"&amp;", data), [note]


def _syntax_error(log: etree._ListErrorLog, exc: etree.XMLSyntaxError) -> DocumentError:
    first = log[0] if len(log) else None  # the parser's own log: the first error is the cause
    line = first.line if first else (exc.lineno or 0)
    column = first.column if first else (exc.offset or 0) + 1
    message = first.message if first else exc.msg
    return DocumentError(BAD_SYNTAX, f"bad syntax at line {line}, column {column}: {message}",
                         line=line, column=column)


def _declare_prefixes(data: bytes, log: etree._ListErrorLog) -> bytes:
    prefixes = sorted({m.group(1) for e in log if (m := _UNDEFINED_PREFIX.match(e.message))})
    declarations = b"".join(f' xmlns:{p}="{UNDECLARED_NS}{p}"'.encode() for p in prefixes)
    return _ROOT_TAG.sub(lambda m: m.group(0) + declarations, data, count=1) if prefixes else data


def _parse(data: bytes, repairs_left: int = 2) -> tuple[etree._Element, list[Warning_]]:
    """Parse; if that fails, repair a bare ``&`` and undeclared prefixes, and try again."""
    parser = _parser()
    try:
        return etree.fromstring(data, parser), []
    except etree.XMLSyntaxError as exc:
        repaired, notes = _escape_bare_ampersands(data)
        repaired = _declare_prefixes(repaired, parser.error_log)
        if repaired == data or not repairs_left:
            raise _syntax_error(parser.error_log, exc) from None
    except (ValueError, LookupError) as exc:  # e.g. an encoding lxml cannot use
        raise DocumentError(BAD_SYNTAX, f"bad syntax: {exc}") from None
    root, more = _parse(repaired, repairs_left - 1)
    return root, notes + more


def _reject_doctype(root: etree._Element, data: bytes) -> None:
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        at = data.find(b"<!DOCTYPE")
        line = data[:at].count(b"\n") + 1 if at >= 0 else 1
        raise DocumentError(BAD_SYNTAX, "DOCTYPE and ENTITY declarations are not allowed", line=line)


def _check_depth(root: etree._Element, max_depth: int) -> None:
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise DocumentError(BAD_SYNTAX, f"elements nested deeper than {max_depth} levels",
                                line=element.sourceline or 0)


def load(source: str | bytes, max_bytes: int = MAX_BYTES,
         max_depth: int = MAX_DEPTH) -> tuple[etree._Element, list[Warning_]]:
    """Parse ``source`` safely: its root element and the repairs made, or ``DocumentError``."""
    data = _to_bytes(source)
    if len(data) > max_bytes:
        raise DocumentError(BAD_SYNTAX, f"the document has {len(data)} bytes, over the limit of {max_bytes}")
    if not data.strip():
        raise DocumentError(ROOT_MISSING, 'empty document: root element "Response" missing')
    root, repairs = _parse(data)
    _reject_doctype(root, data)
    _check_depth(root, max_depth)
    return root, repairs
