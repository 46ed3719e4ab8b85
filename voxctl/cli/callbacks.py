"""``voxctl callbacks failed``: list the callback deliveries that failed for good."""
from __future__ import annotations

import argparse
import json

from voxctl.config import Settings
from voxctl.store.redis import connect
from voxctl.webhooks.failures import FailureLog


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("callbacks", help="status callback deliveries")
    actions = p.add_subparsers(dest="callbacks_command", metavar="ACTION")
    actions.required = True
    failed = actions.add_parser("failed", help="list failed callback deliveries, newest first")
    failed.add_argument("--account", help="only this account's failures")
    failed.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    failed.add_argument("--json", action="store_true", help="one JSON object per line")
    failed.set_defaults(func=_failed)


def _failed(args: argparse.Namespace) -> int:
    settings = Settings.load(args.config)
    failures = FailureLog(connect(settings.redis_url, settings.data_dir)).list(args.account, args.limit)
    for failure in failures:
        if args.json:
            print(json.dumps(failure, ensure_ascii=False))
        else:
            print("{time}  {account}  {call_id}  {kind:<10} {attempts} attempt(s)  {method} {url}  {error}".format(
                **{**failure, "account": failure.get("account_id") or "-"}))
    if not failures and not args.json:
        print("no failed callbacks")
    return 0
