"""``voxctl numbers``: which application answers a called number.

Connects like ``voxctl accounts`` (see ``voxctl.cli.accounts``): the configured
``redis_url``, or the embedded server of ``data_dir``, shared with a running node.
"""
from __future__ import annotations

import argparse
import sys
from urllib.parse import urlparse

from voxctl.config import Settings
from voxctl.store import Store
from voxctl.store.records import FLAVOURS, Application


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("numbers", help="map called numbers to applications")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="answer NUMBER with the document at --url (replaces a mapping)")
    add.add_argument("number")
    add.add_argument("--url", required=True, help="http(s) URL of the document")
    add.add_argument("--method", default="POST", type=str.upper, choices=("GET", "POST"))
    add.add_argument("--flavour", default="voxxml", choices=FLAVOURS)
    add.add_argument("--account", required=True, help="account id or AccountSid")
    add.add_argument("--fallback-url", help="document fetched when --url fails")
    add.add_argument("--status-callback", help="URL receiving the call's status callbacks")
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", help="list mapped numbers")
    listing.add_argument("--account", help="only this account's numbers (id or AccountSid)")
    listing.set_defaults(func=_list)
    remove = actions.add_parser("remove", help="unmap a number")
    remove.add_argument("number")
    remove.set_defaults(func=_remove)


def _store(args: argparse.Namespace) -> Store:
    return Store.from_settings(Settings.load(args.config))


def _fail(message: str) -> int:
    print(f"voxctl: {message}", file=sys.stderr)
    return 1


def _is_http(url: str | None) -> bool:
    parsed = urlparse(url or "")
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _add(args: argparse.Namespace) -> int:
    for option, url in (("--url", args.url), ("--fallback-url", args.fallback_url),
                        ("--status-callback", args.status_callback)):
        if url is not None and not _is_http(url):
            return _fail(f"{option} must be an http(s) URL: {url}")
    store = _store(args)
    account = store.accounts.lookup(args.account)
    if account is None:
        return _fail(f"no such account: {args.account}")
    app = Application(url=args.url, account_id=account.id, method=args.method, flavour=args.flavour,
                      fallback_url=args.fallback_url, status_callback=args.status_callback)
    number = store.numbers.add(args.number, app)
    print(f"{number} -> {app.method} {app.url} ({app.flavour}, account {account.id})")
    return 0


def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    account_id = None
    if args.account:
        account = store.accounts.lookup(args.account)
        if account is None:
            return _fail(f"no such account: {args.account}")
        account_id = account.id
    print(f"{'NUMBER':20}  {'FLAVOUR':7}  {'METHOD':6}  {'ACCOUNT':36}  URL")
    for number, app in store.numbers.list(account_id).items():
        print(f"{number:20}  {app.flavour:7}  {app.method:6}  {app.account_id:36}  {app.url}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    if not _store(args).numbers.remove(args.number):
        return _fail(f"number not mapped: {args.number}")
    print(f"Removed {args.number}.")
    return 0
