"""The processes a scenario runs against: Redis, the document server, an engine node, the floor,
and the simulator (in the driver's process).

``Stack`` holds what lives for the whole run (Redis, the document server, the run
directory); a scenario starts its own engine (``stack.engine()``), floor and
simulator, so each one's CPU and memory readings start clean.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import redis

from bench.procs import Child, cpu_seconds
from voxctl.sim import Simulator
from voxctl.store import Store
from voxctl.store.records import Application
from voxctl.store.redis import EmbeddedRedis

NUMBER = "15550001000"  # the number bound to the IVR
CALLER = "15550009999"


class Stack:
    """Redis and the document server for one run; engines, floors and simulators on demand."""

    def __init__(self, run_dir: Path, redis_url: str = "", log_level: str = "INFO", cprofile: bool = False) -> None:
        self.run_dir = run_dir
        self.log_level = log_level
        self.cprofile = cprofile  # each engine writes engine-<n>.prof in the run directory
        self._engines = 0
        self._embedded: EmbeddedRedis | None = None
        if not redis_url:
            # a short private directory: unix socket paths are limited to ~100 bytes
            self._embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="voxbench-"), persistence=False).start()
            redis_url = self._embedded.url
        self.redis_url = redis_url
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True, max_connections=64)
        self.store = Store(self.redis)
        self.docs = Child("bench.docserver", [], run_dir / "docserver.log")
        self.docs_url = f"http://127.0.0.1:{self.docs.info['port']}"
        self.account_id = ""
        self.api_key = ""

    def reset(self) -> None:
        """Empty Redis, then one account with an API key and the IVR bound to ``NUMBER``."""
        self.redis.flushdb()
        account, secrets = self.store.accounts.create("bench")
        self.account_id, self.api_key = account.id, secrets.api_key
        self.store.numbers.add(NUMBER, Application(url=f"{self.docs_url}/ivr", account_id=account.id))

    def redis_cpu(self) -> float | None:
        """CPU seconds of the redis-server (its ``process_id``); None when it is not on this machine."""
        try:
            return cpu_seconds(int(self.redis.info("server")["process_id"]))
        except OSError:
            return None

    def simulator(self, speed: float) -> Simulator:
        """A started simulator (this process) at ``speed`` on an ephemeral ESL port."""
        return Simulator(esl_host="127.0.0.1", esl_port=0, speed=speed).start()

    def engine(self, sim: Simulator | None, role: str = "all", max_calls: int | None = None) -> Child:
        """A started node process (``bench.engine``) against ``sim`` and this Redis."""
        args = ["--role", role, "--redis-url", self.redis_url, "--log-level", self.log_level]
        if sim is not None:
            args += ["--esl-port", str(sim.esl_port)]
        if max_calls is not None:
            args += ["--max-calls", str(max_calls)]
        self._engines += 1
        args += ["--data-dir", str(self.run_dir / f"engine-{self._engines}-{role}")]
        if self.cprofile:
            args += ["--cprofile", str(self.run_dir / f"engine-{self._engines}-{role}.prof")]
        return Child("bench.engine", args, self.run_dir / "engine.log")

    def floor(self) -> Child:
        """A started floor process (``bench.floor``)."""
        return Child("bench.floor", [], self.run_dir / "floor.log")

    def close(self) -> None:
        self.docs.stop()
        self.redis.close()
        if self._embedded is not None:
            self._embedded.stop()
            shutil.rmtree(self._embedded.dir.parent, ignore_errors=True)
