"""The SIP URI written inside ``<Sip>``: custom headers, transport, the size limits."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode

MAX_URI = 255       # the URI itself must be under 255 characters
MAX_HEADERS = 1024  # the ?headers part must be under 1024 characters
TRANSPORTS = ("udp", "tcp", "tls")
_TRANSPORT = re.compile(r";transport=([^;?]*)", re.IGNORECASE)


def split_sip_uri(text: str) -> tuple[str, dict[str, str], str | None]:
    """``sip:a@b;transport=tcp?X-H=1`` -> (``sip:a@b;transport=tcp``, {"X-H": "1"}, "tcp").

    Raises ``ValueError`` for a URI that is not ``sip:``/``sips:``, an unknown
    transport, malformed headers, or one over the size limits.
    """
    uri, _, query = text.strip().partition("?")
    if not re.match(r"sips?:\S", uri, re.IGNORECASE):
        raise ValueError(f"expected a sip: or sips: URI, got {uri!r}")
    if len(uri) >= MAX_URI:
        raise ValueError(f"the SIP URI must be under {MAX_URI} characters, it has {len(uri)}")
    if len(query) >= MAX_HEADERS:
        raise ValueError(f"SIP headers must be under {MAX_HEADERS} characters, they have {len(query)}")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        pairs = [("", query)]
    if any(not name for name, _ in pairs):
        raise ValueError(f"malformed SIP headers {query!r}: expected name=value pairs")
    headers = dict(pairs)
    found = _TRANSPORT.search(uri)
    transport = found.group(1).lower() if found else None
    if transport is not None and transport not in TRANSPORTS:
        raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, got {transport!r}")
    return uri, headers, transport


def join_sip_uri(uri: str, headers: dict[str, str]) -> str:
    """The text for ``<Sip>``: the URI and its headers, %-encoded as SIP URI headers are
    (a space is ``%20``, never ``+``, which a SIP URI keeps literally)."""
    return f"{uri}?{urlencode(headers, quote_via=quote)}" if headers else uri
