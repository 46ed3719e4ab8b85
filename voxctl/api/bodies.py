"""Reading request bodies: the JSON object, a VoxXML field parsed at request time, E.164 numbers.

Every failure is a 422 naming the field (``body`` for the request as a whole), except
a document the parser refuses: 422 with the parser's code (5105/5106) and message, so
a bad document is refused before anything is dialled or interrupted.
"""
from __future__ import annotations

import re
from typing import Any

import flask

from voxctl.api.errors import ApiError, unprocessable
from voxctl.xml import DocumentError, parse
from voxctl.xml.verbs import VOXXML

_E164 = re.compile(r"\+?([0-9]{1,15})")


def json_object() -> dict[str, Any]:
    """The request body as a JSON object; 422 ``body`` when missing, not JSON or not an object."""
    raw = flask.request.get_data(cache=True)
    if not raw.strip():
        raise unprocessable("body", "a JSON object is required")
    body = flask.request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise unprocessable("body", "must be a JSON object")
    return body


def document(body: dict[str, Any], context: str, keys: tuple[str, ...] = ("voxXML",)) -> str:
    """The VoxXML text under the first of ``keys`` present, checked by the parser in ``context``."""
    key = next((k for k in keys if k in body), keys[0])
    text = body.get(key)
    if text is None:
        raise unprocessable(key, "is required")
    if not isinstance(text, str) or not text.strip():
        raise unprocessable(key, "must be a non-empty VoxXML document")
    try:
        parse(text, VOXXML, context)
    except DocumentError as exc:
        raise ApiError(422, f"{key}: {exc.message}", code=exc.code) from exc
    return text


def e164(body: dict[str, Any], key: str) -> str:
    """The E.164 number under ``key``: up to 15 digits, an optional leading ``+`` dropped."""
    value = body.get(key)
    if value is None:
        raise unprocessable(key, "is required")
    match = _E164.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match:
        raise unprocessable(key, "must be an E.164 number: up to 15 digits, optionally after a +")
    return match.group(1)
