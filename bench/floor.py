"""The floor: a bare greenswitch outbound application, in its own process (``python -m bench.floor``).

It sends the FreeSWITCH commands the engine sends for ``bench.documents.IVR`` (the same
``connect``, ``myevents``, ``linger``, the same applications and arguments, each waited
for until its ``CHANNEL_EXECUTE_COMPLETE``), with no document fetch, no parsing and no
Redis: what any Python application on greenswitch pays for the call. Connections are
accepted by a gevent ``StreamServer`` (greenswitch's own ``OutboundESLServer`` polls
``accept`` every 100 ms, which would put up to 100 ms on the floor's setup latency).
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402

import gevent  # noqa: E402
from gevent.server import StreamServer  # noqa: E402
from greenswitch.esl import NotConnectedError, OutboundSession, OutboundSessionHasGoneAway  # noqa: E402

from bench.procs import raise_fd_limit, serve_until_sigterm  # noqa: E402

# what the engine sends for the IVR, application by application (captured from its socket)
IVR_APPS = [
    ("answer", None),
    ("set", "playback_terminators=none"),
    ("speak", "flite|kal|Welcome to the bench"),
    ("set", "playback_terminators=any"),
    ("multiset", "^^|tts_engine=flite|tts_voice=kal"),
    ("playback", "say:Press one for sales"),
    ("set", "playback_terminators=none"),
    ("speak", "flite|kal|You chose sales"),
]
APP_TIMEOUT = 60.0

log = logging.getLogger("bench.floor")


def run_call(sock, address) -> None:
    """One call: connect, myevents, linger, the IVR's applications, hangup; ``stop()`` says exit."""
    session = OutboundSession(address, sock)
    try:
        session.connect()
        session.myevents()
        session.linger()
        for app, arg in IVR_APPS:
            session.call_command(app, arg, block=True, response_timeout=APP_TIMEOUT)
        session.call_command("hangup", "NORMAL_CLEARING")
    except (OutboundSessionHasGoneAway, NotConnectedError, gevent.Timeout, OSError) as exc:
        log.info("floor call from %s ended early: %r", address, exc)  # e.g. the caller hung up
    finally:
        session.stop()


def main() -> None:
    raise_fd_limit()
    logging.basicConfig(level=logging.WARNING)
    serve_until_sigterm(StreamServer(("127.0.0.1", 0), run_call, backlog=4096), "outbound_port")


if __name__ == "__main__":
    main()
