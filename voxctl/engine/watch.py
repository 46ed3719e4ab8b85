"""Route the switch link's events to the verb that waits for them.

``SwitchLink.subscribe`` keeps a handler for the life of the link; verbs come and
go. One :class:`EventRouter` per link subscribes once per (event, header) pair
and hands each event to the handlers registered for that header's value: the
B legs of a Dial by their ``variable_vox_leg_id``, a conference member by its
``Unique-ID``. Handlers run on the link's event greenlet and must not block.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable

from voxctl.engine.esl import EslMessage
from voxctl.engine.switch import SwitchLink

Handler = Callable[[EslMessage], None]

_ROUTERS: weakref.WeakKeyDictionary[SwitchLink, EventRouter] = weakref.WeakKeyDictionary()


class EventRouter:
    """Events of one switch link, dispatched on the value of one header."""

    def __init__(self, switch: SwitchLink) -> None:
        self.switch = switch
        self._routes: dict[tuple[str, str], dict[str, list[Handler]]] = {}

    def on(self, event: str, header: str, value: str, handler: Handler) -> Callable[[], None]:
        """Call ``handler`` for each ``event`` whose ``header`` is ``value``; returns the unsubscribe."""
        key = (event, header)
        if key not in self._routes:
            self._routes[key] = {}
            self.switch.subscribe(event, lambda message, k=key: self._dispatch(k, message))
        handlers = self._routes[key].setdefault(value, [])
        handlers.append(handler)

        def off() -> None:
            current = self._routes[key].get(value, [])
            if handler in current:
                current.remove(handler)
            if not current:
                self._routes[key].pop(value, None)
        return off

    def _dispatch(self, key: tuple[str, str], message: EslMessage) -> None:
        for handler in list(self._routes[key].get(message.headers.get(key[1], ""), ())):
            handler(message)


def router(switch: SwitchLink) -> EventRouter:
    """The router of ``switch`` (made on first use)."""
    found = _ROUTERS.get(switch)
    if found is None:
        found = _ROUTERS[switch] = EventRouter(switch)
    return found
