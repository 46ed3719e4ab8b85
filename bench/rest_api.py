"""Scenario 4: the native REST API on an API-only node (no engine pops the originate queue).

* ``POST /api/v1/calls``: ``create_clients`` clients in a loop for ``create_seconds``;
  requests per second, latency, and the API process's CPU per request.
* ``GET /api/v1/calls?page=P`` with ``stored_calls`` calls in Redis (seeded through the
  store's API from concurrent greenlets): latency of pages chosen at random over all pages.
"""
from __future__ import annotations

import random
import time
from typing import Any

import gevent
import gevent.pool
import requests

from bench.profiles import Profile
from bench.stack import CALLER, NUMBER, Stack
from bench.stats import summary_ms
from voxctl.store.records import CallRecord, CallStatus

PAGE_SIZE = 25
SEED_CONCURRENCY = 32
CREATE_BODY = {"to": NUMBER, "from": CALLER, "voxXML": "<Response><Say>Hello</Say></Response>"}


def run(stack: Stack, profile: Profile) -> dict[str, Any]:
    stack.reset()
    api = stack.engine(None, role="api")
    try:
        base = f"http://127.0.0.1:{api.info['api_port']}/api/v1"
        headers = {"Authorization": f"Bearer {stack.api_key}"}
        cpu_before = api.cpu()
        create = create_calls(base, headers, profile.create_clients, profile.create_seconds)
        create["api_cpu_ms_per_request"] = round((api.cpu() - cpu_before) * 1000 / max(1, create["requests"]), 3)
        started = time.perf_counter()
        stored = max(profile.stored_calls, create["created"])
        seed(stack, stored - create["created"])
        seconds = time.perf_counter() - started
        listing = list_pages(base, headers, stored, profile.list_requests)
        return {"create": create, "list": {**listing, "seed_seconds": round(seconds, 1)}}
    finally:
        api.stop()


def create_calls(base: str, headers: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    """POST /calls from ``clients`` concurrent clients for ``seconds``; rate of 201s and latency."""
    latencies: list[float] = []
    errors = 0
    started: list[float] = []  # when the first client ran: the window starts there

    def client() -> None:
        nonlocal errors
        started.append(started[0] if started else time.perf_counter())
        with requests.Session() as session:
            session.headers.update(headers)
            while time.perf_counter() < started[0] + seconds:
                start = time.perf_counter()
                response = session.post(f"{base}/calls", json=CREATE_BODY, timeout=30)
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 201

    gevent.joinall([gevent.spawn(client) for _ in range(clients)], raise_error=True)
    elapsed = time.perf_counter() - started[0]
    created = len(latencies) - errors
    return {"clients": clients, "requests": len(latencies), "created": created, "errors": errors,
            "per_second": round(created / elapsed, 1), "latency": summary_ms(latencies)}


def seed(stack: Stack, count: int) -> None:
    """Store ``count`` ended calls of the bench account through ``store.calls.create``."""
    calls = stack.store.calls

    def one(i: int) -> None:
        calls.create(CallRecord(account_id=stack.account_id, direction="inbound", to=NUMBER,
                                from_=f"1555{i:07d}", status=CallStatus.COMPLETE))

    gevent.pool.Pool(SEED_CONCURRENCY).map(one, range(max(0, count)))


def list_pages(base: str, headers: dict[str, str], stored: int, requests_: int) -> dict[str, Any]:
    """GET ``requests_`` random pages of /calls; latency, and errors (non-200 or a wrong count)."""
    pages = max(1, -(-stored // PAGE_SIZE))
    rng = random.Random(9)
    seconds, errors = [], 0
    with requests.Session() as session:
        session.headers.update(headers)
        for _ in range(requests_):
            page = rng.randint(1, pages)
            start = time.perf_counter()
            response = session.get(f"{base}/calls", params={"page": page, "page_size": PAGE_SIZE}, timeout=30)
            seconds.append(time.perf_counter() - start)
            errors += response.status_code != 200 or response.json().get("count") != stored
    return {"stored_calls": stored, "page_size": PAGE_SIZE, **summary_ms(seconds), "errors": errors}
