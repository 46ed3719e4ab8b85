"""Driving running nodes through the native API over real HTTP, and reading what happened.

* :class:`NativeApi`: one account's ``/api/v1`` on one node (``requests``, Bearer key).
* :func:`record`: wait until a stored call reaches one of some statuses.
* :func:`leg`: the simulator's channel of an API-created call (its id is the call id),
  held as a ``Call`` so its timeline can be read after it has gone.
* :class:`StatusWatch`: every status an account's calls move through, in order, from
  Redis keyspace notifications on the per-status call indexes (a record enters the
  index of its new status with one ``ZADD`` inside the store's update script).
"""
from __future__ import annotations

from collections.abc import Container
from typing import Any

import gevent
import requests

from tests.engine.helpers import wait_until
from voxctl.sim import CallScript
from voxctl.sim.simulator import Call
from voxctl.store import keys
from voxctl.store.records import CallRecord, CallStatus

FROM = "15557770000"


class NativeApi:
    """The native API of one running node, as one account."""

    def __init__(self, node: Any, account: Any) -> None:
        self.base = f"http://127.0.0.1:{node.api_port}/api/v1"
        self.headers = account.headers

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("headers", self.headers)
        return requests.request(method, self.base + path, json=body, timeout=10, **kwargs)

    def create_call(self, to: str, voxxml: str) -> dict[str, Any]:
        """``POST /calls``: the created call (asserting the 201)."""
        response = self.request("POST", "/calls", {"to": to, "from": FROM, "voxXML": voxxml})
        assert response.status_code == 201, response.text
        return response.json()

    def send(self, method: str, path: str, body: Any = None) -> None:
        """A request that must answer 204 (modify, delete)."""
        response = self.request(method, path, body)
        assert response.status_code == 204, response.text


def record(node: Any, call_id: str, statuses: Container[str] = CallStatus.FINAL, what: str = "") -> CallRecord:
    """The stored call once its status is one of ``statuses`` (by default: once it has ended)."""
    calls = node.services.store.calls
    wait_until(lambda: calls.get(call_id).status in statuses, 10, what or f"call {call_id} status")
    return calls.get(call_id)


def leg(sim: Any, call_id: str) -> Call:
    """The simulated called party of the API-created call ``call_id``, once the engine has originated it."""
    wait_until(lambda: call_id in sim.channels, 10, f"the channel of {call_id}")
    channel = sim.channels[call_id]
    return Call(sim, CallScript(to=channel.profile["destination_number"]), channel)


def started(call: Call, kind: str, what: str = "") -> None:
    """Wait until ``call``'s timeline has an entry of ``kind`` (whose detail mentions ``what``)."""
    wait_until(lambda: any(e.kind == kind and what in str(e.detail) for e in call.timeline), 10,
               f"{kind} {what!r} on {call.uuid}")


class StatusWatch:
    """The statuses an account's calls enter, in order, as Redis reports them."""

    def __init__(self, redis_server: Any, account_id: str) -> None:
        self.client = redis_server.client()
        self._previous = self.client.config_get("notify-keyspace-events")["notify-keyspace-events"]
        self.client.config_set("notify-keyspace-events", "Kz")
        prefix = keys.fill(keys.CALLS_BY_STATUS, account_id=account_id, status="")
        self._channel_prefix = f"__keyspace@{self.client.connection_pool.connection_kwargs.get('db', 0)}__:"
        self._pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.psubscribe(self._channel_prefix + prefix + "*")
        self._status_at = len(self._channel_prefix) + len(prefix)
        self.statuses: list[str] = []
        self._reader = gevent.spawn(self._read)

    def _read(self) -> None:
        for message in self._pubsub.listen():
            if message["type"] == "pmessage" and message["data"] == "zadd":
                self.statuses.append(message["channel"][self._status_at:])

    def until(self, status: str) -> list[str]:
        """Every status seen once ``status`` has been."""
        wait_until(lambda: status in self.statuses, 10, f"status {status} (seen {self.statuses})")
        return self.statuses

    def close(self) -> None:
        self._reader.kill()
        self._pubsub.close()
        self.client.config_set("notify-keyspace-events", self._previous)
        self.client.close()
