"""The document model: VoxXML and TwiML documents as one tree of typed verbs.

``parse(source, flavour="voxxml", context="call") -> Response`` reads a document
safely; ``DocumentError`` is the one exception it raises; ``VoxResponse`` builds
documents and ``to_xml`` writes a tree back out.
"""
from voxctl.xml.builder import DialNouns, Prompts, VoxResponse
from voxctl.xml.errors import BAD_SYNTAX, ROOT_MISSING, DocumentError
from voxctl.xml.parser import parse
from voxctl.xml.schema import CONTEXTS
from voxctl.xml.serializer import to_xml
from voxctl.xml.verbs import (
    FLAVOURS,
    TWIML,
    VOXXML,
    AnyVerb,
    Client,
    Conference,
    Dial,
    DialNoun,
    Gather,
    Hangup,
    If,
    Number,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    Response,
    Say,
    SetMute,
    Sip,
    StatusCallbacks,
    Verb,
    Warning_,
)

__all__ = [
    "BAD_SYNTAX", "CONTEXTS", "FLAVOURS", "ROOT_MISSING", "TWIML", "VOXXML",
    "AnyVerb", "Client", "Conference", "Dial", "DialNoun", "DialNouns", "DocumentError", "Gather",
    "Hangup", "If", "Number", "Pause", "Play", "Prompts", "Record", "Redirect", "Reject", "Response",
    "Say", "SetMute", "Sip", "StatusCallbacks", "Verb", "VoxResponse", "Warning_", "parse", "to_xml",
]
