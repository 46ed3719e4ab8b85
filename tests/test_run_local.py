"""``make run-local``'s stack in a subprocess: the printed commands work as printed, SIGTERM leaves nothing.

The stack runs as ``.venv/bin/voxctl run-local`` (what ``make run-local`` runs) on
free ports, its own data directory and a simulator at speed 20. The banner's
``voxctl simulate call`` commands (two branches of the demo IVR) and curl commands
are executed exactly as printed, through a shell-like split of the printed text.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import gevent
import pytest
import requests

from tests.node.exposition import parse
from voxctl.demo import DEMO_NUMBER, SUPPORT_NUMBER

REPO = Path(__file__).resolve().parent.parent
VOXCTL = Path(sys.executable).parent / "voxctl"
BANNER_END = "Ctrl-C stops everything."


def printed_commands(banner: str, program: str) -> list[list[str]]:
    """The commands of ``banner`` starting with ``program``, split as a POSIX shell would."""
    commands, lines = [], banner.splitlines()
    for i, line in enumerate(lines):
        if not line.strip().startswith(program):
            continue
        text = line
        while True:  # continuation lines (a trailing backslash) and quotes spanning lines
            try:
                words = shlex.split(text.replace("\\\n", ""))
            except ValueError:
                words = None
            if words is not None and not text.endswith("\\"):
                break
            i += 1
            text += "\n" + lines[i]
        commands.append(words)
    return commands


def run(command: list[str]) -> str:
    """Run a printed command from the repository root (``.venv/bin/...`` is relative to it)."""
    if command[0] == "curl" and not shutil.which("curl"):
        pytest.skip("curl is not installed")
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{shlex.join(command)} failed: {done.stderr}"
    return done.stdout


def refused(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def processes_using(path: Path) -> list[str]:
    """Command lines of this machine's processes that mention ``path`` (the embedded redis-server's)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(path) in text:
            found.append(text)
    return found


@pytest.fixture
def stack(tmp_path):
    """The running ``voxctl run-local`` process and its banner; killed if a test leaves it up."""
    if not VOXCTL.exists():
        pytest.skip(f"{VOXCTL} is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXCTL_")}
    data = tmp_path / "data"
    log = (tmp_path / "run-local.log").open("w")
    proc = subprocess.Popen([str(VOXCTL), "run-local", "--api-port", "0", "--outbound-port", "0",
                             "--esl-port", "0", "--demo-port", "0", "--speed", "20", "--data-dir", str(data)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    banner = []
    with gevent.Timeout(30, AssertionError("run-local printed no banner")):
        for line in proc.stdout:
            banner.append(line)
            if line.strip() == BANNER_END:
                break
    try:
        yield proc, "".join(banner), data
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_the_printed_commands_work_and_sigterm_leaves_nothing_running(stack, tmp_path):
    proc, banner, data = stack
    api = re.search(r"REST API\s+(http://\S+)/api/v1", banner).group(1)
    esl, outbound = re.search(r"ESL (\S+); calls reach voxctl on (\S+)", banner).groups()
    demo = re.search(r"demo app\s+(http://\S+)/ivr.xml", banner).group(1)

    # two branches of the Complex IVR, through the printed `voxctl simulate call` commands
    hours, support = (run(command) for command in printed_commands(banner, ".venv/bin/voxctl simulate call"))
    assert "speak            text='Hello, and welcome.'" in hours
    assert "dtmf             digits='3'" in hours
    assert f"play             file='http_cache://{demo}/hours.wav'" in hours
    assert "Dialing support" not in hours
    assert "dtmf             digits='1'" in support
    assert "speak            text='Dialing support. Please wait.'" in support
    assert f"bridge           destination='sofia/gateway/sim/{SUPPORT_NUMBER}'  outcome='answer'" in support
    assert "speak            text='Call has ended. Goodbye.'" in support
    for timeline in (hours, support):
        assert timeline.strip().splitlines()[-1].endswith("hangup           cause='NORMAL_CLEARING'")

    # the printed curl commands: list the calls, place one, read the metrics
    list_calls, place_call, read_metrics = printed_commands(banner, "curl ")
    listed = json.loads(run(list_calls))
    demo_calls = [c for c in listed["results"] if c["to"] == DEMO_NUMBER]
    assert [(c["from"], c["status"]) for c in demo_calls] == [("15556668888", "complete")] * 2
    placed = json.loads(run(place_call))
    assert (placed["to"], placed["from"], placed["status"]) == (SUPPORT_NUMBER, "15556668888", "queued")

    def placed_call() -> dict:
        return next(c for c in json.loads(run(list_calls))["results"] if c["id"] == placed["id"])

    with gevent.Timeout(15, AssertionError("the API's call did not complete")):
        while placed_call()["status"] != "complete":
            gevent.sleep(0.1)
    calls = json.loads(run(list_calls))["results"]
    families = parse(run(read_metrics))
    completed = families["voxctl_calls_total"].samples[("voxctl_calls_total", frozenset({("status", "complete")}))]
    assert completed == sum(c["status"] == "complete" for c in calls) >= 3
    assert families["voxctl_active_calls"].samples[("voxctl_active_calls", frozenset())] == 0
    assert requests.get(f"{api}/healthz", timeout=5).json()["status"] == "ok"

    # SIGTERM: a clean exit, every port closed, the embedded redis-server gone
    assert processes_using(data), "the embedded redis-server should be running"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert proc.stdout.read().strip().endswith("voxctl: stopped")
    host_port = api.removeprefix("http://")
    for address in (host_port, esl, outbound, demo.removeprefix("http://")):
        assert refused(address), f"{address} still accepts connections"
    assert processes_using(data) == []
    log = (tmp_path / "run-local.log").read_text()
    assert "Traceback" not in log, log
