"""The documents the bench runs, served by ``bench.docserver`` and checked by the driver."""
from __future__ import annotations

# the four-verb IVR: Say, Gather (answered by the scripted caller), If, Hangup
IVR = ("<Response><Say>Welcome to the bench</Say>"
       "<Gather numDigits='1' timeout='5'><Say>Press one for sales</Say></Gather>"
       "<If variable='$GATHER' test='EQUAL' value='1'><Say>You chose sales</Say></If>"
       "<Hangup/></Response>")
IVR_PROMPT = "Press one"  # the scripted caller presses 1 on this prompt
IVR_HEARD = ["Welcome to the bench", "Press one for sales", "You chose sales"]  # what a good call hears

# a call held for an hour: <Pause> is at most 60 s, so sixty of them
PAUSE = "<Response>" + "<Pause length='60'/>" * 60 + "</Response>"


def conference(room: str) -> str:
    """A call that joins ``room`` and stays."""
    return f"<Response><Conference>{room}</Conference></Response>"


def document_for(path: str) -> str | None:
    """The document at ``path``: ``/ivr``, ``/pause`` or ``/conf/<room>``; None for anything else."""
    if path == "/ivr":
        return IVR
    if path == "/pause":
        return PAUSE
    if path.startswith("/conf/") and len(path) > len("/conf/"):
        return conference(path[len("/conf/"):])
    return None
