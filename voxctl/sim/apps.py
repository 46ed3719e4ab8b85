"""The dialplan applications: one function per app, one table (``APPS``).

Each app gets the channel and its argument string and returns the
``Application-Response`` (``_none_`` for everything but playback, fact 5). The
result of digit collection, recording and bridging is in channel variables
(fact 11), stale values included: a variable is only changed when the app sets it.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from .args import split_args
from .bridge import bridge_app
from .channel import Channel
from .conference import conference_app
from .media import Segment, speech_duration
from .outbound import socket_app
from .session_record import record_session, stop_record_session
from .speech import detect_speech

log = logging.getLogger(__name__)

App = Callable[[Channel, str], str]

DIGITS = "0123456789*#ABCD"
SIP_CAUSES = {"404": "UNALLOCATED_NUMBER", "480": "NO_USER_RESPONSE", "486": "USER_BUSY",
              "487": "ORIGINATOR_CANCEL", "503": "NORMAL_TEMPORARY_FAILURE", "603": "CALL_REJECTED",
              "403": "CALL_REJECTED", "408": "RECOVERY_ON_TIMER_EXPIRE"}


def _terminators(ch: Channel) -> str:
    """``playback_terminators`` (default ``*``; ``any`` / ``none``) as a set of digits."""
    value = ch.variables.get("playback_terminators", "*")
    if value.lower() == "any":
        return DIGITS
    if value.lower() == "none":
        return ""
    return value


def play_segments(ch: Channel, segments: list[Segment], barge: bool = False,
                  terminators: str = "") -> tuple[str, float]:
    """Play ``segments``; returns (why it stopped, seconds played).

    ``barge`` (prompts of pagd/read) stops at the first digit and leaves it queued;
    otherwise digits are consumed: one of ``terminators`` stops the playback
    (``playback_terminator_used``), any other is lost (trace 18 (c)).
    """
    played = 0.0
    for seg in segments:
        start = ch.sim.clock.now()
        if seg.kind == "speak":
            ch.record("speak", text=seg.label, engine=seg.engine, voice=seg.voice)
        else:
            ch.record(seg.kind, file=seg.label)
        if seg.noisy:
            ch.noise.append((start, start + seg.duration))
        deadline = start + seg.duration
        reason = "timeout"
        while True:
            reason = ch.wait(deadline - ch.sim.clock.now(), digits=True)
            if reason != "dtmf":
                break
            if barge:
                break
            digit = ch.dtmf_queue.popleft()
            if digit in terminators:
                ch.variables["playback_terminator_used"] = digit
                reason = "terminator"
                break
        now = ch.sim.clock.now()
        played += min(now, deadline) - start
        if seg.noisy and now < deadline:
            ch.noise[-1] = (start, now)
        if reason != "timeout":
            return reason, played
    return "done", played


def _playback_vars(ch: Channel, seconds: float) -> None:
    samples = int(seconds * 8000)
    ch.variables.update(playback_last_offset_pos=str(samples), playback_seconds=str(int(seconds)),
                        playback_ms=str(int(seconds * 1000)), playback_samples=str(samples))


def _play(ch: Channel, target: str, segments: list[Segment] | None) -> str:
    """The body of playback and speak: events, terminators, the response."""
    ch.variables.pop("playback_terminator_used", None)
    if segments is None:
        return "FILE NOT FOUND"
    ch.fire("PLAYBACK_START", ("Playback-File-Path", target))
    reason, played = play_segments(ch, segments, terminators=_terminators(ch))
    _playback_vars(ch, played)
    status = "break" if reason in ("hangup", "transfer") else "done"
    ch.fire("PLAYBACK_STOP", ("Playback-File-Path", target), ("Playback-Status", status))
    return "PLAYBACK ERROR" if reason in ("hangup", "transfer") else "FILE PLAYED"


def playback(ch: Channel, arg: str) -> str:
    """``playback <file|tone_stream://|silence_stream://|file_string://a!b|say:text|url>``."""
    return _play(ch, arg, ch.sim.media.segments(arg, ch.variables))


def speak(ch: Channel, arg: str) -> str:
    """``speak [engine|voice|]text``; engine and voice default to tts_engine/tts_voice."""
    parts = arg.split("|", 2)
    if len(parts) == 3:
        engine, voice, text = parts
    else:
        engine, voice, text = ch.variables.get("tts_engine", ""), ch.variables.get("tts_voice", ""), arg
    seg = Segment("speak", text, speech_duration(text), engine, voice)
    _play(ch, f"tts://{engine}|{voice}|{text}", [seg])
    return "_none_"


