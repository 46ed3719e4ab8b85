"""``voxctl lint FILE|URL|-``: check a VoxXML or TwiML document, print every problem.

Each problem is one line, ``code line verb severity: message`` (or a JSON list with
``--json``); the exit code is 1 when the document has an error, 0 otherwise.
"""
from __future__ import annotations

import argparse
import json

from voxctl.xml import CONTEXTS, FLAVOURS, VOXXML
from voxctl.xml.lint import ERROR, SourceError, lint, read_source


def run(args: argparse.Namespace) -> int:
    """Lint ``args.source`` and print the findings; returns the exit code."""
    try:
        problems = lint(read_source(args.source, args.timeout), args.flavour, args.context)
    except SourceError as exc:
        problems = [exc.problem]
    if args.json:
        print(json.dumps([p.as_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            print(problem.as_text())
    return 1 if any(p.severity == ERROR for p in problems) else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lint", help="check a VoxXML or TwiML document")
    p.add_argument("source", help="a file, an http(s) URL, or - for standard input")
    p.add_argument("--flavour", choices=FLAVOURS, default=VOXXML, help="document family (default voxxml)")
    p.add_argument("--context", choices=tuple(CONTEXTS), default="call",
                   help="what the document drives (default call)")
    p.add_argument("--json", action="store_true", help="print the problems as a JSON list")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a URL (default 10)")
    p.set_defaults(func=run)
