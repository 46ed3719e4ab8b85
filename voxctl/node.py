"""``Node``: one voxctl process, in the role its settings give it.

* ``engine`` (and ``all``): the switch link (inbound ESL), the outbound socket
  server running one ``CallSession`` per call, the originate-queue ``Dialer`` and
  the control-bus handler for the calls this node holds.
* ``api`` (and ``all``): the REST APIs (``voxctl.api.create_app``) on a gevent
  ``WSGIServer``.

Every role shares one ``Services``: the Redis client, ``Store``, ``ControlBus``,
``HttpClient`` and ``CallbackDispatcher``. Ports may be 0 (ephemeral): the bound
ones are ``outbound_port`` and ``api_port`` once started.
"""
from __future__ import annotations

import logging
import socket
import uuid
from typing import Any

from voxctl.config import Settings
from voxctl.engine.control import ControlHandler
from voxctl.engine.dialer import Dialer
from voxctl.engine.screener import screening_handler
from voxctl.engine.server import OutboundServer
from voxctl.engine.session import Sessions, session_handler
from voxctl.engine.switch import SwitchLink
from voxctl.services import Services
from voxctl.store import Store, connect
from voxctl.store.bus import ControlBus
from voxctl.webhooks.callbacks import CallbackDispatcher
from voxctl.webhooks.client import HttpClient

log = logging.getLogger(__name__)

ROLES = ("all", "engine", "api")
CALLBACK_FLUSH = 5.0  # seconds stop() gives queued callbacks once the calls are down


class Node:
    """A node's services and servers; ``start()`` then ``stop(grace)``."""

    def __init__(self, settings: Settings) -> None:
        if settings.role not in ROLES:
            raise ValueError(f"unknown role {settings.role!r} (one of {', '.join(ROLES)})")
        self.settings = settings
        self.node_id = settings.node_id or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        client = connect(settings.redis_url, settings.data_dir, settings.redis_connections)
        http = HttpClient(settings)
        self.services = Services(settings=settings, redis=client, store=Store(client),
                                 bus=ControlBus(client, self.node_id), http=http,
                                 callbacks=CallbackDispatcher(http, settings, client), node_id=self.node_id)
        self.engine = settings.role in ("all", "engine")
        self.sessions = Sessions()
        self.outbound: OutboundServer | None = None
        self.dialer: Dialer | None = None
        self.api_server: Any = None  # voxctl.api.server.ApiServer on API nodes
        self._stopped = False
        if self.engine:
            self.services.switch = SwitchLink(settings)
            self.outbound = OutboundServer(settings, screening_handler(
                self.services, self.sessions, session_handler(self.services, self.sessions)))
        if settings.role in ("all", "api"):
            from voxctl.api import create_app  # the API's imports are only needed where it runs
            from voxctl.api.server import ApiServer

            self.api_server = ApiServer((settings.api_host, settings.api_port), create_app(self.services),
                                         log=None)

    @property
    def outbound_port(self) -> int | None:
        return self.outbound.port if self.outbound is not None else None

    @property
    def api_port(self) -> int | None:
        return self.api_server.server_port if self.api_server is not None else None

    def start(self) -> None:
        """Start every part of the role; returns once they listen."""
        services = self.services
        services.callbacks.start()
        if self.engine:
            services.switch.start()
            self.outbound.start()
            advertise = self.settings.outbound_advertise or f"{self.settings.outbound_host}:{self.outbound.port}"
            services.socket_address = advertise
            self.dialer = Dialer(services, advertise)
            self.dialer.start()
            services.bus.serve(ControlHandler(services, self.sessions, self.dialer))
        if self.api_server is not None:
            self.api_server.start()
        services.public_url = self._public_url()
        services.bus.register_node({"role": self.settings.role, "api_port": self.api_port,
                                    "outbound_port": self.outbound_port})
        log.info("node %s started (%s)", self.node_id, self.settings.role)

    def _public_url(self) -> str:
        """``settings.public_url``, else this node's own API address once it is bound."""
        settings = self.settings
        if settings.public_url:
            return settings.public_url.rstrip("/")
        host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host
        return f"http://{host}:{self.api_port or settings.api_port}"

    def stop(self, grace: float | None = None) -> None:
        """Graceful shutdown (what SIGTERM runs); a second call does nothing.

        New work stops first: the API closes, the dialer stops popping the originate
        queue (queued calls stay there for other nodes) and the outbound socket stops
        listening (the switch's new calls are refused). Running calls get ``grace``
        seconds (default ``settings.shutdown_grace``) to end; those still up are hung
        up with ``SYSTEM_SHUTDOWN`` and finalised (``complete``, hangup_by ``system``).
        The control bus serves until then, so API commands from other nodes still
        reach them; last, the callbacks of those calls get ``CALLBACK_FLUSH`` seconds.
        """
        if self._stopped:
            return
        self._stopped = True
        grace = self.settings.shutdown_grace if grace is None else grace
        if self.api_server is not None:
            self.api_server.stop(timeout=1)
        if self.dialer is not None:
            self.dialer.stop()
        if self.outbound is not None:
            log.info("node %s draining: %d call(s) running, up to %.1f s", self.node_id, len(self.sessions), grace)
            self.outbound.stop(grace)
        self.services.bus.stop()
        if self.engine:
            self.services.switch.close()
        self.services.callbacks.stop(CALLBACK_FLUSH)
        self.services.http.close()
        log.info("node %s stopped", self.node_id)
