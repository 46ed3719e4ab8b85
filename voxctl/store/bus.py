"""The control bus: which node holds a call or conference, and commands for it over pub/sub.

The node that holds a target (a call id, a conference id) ``claim``\\ s it:
``keys.OWNER`` names the node. Any node can then ``send`` a command: one script
looks the owner up and publishes ``{"target", "command"}`` on that node's
channel (``keys.NODE_CHANNEL``), and answers False when nobody holds the target
or nobody is listening. The owner's ``serve`` greenlet blocks on its
subscription (no polling) and hands each command to the handler; commands for
one target run one after another in arrival order, different targets run side
by side, and a failing handler is logged without affecting anything else.

Nodes also ``register_node`` themselves (``keys.NODE_INFO``, refreshed by a
heartbeat) so ``nodes()`` lists the live ones.
"""
from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import gevent
import redis
from gevent.pool import Group

from voxctl.store import keys
from voxctl.store.records import now

log = logging.getLogger(__name__)

Handler = Callable[[str, dict], None]

_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_SEND = """
local holder = redis.call('GET', KEYS[1])
if not holder then return 0 end
local channel = string.gsub(ARGV[1], '{node_id}', function() return holder end)
return redis.call('PUBLISH', channel, ARGV[2])
"""


class ControlBus:
    """One node's end of the control bus."""

    def __init__(self, client: redis.Redis, node_id: str) -> None:
        self.redis = client
        self.node_id = node_id
        self.channel = keys.fill(keys.NODE_CHANNEL, node_id=node_id)
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)
        self._send = client.register_script(_SEND)
        self._claims: set[str] = set()
        self._queues: dict[str, deque] = {}
        self._workers = Group()
        self._listener: gevent.Greenlet | None = None
        self._pubsub: Any = None
        self._heartbeat: gevent.Greenlet | None = None

    # --- ownership -------------------------------------------------------------------------

    def claim(self, target_id: str, ttl: float | None = None) -> bool:
        """Hold ``target_id`` on this node (optionally for ``ttl`` seconds); False if another node holds it."""
        won = bool(self._claim(keys=[keys.fill(keys.OWNER, id=target_id)],
                               args=[self.node_id, int(ttl * 1000) if ttl else 0]))
        if won:
            self._claims.add(target_id)
        return won

    def release(self, target_id: str) -> bool:
        """Stop holding ``target_id``; False if this node did not hold it."""
        self._claims.discard(target_id)
        return bool(self._release(keys=[keys.fill(keys.OWNER, id=target_id)], args=[self.node_id]))

    def drop(self, target_id: str) -> None:
        """Forget who holds ``target_id``, whichever node it is: the target is over for good
        (a conference that ended on another node than the one that claimed it)."""
        self._claims.discard(target_id)
        self.redis.delete(keys.fill(keys.OWNER, id=target_id))

    def owner(self, target_id: str) -> str | None:
        """The id of the node holding ``target_id``, or None."""
        return self.redis.get(keys.fill(keys.OWNER, id=target_id))

    # --- commands --------------------------------------------------------------------------

    def send(self, target_id: str, command: dict) -> bool:
        """Publish ``command`` to the node holding ``target_id``; False if no node holds it or listens."""
        message = json.dumps({"target": target_id, "command": command}, separators=(",", ":"))
        return bool(self._send(keys=[keys.fill(keys.OWNER, id=target_id)], args=[keys.NODE_CHANNEL, message]))

    def serve(self, handler: Handler) -> gevent.Greenlet:
        """Subscribe to this node's channel and run ``handler(target_id, command)`` for each command.

        Returns once subscribed (so commands sent afterwards arrive); the returned
        greenlet listens until ``stop()``.
        """
        if self._listener is not None:
            raise RuntimeError("this bus is serving already")
        self._pubsub = self.redis.pubsub()
        self._pubsub.subscribe(self.channel)
        confirmed = self._pubsub.get_message(timeout=10.0)
        if not confirmed or confirmed["type"] != "subscribe":
            raise RuntimeError(f"could not subscribe to {self.channel}")
        self._listener = gevent.spawn(self._listen, handler)
        return self._listener

    def _listen(self, handler: Handler) -> None:
        while True:
            try:
                for message in self._pubsub.listen():
                    if message["type"] == "message":
                        self._dispatch(message["data"], handler)
            except redis.ConnectionError:
                log.warning("control bus: lost Redis, resubscribing to %s", self.channel)
                gevent.sleep(1.0)

    def _dispatch(self, data: str, handler: Handler) -> None:
        try:
            envelope = json.loads(data)
            target, command = envelope["target"], envelope["command"]
        except (ValueError, KeyError, TypeError):
            log.warning("control bus: dropped a malformed message: %.200s", data)
            return
        queue = self._queues.get(target)
        if queue is not None:
            queue.append(command)
            return
        queue = self._queues[target] = deque([command])
        self._workers.spawn(self._drain, target, queue, handler)

    def _drain(self, target: str, queue: deque, handler: Handler) -> None:
        try:
            while queue:
                command = queue.popleft()
                try:
                    handler(target, command)
                except Exception:
                    log.exception("control bus: command %r for %s failed", command.get("op"), target)
        finally:
            self._queues.pop(target, None)

    # --- nodes -----------------------------------------------------------------------------

    def register_node(self, info: dict | None = None, ttl: float = 15.0) -> None:
        """Announce this node (``info`` plus its id) and keep it alive with a heartbeat every ``ttl``/3 s."""
        record = {**(info or {}), "node_id": self.node_id, "registered_time": now()}
        self._beat(record, ttl)
        if self._heartbeat is None:
            self._heartbeat = gevent.spawn(self._heartbeat_loop, record, ttl)

    def nodes(self) -> list[dict]:
        """Info of every live node (heartbeat not expired), by node id."""
        node_ids = self.redis.zrange(keys.NODES, 0, -1)
        if not node_ids:
            return []
        infos = self.redis.mget([keys.fill(keys.NODE_INFO, node_id=n) for n in node_ids])
        dead = [n for n, info in zip(node_ids, infos, strict=True) if info is None]
        if dead:
            self.redis.zrem(keys.NODES, *dead)
        return sorted((json.loads(info) for info in infos if info), key=lambda i: i["node_id"])

    def _beat(self, record: dict, ttl: float) -> None:
        pipe = self.redis.pipeline()
        pipe.set(keys.fill(keys.NODE_INFO, node_id=self.node_id), json.dumps({**record, "heartbeat_time": now()}),
                 px=int(ttl * 1000))
        pipe.zadd(keys.NODES, {self.node_id: int(time.time() * 1000)})
        pipe.execute()

    def _heartbeat_loop(self, record: dict, ttl: float) -> None:
        while True:
            gevent.sleep(ttl / 3)
            try:
                self._beat(record, ttl)
            except redis.RedisError:
                log.warning("control bus: heartbeat of %s failed", self.node_id, exc_info=True)

    # --- shutdown --------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop serving and heartbeating, release what this node holds, and unregister it."""
        for greenlet in (self._listener, self._heartbeat):
            if greenlet is not None:
                greenlet.kill()
        self._listener = self._heartbeat = None
        self._workers.kill()
        if self._pubsub is not None:
            self._pubsub.close()
            self._pubsub = None
        for target_id in list(self._claims):
            self.release(target_id)
        pipe = self.redis.pipeline()
        pipe.delete(keys.fill(keys.NODE_INFO, node_id=self.node_id))
        pipe.zrem(keys.NODES, self.node_id)
        pipe.execute()
