"""<Say>: text to speech with ``speak engine|voice|text``.

The voice and language map to a TTS engine and voice through ``Settings.tts_voices``
(``session.tts_args``); ``$GATHER`` and other script variables are substituted;
``separateNumbers`` spells digit groups out ("1234" -> "1 2 3 4"). SSML markup is
reduced to its text by the parser (``Say.text``): none of the engines FreeSWITCH
drives through ``speak`` here reads SSML.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, repeat, runs
from voxctl.xml.verbs import Say

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession

_DIGIT_GROUP = re.compile(r"\d{2,}")


def say_text(session: CallSession, verb: Say) -> str:
    """The text to speak: variables substituted, digit groups spelled out when asked."""
    text = session.expand(verb.text).strip()
    if verb.separate_numbers:
        text = _DIGIT_GROUP.sub(lambda m: " ".join(m.group(0)), text)
    return text


@runs(Say)
def run_say(session: CallSession, verb: Say) -> Outcome | None:
    """Speak the text ``loop`` times (0 = forever) with ``repeatDelay`` between."""
    text = say_text(session, verb)
    if not text:
        session.log.info("<Say> with no text (line %d): nothing to say", verb.line)
        return None
    session.ensure_answered()
    engine, voice = session.tts_args(verb.voice, verb.language)
    repeat(session, verb.loop, verb.repeat_delay,
           lambda: session.channel.execute("speak", f"{engine}|{voice}|{text}"))
    return None
