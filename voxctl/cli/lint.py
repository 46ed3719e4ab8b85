"""``voxctl lint``: check a VoxXML/TwiML document (registered by the document model)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lint", help="check a VoxXML or TwiML document")
    p.add_argument("source", help="a file, an http(s) URL, or - for standard input")
    p.set_defaults(func=lambda args: 0)
