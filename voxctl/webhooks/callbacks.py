"""Status callback delivery: off the call's greenlet, bounded, retried, ordered per call, signed.

``CallbackDispatcher.send()`` only queues: it never performs I/O and never
yields, so a call's greenlet cannot wait on a customer's web server.

Delivery
    A fixed pool of worker greenlets delivers. Callbacks are queued per *key*
    (the ``call_id`` argument: a call id, or a conference id for conference
    events). A key has at most one callback in flight, so callbacks for one key
    arrive in the order they were sent; keys take turns (round robin), so a
    slow or dead receiver holds at most one worker per key and never delays
    other calls beyond the pool's fairness.
Retries
    Connection errors, timeouts (connect and read, from the settings) and 5xx
    answers are retried up to ``settings.callback_retries`` times with
    exponential backoff (``settings.callback_backoff`` * 2^n seconds, at most 30). A waiting retry
    does not hold a worker, but it does hold its key, so order is kept. 2xx is
    success; 4xx and invalid URLs fail at once.
Sequence numbers
    TwiML callbacks of kind ``status`` or ``conference`` get ``SequenceNumber``
    when they are queued, counting from 0 per key. Counters live in memory (an
    LRU of ``max(1024, 4 * max_calls)`` keys), like the call that feeds them.
Bounded memory
    At most ``settings.callback_queue_size`` callbacks wait (plus one in flight
    per key). When the queue is full the oldest waiting callback is dropped
    (counted in ``stats()["dropped"]``) to make room: the newest state of a call
    is worth more than its oldest.
Failures
    A callback that fails for good (retries exhausted, a 4xx, dropped, or still
    undelivered when ``stop()`` gives up) is recorded in Redis when a client is
    given (:class:`voxctl.webhooks.failures.FailureLog`) by a recorder greenlet,
    and listed by :meth:`CallbackDispatcher.failed` and ``voxctl callbacks failed``.
"""
from __future__ import annotations

import itertools
import logging
import uuid
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import gevent
import gevent.event
import gevent.pool
import gevent.queue

from voxctl.config import Settings
from voxctl.webhooks.client import HttpClient, TransportError
from voxctl.webhooks.failures import FailureLog
from voxctl.webhooks.request import METHODS, build_request
from voxctl.xml.verbs import FLAVOURS, TWIML

log = logging.getLogger(__name__)

SEQUENCED_KINDS = ("status", "conference")
MAX_BACKOFF = 30.0
UNRECORDED_LIMIT = 1000  # failures waiting for the recorder; beyond this the oldest are only logged
RECORDER_GRACE = 5.0  # seconds stop() gives the recorder to write the last failures


@dataclass(eq=False)
class _Job:
    """One callback: what to send and how far its delivery got."""

    id: int
    key: str
    url: str
    method: str
    flavour: str
    payload: dict[str, Any]
    account: Any
    kind: str
    token: str  # idempotency key, the same on every attempt
    attempts: int = 0


