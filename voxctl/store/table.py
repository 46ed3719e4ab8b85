"""Records as Redis hashes with sorted-set indexes, shared by accounts, calls, conferences and participants.

A ``Table`` knows its record class, the template of a record's key, its indexes
(``keys`` templates; see ``voxctl.store.keys``) and, for records with a status,
which statuses are final and how long a final record is kept. Inserts, updates
and deletes are one Lua script each (``voxctl.store.scripts``), so a write is one
atomic round trip that also moves the record between indexes. ``page`` is the one
paging helper: an index (or the intersection of several) newest first, with the
total, in one round trip.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

import redis

from voxctl.store import keys, scripts
from voxctl.store.records import (
    encode_fields,
    external_name,
    from_hash,
    now,
    time_ms,
    to_hash,
)

R = TypeVar("R")


@dataclass(frozen=True)
class Index:
    """One index: a key template; ``live`` indexes hold a record only until its status is final."""

    template: str
    live: bool = False


class Page(NamedTuple):
    """One page of records, newest first, and how many records the query matches in all."""

    records: list
    total: int


class _Scores:
    """Index scores: creation time in ms, plus a fraction keeping this process's creation order within a ms."""

    def __init__(self) -> None:
        self._ms = 0
        self._count = 0

    def __call__(self, created_ms: int) -> float:
        if created_ms == self._ms:
            self._count = min(self._count + 1, 999)
        else:
            self._ms, self._count = created_ms, 0
        return created_ms + self._count / 1000


_scores = _Scores()


def filter_keys(base: str, filters: Sequence[tuple[str, str, object]], **scope: object) -> list[str]:
    """The indexes to intersect for a query: one per ``(template, field, value)`` with a value, else ``base``.

    ``scope`` fills the placeholders every template shares (``account_id=...``).
    """
    chosen = [keys.fill(template, **scope, **{name: value}) for template, name, value in filters if value]
    return chosen or [keys.fill(base, **scope)]


