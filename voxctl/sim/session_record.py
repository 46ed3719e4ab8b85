"""``record_session`` / ``stop_record_session``: a media bug recording the whole call to a file.

As ``switch_ivr_record_session`` does, the app returns at once: ``RECORD_START`` now,
and when the bug closes (``stop_record_session``, or the channel's hangup) the WAV is
written with both directions mixed (what the leg said and what it heard),
``record_ms``/``record_seconds``/``record_samples`` are set, ``RECORD_STOP`` fires and
the leg's timeline gets a ``record`` entry (path, ms).
"""
from __future__ import annotations

from .args import split_args
from .channel import Channel


def record_session(ch: Channel, arg: str) -> str:
    """``record_session <path> [limit_s]``: start recording the call into ``path``."""
    words = split_args(arg)
    if not words or not ch.is_up:
        return "_none_"
    path = words[0]
    if path in ch.session_recordings:
        return "_none_"
    ch.session_recordings[path] = ch.sim.clock.now()
    ch.fire("RECORD_START", ("Record-File-Path", path))
    ch.on_hangup.append(lambda c, p=path: _close(c, p))
    limit = float(words[1]) if len(words) > 1 and words[1].isdigit() else 0
    if limit:
        ch.sim.spawn_later(limit, _close, ch, path)
    return "_none_"


def stop_record_session(ch: Channel, arg: str) -> str:
    """``stop_record_session <path|all>``."""
    target = arg.strip()
    for path in list(ch.session_recordings):
        if target in ("all", path):
            _close(ch, path)
    return "_none_"


def _close(ch: Channel, path: str) -> None:
    start = ch.session_recordings.pop(path, None)
    if start is None:
        return
    end = ch.sim.clock.now()
    seconds = max(0.0, end - start)
    noise = sorted([*ch.noise, *ch.hears_noise(start, end)])
    noisy = [(max(a, start) - start, min(b, end) - start) for a, b in noise if b > start and a < end]
    size = ch.sim.media.write_recording(path, seconds, noisy)
    ms = int(seconds * 1000)
    ch.variables.update(record_ms=str(ms), record_seconds=str(ms // 1000), record_samples=str(ms * 8),
                        record_file_size=str(size))
    ch.fire("RECORD_STOP", ("Record-File-Path", path))
    ch.record("record", path=path, ms=ms)