def say(ch: Channel, arg: str) -> str:
    """``say <lang> <type> <method> [gender] <text>``: spoken like TTS of the value."""
    parts = split_args(arg)
    text = parts[-1] if parts else ""
    spoken = " ".join(text) if len(parts) > 2 and parts[1].upper() in ("ITERATED", "NUMBER", "DIGITS") else text
    seg = Segment("speak", spoken, speech_duration(spoken), "say", parts[0] if parts else "")
    _play(ch, f"say://{arg}", [seg])
    return "_none_"


def _read(ch: Channel, min_digits: int, max_digits: int, prompt: str, var: str, timeout: float,
          terminators: str, digit_timeout: float) -> tuple[str, str]:
    """``switch_ivr_read``: prompt (barge-in), then collect; sets read_result and ``var``.

    Returns (status, digits); status is success, timeout, too_small, error or gone.
    """
    ch.variables.pop("read_result", None)
    if var:
        ch.variables.pop(var, None)
    if prompt:
        segments = ch.sim.media.segments(prompt, ch.variables)
        if segments is None:
            return "error", ""  # prompt cannot be opened: no read_result at all (trace 17)
        reason, _ = play_segments(ch, segments, barge=True)
        if reason in ("hangup", "transfer"):
            ch.variables["read_result"] = "failure"
            return "gone", ""
    digits, terminator, status = "", "", "timeout"
    wait_for = timeout
    while True:
        while ch.dtmf_queue and status == "timeout":
            digit = ch.dtmf_queue.popleft()
            if digit in terminators:
                terminator, status = digit, "success"
            else:
                digits += digit
                if len(digits) >= max_digits:
                    status = "success"
        if status != "timeout":
            break
        reason = ch.wait(wait_for, digits=True)
        if reason == "dtmf":
            wait_for = digit_timeout
            continue
        if reason in ("hangup", "transfer"):
            status = "gone"
        elif reason == "break":
            status = "success"
        break
    if terminator:
        ch.variables["read_terminator_used"] = terminator
    ch.variables["read_result"] = {"success": "success", "timeout": "timeout"}.get(status, "failure")
    if var and digits:
        ch.variables[var] = digits
    if status in ("success", "timeout") and not min_digits <= len(digits) <= max_digits:
        ch.variables["read_result"] = "failure"
        return "too_small", digits
    return status, digits


def play_and_get_digits(ch: Channel, arg: str) -> str:
    """``min max tries timeout terminators file invalid_file [var [regex [digit_timeout [transfer]]]]``."""
    a = split_args(arg, 11)
    if len(a) < 7:
        log.info("sim %s: play_and_get_digits needs at least 7 arguments: %r", ch.uuid, arg)
        return "_none_"
    min_d, max_d, tries = (_int(a[0], 0), _int(a[1], 128), max(1, _int(a[2], 1)))
    timeout = _int(a[3], 0) / 1000.0
    terminators, prompt, invalid = a[4], a[5], a[6]
    var = a[7] if len(a) > 7 else ""
    regex = a[8] if len(a) > 8 else ""
    digit_timeout = (_int(a[9], 0) / 1000.0 if len(a) > 9 else 0) or timeout
    transfer = a[10] if len(a) > 10 else ""
    for _ in range(tries):
        if ch.interrupted():
            return "_none_"
        status, digits = _read(ch, min_d, max_d, prompt, var, timeout, terminators, digit_timeout)
        if status == "gone":
            return "_none_"
        if status in ("success", "timeout") and digits:
            if not regex or re.search(regex, digits):
                return "_none_"
            ch.variables.pop(var, None)
            if var:
                ch.variables[f"{var}_invalid"] = digits
        if invalid and invalid != "silence":
            segments = ch.sim.media.segments(invalid, ch.variables)
            if segments:
                play_segments(ch, segments)
    if transfer and ch.is_up:
        parts = transfer.split()
        ch.request_transfer(parts[0], parts[2] if len(parts) > 2 else "default")
    return "_none_"


