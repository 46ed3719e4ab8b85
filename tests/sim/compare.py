"""Reduce recorded and simulated ESL streams to what must agree (fact list of the traces' README)."""
from __future__ import annotations

import difflib
import re

from .replay import UUID_RE, Msg

KEY_VARIABLES = ("read_result", "read_terminator_used", "pagd_input", "pagd_barge", "pagd_regex",
                 "pagd_regex_invalid", "pagd_timeout", "read_digits", "read_timeout_var", "sip_digit",
                 "originate_disposition", "DIALSTATUS", "originate_failed_cause", "bridge_hangup_cause",
                 "last_bridge_hangup_cause", "playback_terminator_used", "record_seconds",
                 "silence_hits_exhausted", "foo", "conference_flags", "current_loop", "vox_call_id")


def normalize_text(text: str) -> str:
    text = UUID_RE.sub("U", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:P", text)
    return text


def replies(msgs: list[Msg]) -> list[str]:
    """The non-event messages in order: replies, api responses, notices (linger notices aside)."""
    out = []
    for m in msgs:
        if m.event is not None or m.headers.get("Content-Disposition") == "linger":
            continue
        if m.headers.get("Event-Name") == "CHANNEL_DATA":
            out.append(f"connect {m.headers.get('Answer-State')} {m.headers.get('Channel-Call-State')}")
        elif m.ctype == "api/response":
            body = normalize_text(m.body)
            if body.startswith("UP ") or body.startswith("FreeSWITCH Version"):
                body = body.split(" ", 1)[0]
            elif body.startswith('{"row_count":'):
                body = "rows"
            elif body.startswith("/"):
                body = "path"
            out.append(f"api {body!r}")
        else:
            out.append(f"{m.ctype} {normalize_text(m.headers.get('Reply-Text', ''))} "
                       f"{m.headers.get('Content-Disposition', '')}".strip())
    return out


def lingers(msgs: list[Msg]) -> int:
    return sum(1 for m in msgs if m.headers.get("Content-Disposition") == "linger")


def event_key(m: Msg, states: bool = True) -> str:
    e = m.event or {}
    parts = [e.get("Event-Name", "")]
    for h in ("Application", "Application-Response", "Hangup-Cause", "Action", "DTMF-Digit", "DTMF-Source"):
        if h == "Hangup-Cause" and not states and not e.get("Event-Name", "").startswith("CHANNEL_HANGUP"):
            continue
        if e.get(h):
            parts.append(f"{h}={e[h]}")
    if states:
        parts.append(f"AS={e.get('Answer-State', '')}")
        if e.get("Event-Name") != "CHANNEL_STATE":  # after a transfer FreeSWITCH says RINGING here (08)
            parts.append(f"CS={e.get('Channel-Call-State', '')}")
    if e.get("Event-Name") == "BACKGROUND_JOB":
        parts.append(f"body={normalize_text(m.body).split(' ', 1)[0].strip()}")
    return " ".join(parts)


def events(msgs: list[Msg], states: bool = True) -> list[str]:
    return [event_key(m, states) for m in msgs if m.event is not None]


def variables(msgs: list[Msg]) -> list[dict[str, str]]:
    """The key variables of every CHANNEL_EXECUTE_COMPLETE, in order."""
    out = []
    for m in msgs:
        e = m.event or {}
        if e.get("Event-Name") == "CHANNEL_EXECUTE_COMPLETE":
            out.append({k: e.get(f"variable_{k}", "") for k in KEY_VARIABLES})
    return out


def diff(expected: list[str], got: list[str]) -> str:
    return "\n".join(difflib.unified_diff(expected, got, "recorded", "simulated", lineterm="", n=2))


def per_channel(msgs: list[Msg], states: bool = True) -> dict[str, list[str]]:
    """Events grouped by channel name (``-`` for channel-less ones), each group in order.

    Events of different channels race inside FreeSWITCH (one thread per channel), so
    only the order within a channel is meaningful on an inbound connection.
    """
    out: dict[str, list[str]] = {}
    for m in msgs:
        if m.event is not None:
            out.setdefault(m.event.get("Channel-Name", "-"), []).append(event_key(m, states))
    return out