class Table(Generic[R]):
    """Stores records of one class; see the module docstring."""

    def __init__(self, client: redis.Redis, cls: type[R], key: str, indexes: Sequence[Index],
                 statuses: Iterable[str] = (), final: Iterable[str] = (), retention: float | None = None) -> None:
        self.redis = client
        self.cls = cls
        self.key_template = key
        self.statuses = frozenset(statuses)
        self.final = frozenset(final)
        self._spec = json.dumps({
            "indexes": [{"t": ix.template, "live": ix.live} for ix in indexes],
            "status": "status" if self.statuses else "",
            "final": sorted(self.final),
            "retention": int(retention * 1000) if retention else 0,
            "expiring": keys.EXPIRING,
            "expiring_indexes": keys.EXPIRING_INDEXES,
        })
        self._insert = client.register_script(scripts.INSERT)
        self._update = client.register_script(scripts.UPDATE)
        self._delete = client.register_script(scripts.DELETE)
        self._page = client.register_script(scripts.PAGE)

    def key(self, **values: object) -> str:
        """The key of the record with these key fields (``table.key(id=...)``)."""
        return keys.fill(self.key_template, **values)

    def insert(self, record: R, unique: str = "") -> tuple[R, bool]:
        """Store a new record (filling empty created/modified times); ``(record, True)``.

        With ``unique`` (an index template), a record already in that index is returned
        instead, as ``(existing, False)``, atomically. A final record under the same key is
        replaced; ValueError if a live one holds it.
        """
        stamp = now()
        for name in ("created_time", "modified_time"):
            if not getattr(record, name):
                setattr(record, name, stamp)
        fields = to_hash(record)
        rkey = keys.fill(self.key_template, **fields)
        args: list[Any] = [self._spec, _scores(time_ms(record.created_time)), unique]
        for name, value in fields.items():
            args += [name, value]
        reply = self._insert(keys=[rkey], args=args)
        if reply[0] < 0:
            raise ValueError(f"record exists: {rkey}")
        return (record, True) if reply[0] == 1 else (self._decode(reply[1]), False)

    def get(self, rkey: str, account_id: str | None = None) -> R | None:
        """The record at ``rkey``, or None (also when ``account_id`` is given and is not its account)."""
        record = self._decode(self.redis.hgetall(rkey))
        if record is None or (account_id is not None and getattr(record, "account_id", None) != account_id):
            return None
        return record

    def update(self, rkey: str, values: Mapping[str, Any], if_absent: Mapping[str, Any] | None = None,
               elapsed: Sequence[tuple[str, str, str]] = (), strict: bool = False,
               only_from: Sequence[str] = ()) -> tuple[R | None, bool]:
        """Change fields (attribute names; ``None`` deletes) and stamp ``modified_time``.

        ``if_absent`` values are written only where the field is not set yet; ``elapsed``
        triples ``(field, from_field, to_field)`` fill ``field`` with the whole seconds between
        two timestamps (see ``scripts.UPDATE``). A final status is never replaced: with
        ``strict`` a final record is left untouched and ``(record, False)`` returned; so is a
        record whose status is not in ``only_from`` (when given), in the same atomic step.
        Returns ``(record, changed)``; ``(None, False)`` when there is no such record.
        """
        sets, deletes = encode_fields(self.cls, {**values, "modified_time": now()})
        nx, _ = encode_fields(self.cls, {k: v for k, v in (if_absent or {}).items() if v is not None})
        ops = {
            "set": [item for pair in sets.items() for item in pair],
            "setnx": [item for pair in nx.items() for item in pair],
            "del": deletes,
            "elapsed": [[external_name(self.cls, f) for f in triple] for triple in elapsed],
            "strict": strict,
            "only_from": list(only_from),
        }
        reply = self._update(keys=[rkey], args=[self._spec, json.dumps(ops)])
        if reply is None:
            return None, False
        return self._decode(reply[1]), reply[0] == 1

    def set_status(self, rkey: str, status: str, values: Mapping[str, Any],
                   stamps: Mapping[str, Sequence[str]], elapsed: Sequence[tuple[str, str, str]] = (),
                   only_from: Sequence[str] = ()) -> R | None:
        """Move a record to ``status`` (with ``values``), unless its status is already final
        (or, with ``only_from``, while its current status is not one of those: checked atomically).

        The fields ``stamps[status]`` get the current time where unset; ``elapsed`` (see
        ``update``) applies when the new status is final. Returns the updated record, or
        None when nothing changed (no such record, or it was final already).
        """
        if status not in self.statuses:
            raise ValueError(f"unknown status {status!r}")
        stamp = now()
        record, changed = self.update(rkey, {**values, "status": status},
                                      if_absent={name: stamp for name in stamps.get(status, ())},
                                      elapsed=elapsed if status in self.final else (), strict=True,
                                      only_from=only_from)
        return record if changed else None

    def delete(self, rkey: str) -> bool:
        """Remove a record and its index entries; False if there was none."""
        return bool(self._delete(keys=[rkey], args=[self._spec]))

    def page(self, index_keys: Sequence[str], page: int = 1, page_size: int = 25) -> Page:
        """Page ``page`` (from 1) of the records in every one of ``index_keys``, newest first."""
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size start at 1")
        start = (page - 1) * page_size
        return self._query(index_keys, start, start + page_size - 1)

    def all(self, index_key: str) -> list[R]:
        """Every record in one index, newest first."""
        return self._query([index_key], 0, -1).records

    def first(self, index_key: str) -> R | None:
        """The newest record in an index, or None."""
        records = self._query([index_key], 0, 0).records
        return records[0] if records else None

    def count(self, index_key: str) -> int:
        """How many records an index holds."""
        return self.redis.zcard(index_key)

    def _query(self, index_keys: Sequence[str], start: int, stop: int) -> Page:
        scratch = keys.fill(keys.TMP, token=uuid.uuid4().hex)
        total, rows = self._page(keys=[*index_keys, scratch], args=[self._spec, start, stop])
        return Page([self._decode(row) for row in rows], total)

    def _decode(self, flat: Sequence[str] | Mapping[str, str]) -> R | None:
        if not flat:
            return None
        data = flat if isinstance(flat, Mapping) else dict(zip(flat[::2], flat[1::2], strict=True))
        return from_hash(self.cls, data)
