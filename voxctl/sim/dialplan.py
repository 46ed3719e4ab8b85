"""The simulator's dialplan: extensions as lists of (application, argument).

The default matches the shipped ``freeswitch/dialplan/default/00_voxctl.xml``:
any 10-15 digit number is handed to the engine's outbound socket.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

Actions = list[tuple[str, str]]


@dataclass
class Extension:
    """``pattern`` (a regex on the destination number) -> ``actions``; ``$1``.. are the groups."""

    pattern: str
    actions: Actions
    context: str = ""  # empty: any context

    def match(self, number: str, context: str) -> Actions | None:
        if self.context and context and self.context != context:
            return None
        m = re.match(self.pattern, number)
        if m is None:
            return None
        groups = m.groups()
        out = []
        for app, arg in self.actions:
            for i, value in enumerate(groups, start=1):
                arg = arg.replace(f"${i}", value or "")
            out.append((app, arg))
        return out


@dataclass
class Dialplan:
    """Ordered extensions; the first match wins."""

    extensions: list[Extension] = field(default_factory=list)

    def route(self, number: str, context: str = "default") -> Actions | None:
        for ext in self.extensions:
            actions = ext.match(number, context)
            if actions is not None:
                return actions
        return None


def engine_dialplan(host: str, port: int) -> Dialplan:
    """Numbers of 10-15 digits go to the engine's socket (as freeswitch/dialplan does)."""
    return Dialplan([Extension(r"^\+?(\d{10,15})$",
                               [("set", "vox_to=$1"), ("socket", f"{host}:{port} async full")])])
