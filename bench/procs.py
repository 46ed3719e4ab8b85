"""Child processes of a bench run and what the OS says about them (CPU time, resident memory).

A child is ``python -m bench.<module> ...``: it prints one JSON line once it is ready
(its ports), then runs until SIGTERM. Its stderr (logs) goes to a file in the run directory.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY_TIMEOUT = 30.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (``/proc/<pid>/stat`` utime + stime)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of the whole line


def rss_kb(pid: int) -> int:
    """Resident set size in KiB (``VmRSS`` of ``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Child:
    """One ``python -m bench.<module>`` process; ``info`` is its ready line."""

    def __init__(self, module: str, args: list[str], log_path: Path) -> None:
        self.module = module
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", module, *args], stdout=subprocess.PIPE,
                                     stderr=self._log, stdin=subprocess.DEVNULL,
                                     cwd=Path(__file__).resolve().parent.parent)
        self.info: dict[str, Any] = self._ready()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _ready(self) -> dict[str, Any]:
        import gevent

        with gevent.Timeout(READY_TIMEOUT, RuntimeError(f"{self.module} not ready; see {self.log_path}")):
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.module} exited ({self.proc.wait()}); see {self.log_path}")
        return json.loads(line)

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    def stop(self, kill: bool = False, timeout: float = 15.0) -> None:
        """SIGTERM (SIGKILL with ``kill``), then wait; SIGKILL if it does not exit in ``timeout`` s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self._log.close()


def announce(**info: Any) -> None:
    """A child's ready line: its pid and ``info`` as one JSON line on stdout."""
    print(json.dumps({"pid": os.getpid(), **info}), flush=True)


def wait_for_sigterm() -> None:
    """Block (cooperatively) until SIGTERM or SIGINT."""
    import gevent
    from gevent.event import Event

    stop = Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(signum, stop.set)
    stop.wait()


def serve_until_sigterm(server: Any, port_name: str) -> None:
    """Start a gevent server, announce its port as ``port_name``, serve until SIGTERM, stop."""
    server.start()
    announce(**{port_name: server.server_port})
    wait_for_sigterm()
    server.stop(timeout=1)


def raise_fd_limit() -> None:
    """Lift the soft open-files limit to the hard one (5,000 calls hold 5,000 sockets per process)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
