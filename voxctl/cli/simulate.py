"""``voxctl simulate``: run the FreeSWITCH simulator, or place one scripted call and print its timeline.

``voxctl simulate serve`` runs the switch (inbound ESL, the dialplan socket to the
engine). ``voxctl simulate call`` asks a running simulator at ``--esl`` to place
the call (the simulator-only ``api sim_call <json>``; the timeline comes back as
CUSTOM ``sim::timeline`` events), or runs its own in-process simulator when none
answers there. See docs/simulator.rst.
"""
from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
from typing import TextIO

log = logging.getLogger(__name__)

DEFAULT_FROM = "15550000000"
DEFAULT_ENGINE = "127.0.0.1:8084"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="the FreeSWITCH simulator: run it, or place a scripted call")
    cmds = p.add_subparsers(dest="simulate_command", metavar="COMMAND")
    cmds.required = True

    serve = cmds.add_parser("serve", help="run the simulated switch")
    serve.add_argument("--esl-host", default="127.0.0.1")
    serve.add_argument("--esl-port", type=int, default=8021)
    serve.add_argument("--password", default="ClueCon")
    serve.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    serve.add_argument("--engine", default=DEFAULT_ENGINE, help="where the dialplan's socket app connects")
    serve.set_defaults(func=serve_command)

    call = cmds.add_parser("call", help="place one scripted call and print its timeline")
    call.add_argument("--to", help="the called number")
    call.add_argument("--from", dest="from_", default=DEFAULT_FROM, help="the caller's number")
    call.add_argument("--url", help="document URL (channel variable vox_url)")
    call.add_argument("--method", help="GET or POST (vox_method)")
    call.add_argument("--flavour", help="voxxml or twiml (vox_flavour)")
    call.add_argument("--dtmf", action="append", default=[],
                      help='digits to press: 1@2s (2 s after answer) or 2@prompt:"press two"')
    call.add_argument("--hangup-after", type=float, help="the caller hangs up after N seconds")
    call.add_argument("--engine", help="the engine's outbound socket (default: the simulator's dialplan; "
                                       "in-process 127.0.0.1:8084)")
    call.add_argument("--esl", default="127.0.0.1:8021", help="a running simulator to use, if any")
    call.add_argument("--password", default="ClueCon")
    call.add_argument("--speed", type=float, default=1.0, help="speed of the in-process simulator")
    call.add_argument("--script", help="a call script (JSON, or YAML with PyYAML)")
    call.add_argument("--json", action="store_true", help="print one JSON object per timeline entry")
    call.add_argument("--timeout", type=float, default=3600.0, help="give up after N real seconds")
    call.set_defaults(func=call_command)


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def serve_command(args: argparse.Namespace) -> int:
    """Run the simulator until interrupted."""
    import gevent

    from voxctl.sim import Simulator
    sim = Simulator(esl_host=args.esl_host, esl_port=args.esl_port, password=args.password,
                    speed=args.speed, engine=_address(args.engine))
    sim.start()
    print(f"voxctl simulator: ESL on {args.esl_host}:{sim.esl_port}, engine socket {args.engine}, "
          f"speed {args.speed}", flush=True)
    try:
        gevent.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def script_mapping(args: argparse.Namespace) -> dict:
    """The call script: ``--script`` overlaid with the command-line options."""
    from voxctl.sim.script import load_mapping
    base: dict = load_mapping(args.script) if args.script else {}
    if args.to:
        base["to"] = args.to
    if "to" not in base:
        raise SystemExit("voxctl simulate call: --to (or --script) is required")
    if "from" not in base or args.from_ != DEFAULT_FROM:
        base["from"] = args.from_
    variables = base.setdefault("variables", {})
    for name, value in (("vox_url", args.url), ("vox_method", args.method), ("vox_flavour", args.flavour)):
        if value:
            variables[name] = value
    base["dtmf"] = list(base.get("dtmf", [])) + list(args.dtmf)
    if args.hangup_after is not None:
        base["hangup_after"] = args.hangup_after
    if args.engine:
        base["target"] = args.engine
    return base


def format_entry(entry: dict, as_json: bool) -> str:
    """One timeline line: ``  12.345  speak  text='Welcome'`` or its JSON."""
    if as_json:
        return json.dumps(entry)
    detail = "  ".join(f"{k}={v!r}" for k, v in entry["detail"].items())
    return f"{entry['t']:9.3f}  {entry['kind']:<16} {detail}".rstrip()


def call_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Place the call (remote simulator if one answers at --esl, else in-process) and print the timeline."""
    mapping = script_mapping(args)
    host, port = _address(args.esl)
    try:
        probe = socket.create_connection((host, port), timeout=0.5)
        probe.close()
    except OSError:
        return _call_in_process(mapping, args, out)
    return _call_remote(mapping, args, host, port, out)


def _print(entry: dict, args: argparse.Namespace, out: TextIO) -> None:
    out.write(format_entry(entry, args.json) + "\n")
    out.flush()


def _call_in_process(mapping: dict, args: argparse.Namespace, out: TextIO) -> int:
    from voxctl.sim import Simulator
    from voxctl.sim.script import script_from
    mapping.setdefault("target", DEFAULT_ENGINE)
    sim = Simulator(esl_port=0, speed=args.speed)
    try:
        call = sim.place_call(script_from(mapping))
        call.channel.timeline.listeners.append(lambda e: _print(e.as_dict(), args, out))
        for entry in list(call.timeline):
            _print(entry.as_dict(), args, out)
        call.wait(args.timeout)
    finally:
        sim.stop()
    return 0


def _call_remote(mapping: dict, args: argparse.Namespace, host: str, port: int, out: TextIO) -> int:
    import gevent
    from greenswitch import InboundESL
    esl = InboundESL(host, port, args.password)
    esl.connect()
    stream = _RemoteTimeline(args, out)
    esl.register_handle("sim::timeline", stream.on_event)
    esl.send("event plain CUSTOM sim::timeline")
    reply = esl.send("api sim_call " + json.dumps(mapping)).data
    if not reply.startswith("+OK"):
        out.write(reply)
        esl.stop()
        return 1
    stream.follow(reply.split()[1])
    with gevent.Timeout(args.timeout, False):
        stream.done.wait()
    esl.stop()
    return 0


class _RemoteTimeline:
    """Prints the ``sim::timeline`` events of one call (buffered until its uuid is known)."""

    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        from gevent.event import Event
        self.args, self.out = args, out
        self.uuid = ""
        self.pending: list[tuple[str, dict]] = []
        self.done = Event()

    def on_event(self, event) -> None:
        h = event.headers
        entry = {"t": float(h.get("Timeline-T", 0)), "kind": h.get("Timeline-Kind", ""),
                 "detail": json.loads(h.get("Timeline-Detail") or "{}")}
        self.pending.append((h.get("Unique-ID", ""), entry))
        self._flush()

    def follow(self, uuid: str) -> None:
        self.uuid = uuid
        self._flush()

    def _flush(self) -> None:
        if not self.uuid:
            return
        for uuid, entry in self.pending:
            if uuid != self.uuid:
                continue
            if entry["kind"] == "end":
                self.done.set()
            else:
                _print(entry, self.args, self.out)
        self.pending = []
