"""Call records: create, read, update, status transitions, per-account listing with filters.

A call is a hash (``keys.CALL``) in its account's index and in one index per
filterable field (to, from, status, direction, parent call), so every filtered
page is one sorted-set range (several filters: one intersection), one round trip.
Calls that are not final are also in the live indexes (all nodes, and the node
holding the call). A final status never changes; the record then expires after
``retention`` seconds (7 days by default).
"""
from __future__ import annotations

from collections.abc import Sequence

import redis

from voxctl import metrics
from voxctl.store import keys
from voxctl.store.ids import is_uuid, new_id
from voxctl.store.records import CallRecord, CallStatus
from voxctl.store.table import Index, Page, Table, filter_keys

RETENTION = 7 * 24 * 3600  # seconds a final call is kept

_INDEXES = (
    Index(keys.ACCOUNT_CALLS),
    Index(keys.CALLS_BY_TO),
    Index(keys.CALLS_BY_FROM),
    Index(keys.CALLS_BY_STATUS),
    Index(keys.CALLS_BY_DIRECTION),
    Index(keys.CALLS_BY_PARENT),
    Index(keys.LIVE_CALLS, live=True),
    Index(keys.NODE_LIVE_CALLS, live=True),
)

# times stamped (when still unset) on reaching a status
_STAMPS = {
    CallStatus.PROCESSING: ("start_time",),
    CallStatus.RINGING: ("start_time",),
    CallStatus.ANSWERED: ("start_time", "answer_time"),
    **{status: ("hangup_time",) for status in CallStatus.FINAL},
}


class Calls:
    """The call records of every account."""

    def __init__(self, client: redis.Redis, retention: float = RETENTION) -> None:
        self.table: Table[CallRecord] = Table(client, CallRecord, keys.CALL, _INDEXES, CallStatus.ALL,
                                              CallStatus.FINAL, retention)

    def create(self, record: CallRecord) -> CallRecord:
        """Store a new call (an id is assigned if it has none); ValueError without an account."""
        if not record.account_id:
            raise ValueError("a call belongs to an account")
        record.id = record.id or new_id()
        return self.table.insert(record)[0]

    def get(self, call_id: str, account_id: str | None = None) -> CallRecord | None:
        """The call, or None; with ``account_id``, another account's call is None too."""
        return self.table.get(self.table.key(id=call_id), account_id) if is_uuid(call_id) else None

    def update(self, call_id: str, **fields: object) -> CallRecord | None:
        """Change fields (``None`` clears one); a final status stays. The updated record, or None."""
        return self.table.update(self.table.key(id=call_id), fields)[0]

    def set_status(self, call_id: str, status: str, *, only_from: Sequence[str] = (),
                   **fields: object) -> CallRecord | None:
        """Move the call to ``status``, stamping start/answer/hangup times and the duration.

        With ``only_from`` the move happens only while the call's status is one of those,
        checked in the same atomic write (``ringing`` never overwrites a later status).
        Returns the updated record, or None if there is no such call, ``only_from`` ruled the
        move out, or it was final already (so only one caller ever sees a call end, and
        counts it in ``voxctl_calls_total``).
        """
        record = self.table.set_status(self.table.key(id=call_id), status, fields, _STAMPS,
                                       elapsed=[("duration", "answer_time", "hangup_time")],
                                       only_from=only_from)
        if record is not None and status in CallStatus.FINAL:
            metrics.CALLS_TOTAL.inc(status=status)
        return record

    def list(self, account_id: str, page: int = 1, page_size: int = 25, to: str | None = None,
             from_: str | None = None, status: str | None = None, direction: str | None = None,
             parent_call_id: str | None = None) -> Page:
        """One page of an account's calls, newest first, and the total matching the filters."""
        filters = [(keys.CALLS_BY_TO, "to", to), (keys.CALLS_BY_FROM, "from", from_),
                   (keys.CALLS_BY_STATUS, "status", status), (keys.CALLS_BY_DIRECTION, "direction", direction),
                   (keys.CALLS_BY_PARENT, "parent_call_id", parent_call_id)]
        return self.table.page(filter_keys(keys.ACCOUNT_CALLS, filters, account_id=account_id), page, page_size)

    def active(self, node_id: str | None = None) -> list[CallRecord]:
        """Calls not yet final: all of them, or those held by ``node_id``."""
        index = keys.fill(keys.NODE_LIVE_CALLS, node_id=node_id) if node_id else keys.LIVE_CALLS
        return self.table.all(index)

    def delete(self, call_id: str) -> bool:
        """Remove a call record now; False if there was none."""
        return self.table.delete(self.table.key(id=call_id))
