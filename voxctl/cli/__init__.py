"""The ``voxctl`` command. Each sub-command lives in its own module with a ``register(subparsers)``."""
from __future__ import annotations

import argparse
import importlib
import sys

# one module per sub-command family, in the order `voxctl --help` lists them
COMMAND_MODULES = (
    "voxctl.cli.lint",
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
