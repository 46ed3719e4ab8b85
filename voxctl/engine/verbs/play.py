"""<Play>: audio files and URLs with ``playback``; ``digits`` sends DTMF instead.

http(s) URLs go through FreeSWITCH's ``http_cache://`` (mod_http_cache honours the
server's Cache-Control), relative URLs are resolved against the document's URL.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, repeat, runs
from voxctl.xml.verbs import Play

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession

FILE_NOT_FOUND = "FILE NOT FOUND"


def play_target(session: CallSession, url: str) -> str | None:
    """What ``playback`` gets for ``url``: the cached http(s) URL; None (logged) for anything else.

    Only web URLs are played: a document never names the switch's files or streams.
    """
    resolved = session.resolve(url.strip())
    if resolved.startswith(("http://", "https://")):
        return "http_cache://" + resolved
    session.log.warning("not an http(s) URL, not played: %r", url)
    return None


class _NotFound(Exception):
    """The audio could not be fetched: the loop ends."""


@runs(Play)
def run_play(session: CallSession, verb: Play) -> Outcome | None:
    """Play the URL (or send the digits) ``loop`` times (0 = forever) with ``repeatDelay`` between."""
    if verb.digits:
        session.ensure_answered()
        session.channel.execute("send_dtmf", verb.digits)
        return None
    target = play_target(session, verb.url)
    if target is None:
        return None
    session.ensure_answered()

    def once() -> None:
        result = session.channel.execute("playback", target)
        if result is not None and result.response == FILE_NOT_FOUND:
            raise _NotFound

    try:
        repeat(session, verb.loop, verb.repeat_delay, once)
    except _NotFound:
        session.log.warning("<Play> (line %d): %s not found", verb.line, verb.url)
    return None