class CallbackDispatcher:
    """Queue callbacks from calls; deliver them from a bounded pool of workers.

    ``workers`` and ``backoff`` default to ``settings.callback_workers`` and
    ``settings.callback_backoff`` (seconds before the first retry, doubled each retry).
    """

    def __init__(self, client: HttpClient, settings: Settings, redis: Any = None, *,
                 workers: int | None = None, backoff: float | None = None) -> None:
        self.client = client
        self.settings = settings
        self.workers = max(1, settings.callback_workers if workers is None else workers)
        self.backoff = settings.callback_backoff if backoff is None else backoff
        self._failures = FailureLog(redis) if redis is not None else None
        self._pending: OrderedDict[int, _Job] = OrderedDict()  # waiting, oldest first
        self._queues: dict[str, deque[_Job]] = {}  # waiting, per key
        self._in_flight: dict[str, _Job] = {}  # being delivered or waiting to retry, per key
        self._ready: gevent.queue.Queue = gevent.queue.Queue()  # keys a worker may take
        self._scheduled: set[str] = set()  # keys in _ready
        self._sequence: OrderedDict[str, int] = OrderedDict()
        self._sequence_cap = max(1024, 4 * settings.max_calls)
        self._unrecorded: deque[dict[str, Any]] = deque(maxlen=UNRECORDED_LIMIT)
        self._record_wakeup = gevent.event.Event()
        self._idle = gevent.event.Event()
        self._idle.set()
        self._counters = dict.fromkeys(("sent", "failed", "dropped", "retried"), 0)
        self._ids = itertools.count()
        self._pool = gevent.pool.Group()  # the workers
        self._timers = gevent.pool.Group()  # retries waiting for their backoff
        self._recorder_greenlet: gevent.Greenlet | None = None
        self._stopped = False  # no new callbacks
        self._closing = False  # workers gone: the recorder writes what is left and ends

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the workers (and the failure recorder); callbacks sent before start wait."""
        if len(self._pool):
            return
        self._stopped = self._closing = False
        for _ in range(self.workers):
            self._pool.spawn(self._work)
        if self._failures is not None:
            self._recorder_greenlet = gevent.spawn(self._recorder)

    def stop(self, timeout: float | None = None) -> None:
        """Stop accepting, deliver what is queued for up to ``timeout`` seconds (default
        ``settings.shutdown_grace``), then record whatever is left as failed."""
        self._stopped = True
        if len(self._pool):
            self._idle.wait(self.settings.shutdown_grace if timeout is None else timeout)
        self._timers.kill()
        self._pool.kill()
        for job in [*self._pending.values(), *self._in_flight.values()]:
            self._counters["failed"] += 1
            self._record(job, "not delivered before shutdown")
        self._pending.clear()
        self._queues.clear()
        self._in_flight.clear()
        self._scheduled.clear()
        self._ready = gevent.queue.Queue()
        self._idle.set()
        self._closing = True
        self._record_wakeup.set()
        if self._recorder_greenlet is not None:
            self._recorder_greenlet.join(RECORDER_GRACE)
            self._recorder_greenlet.kill()
            self._recorder_greenlet = None
        self._flush_failures()

    # -- the caller's side -----------------------------------------------------------------

    def send(self, call_id: str, url: str, method: str, flavour: str, payload: Mapping[str, Any],
             account: Any = None, kind: str = "status") -> None:
        """Queue one callback and return at once (no I/O, no greenlet switch).

        ``payload`` is the event's parameters (see :mod:`voxctl.webhooks.events`);
        ``account`` (``.id``, ``.auth_token``, ``.signing_secret``) signs it and
        files its failures.
        """
        method = method.upper()
        if method not in METHODS or flavour not in FLAVOURS:
            raise ValueError(f"cannot send a {flavour!r} callback with method {method!r}")
        payload = dict(payload)
        if flavour == TWIML and kind in SEQUENCED_KINDS:
            payload["SequenceNumber"] = str(self._next_sequence(call_id))
        job = _Job(next(self._ids), call_id, url, method, flavour, payload, account, kind, uuid.uuid4().hex)
        if self._stopped:
            self._counters["dropped"] += 1
            log.warning("call %s: dispatcher stopped, %s callback to %s not sent", call_id, kind, url,
                        extra={"call_id": call_id})
            return
        while len(self._pending) >= max(1, self.settings.callback_queue_size):
            self._drop_oldest()
        self._pending[job.id] = job
        self._queues.setdefault(call_id, deque()).append(job)
        self._schedule(call_id)
        self._idle.clear()

    def stats(self) -> dict[str, int]:
        """Counters for metrics: sent, failed, dropped, retried, and the current queued/in_flight."""
        return {**self._counters, "queued": len(self._pending), "in_flight": len(self._in_flight)}

    def failed(self, account_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Recorded failures, newest first (empty without Redis)."""
        return self._failures.list(account_id, limit) if self._failures is not None else []

    # -- queueing ---------------------------------------------------------------------------

    def _next_sequence(self, key: str) -> int:
        number = self._sequence.pop(key, -1) + 1
        self._sequence[key] = number
        if len(self._sequence) > self._sequence_cap:
            self._sequence.popitem(last=False)
        return number

    def _schedule(self, key: str) -> None:
        """Offer ``key`` to the workers if it has work and nothing in flight."""
        if key in self._queues and key not in self._in_flight and key not in self._scheduled:
            self._scheduled.add(key)
            self._ready.put(key)

    def _drop_oldest(self) -> None:
        _, job = self._pending.popitem(last=False)
        queue = self._queues[job.key]
        queue.remove(job)
        if not queue:
            del self._queues[job.key]
        self._counters["dropped"] += 1
        log.warning("call %s: callback queue full (%d), dropped the oldest waiting %s callback to %s",
                    job.key, self.settings.callback_queue_size, job.kind, job.url, extra={"call_id": job.key})
        self._record(job, "dropped: callback queue full")

    def _take(self, key: str) -> _Job | None:
        queue = self._queues.get(key)
        if not queue or key in self._in_flight:
            return None
        job = queue.popleft()
        if not queue:
            del self._queues[key]
        self._pending.pop(job.id, None)
        self._in_flight[key] = job
        return job

    def _finish(self, job: _Job) -> None:
        del self._in_flight[job.key]
        self._schedule(job.key)
        if not self._queues and not self._in_flight:
            self._idle.set()

    def _resume(self, job: _Job) -> None:
        """After the backoff: put the job back first in its key's queue, for any worker."""
        self._queues.setdefault(job.key, deque()).appendleft(job)
        del self._in_flight[job.key]
        self._schedule(job.key)

    # -- delivery ---------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            key = self._ready.get()
            self._scheduled.discard(key)
            job = self._take(key)
            if job is not None:
                self._attempt(job)

    def _attempt(self, job: _Job) -> None:
        job.attempts += 1
        error, retryable = self._deliver(job)
        extra = {"call_id": job.key}
        if error is None:
            self._counters["sent"] += 1
            log.debug("call %s: %s callback delivered to %s", job.key, job.kind, job.url, extra=extra)
            self._finish(job)
        elif retryable and job.attempts <= self.settings.callback_retries:
            self._counters["retried"] += 1
            delay = min(MAX_BACKOFF, self.backoff * 2 ** (job.attempts - 1))
            log.info("call %s: %s callback to %s failed (%s), retry %d in %gs", job.key, job.kind, job.url,
                     error, job.attempts, delay, extra=extra)
            self._timers.add(gevent.spawn_later(delay, self._resume, job))
        else:
            self._counters["failed"] += 1
            log.warning("call %s: %s callback to %s failed after %d attempt(s): %s", job.key, job.kind,
                        job.url, job.attempts, error, extra=extra)
            self._record(job, error)
            self._finish(job)

    def _deliver(self, job: _Job) -> tuple[str | None, bool]:
        """One attempt: (None, _) on success, else (the error, whether to retry)."""
        try:
            request = build_request(job.method, job.url, job.payload, job.flavour, job.account,
                                    idempotency_key=job.token)
            response = self.client.send(request, self.client.callback_timeouts, call_id=job.key)
        except ValueError as exc:
            return str(exc), False
        except TransportError as exc:
            return exc.reason, True
        except Exception as exc:  # a bug in one delivery must not kill a worker
            log.exception("call %s: callback to %s crashed", job.key, job.url, extra={"call_id": job.key})
            return f"internal error: {exc!r}", False
        if 200 <= response.status < 300:
            return None, False
        return f"HTTP {response.status}", response.status >= 500

    # -- failures ---------------------------------------------------------------------------

    def _record(self, job: _Job, error: str) -> None:
        if self._failures is None:
            return
        self._unrecorded.append({
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "account_id": getattr(job.account, "id", None) or getattr(job.account, "sid", None),
            "call_id": job.key, "kind": job.kind, "flavour": job.flavour,
            "method": job.method, "url": job.url, "payload": job.payload, "attempts": job.attempts,
            "error": error,
        })
        self._record_wakeup.set()

    def _recorder(self) -> None:
        while not (self._closing and not self._unrecorded):
            self._record_wakeup.wait()
            self._record_wakeup.clear()
            self._flush_failures()

    def _flush_failures(self) -> None:
        if self._failures is None or not self._unrecorded:
            return
        batch = list(self._unrecorded)
        self._unrecorded.clear()
        self._failures.record(batch)
