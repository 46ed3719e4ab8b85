"""<Record>: record the caller to ``<recordings_dir>/<account>/<recording id>.wav``.

playBeep plays a short tone first; maxLength and the silence timeout (0 = none) are
the ``record`` application's limit and silence hits; finishOnKey ends it through
``playback_terminators``, put back to ``none`` when it ends, also when a REST replace
interrupts it (``session.on_abandon``). The recording's id, URL (served by the API node at
``/api/v1/recordings/<id>.wav``) and duration are kept on the call record. With an
``action`` the RecordingUrl, RecordingDuration and Digits are posted there and the
answer runs; without one the next verb runs.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, runs
from voxctl.store.ids import new_id
from voxctl.webhooks import events
from voxctl.xml.verbs import TWIML, Record

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession

BEEP = "tone_stream://%(500,0,800)"
SILENCE_THRESHOLD = 200  # energy below which audio counts as silence


def recording_path(recordings_dir: str, account_id: str, recording_id: str) -> str:
    """Where a recording's file lives (the engine writes it, the API serves it)."""
    return os.path.join(os.path.abspath(recordings_dir), account_id, f"{recording_id}.wav")


def recording_url(session: CallSession, recording_id: str) -> str:
    """The URL the API node serves a recording at."""
    return f"{session.services.public_url}/api/v1/recordings/{recording_id}.wav"


@runs(Record)
def run_record(session: CallSession, verb: Record) -> Outcome | None:
    session.ensure_answered()
    channel = session.channel
    recording_id = new_id()
    path = recording_path(session.settings.recordings_dir, session.call.account_id, recording_id)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if verb.play_beep:
        channel.execute("playback", BEEP)
    abandon = session.on_abandon(("set", "playback_terminators=none"))
    channel.set("playback_terminators", verb.finish_on_key or "none")
    arg = f"{path} {verb.max_length}" + (f" {SILENCE_THRESHOLD} {verb.timeout}" if verb.timeout > 0 else "")
    result = channel.execute("record", arg)
    abandon()
    channel.set("playback_terminators", "none")
    milliseconds = int((result.var("record_ms") if result is not None else None) or 0)
    digits = (result.var("playback_terminator_used") if result is not None else None) or None
    duration = round(milliseconds / 1000)
    url = recording_url(session, recording_id)
    session.update_call(recording_id=recording_id, recording_url=url, recording_duration=duration)
    session.log.info("<Record> (line %d): %s, %d ms, key %r", verb.line, recording_id, milliseconds, digits)
    if not verb.action:
        return None
    action = session.resolve(verb.action)
    if session.flavour == TWIML:
        params = events.twiml_record_action(session.call, url, duration, digits, recording_id=recording_id)
    else:
        params = session.vox_event("record", "complete", recording_id=recording_id, recording_url=url,
                                   recording_duration=duration, digits=digits)
    return Outcome.replace(session.fetch(action, verb.method, params), action)
