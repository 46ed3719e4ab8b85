"""Accounts and their credentials.

* API keys (``Authorization: Bearer``) are random and shown once: only their
  SHA-256 is stored (``keys.API_KEY`` by digest, and the account's key list
  ``keys.ACCOUNT_KEYS``), so the key itself is nowhere in Redis. A key is found
  by its digest and confirmed with ``hmac.compare_digest``.
* The auth token (Twilio Basic password, and the HMAC-SHA1 key of
  X-Twilio-Signature) and the signing secret (VoxXML webhook HMAC key) must be
  usable to sign, so they are stored on the account.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

import redis

from voxctl.store import ids, keys
from voxctl.store.records import Account, now
from voxctl.store.table import Index, Table

API_KEY_PREFIX = "vox_"


@dataclass(frozen=True)
class AccountSecrets:
    """What ``Accounts.create`` hands out once."""

    api_key: str
    auth_token: str


@dataclass(frozen=True)
class ApiKeyInfo:
    """A stored API key, as far as it can be shown: its id and creation time."""

    key_id: str
    created_time: str


def _digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _key_id(digest: str) -> str:
    return digest[:12]


class Accounts:
    """Accounts, API keys and Basic-auth credentials."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self.table: Table[Account] = Table(client, Account, keys.ACCOUNT, [Index(keys.ACCOUNTS)])

    def create(self, name: str) -> tuple[Account, AccountSecrets]:
        """A new account with one API key: ``(account, secrets)``; the key is not retrievable later."""
        account = Account(id=ids.new_id(), name=name, auth_token=secrets.token_hex(16),
                          signing_secret=secrets.token_urlsafe(32))
        self.table.insert(account)
        return account, AccountSecrets(self.add_key(account.id), account.auth_token)

    def get(self, account_id: str) -> Account | None:
        """The account, or None."""
        return self.table.get(self.table.key(id=account_id)) if ids.is_uuid(account_id) else None

    def by_sid(self, sid: str) -> Account | None:
        """The account of an AccountSid, or None (also for a malformed SID)."""
        return self.get(ids.from_sid(sid, ids.ACCOUNT)) if ids.is_sid(sid, ids.ACCOUNT) else None

    def lookup(self, id_or_sid: str) -> Account | None:
        """The account by id or AccountSid, or None."""
        return self.by_sid(id_or_sid) if ids.is_sid(id_or_sid, ids.ACCOUNT) else self.get(id_or_sid)

    def list(self) -> list[Account]:
        """Every account, newest first."""
        return self.table.all(keys.ACCOUNTS)

    def by_api_key(self, api_key: str) -> Account | None:
        """The account an API key belongs to, or None for an unknown or revoked key."""
        if not isinstance(api_key, str) or not api_key:
            return None
        digest = _digest(api_key)
        entry = self.redis.hgetall(keys.fill(keys.API_KEY, digest=digest))
        if not entry:
            return None
        stored = self.redis.hget(keys.fill(keys.ACCOUNT_KEYS, id=entry["account_id"]), entry["key_id"])
        if stored is None or not hmac.compare_digest(json.loads(stored)["digest"], digest):
            return None
        return self.get(entry["account_id"])

    def authenticate_basic(self, sid: str, token: str) -> Account | None:
        """The account when ``sid:token`` are its AccountSid and auth token (compared in constant time)."""
        account = self.by_sid(sid)
        expected = account.auth_token if account else secrets.token_hex(16)
        matches = hmac.compare_digest(expected.encode(), (token or "").encode())
        return account if account and matches else None

    def add_key(self, account_id: str) -> str:
        """A new API key for the account (returned once, stored hashed); KeyError for no such account."""
        if self.get(account_id) is None:
            raise KeyError(account_id)
        api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        digest = _digest(api_key)
        created = now()
        pipe = self.redis.pipeline()
        pipe.hset(keys.fill(keys.API_KEY, digest=digest),
                  mapping={"account_id": account_id, "key_id": _key_id(digest), "created_time": created})
        pipe.hset(keys.fill(keys.ACCOUNT_KEYS, id=account_id), _key_id(digest),
                  json.dumps({"digest": digest, "created_time": created}))
        pipe.execute()
        return api_key

    def api_keys(self, account_id: str) -> list[ApiKeyInfo]:
        """The account's API keys (ids and creation times), oldest first."""
        stored = self.redis.hgetall(keys.fill(keys.ACCOUNT_KEYS, id=account_id))
        infos = [ApiKeyInfo(key_id, json.loads(value)["created_time"]) for key_id, value in stored.items()]
        return sorted(infos, key=lambda info: (info.created_time, info.key_id))

    def revoke_key(self, account_id: str, key_or_id: str) -> bool:
        """Revoke one of the account's keys, named by its id or the key itself; False if it has no such key."""
        key_id = key_or_id if not key_or_id.startswith(API_KEY_PREFIX) else _key_id(_digest(key_or_id))
        account_keys = keys.fill(keys.ACCOUNT_KEYS, id=account_id)
        stored = self.redis.hget(account_keys, key_id)
        if stored is None:
            return False
        pipe = self.redis.pipeline()
        pipe.delete(keys.fill(keys.API_KEY, digest=json.loads(stored)["digest"]))
        pipe.hdel(account_keys, key_id)
        pipe.execute()
        return True
