"""``python -m bench [--profile tiny|default|full] [--concurrent N] [--json PATH] [--only S ...]``.

Runs the scenarios, prints the table and the goals, writes the results as JSON
(``bench/results.json`` by default). See docs/benchmarks.rst.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bench import concurrency, report, rest_api, setup_latency, throughput  # noqa: E402
from bench.procs import raise_fd_limit  # noqa: E402
from bench.profiles import PROFILES, profile  # noqa: E402
from bench.stack import Stack  # noqa: E402

SCENARIOS = {"setup_latency": setup_latency.run, "throughput": throughput.run,
             "concurrency": concurrency.run, "rest_api": rest_api.run}
DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description="voxctl benchmarks (docs/benchmarks.rst)")
    p.add_argument("--profile", choices=sorted(PROFILES), default="default", help="run size (default: default)")
    p.add_argument("--tiny", dest="profile", action="store_const", const="tiny", help="same as --profile tiny")
    p.add_argument("--concurrent", type=int, help="calls held at once in the concurrency scenario")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the results ({DEFAULT_JSON})")
    p.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), help="run only these scenarios")
    p.add_argument("--redis-url", default="", help="an existing Redis (default: the embedded redis-server)")
    p.add_argument("--log-level", default="INFO", help="the engine's log level (default INFO, as deployed)")
    p.add_argument("--cprofile", action="store_true", help="profile each engine (cProfile files in the log directory)")
    return p.parse_args(argv)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg(),
            "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    chosen = profile(args.profile, args.concurrent)
    raise_fd_limit()
    run_dir = Path(tempfile.mkdtemp(prefix="voxbench-run-"))
    results: dict[str, Any] = {"profile": chosen.__dict__, "machine": machine(),
                               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "logs": str(run_dir)}
    stack = Stack(run_dir, args.redis_url, args.log_level, args.cprofile)
    try:
        for name, scenario in SCENARIOS.items():
            if args.only and name not in args.only:
                continue
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            results[name] = scenario(stack, chosen)
            results[name]["seconds"] = round(time.perf_counter() - started, 1)
    finally:
        stack.close()
    results["floor_ratios"] = report.floor_ratios(results)
    results["goals"] = report.judge(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(report.table(results))
    print(f"\nresults: {args.json}; logs: {run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
