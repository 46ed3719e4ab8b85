"""``voxctl serve`` (one node) and ``voxctl run-local`` (a whole stack on this machine).

``serve`` reads ``voxctl.ini`` (``--config``) and ``VOXCTL_*`` variables (see
README.rst, "Configuration"), starts a node in the chosen role and stops it
gracefully on SIGTERM or Ctrl-C: no new calls are accepted, running ones get
``shutdown_grace`` seconds to finish, then are hung up and their records finalised.

``run-local`` adds, in the same process: the embedded Redis, the FreeSWITCH
simulator listening for ESL where the settings say the switch is, the demo
document server, and a demo account and number; it prints commands that work
as printed.
"""
from __future__ import annotations

import argparse
import signal

import gevent
from gevent.event import Event

from voxctl import logsetup
from voxctl.config import Settings

DEMO_ACCOUNT = "demo"
LOCAL_GATEWAY = "sim"  # any gateway name reaches the simulator's destinations
LOCAL_GRACE = 5.0  # run-local gives running calls at most this long on Ctrl-C
DEMO_VOICES = {"Joanna": "flite|slt"}  # the demo IVR's voice, when no voice map is configured


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run one node: engine, switch link and REST API")
    _node_options(p)
    p.add_argument("--role", choices=("all", "engine", "api"), help="what this node runs (default: all)")
    p.set_defaults(func=serve)

    r = sub.add_parser("run-local", help="everything on this machine: node, embedded Redis, simulator, demo app")
    _node_options(r)
    r.add_argument("--demo-port", type=int, default=8090, help="port of the demo document server")
    r.add_argument("--speed", type=float, default=1.0, help="simulator clock speed (1 = real time)")
    r.add_argument("--data-dir", help="embedded Redis and recordings (default: var/local)")
    r.set_defaults(func=run_local)


def _node_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-format", choices=("text", "json"), help="log line format (default: text)")
    p.add_argument("--api-port", type=int, help="REST API port")
    p.add_argument("--outbound-port", type=int, help="outbound socket port FreeSWITCH connects to")
    p.add_argument("--esl-port", type=int, help="inbound ESL port of the switch")


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.load(args.config, api_port=args.api_port, outbound_port=args.outbound_port,
                             esl_port=args.esl_port, log_format=args.log_format,
                             role=getattr(args, "role", None))
    logsetup.configure(settings.log_level, settings.log_format)
    return settings


def _wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM."""
    stop = Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(signum, stop.set)
    stop.wait()


def serve(args: argparse.Namespace) -> int:
    """Run one node until SIGTERM/SIGINT, then shut it down gracefully."""
    from voxctl.node import Node

    settings = _settings(args)
    node = Node(settings)
    node.start()
    print(f"voxctl node {node.node_id} ({settings.role}) ready: API on {settings.api_host}:{node.api_port}, "
          f"outbound socket on {settings.outbound_host}:{node.outbound_port}", flush=True)
    _wait_for_signal()
    print("voxctl: shutting down (finishing running calls)...", flush=True)
    node.stop(settings.shutdown_grace)
    return 0


def run_local(args: argparse.Namespace) -> int:
    """Node + embedded Redis + simulator + demo app, until Ctrl-C or SIGTERM (ports 0: any free one)."""
    from voxctl.demo import DEMO_NUMBER, SUPPORT_DESTINATION, SUPPORT_NUMBER, DemoServer
    from voxctl.node import Node
    from voxctl.sim import Simulator
    from voxctl.sim.dialplan import engine_dialplan
    from voxctl.store.records import Application

    settings = _settings(args)
    settings.data_dir = args.data_dir or (settings.data_dir if settings.data_dir not in ("", "var") else "var/local")
    settings.default_gateway = settings.default_gateway or LOCAL_GATEWAY  # numbers are dialled on the simulator
    settings.tts_voices = settings.tts_voices or dict(DEMO_VOICES)
    demo = DemoServer(port=args.demo_port)
    sim = Simulator(esl_host=settings.esl_host, esl_port=settings.esl_port, password=settings.esl_password,
                    speed=args.speed)
    demo.start()
    sim.start()
    settings.esl_port = sim.esl_port
    node = Node(settings)
    try:
        node.start()
        sim.dialplan = engine_dialplan(settings.outbound_host, node.outbound_port)
        sim.set_destination(SUPPORT_NUMBER, SUPPORT_DESTINATION)
        if not node.services.switch.wait_connected(10):
            raise RuntimeError(f"the node did not reach the simulator at {settings.esl_host}:{sim.esl_port}")
        store = node.services.store
        account, secrets = store.accounts.create(DEMO_ACCOUNT)
        store.numbers.add(DEMO_NUMBER, Application(url=demo.ivr_url, account_id=account.id))
        api = f"http://{settings.api_host}:{node.api_port}"
        print(_banner(api, f"{settings.esl_host}:{sim.esl_port}", f"{settings.outbound_host}:{node.outbound_port}",
                      account, secrets, demo.ivr_url, DEMO_NUMBER), flush=True)
        _wait_for_signal()
    finally:
        print("voxctl: stopping...", flush=True)
        node.stop(min(settings.shutdown_grace, LOCAL_GRACE))
        sim.stop()
        demo.stop()
    print("voxctl: stopped", flush=True)
    return 0


def _banner(api: str, esl: str, outbound: str, account, secrets, ivr_url: str, number: str) -> str:
    key = secrets.api_key
    return f"""
voxctl is running locally.

  REST API        {api}/api/v1   (OpenAPI: {api}/api/v1/openapi.json)
  Twilio API      {api}/2010-04-01/Accounts/{account.sid}/Calls.json
  switch (sim)    ESL {esl}; calls reach voxctl on {outbound}
  demo app        {ivr_url}  (the Complex IVR of the VoxXML spec) on number {number}

  demo account    {account.id}
  API key         {key}   (shown once)
  AccountSid      {account.sid}
  AuthToken       {secrets.auth_token}

Try it, in another terminal:

  # call the demo number and press 3 (hours of operation), then 1 (support)
  .venv/bin/voxctl simulate call --esl {esl} --to {number} --from 15556668888 --dtmf 3@4s
  .venv/bin/voxctl simulate call --esl {esl} --to {number} --from 15556668888 --dtmf 1@4s

  # list calls, then place one from the API
  curl -s -H 'Authorization: Bearer {key}' {api}/api/v1/calls
  curl -s -X POST -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\
       -d '{{"to": "15556667777", "from": "15556668888",
            "voxXML": "<Response><Say>Hello from voxctl</Say></Response>"}}' \\
       {api}/api/v1/calls

  # this node's metrics (Prometheus text format)
  curl -s {api}/metrics

Ctrl-C stops everything.
"""

