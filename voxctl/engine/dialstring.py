"""FreeSWITCH dial strings from numbers, SIP URIs and clients, with every value escaped.

A dial string is ``{global vars}leg1,leg2`` (parallel; first to answer wins),
each leg ``[leg vars]endpoint``. Anything that comes from a document is either
validated against a strict shape (numbers, SIP URIs, client names, variable
names) or escaped as a variable value; what cannot be carried safely is refused
with ``DialStringError``.

Value escaping follows FreeSWITCH's splitter (``switch_separate_string`` and
``cleanup_separated_string``): a space becomes ``\\s``. In the global ``{}``
block, which is parsed once, ``\\``, ``,``, ``'`` and ``"`` are backslash-escaped.
Per-leg ``[]`` values go through a second split (the parallel ``,`` split unescapes
them first), so those four characters are refused there. Control characters,
the structural ``{ } [ ] | &`` and ``^`` and ``$`` (``${...}`` is expanded, and can
call API commands) are refused everywhere.

The result is ready for the ``bridge`` application; ``SwitchLink.originate``
adds the quoting the ``originate`` API's own argument split needs.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from voxctl.config import Settings

GLOBAL = "global"  # the {} block
LEG = "leg"  # a [] block

_REFUSED = set("{}[]|&^$")
_ESCAPED_IN_GLOBAL = {"\\": "\\\\", ",": "\\,", "'": "\\'", '"': '\\"'}
_VAR_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-.]*")
_NUMBER_SEPARATORS = re.compile(r"[ \-().]")
_NUMBER = re.compile(r"\+?[0-9*#]{1,32}")
_CLIENT = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_SIP_URI = re.compile(
    r"(?P<scheme>sips?):"
    r"(?:(?P<user>[A-Za-z0-9_.!~*+\-%]+)@)?"
    r"(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<params>(?:;[A-Za-z0-9_\-]+(?:=[A-Za-z0-9_.\-]+)?)*)"
    r"(?:\?(?P<headers>.*))?",
    re.IGNORECASE,
)
_HEADER_NAME = re.compile(r"X-[A-Za-z0-9\-]+", re.IGNORECASE)
_TRANSPORTS = ("udp", "tcp", "tls", "ws", "wss")


class DialStringError(ValueError):
    """A value that cannot be placed in a dial string."""


def escape_value(value: object, scope: str = LEG) -> str:
    """One variable value, escaped for a ``{}`` (``GLOBAL``) or ``[]`` (``LEG``) block."""
    text = str(value)
    out = []
    for char in text:
        if char in _REFUSED or ord(char) < 32 or ord(char) == 127:
            raise DialStringError(f"character {char!r} is not allowed in a dial string value: {text!r}")
        if char in _ESCAPED_IN_GLOBAL:
            if scope != GLOBAL:
                raise DialStringError(f"character {char!r} is not allowed in a per-leg value: {text!r}")
            out.append(_ESCAPED_IN_GLOBAL[char])
        elif char == " ":
            out.append("\\s")
        else:
            out.append(char)
    return "".join(out)


def format_variables(variables: Mapping[str, object] | None, scope: str = LEG) -> str:
    """``{a=1,b=2}`` (``GLOBAL``) or ``[a=1,b=2]`` (``LEG``); empty for no variables."""
    if not variables:
        return ""
    body = ",".join(f"{_variable_name(k)}={escape_value(v, scope)}" for k, v in variables.items())
    return f"{{{body}}}" if scope == GLOBAL else f"[{body}]"


def dial_string(legs: Iterable[str], variables: Mapping[str, object] | None = None) -> str:
    """Legs dialled in parallel (first to answer wins), with variables for all of them."""
    legs = list(legs)
    if not legs:
        raise DialStringError("nothing to dial")
    return format_variables(variables, GLOBAL) + ",".join(legs)


def number_leg(settings: Settings, number: str, *, gateway: str | None = None,
               variables: Mapping[str, object] | None = None) -> str:
    """A PSTN number through ``settings.dial_template`` (and a gateway when it names one)."""
    digits = _NUMBER_SEPARATORS.sub("", number)
    if not _NUMBER.fullmatch(digits):
        raise DialStringError(f"not a phone number: {number!r}")
    return format_variables(variables) + settings.dial_template.format(
        number=digits, gateway=_gateway(settings, gateway) if "{gateway}" in settings.dial_template else "")


def sip_leg(settings: Settings, uri: str, *, username: str | None = None, password: str | None = None,
            transport: str | None = None, variables: Mapping[str, object] | None = None) -> str:
    """A SIP URI on ``settings.sip_profile``; credentials and ``?X-...`` headers become leg variables."""
    match = _SIP_URI.fullmatch(uri.strip())
    if not match:
        raise DialStringError(f"not a SIP URI voxctl can dial: {uri!r}")
    leg_vars: dict[str, object] = {}
    if username:
        leg_vars["sip_auth_username"] = username
    if password:
        leg_vars["sip_auth_password"] = password
    leg_vars.update(_sip_headers(match.group("headers")))
    leg_vars.update(variables or {})
    params = match.group("params") or ""
    if transport:
        if transport.lower() not in _TRANSPORTS:
            raise DialStringError(f"unknown SIP transport: {transport!r}")
        params = re.sub(r";transport=[^;]*", "", params, flags=re.IGNORECASE) + f";transport={transport.lower()}"
    user = f"{match.group('user')}@" if match.group("user") else ""
    port = f":{match.group('port')}" if match.group("port") else ""
    target = f"{match.group('scheme').lower()}:{user}{match.group('host')}{port}{params}"
    return format_variables(leg_vars) + f"sofia/{settings.sip_profile}/{target}"


def client_leg(settings: Settings, client: str, *, variables: Mapping[str, object] | None = None) -> str:
    """A registered client through ``settings.client_template``."""
    name = client.removeprefix("client:")
    if not _CLIENT.fullmatch(name):
        raise DialStringError(f"not a client name: {client!r}")
    return format_variables(variables) + settings.client_template.format(client=name)


def destination_leg(settings: Settings, target: str) -> str:
    """The leg for an API call's ``to``: ``sip:``/``sips:`` URI, ``client:`` name, or a number."""
    if target.lower().startswith(("sip:", "sips:")):
        return sip_leg(settings, target)
    if target.lower().startswith("client:"):
        return client_leg(settings, target)
    return number_leg(settings, target)


def _gateway(settings: Settings, name: str | None) -> str:
    name = name or settings.default_gateway
    if not name:
        raise DialStringError("no gateway configured for phone numbers (default_gateway)")
    if settings.gateways and name not in settings.gateways:
        raise DialStringError(f"unknown gateway: {name!r}")
    return settings.gateways.get(name, name)


def _sip_headers(query: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for pair in (query or "").split("&"):
        if not pair:
            continue
        name, sep, value = pair.partition("=")
        if not sep or not _HEADER_NAME.fullmatch(name):
            raise DialStringError(f"custom SIP headers must be X-Name=value: {pair!r}")
        headers[f"sip_h_{name}"] = unquote(value)
    return headers


def _variable_name(name: str) -> str:
    if not _VAR_NAME.fullmatch(name):
        raise DialStringError(f"not a channel variable name: {name!r}")
    return name
