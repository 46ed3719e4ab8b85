"""``voxctl accounts``: create and list accounts, add and revoke their API keys.

Runs against the deployment's Redis as the node does (``Settings.load(--config)``:
``redis_url``, or the embedded server of ``data_dir``). With the embedded server
the command reaches the one a running node started (its socket path is fixed by
``data_dir``); when no node is running it starts the server on the persisted
``data_dir`` itself and stops it on exit, so the node finds the data later.
"""
from __future__ import annotations

import argparse
import sys

from voxctl.config import Settings
from voxctl.store import Store
from voxctl.store.records import Account

KEY_WARNING = "Store the API key now: it is not shown again."


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("accounts", help="manage accounts and their API keys")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create an account; prints its credentials once")
    create.add_argument("name")
    create.set_defaults(func=_create)
    actions.add_parser("list", help="list accounts").set_defaults(func=_list)
    keys = actions.add_parser("keys", help="manage an account's API keys")
    key_actions = keys.add_subparsers(dest="key_action", metavar="KEY_ACTION", required=True)
    for name, helptext, func in (("list", "list an account's API keys", _keys_list),
                                 ("add", "add an API key (printed once)", _keys_add)):
        action = key_actions.add_parser(name, help=helptext)
        action.add_argument("account", help="account id or AccountSid")
        action.set_defaults(func=func)
    revoke = key_actions.add_parser("revoke", help="revoke an API key")
    revoke.add_argument("account", help="account id or AccountSid")
    revoke.add_argument("key", help="the key id (from `keys list`) or the key itself")
    revoke.set_defaults(func=_keys_revoke)


def _store(args: argparse.Namespace) -> Store:
    return Store.from_settings(Settings.load(args.config))


def _account(store: Store, id_or_sid: str) -> Account | None:
    account = store.accounts.lookup(id_or_sid)
    if account is None:
        print(f"voxctl: no such account: {id_or_sid}", file=sys.stderr)
    return account


def _create(args: argparse.Namespace) -> int:
    account, secrets = _store(args).accounts.create(args.name)
    print(f"Created account {account.name!r}")
    print(f"  Account id:  {account.id}")
    print(f"  AccountSid:  {account.sid}")
    print(f"  AuthToken:   {secrets.auth_token}")
    print(f"  API key:     {secrets.api_key}")
    print(KEY_WARNING)
    return 0


def _list(args: argparse.Namespace) -> int:
    print(f"{'ID':36}  {'ACCOUNT SID':34}  {'CREATED':24}  NAME")
    for account in _store(args).accounts.list():
        print(f"{account.id:36}  {account.sid:34}  {account.created_time:24}  {account.name}")
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    store = _store(args)
    account = _account(store, args.account)
    if account is None:
        return 1
    print(f"{'KEY ID':12}  CREATED")
    for info in store.accounts.api_keys(account.id):
        print(f"{info.key_id:12}  {info.created_time}")
    return 0


def _keys_add(args: argparse.Namespace) -> int:
    store = _store(args)
    account = _account(store, args.account)
    if account is None:
        return 1
    print(f"API key: {store.accounts.add_key(account.id)}")
    print(KEY_WARNING)
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    store = _store(args)
    account = _account(store, args.account)
    if account is None:
        return 1
    if not store.accounts.revoke_key(account.id, args.key):
        print(f"voxctl: account {account.id} has no key {args.key}", file=sys.stderr)
        return 1
    print("Revoked.")
    return 0
