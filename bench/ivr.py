"""One batch of IVR calls against the engine or the floor: failures, setup latency, CPU per call."""
from __future__ import annotations

import os
from typing import Any

from bench.calls import failed_ivr_calls, ivr_caller, unfinished_records
from bench.load import Load, wait_all
from bench.procs import Child, cpu_seconds
from bench.stack import Stack
from bench.stats import summary_ms

RECORD_WAIT = 10.0  # seconds the engine gets to finalise the records once the calls are over
LATE_SETUP = 1.0  # seconds: a call that waited longer for its first prompt is counted as late
FAILURE_SAMPLES = 3  # failed calls described in the results


def run_ivr(stack: Stack, load: Load, target: Child, rate: float, count: int, drain: float,
            engine: bool = True, hangup_after: float | None = None) -> dict[str, Any]:
    """Place ``count`` IVR calls at ``rate``/s to ``target`` and wait up to ``drain`` s for them.

    With ``hangup_after`` each caller hangs up that many seconds after its call started, and
    only the first prompt is expected.

    ``failed`` counts calls that did not hear the whole IVR and end normally (and, for the
    engine, whose record is not ``complete``); ``late`` those whose setup took over
    ``LATE_SETUP``. CPU figures are ms per call of the target, of Redis and of this process
    (the simulator and load generator).
    """
    cpu = _cpu(stack, target)
    batch = load.run(ivr_caller(target.info["outbound_port"], hangup_after), rate, count)
    wait_all([placed.call.done for placed in batch.placed], drain)
    failures = failed_ivr_calls(batch, 1) if hangup_after is not None else failed_ivr_calls(batch)
    unrecorded = unfinished_records(stack.redis, batch, RECORD_WAIT) if engine else 0
    failed = max(len(failures), unrecorded)
    used = {name: after - before if before is not None else None
            for (name, before), after in zip(cpu.items(), _cpu(stack, target).values(), strict=True)}
    setups = [placed.setup for placed in batch.placed if placed.setup is not None]
    return {"rate": rate, "offered": batch.offered, "calls": count, "failed": failed,
            "late": sum(1 for seconds in setups if seconds > LATE_SETUP),
            "unrecorded": unrecorded, "failures": failures[:FAILURE_SAMPLES], "setup": summary_ms(setups),
            **{f"{name}_cpu_ms_per_call": round(seconds * 1000 / count, 3) if seconds is not None else None
               for name, seconds in used.items()}}


def _cpu(stack: Stack, target: Child) -> dict[str, float | None]:
    return {"target": target.cpu(), "redis": stack.redis_cpu(), "driver": cpu_seconds(os.getpid())}


def warm_up(stack: Stack, load: Load, target: Child, engine: bool = True, hangup_after: float | None = None) -> None:
    """A few calls first, so imports and connection pools are not in the figures."""
    run_ivr(stack, load, target, rate=20, count=5, drain=30, engine=engine, hangup_after=hangup_after)
