"""The event bus: which ESL connections can hear an event, without asking every one of them.

A connection hears either every channel or, after ``myevents``, one channel
(``Connection.only_uuid``), so an event of a channel can only reach the connections of
the first kind and those bound to that channel. They are kept apart here, and each
channel's merged list (in the order the connections opened, as FreeSWITCH's listener
list) is kept until a connection opens, closes or rebinds.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from .events import EventFactory
from .protocol import Event

if TYPE_CHECKING:
    from .channel import Channel
    from .connection import Connection


class EventBus:
    """The open connections, routed by the channel they hear about (None: every channel)."""

    def __init__(self, events: EventFactory) -> None:
        self.events = events
        self.connections: dict[Connection, int] = {}  # connection -> its opening order
        self._routes: dict[str | None, list[Connection]] = {None: []}
        self._merged: dict[str | None, list[Connection]] = {}  # listeners(), until a route changes
        self._order = itertools.count()

    def opened(self, conn: Connection) -> None:
        self.connections[conn] = next(self._order)
        self._route(conn, conn.only_uuid)

    def closed(self, conn: Connection) -> None:
        if conn in self.connections:
            self._unroute(conn, conn.only_uuid)
            del self.connections[conn]

    def reroute(self, conn: Connection, old: str | None) -> None:
        """``conn`` now hears about ``conn.only_uuid`` instead of ``old``."""
        if conn in self.connections and old != conn.only_uuid:
            self._unroute(conn, old)
            self._route(conn, conn.only_uuid)

    def forget(self, uuid: str) -> None:
        """Channel ``uuid`` is gone: drop its merged list."""
        self._merged.pop(uuid, None)

    def _route(self, conn: Connection, uuid: str | None) -> None:
        routed = self._routes.setdefault(uuid, [])
        routed.append(conn)
        routed.sort(key=self.connections.__getitem__)
        self._merged.clear()

    def _unroute(self, conn: Connection, uuid: str | None) -> None:
        routed = self._routes.get(uuid)
        if routed is not None and conn in routed:
            routed.remove(conn)
            if not routed and uuid is not None:
                del self._routes[uuid]
            self._merged.clear()

    def listeners(self, channel: Channel | None) -> list[Connection]:
        """The connections that may hear about ``channel``, in the order they opened (a list
        that is replaced when the routes change, never changed)."""
        uuid = channel.uuid if channel is not None else None
        merged = self._merged.get(uuid)
        if merged is None:
            bound = self._routes.get(uuid, []) if uuid is not None else []
            merged = self._merged[uuid] = sorted(self._routes[None] + bound, key=self.connections.__getitem__)
        return merged

    def unwanted(self, name: str, channel: Channel | None, subclass: str = "") -> bool:
        """True when no connection subscribes to this event: the switch fires it all the same
        (its ``Event-Sequence`` number is used up), but there is nothing to build."""
        if any(conn.subscribes(name, subclass, channel) for conn in self.listeners(channel)):
            return False
        self.events.skip()
        return True

    def dispatch(self, ev: Event, channel: Channel | None) -> None:
        """Deliver an event to every connection that wants it, in the order they opened."""
        for conn in self.listeners(channel):
            conn.deliver(ev, channel)
