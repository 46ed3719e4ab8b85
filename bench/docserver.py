"""The document server, in its own process: ``python -m bench.docserver`` (``bench.documents``)."""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import socket  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402

from gevent.pywsgi import WSGIServer  # noqa: E402

from bench.documents import document_for  # noqa: E402
from bench.procs import raise_fd_limit, serve_until_sigterm  # noqa: E402


def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """Answer any method with the document at the path (404 otherwise)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)  # the engine POSTs the call's parameters
    document = document_for(environ.get("PATH_INFO", ""))
    if document is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such document\n"]
    body = document.encode()
    start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    return [body]


class NoDelayServer(WSGIServer):
    """gevent's WSGI server with Nagle off on each connection, as production web servers run.

    Without it a keep-alive client (the engine's pooled ``requests`` session) waits for the
    40 ms delayed ACK on every response: a cost of this test server, not of the engine.
    """

    def handle(self, sock: socket.socket, address: tuple) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle(sock, address)


def main() -> None:
    raise_fd_limit()
    serve_until_sigterm(NoDelayServer(("127.0.0.1", 0), app, log=None, backlog=4096), "port")


if __name__ == "__main__":
    main()
