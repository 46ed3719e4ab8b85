"""What a playback target sounds like and how long it lasts; recordings as real WAV files.

A target is turned into :class:`Segment` s (a file, a tone, silence or text
spoken by TTS). Local files are read from disk (re-rooted under ``files_root``
when the simulator has one); a readable WAV lasts what its header says, any
other existing file ``default_duration``. ``http(s)://`` and ``http_cache://``
URLs are really fetched (``http_cache`` once per URL until ``http_clear_cache``);
a 404 or an unreachable server means FILE NOT FOUND, as on the real switch.
"""
from __future__ import annotations

import array
import hashlib
import io
import logging
import math
import os
import re
import shutil
import tempfile
import wave
from collections.abc import Mapping
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)

FOREVER = 24 * 3600.0
SECONDS_PER_CHAR = 0.085  # flite reads "Hello world, this is a test" in 2.4 s (trace 03)
RATE = 8000


@dataclass(frozen=True)
class Segment:
    """One piece of audio the caller hears."""

    kind: str  # play | tone | silence | speak
    label: str  # the file/tone/url, or the spoken text
    duration: float
    engine: str = ""
    voice: str = ""

    @property
    def noisy(self) -> bool:
        return self.kind != "silence"


def speech_duration(text: str) -> float:
    """How long TTS takes to read ``text``."""
    return max(0.5, round(len(text) * SECONDS_PER_CHAR, 2))


def _tone_duration(spec: str) -> float:
    cycles = re.findall(r"%\(([^)]*)\)", spec)
    one = 0.0
    for cycle in cycles:
        parts = [p for p in cycle.split(",") if p.strip()]
        if len(parts) >= 2:
            one += (float(parts[0]) + float(parts[1])) / 1000.0
    loops = re.search(r"(?:loops|L)=(-?\d+)", spec)
    count = int(loops.group(1)) if loops else 1
    if count < 0:
        return FOREVER
    return one * count if one else 1.0


def wav_duration(data: bytes) -> float | None:
    """The duration in a WAV header, or None if ``data`` is not a readable WAV."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, ValueError):
        return None


class Media:
    """Resolves playback targets to segments; fetches and caches URLs; writes recordings."""

    def __init__(self, files_root: str | None = None, default_duration: float = 3.0,
                 http_timeout: float = 5.0) -> None:
        self.files_root = files_root
        self.default_duration = default_duration
        self.http_timeout = http_timeout
        self.cache_dir = tempfile.mkdtemp(prefix="voxctl-sim-cache-")
        self._cache: dict[str, tuple[str, float]] = {}
        self._http = requests.Session()

    def close(self) -> None:
        """Forget the http cache and delete its directory (the simulator's stop)."""
        self._http.close()
        self._cache.clear()
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    # -- paths ---------------------------------------------------------------------
    def local_path(self, path: str) -> str:
        """Where a switch path lives on this machine (under ``files_root`` if set)."""
        if self.files_root and os.path.isabs(path):
            return os.path.join(self.files_root, path.lstrip("/"))
        return path

    # -- playback targets ------------------------------------------------------------
    def segments(self, target: str, variables: Mapping[str, str]) -> list[Segment] | None:
        """The audio of a playback target; None when it cannot be opened (FILE NOT FOUND)."""
        target = target.strip()
        if target.startswith("{"):
            target = target[target.find("}") + 1:]
        if target.startswith("file_string://"):
            out: list[Segment] = []
            for part in target[len("file_string://"):].split("!"):
                opened = self._open_one(part, variables, in_file_string=True)
                if opened is not None:
                    out.append(opened)
            return out or None
        one = self._open_one(target, variables)
        return None if one is None else [one]

    def _open_one(self, target: str, variables: Mapping[str, str], in_file_string: bool = False) -> Segment | None:
        if target.startswith("silence_stream://"):
            ms = int(target[len("silence_stream://"):].split(",")[0] or 0)
            return Segment("silence", target, FOREVER if ms < 0 else ms / 1000.0)
        if target.startswith("tone_stream://"):
            return Segment("tone", target, _tone_duration(target))
        if target.startswith("local_stream://"):
            return Segment("play", target, FOREVER)
        if target.startswith("say:") and not in_file_string:
            # inside file_string:// a say: part is opened as a file and fails (trace 17)
            engine = variables.get("tts_engine", "")
            if not engine:
                return None
            text = target[4:]
            return Segment("speak", text, speech_duration(text), engine, variables.get("tts_voice", ""))
        if target.startswith(("http://", "https://", "http_cache://")):
            fetched = self.fetch(target)
            return None if fetched is None else Segment("play", target, fetched[1])
        return self._local(target)

    def _local(self, path: str) -> Segment | None:
        local = self.local_path(path)
        if not os.path.isfile(local):
            return None
        with open(local, "rb") as f:
            data = f.read()
        duration = wav_duration(data)
        return Segment("play", path, self.default_duration if duration is None else duration)

    def fetch(self, url: str) -> tuple[str, float] | None:
        """GET a URL (``http_cache://`` once, then from the cache): (local path, duration) or None."""
        cached = url.startswith("http_cache://")
        real_url = url[len("http_cache://"):] if cached else url
        if cached and real_url in self._cache:
            return self._cache[real_url]
        headers = {"User-Agent": "freeswitch-http-cache/1.0"} if cached else {}
        try:
            resp = self._http.get(real_url, timeout=self.http_timeout, headers=headers)
        except requests.RequestException as exc:
            log.info("sim: GET %s failed: %s", real_url, exc)
            return None
        if resp.status_code != 200:
            log.info("sim: GET %s -> %s", real_url, resp.status_code)
            return None
        ext = os.path.splitext(real_url.split("?", 1)[0])[1] or ".wav"
        path = os.path.join(self.cache_dir, hashlib.sha1(real_url.encode()).hexdigest() + ext)
        with open(path, "wb") as f:
            f.write(resp.content)
        duration = wav_duration(resp.content)
        result = (path, self.default_duration if duration is None else duration)
        if cached:
            self._cache[real_url] = result
        return result

    def clear_cache(self) -> None:
        """``http_clear_cache``."""
        self._cache.clear()

    # -- recording -------------------------------------------------------------------
    def write_recording(self, path: str, seconds: float, noisy: list[tuple[float, float]]) -> int:
        """Write an 8 kHz mono 16-bit WAV of ``seconds``; 440 Hz where the caller made noise.

        ``noisy`` holds (start, end) offsets in seconds. Returns the file size.
        """
        samples = round(seconds * RATE)
        pcm = array.array("h", bytes(2 * samples))
        for start, end in noisy:
            for i in range(max(0, int(start * RATE)), min(samples, int(end * RATE))):
                pcm[i] = int(8000 * math.sin(2 * math.pi * 440 * i / RATE))
        local = self.local_path(path)
        os.makedirs(os.path.dirname(os.path.abspath(local)), exist_ok=True)
        with wave.open(local, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(pcm.tobytes())
        return os.path.getsize(local)
