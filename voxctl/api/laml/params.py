"""Request parameters the Twilio way: form fields (query fields for GET), each read and checked once.

Names are Twilio's (``To``, ``StatusCallbackEvent``...). An absent or empty parameter
is ``None`` (or the default given); a bad one raises the 400 with Twilio's number for
it. Booleans are case-insensitive (``true``, ``True``); a list parameter comes as
repeated fields or one space-separated value; TwiML is parsed when the request
arrives, so a bad document is refused before anything is dialled or interrupted.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import flask

from voxctl.api.laml import errors
from voxctl.config import Settings
from voxctl.engine.dialstring import DialStringError, destination_leg
from voxctl.webhooks.events import split_events
from voxctl.xml import TWIML, DocumentError, parse

METHODS = ("GET", "POST")
_E164 = re.compile(r"\+?([1-9][0-9]{1,14})")
_NUMBER_SEPARATORS = re.compile(r"[ ()\-.]")
_SEND_DIGITS = re.compile(r"[0-9A-D*#wW]+")
_WHOLE = re.compile(r"[0-9]{1,9}")


def text(name: str) -> str | None:
    """The parameter's value, stripped; None when absent or empty."""
    value = flask.request.values.get(name, "").strip()
    return value or None


def given(names: Iterable[str]) -> dict[str, str]:
    """The parameters among ``names`` that the request gives, as given."""
    return {name: value for name in names if (value := text(name)) is not None}


def refuse(names: Iterable[str]) -> None:
    """400 ``20001`` when the request uses a parameter this API does not implement."""
    for name in names:
        if text(name) is not None:
            raise errors.invalid(errors.INVALID_PARAMETER, f"{name} is not supported")


def boolean(name: str, default: bool | None = None) -> bool | None:
    """``true``/``false`` in any case."""
    value = text(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise errors.invalid(errors.INVALID_PARAMETER, f"{name} must be true or false, not {value!r}")
    return value.lower() == "true"


def choice(name: str, allowed: Iterable[str], default: str | None = None,
           code: int = errors.INVALID_PARAMETER) -> str | None:
    """One of ``allowed`` (matched case-insensitively, returned as listed)."""
    value = text(name)
    if value is None:
        return default
    by_lower = {option.lower(): option for option in allowed}
    if value.lower() not in by_lower:
        raise errors.invalid(code, f"{name} must be one of {', '.join(by_lower.values())}, not {value!r}")
    return by_lower[value.lower()]


def integer(name: str, default: int | None, maximum: int, code: int = errors.INVALID_PARAMETER,
            minimum: int = 1) -> int | None:
    """A whole number from ``minimum``; values over ``maximum`` are capped (Twilio's Timeout rule)."""
    value = text(name)
    if value is None:
        return default
    if not _WHOLE.fullmatch(value) or int(value) < minimum:
        raise errors.invalid(code, f"{name} must be a whole number from {minimum}, not {value!r}")
    return min(int(value), maximum)


def method(name: str) -> str:
    """``GET`` or ``POST`` (default ``POST``); 400 ``21209`` otherwise."""
    return choice(name, METHODS, "POST", errors.METHOD_INVALID)


def url(name: str) -> str | None:
    """An absolute ``http``/``https`` URL; 400 ``21205`` otherwise."""
    value = text(name)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise errors.invalid(errors.URL_INVALID, f"{name} is not a valid URL: {value!r}")
    return value


def events(name: str, allowed: Iterable[str]) -> list[str]:
    """A list of event names (repeated fields or space-separated); 400 ``21626`` for an unknown one."""
    found = split_events(flask.request.values.getlist(name))
    unknown = [event for event in found if event not in allowed]
    if unknown:
        raise errors.invalid(errors.STATUS_CALLBACK_EVENT_INVALID,
                             f"{name}: unknown event(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return found


def send_digits(name: str) -> str | None:
    """Keys to send once answered: ``0-9 A-D * #`` and ``w``/``W`` pauses; 400 ``21206`` otherwise."""
    value = text(name)
    if value is not None and not _SEND_DIGITS.fullmatch(value):
        raise errors.invalid(errors.SEND_DIGITS_INVALID, f"{name} may hold only 0-9, A-D, *, #, w and W")
    return value


def endpoint(name: str, settings: Settings, missing: int, bad: int) -> str:
    """Who to call or call as: an E.164 number (kept as ``+digits``), a ``sip:`` URI or ``client:name``.

    400 ``missing`` when absent, ``bad`` when it is none of those (SIP URIs and client
    names are checked exactly as the engine will dial them).
    """
    value = text(name)
    if value is None:
        raise errors.invalid(missing, f"A '{name}' phone number is required.")
    try:
        if value.lower().startswith(("sip:", "sips:", "client:")):
            destination_leg(settings, value)
            return value
    except DialStringError as exc:
        raise errors.invalid(bad, f"The '{name}' {value!r} is not valid: {exc}") from None
    number = _e164(value)
    if number is None:
        raise errors.invalid(bad, f"The '{name}' number {value} is not a valid phone number.")
    return number


def endpoint_filter(name: str) -> str | None:
    """A To/From list filter: a number in the stored ``+digits`` form, anything else as given."""
    value = text(name)
    return None if value is None else _e164(value) or value


def _e164(value: str) -> str | None:
    """``+digits`` for an E.164 number (separators and a missing ``+`` allowed), else None."""
    number = _E164.fullmatch(_NUMBER_SEPARATORS.sub("", value))
    return "+" + number.group(1) if number else None


def twiml(name: str, context: str) -> str | None:
    """The TwiML document in ``name``, parsed now in ``context``; 400 ``12100`` when the parser refuses it."""
    value = text(name)
    return None if value is None else checked(value, context, name)


def checked(document: str, context: str, source: str) -> str:
    """``document`` if the parser accepts it as TwiML in ``context``; 400 ``12100`` naming ``source`` otherwise."""
    try:
        parse(document, TWIML, context)
    except DocumentError as exc:
        raise errors.document_error(source, exc) from None
    return document
