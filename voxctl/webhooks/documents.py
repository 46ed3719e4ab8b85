"""Fetch a call's document (VoxXML or TwiML) from the customer's application.

The request is built and signed by :func:`voxctl.webhooks.request.build_request`
(VoxXML: JSON body on POST, query string on GET; TwiML: form parameters) and sent
with the fetch timeouts. Failures carry the VoxXML spec's call error codes:

* 5107 "could not reach URL": connection refused, DNS failure, timeout, a
  non-2xx answer, a body over ``max_document_bytes``, a URL that is not http(s);
* 5108 "bad mimetype": a 2xx answer whose Content-Type is not ``text/xml``,
  ``application/xml`` or ``text/plain`` (parameters such as ``charset`` allowed).

The body is decoded with the Content-Type charset, else the XML declaration's
encoding, else UTF-8, and handed back as text for :func:`voxctl.xml.parse`.
"""
from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from voxctl import metrics
from voxctl.webhooks.client import HttpClient, TransportError
from voxctl.webhooks.request import build_request
from voxctl.xml.verbs import VOXXML

log = logging.getLogger(__name__)

UNREACHABLE = 5107
BAD_MIMETYPE = 5108
DOCUMENT_TYPES = ("text/xml", "application/xml", "text/plain")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class FetchError(Exception):
    """A document could not be fetched: ``.code`` is 5107 or 5108, ``.message`` says why."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def fetch_document(client: HttpClient, url: str, method: str = "POST",
                   params: Mapping[str, Any] | None = None, flavour: str = VOXXML,
                   account: Any = None, call_id: str | None = None,
                   base_url: str | None = None) -> str:
    """Request ``url`` (resolved against ``base_url`` when relative) and return the document text."""
    target = urljoin(base_url, url) if base_url else url
    try:
        request = build_request(method, target, params, flavour, account)
        response = client.send(request, client.fetch_timeouts, call_id=call_id)
    except ValueError as exc:
        raise _failure(call_id, UNREACHABLE, f"could not reach URL {target}: {exc}") from None
    except TransportError as exc:
        raise _failure(call_id, UNREACHABLE, f"could not reach URL {target}: {exc.reason}") from None
    if not 200 <= response.status < 300:
        raise _failure(call_id, UNREACHABLE, f"could not reach URL {target}: HTTP {response.status}")
    media_type = response.content_type.split(";", 1)[0].strip().lower()
    if media_type not in DOCUMENT_TYPES:
        raise _failure(call_id, BAD_MIMETYPE,
                       f"bad mimetype {response.content_type or '(none)'!r} from {target}")
    log.info("call %s: fetched %s %s (%d bytes)", call_id, request.method, target, len(response.body),
             extra={"call_id": call_id})
    return response.body.decode(_encoding(response.content_type, response.body), errors="replace")


def _failure(call_id: str | None, code: int, message: str) -> FetchError:
    metrics.DOCUMENT_ERRORS.inc(code=code)
    log.warning("call %s: document fetch failed (%d): %s", call_id, code, message,
                extra={"call_id": call_id})
    return FetchError(code, message)


def _encoding(content_type: str, body: bytes) -> str:
    """The charset parameter, else the XML declaration's encoding, else UTF-8 (a BOM is dropped)."""
    match = re.search(r"""charset\s*=\s*["']?([A-Za-z0-9._-]+)""", content_type, re.IGNORECASE)
    declared = _XML_ENCODING.match(body)
    for name in (match and match.group(1), declared and declared.group(1).decode("ascii")):
        if name:
            try:
                codec = codecs.lookup(name).name
            except LookupError:
                continue
            return "utf-8-sig" if codec == "utf-8" else codec
    return "utf-8-sig"
