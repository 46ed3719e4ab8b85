"""``voxctl lint``'s checks: every problem in a document, from a file, a URL or stdin."""
from __future__ import annotations

import sys
from dataclasses import asdict, dataclass

import requests

from voxctl.xml.errors import DocumentError
from voxctl.xml.parser import parse

ERROR = "error"
WARNING = "warning"
UNREACHABLE = 5107   # could not reach URL
BAD_MIMETYPE = 5108  # bad mimetype in HTTP VoxXML
DOCUMENT_TYPES = ("text/xml", "application/xml", "text/plain")


@dataclass
class Problem:
    """One finding: the spec's code, where it is, and whether it stops the document."""

    code: int
    line: int
    verb: str
    message: str
    severity: str = ERROR

    def as_text(self) -> str:
        """``code line verb severity: message``, one line."""
        return f"{self.code} {self.line} {self.verb or '-'} {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


class SourceError(Exception):
    """The document could not be read; ``problem`` says why (5107/5108)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def lint(source: str | bytes, flavour: str = "voxxml", context: str = "call") -> list[Problem]:
    """Every warning in ``source``, and the error that stops it, if any."""
    try:
        response = parse(source, flavour, context)
    except DocumentError as exc:
        found = [Problem(w.code, w.line, w.verb, w.message, WARNING) for w in exc.warnings]
        return found + [Problem(exc.code, exc.line, exc.verb, exc.message)]
    return [Problem(w.code, w.line, w.verb, w.message, WARNING) for w in response.warnings]


def _fetch(url: str, timeout: float) -> bytes:
    try:
        reply = requests.get(url, timeout=timeout)
        reply.raise_for_status()
    except requests.RequestException as exc:
        raise SourceError(Problem(UNREACHABLE, 0, "", f"could not reach {url}: {exc}")) from None
    mimetype = reply.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if mimetype not in DOCUMENT_TYPES:
        raise SourceError(Problem(BAD_MIMETYPE, 0, "", f"bad mimetype {mimetype or 'none'!r} from {url}"
                                  f" (expected {', '.join(DOCUMENT_TYPES)})"))
    return reply.content


def read_source(location: str, timeout: float = 10.0) -> bytes:
    """The document at ``location``: an http(s) URL, ``-`` for standard input, or a file."""
    if location.startswith(("http://", "https://")):
        return _fetch(location, timeout)
    if location == "-":
        return sys.stdin.buffer.read()
    try:
        with open(location, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise SourceError(Problem(UNREACHABLE, 0, "", f"cannot read {location}: {exc.strerror}")) from None