def read(ch: Channel, arg: str) -> str:
    """``read <min> <max> <file> <var> <timeout_ms> <terminators>``."""
    a = split_args(arg, 6)
    if len(a) < 4:
        return "_none_"
    timeout = _int(a[4], 0) / 1000.0 if len(a) > 4 else 0.0
    _read(ch, _int(a[0], 0), _int(a[1], 128), a[2], a[3], timeout, a[5] if len(a) > 5 else "#", timeout)
    return "_none_"


def record(ch: Channel, arg: str) -> str:
    """``record <path> [limit_s] [silence_threshold] [silence_hits_s]``: a real WAV of the caller."""
    a = split_args(arg)
    if not a:
        return "_none_"
    path = a[0]
    limit = _int(a[1], 0) if len(a) > 1 else 0
    hits = _int(a[3], 0) if len(a) > 3 and _int(a[2], 0) > 0 else 0
    terminators = _terminators(ch)
    ch.variables.pop("playback_terminator_used", None)
    codec = (("channel-read-codec-name", "L16"), ("channel-read-codec-rate", "8000"),
             ("channel-read-codec-bit-rate", "128000"))
    ch.fire("CODEC", *codec)
    ch.fire("RECORD_START", ("Record-File-Path", path))
    clock = ch.sim.clock
    start = clock.now()
    exhausted = False
    while True:
        now = clock.now()
        deadlines = []
        if limit:
            deadlines.append(start + limit + 0.5)  # the limit is checked in whole seconds (trace 07)
        if hits:
            deadlines.append(_silence_end(ch.hears_noise(start, now + 3600), start, hits))
        target = min(deadlines) if deadlines else None
        reason = ch.wait(None if target is None else max(0.0, target - now), digits=True)
        if reason == "dtmf":
            digit = ch.dtmf_queue.popleft()
            if digit in terminators:
                ch.variables["playback_terminator_used"] = digit
                break
            continue
        if reason == "timeout":
            now = clock.now()
            if hits and now >= _silence_end(ch.hears_noise(start, now + 3600), start, hits) - 1e-6:
                exhausted = True
                break
            if limit and now >= start + limit:
                break
            continue
        break  # break, hangup or transfer
    # with a parked, silent loopback caller no frame arrives and record_ms stays 0 (trace 14)
    seconds = max(0.0, clock.now() - start) if ch.peer_sends_media() else 0.0
    noisy = [(max(a0, start) - start, min(b0, start + seconds) - start)
             for a0, b0 in ch.hears_noise(start, start + seconds)]
    size = ch.sim.media.write_recording(path, seconds, noisy)
    ms = int(seconds * 1000)
    ch.variables.update(record_ms=str(ms), record_seconds=str(ms // 1000), record_samples=str(ms * 8),
                        record_file_size=str(size), silence_hits_exhausted="true" if exhausted else "false")
    ch.fire("RECORD_STOP", ("Record-File-Path", path))
    ch.fire("CODEC", *codec)
    ch.record("record", path=path, ms=ms)
    return "_none_"


def _silence_end(noise: list[tuple[float, float]], start: float, hits: float) -> float:
    """When ``hits`` seconds of continuous silence will have passed after ``start``."""
    cursor = start
    for a, b in sorted(noise):
        if b <= cursor:
            continue
        if a - cursor >= hits:
            break
        cursor = max(cursor, b)
    return cursor + hits


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def answer(ch: Channel, arg: str) -> str:
    ch.answer()
    return "_none_"


def pre_answer(ch: Channel, arg: str) -> str:
    ch.progress(media=True)
    return "_none_"


def ring_ready(ch: Channel, arg: str) -> str:
    ch.progress(media=False)
    return "_none_"


def set_var(ch: Channel, arg: str) -> str:
    """``set name=value`` (an empty value unsets)."""
    name, _, value = arg.partition("=")
    if value:
        ch.variables[name.strip()] = value
    else:
        ch.variables.pop(name.strip(), None)
    return "_none_"


def export(ch: Channel, arg: str) -> str:
    """``export name=value``: set here and on legs this channel bridges to later."""
    set_var(ch, arg.removeprefix("nolocal:"))
    name = arg.removeprefix("nolocal:").partition("=")[0].strip()
    exported = [n for n in ch.variables.get("export_vars", "").split(",") if n]
    if name not in exported:
        ch.variables["export_vars"] = ",".join(exported + [name])
    return "_none_"


def unset(ch: Channel, arg: str) -> str:
    ch.variables.pop(arg.strip(), None)
    return "_none_"


def multiset(ch: Channel, arg: str) -> str:
    """``multiset a=1 b=2`` or ``multiset ^^:a=1:b=2``."""
    if arg.startswith("^^"):
        items = arg[3:].split(arg[2])
    else:
        items = split_args(arg)
    for item in items:
        set_var(ch, item)
    return "_none_"


def sleep(ch: Channel, arg: str) -> str:
    """``sleep <ms>``: digits pressed meanwhile stay queued for the next read."""
    ms = _int(arg, 0)
    ch.record("silence", file=f"sleep:{ms}")
    ch.wait(ms / 1000.0)
    return "_none_"


def hangup(ch: Channel, arg: str) -> str:
    ch.hangup(arg.strip() or "NORMAL_CLEARING")
    return "_none_"


def respond(ch: Channel, arg: str) -> str:
    """``respond <code> [reason]``: SIP only; on a loopback channel nothing happens (trace 09)."""
    if ch.source != "mod_sofia":
        return "_none_"
    code = arg.split(" ", 1)[0]
    if code in ("180",):
        ch.progress(media=False)
    elif code in ("183",):
        ch.progress(media=True)
    elif code.startswith("2"):
        ch.answer()
    elif code[:1] in ("4", "5", "6"):
        ch.variables["sip_hangup_disposition"] = "send_refuse"
        ch.hangup(SIP_CAUSES.get(code, "CALL_REJECTED"))
    return "_none_"


def deflect(ch: Channel, arg: str) -> str:
    """``deflect <sip uri>``: REFER the answered caller elsewhere; the call leaves the switch."""
    ch.record("transfer", to=arg.strip(), method="deflect")
    ch.hangup("NORMAL_CLEARING")
    return "_none_"


def redirect(ch: Channel, arg: str) -> str:
    """``redirect <sip uri>``: a 302 to the unanswered caller."""
    ch.record("transfer", to=arg.strip(), method="redirect")
    ch.hangup("REDIRECTION_TO_NEW_DESTINATION")
    return "_none_"


def transfer(ch: Channel, arg: str) -> str:
    """``transfer <extension> [dialplan] [context]``."""
    parts = arg.split()
    if parts:
        ch.request_transfer(parts[0], parts[2] if len(parts) > 2 else "default")
    return "_none_"


def flush_dtmf(ch: Channel, arg: str) -> str:
    ch.dtmf_queue.clear()
    return "_none_"


def send_dtmf(ch: Channel, arg: str) -> str:
    """``send_dtmf <digits>[@<ms>]``: the far end receives the digits."""
    digits, _, ms = arg.partition("@")
    digits = digits.strip()
    ch.record("send_dtmf", digits=digits)
    ch.wait(len(digits) * (_int(ms, 100) + 50) / 1000.0, nested=False)
    far = ch.bridged_to or ch.loopback_peer
    if far is not None:
        far.receive_dtmf(digits, "APP")
    return "_none_"


def sched_hangup(ch: Channel, arg: str) -> str:
    """``sched_hangup +<seconds> [cause]``."""
    when, _, cause = arg.partition(" ")
    delay = float(when.lstrip("+") or 0)
    ch.sim.spawn_later(delay, ch.hangup, cause.strip() or "ALLOTTED_TIMEOUT")
    return "_none_"


def park(ch: Channel, arg: str) -> str:
    ch.parked_in_app = True
    try:
        ch.park()
    finally:
        ch.parked_in_app = False
    return "_none_"


APPS: dict[str, App] = {
    "answer": answer, "pre_answer": pre_answer, "ring_ready": ring_ready,
    "set": set_var, "export": export, "unset": unset, "multiset": multiset,
    "sleep": sleep, "playback": playback, "speak": speak, "say": say,
    "play_and_get_digits": play_and_get_digits, "read": read, "record": record,
    "bridge": bridge_app, "conference": conference_app, "socket": socket_app,
    "hangup": hangup, "respond": respond, "deflect": deflect, "redirect": redirect,
    "transfer": transfer, "flush_dtmf": flush_dtmf, "send_dtmf": send_dtmf,
    "sched_hangup": sched_hangup, "park": park, "record_session": record_session,
    "stop_record_session": stop_record_session, "detect_speech": detect_speech,
}
