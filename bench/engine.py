"""A voxctl node in its own process: ``python -m bench.engine --esl-port P --redis-url U [--role all]``.

Prints ``{"pid", "outbound_port", "api_port"}`` once started; SIGTERM stops it.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import cProfile  # noqa: E402

from bench.procs import announce, raise_fd_limit, wait_for_sigterm  # noqa: E402
from voxctl import logsetup  # noqa: E402
from voxctl.config import Settings  # noqa: E402
from voxctl.node import Node  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.engine")
    p.add_argument("--role", default="all", choices=("all", "engine", "api"))
    p.add_argument("--esl-port", type=int, default=8021)
    p.add_argument("--redis-url", required=True)
    p.add_argument("--max-calls", type=int, default=Settings.max_calls)
    p.add_argument("--log-level", default=Settings.log_level)
    p.add_argument("--cprofile", help="write a cProfile of the node's life to this file")
    p.add_argument("--data-dir", required=True, help="the node's data directory (recordings)")
    args = p.parse_args()
    raise_fd_limit()
    data_dir = args.data_dir
    settings = Settings(role=args.role, esl_port=args.esl_port, outbound_port=0, api_port=0,
                        redis_url=args.redis_url, data_dir=data_dir, recordings_dir=f"{data_dir}/recordings",
                        node_id="bench-node", default_gateway="sim", max_calls=args.max_calls,
                        log_level=args.log_level, shutdown_grace=1.0)
    logsetup.configure(settings.log_level, settings.log_format)
    profiler = cProfile.Profile() if args.cprofile else None
    node = Node(settings)
    node.start()
    if node.engine and not node.services.switch.wait_connected(10):
        raise SystemExit("the node did not reach the switch")
    announce(outbound_port=node.outbound_port, api_port=node.api_port)
    if profiler is not None:
        profiler.enable()
    wait_for_sigterm()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.cprofile)
    node.stop(settings.shutdown_grace)


if __name__ == "__main__":
    main()
