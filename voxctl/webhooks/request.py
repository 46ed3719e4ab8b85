"""Turn (method, URL, parameters, flavour, account) into the exact signed request to send.

This is the one place where webhook parameters are encoded and signed, for
document fetches and callbacks alike:

* VoxXML flavour: a POST carries the parameters as a JSON object
  (``Content-Type: application/json``); a GET carries them url-encoded in the
  query string. Signed with ``X-Vox-Signature`` (see :mod:`voxctl.webhooks.signing`).
* TwiML flavour: a POST carries form parameters
  (``application/x-www-form-urlencoded``, a list value becomes a repeated key); a
  GET carries them in the query string. Signed with ``X-Twilio-Signature``.

The URL is normalised the way ``requests`` will send it (``http://host`` becomes
``http://host/``, non-ASCII characters are percent-encoded, the fragment is
dropped) before it is signed, so the signature covers exactly what the receiver
sees. Parameters whose value is ``None`` are left out; booleans become
``true``/``false`` and numbers their decimal text (JSON bodies keep them as is).
"""
from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlencode, urlsplit

import requests

from voxctl.webhooks.signing import (
    TWILIO_SIGNATURE_HEADER,
    VOX_SIGNATURE_HEADER,
    twilio_signature,
    vox_signature,
)
from voxctl.xml.verbs import FLAVOURS, TWIML, VOXXML

METHODS = ("GET", "POST")
IDEMPOTENCY_HEADERS = {TWIML: "I-Twilio-Idempotency-Token", VOXXML: "X-Vox-Idempotency-Key"}


@dataclass(frozen=True)
class OutgoingRequest:
    """A fully built, signed request: what :meth:`HttpClient.send` puts on the wire."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


def build_request(method: str, url: str, params: Mapping[str, Any] | None, flavour: str,
                  account: Any = None, idempotency_key: str | None = None,
                  now: float | None = None) -> OutgoingRequest:
    """Encode ``params`` for ``flavour`` and sign the result with ``account``'s credentials.

    ``account`` is duck-typed: ``.auth_token`` signs TwiML requests, ``.signing_secret``
    VoxXML ones; a missing or empty credential leaves the request unsigned.
    Raises ``ValueError`` for an unknown method or flavour and for a URL that is not
    an absolute http(s) URL.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unsupported HTTP method {method!r}")
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}")
    params = {k: v for k, v in (params or {}).items() if v is not None}
    headers: dict[str, str] = {}
    body: bytes | None = None
    if method == "GET":
        url = _with_query(url, urlencode(_form_pairs(params)))
    elif flavour == TWIML:
        body = urlencode(_form_pairs(params)).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        body = json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers["Content-Type"] = "application/json"
    url = normalise_url(url)
    if idempotency_key:
        headers[IDEMPOTENCY_HEADERS[flavour]] = idempotency_key
    if flavour == TWIML and getattr(account, "auth_token", None):
        form = dict(_form_values(params)) if method == "POST" else None
        headers[TWILIO_SIGNATURE_HEADER] = twilio_signature(account.auth_token, url, form)
    elif flavour == VOXXML and getattr(account, "signing_secret", None):
        signed = body if body is not None else urlsplit(url).query.encode("ascii")
        headers[VOX_SIGNATURE_HEADER] = vox_signature(account.signing_secret, signed,
                                                      time.time() if now is None else now)
    return OutgoingRequest(method, url, headers, body)


def normalise_url(url: str) -> str:
    """``url`` exactly as ``requests`` sends it; ``ValueError`` unless it is absolute http(s)."""
    url = urldefrag(url.strip())[0]
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except requests.RequestException as exc:
        raise ValueError(f"invalid URL {url!r}: {exc}") from exc
    return prepared.url


def _with_query(url: str, query: str) -> str:
    url = urldefrag(url.strip())[0]
    if not query:
        return url
    return f"{url}{'&' if urlsplit(url).query else '?'}{query}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _form_values(params: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Each parameter with its values as text (a list or tuple is a repeated key)."""
    return [(name, [_text(v) for v in value] if isinstance(value, (list, tuple)) else [_text(value)])
            for name, value in params.items()]


def _form_pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(name, v) for name, values in _form_values(params) for v in values]
