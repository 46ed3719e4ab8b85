"""The inbound ESL server (what the engine's switch link connects to): ``auth``,
then the commands of :class:`~voxctl.sim.connection.Connection`, plus
``myevents <uuid>`` and ``sendmsg <uuid>``.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gevent.server import StreamServer

from .connection import MYEVENTS, Connection
from .protocol import Command, auth_request, command_reply

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger(__name__)


class InboundConnection(Connection):
    """One client of the inbound ESL port."""

    def __init__(self, sim: Simulator, sock, label: str) -> None:
        super().__init__(sim, sock, label)
        self.authenticated = False

    def greet(self) -> None:
        self.send(auth_request())

    def handle(self, cmd: Command) -> None:
        if self.authenticated:
            super().handle(cmd)
        elif cmd.verb == "auth":
            if cmd.arg == self.sim.password:
                self.authenticated = True
                self.send(command_reply("+OK accepted"))
            else:
                log.info("sim %s: bad ESL password", self.label)
                self.send(command_reply("-ERR invalid"))
                self.say_goodbye()
        else:
            self.send(command_reply("-ERR command not found"))

    def cmd_myevents(self, cmd: Command) -> None:
        words = cmd.arg.split()
        if not words:
            self.send(command_reply("-ERR Usage: myevents <uuid> [plain|json]"))
            return
        self.only_uuid = words[0]
        self.fmt = "json" if len(words) > 1 and words[1].lower() == "json" else "plain"
        self._subscribe(sorted(MYEVENTS))
        self.send(command_reply("+OK Events Enabled"))


class InboundServer:
    """Accepts inbound ESL connections on ``host:port`` (port 0: an ephemeral one)."""

    def __init__(self, sim: Simulator, host: str, port: int) -> None:
        self.sim = sim
        self.server = StreamServer((host, port), self._handle)
        self._count = 0

    def start(self) -> int:
        self.server.start()
        return self.server.server_port

    def stop(self) -> None:
        self.server.stop(timeout=1)

    def _handle(self, sock, address) -> None:
        self._count += 1
        conn = InboundConnection(self.sim, sock, f"inbound-{self._count}")
        self.sim.connection_opened(conn)
        conn.serve()
