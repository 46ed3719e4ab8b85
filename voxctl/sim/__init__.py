"""The FreeSWITCH simulator (``voxctl simulate``): real ESL over real sockets.

``Simulator`` is the switch; ``CallScript`` describes a simulated caller
(digits and words at times or on prompts, hangup, speech) and ``Destination`` how a
dialled number behaves. See docs/simulator.rst.
"""
from .dialplan import Dialplan, Extension
from .script import (
           CallScript,
           Destination,
           DtmfAt,
           DtmfOnPrompt,
           SpeechAt,
           SpeechOnPrompt,
           load_script,
           parse_dtmf,
           parse_phrase,
)
from .simulator import Call, Simulator
from .timeline import TimelineEntry

__all__ = ["Call", "CallScript", "Destination", "Dialplan", "DtmfAt", "DtmfOnPrompt", "Extension",
           "Simulator", "SpeechAt", "SpeechOnPrompt", "TimelineEntry", "load_script", "parse_dtmf", "parse_phrase"]
