"""The ``voxctl`` command. Each sub-command lives in its own module with a ``register(subparsers)``."""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: the node, the simulator and requests share one hub

import argparse  # noqa: E402
import importlib  # noqa: E402
import sys  # noqa: E402

# one module per sub-command family, in the order `voxctl --help` lists them
COMMAND_MODULES = (
    "voxctl.cli.lint",
    "voxctl.cli.accounts",
    "voxctl.cli.numbers",
    "voxctl.cli.callbacks",
    "voxctl.cli.serve",
    "voxctl.cli.simulate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voxctl", description="Programmable voice on FreeSWITCH.")
    parser.add_argument("--config", "-c", help="path to voxctl.ini")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
