"""All Redis state: accounts, numbers, calls, conferences, participants (and, apart, the control bus).

``Store(redis)`` bundles the record collections over one client;
``Store.from_settings(settings)`` connects as the node does (``Settings.redis_url``,
or the embedded server of ``Settings.data_dir``; see ``voxctl.store.redis``).
Redis needs to be standalone or Sentinel-managed: the scripts touch several keys
(a record and its indexes), which Redis Cluster would spread over slots.
"""
from __future__ import annotations

import redis as redis_py

from voxctl.config import Settings
from voxctl.store.accounts import Accounts
from voxctl.store.calls import Calls
from voxctl.store.conferences import Conferences, Participants
from voxctl.store.numbers import Numbers
from voxctl.store.redis import EmbeddedRedis, connect

__all__ = ["EmbeddedRedis", "Store", "connect"]


class Store:
    """The record collections of one deployment, over one Redis client."""

    def __init__(self, client: redis_py.Redis) -> None:
        self.redis = client
        self.accounts = Accounts(client)
        self.numbers = Numbers(client)
        self.calls = Calls(client)
        self.conferences = Conferences(client)
        self.participants = Participants(client)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """A store on the Redis the settings name (the embedded one when ``redis_url`` is empty)."""
        return cls(connect(settings.redis_url, settings.data_dir))
