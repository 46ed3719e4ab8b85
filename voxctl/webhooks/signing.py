"""Request signatures: how an application knows a webhook really came from voxctl.

Every document fetch and status callback made for an account is signed; which
signature depends on the flavour of the call.

TwiML flavour: ``X-Twilio-Signature``
    Exactly what Twilio sends, so ``twilio.request_validator.RequestValidator``
    (and every other Twilio SDK's validator) accepts it unchanged: the base64 of
    an HMAC-SHA1 keyed with the account's **auth token** over the full URL that
    was requested (scheme, host, port, path and query string) followed, for a
    POST, by each form parameter name and its value, names sorted, each name
    once with its (sorted, distinct) values::

        from twilio.request_validator import RequestValidator
        ok = RequestValidator(auth_token).validate(request.url, request.form,
                                                   request.headers["X-Twilio-Signature"])

VoxXML flavour: ``X-Vox-Signature``
    ``X-Vox-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is the
    HMAC-SHA256, keyed with the account's **signing secret**, of the bytes
    ``b"<t>." + signed_body``. The signed body is the raw request body for a
    POST (the JSON document) and the raw query string (everything after ``?``,
    as received, without decoding) for a GET. The timestamp is inside the MAC,
    so a receiver rejects replays by refusing old timestamps; ``v1`` may appear
    more than once (several secrets during a rotation). Checking it in a Flask
    app::

        from voxctl.webhooks.signing import verify_vox_signature
        body = request.get_data() if request.method == "POST" else request.query_string
        if not verify_vox_signature(secret, request.headers.get("X-Vox-Signature", ""), body):
            abort(403)
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
VOX_SIGNATURE_HEADER = "X-Vox-Signature"
VOX_SIGNATURE_TOLERANCE = 300.0  # seconds a receiver accepts between signing and checking

ParamValue = str | list[str] | tuple[str, ...]


def twilio_signature(auth_token: str, url: str, params: Mapping[str, ParamValue] | None = None) -> str:
    """``X-Twilio-Signature`` for a request to ``url`` with POST form ``params`` (None for a GET)."""
    signed = url
    for name in sorted(params or {}):
        value = params[name]
        values = [value] if isinstance(value, str) else list(value)
        for item in sorted(set(values)):
            signed += name + item
    mac = hmac.new(auth_token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def vox_signature(secret: str, body: bytes, timestamp: float) -> str:
    """The ``X-Vox-Signature`` header value for ``body`` signed at unix time ``timestamp``."""
    t = int(timestamp)
    return f"t={t},v1={_vox_mac(secret, body, t)}"


def verify_vox_signature(secret: str, header: str, body: bytes,
                         tolerance: float = VOX_SIGNATURE_TOLERANCE, now: float | None = None) -> bool:
    """True when ``header`` (an ``X-Vox-Signature`` value) signs ``body`` with ``secret``
    and its timestamp is within ``tolerance`` seconds of ``now`` (default: the clock)."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields.setdefault(name, []).append(value)
    try:
        t = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = _vox_mac(secret, body, t)
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))


def _vox_mac(secret: str, body: bytes, t: int) -> str:
    return hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
