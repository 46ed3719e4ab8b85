"""Failed callback deliveries, kept in Redis for ``voxctl callbacks failed`` and the API.

Each failure is a JSON object (time, account_id, call_id, kind, flavour, method,
url, payload, attempts, error) pushed newest-first on two capped lists: one for
all accounts (``vox:callbacks:failed``) and one per account
(``vox:callbacks:failed:<account id>``). An account is named by its id or its
``AC...`` SID alike.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import redis

from voxctl.store import ids

log = logging.getLogger(__name__)

FAILED_KEY = "vox:callbacks:failed"
DEFAULT_CAP = 1000  # failures kept per list


def account_key(account_id: str) -> str:
    """The list of one account's failures; ``account_id`` may be its id or its AC SID."""
    if ids.is_sid(account_id, ids.ACCOUNT):
        account_id = ids.from_sid(account_id)
    return f"{FAILED_KEY}:{account_id}"


class FailureLog:
    """Record and list failed deliveries (``redis`` is a ``redis.Redis`` client)."""

    def __init__(self, client: redis.Redis, cap: int = DEFAULT_CAP) -> None:
        self.redis = client
        self.cap = cap

    def record(self, failures: Iterable[dict[str, Any]]) -> None:
        """Store ``failures`` in one round trip; a Redis error is logged, never raised."""
        pipe = self.redis.pipeline(transaction=False)
        for failure in failures:
            entry = json.dumps(failure, ensure_ascii=False)
            keys = [FAILED_KEY] + ([account_key(failure["account_id"])] if failure.get("account_id") else [])
            for key in keys:
                pipe.lpush(key, entry)
                pipe.ltrim(key, 0, self.cap - 1)
        try:
            pipe.execute()
        except redis.RedisError as exc:
            log.error("could not record failed callbacks in Redis: %s", exc)

    def list(self, account_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent failures first, for one account or all of them."""
        return self.page(account_id, 0, limit)[1]

    def page(self, account_id: str | None, offset: int, size: int) -> tuple[int, list[dict[str, Any]]]:
        """(how many failures are kept, ``size`` of them from ``offset``), newest first, in one round trip."""
        key = account_key(account_id) if account_id else FAILED_KEY
        pipe = self.redis.pipeline(transaction=False)
        pipe.llen(key)
        pipe.lrange(key, max(offset, 0), max(offset, 0) + max(size, 1) - 1)
        total, raws = pipe.execute()
        return total, [json.loads(raw) for raw in raws]
