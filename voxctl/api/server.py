"""``ApiServer``: the gevent WSGI server the REST APIs run on, with Nagle off.

gevent's ``WSGIServer`` leaves Nagle's algorithm on. With a keep-alive client
(``requests``, the Twilio SDKs) every response then waits for the client's
delayed ACK, about 40 ms per request; ``TCP_NODELAY`` removes that stall.
"""
from __future__ import annotations

import socket

from gevent.pywsgi import WSGIServer


class ApiServer(WSGIServer):
    """A ``WSGIServer`` whose connections send each response at once."""

    def handle(self, sock: socket.socket, address: tuple) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle(sock, address)
