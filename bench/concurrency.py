"""Scenario 3: N calls held at once, in a long Pause and in conferences of ``room_size``.

For each: the engine's resident memory per call (RSS once all N are held minus RSS before,
over the calls actually held) and the latency of ``PATCH /api/v1/calls/{id}`` (a new document: another long
Pause) sent one at a time to held calls while all N are held.
"""
from __future__ import annotations

import time
from typing import Any

import gevent
import requests

from bench.calls import holding_caller
from bench.documents import PAUSE
from bench.load import Load, wait_all
from bench.profiles import Profile
from bench.stack import Stack
from bench.stats import summary_ms

WARM_CALLS = 10
SETTLE = 1.0  # seconds for the engine to finish the work of the last joins before RSS is read


def run(stack: Stack, profile: Profile) -> dict[str, Any]:
    return {"pause": hold(stack, profile, room_size=0),
            "conference": hold(stack, profile, room_size=profile.room_size)}


def hold(stack: Stack, profile: Profile, room_size: int) -> dict[str, Any]:
    """Hold ``profile.concurrent`` calls on a fresh engine; memory per call and modify latency."""
    stack.reset()
    n = profile.concurrent
    sim = stack.simulator(speed=1.0)
    load = Load(sim)
    engine = stack.engine(sim, max_calls=n + WARM_CALLS + 100)
    try:
        script = holding_caller(engine.info["outbound_port"], stack.docs_url, stack.account_id, room_size)
        warm = load.run(script, rate=50, count=WARM_CALLS)  # fill pools, imports; then gone
        wait_all([placed.held for placed in warm.placed], profile.drain)
        for placed in warm.placed:
            placed.call.channel.hangup("NORMAL_CLEARING")
        wait_all([placed.call.done for placed in warm.placed], profile.drain)
        gevent.sleep(SETTLE)
        rss_before = engine.rss_kb()
        batch = load.run(lambda i: script(i + WARM_CALLS), profile.hold_rate, n)
        not_held = wait_all([placed.held for placed in batch.placed], profile.drain + n / profile.hold_rate)
        gevent.sleep(SETTLE)
        rss_held = engine.rss_kb()
        ids = [placed.call.uuid for placed in batch.placed if placed.held.is_set()]
        modify = modify_latency(engine.info["api_port"], stack.api_key, ids, profile.modifies)
        return {"calls": n, "room_size": room_size or None, "not_held": not_held,
                "rss_before_kb": rss_before, "rss_held_kb": rss_held,
                "kb_per_call": round((rss_held - rss_before) / len(ids), 2) if ids else None, "modify": modify}
    finally:
        engine.stop(kill=True)  # the held calls end with the process; the simulator hangs them up
        sim.stop()


def modify_latency(api_port: int, api_key: str, ids: list[str], count: int) -> dict[str, Any]:
    """Time ``count`` sequential PATCHes spread over ``ids``; non-204 answers count as errors."""
    chosen = ids[::max(1, len(ids) // count)][:count] if ids else []
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {api_key}"
    base = f"http://127.0.0.1:{api_port}/api/v1/calls/"
    seconds, errors = [], 0
    for call_id in chosen:
        start = time.perf_counter()
        response = session.patch(base + call_id, json={"voxXML": PAUSE}, timeout=30)
        seconds.append(time.perf_counter() - start)
        errors += response.status_code != 204
    session.close()
    return {**summary_ms(seconds), "errors": errors}
