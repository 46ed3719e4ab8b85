"""The shared services of one node, handed to the API and the engine."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from voxctl.config import Settings

if TYPE_CHECKING:  # imported for types only: the packages import this module
    import redis

    from voxctl.store import Store
    from voxctl.store.bus import ControlBus
    from voxctl.webhooks.callbacks import CallbackDispatcher
    from voxctl.webhooks.client import HttpClient


@dataclass
class Services:
    """Connections and helpers one node shares between its API and its engine."""

    settings: Settings
    redis: redis.Redis
    store: Store
    bus: ControlBus
    http: HttpClient
    callbacks: CallbackDispatcher
    node_id: str
    switch: Any = None  # voxctl.engine.switch.SwitchLink on engine nodes, None on API-only nodes
    socket_address: str = ""  # host:port the switch's ``socket`` app reaches this node's engine on
    public_url: str = ""  # base URL of the API (``settings.public_url``, else the bound address)
