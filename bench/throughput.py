"""Scenario 2: the highest rate of new IVR calls/s the engine carries with no failed call.

A step search: each step places ``rate * step_seconds`` calls at ``rate``; the search stops at
the first step with a failed call, a setup p99 over ``ivr.LATE_SETUP`` (the node was queueing
calls, not carrying them), or where the load generator could not offer the rate.
Media is sped up (``throughput_speed``): the engine's work per call is what is measured.
The floor runs at the reference rate (the first step) for the CPU-per-call ratio.
"""
from __future__ import annotations

from typing import Any

from bench.ivr import LATE_SETUP, run_ivr, warm_up
from bench.load import Load
from bench.profiles import Profile
from bench.stack import Stack

OFFERED_SHARE = 0.95  # a step counts only if the generator offered at least this share of its rate


def passed(step: dict[str, Any]) -> bool:
    """No failed call, setup p99 within ``LATE_SETUP`` (a backlog is not a carried rate), the rate offered."""
    p99 = step["setup"]["p99_ms"]
    return step["failed"] == 0 and p99 is not None and p99 <= LATE_SETUP * 1000 and \
        step["offered"] >= OFFERED_SHARE * step["rate"]


def run(stack: Stack, profile: Profile) -> dict[str, Any]:
    stack.reset()
    sim = stack.simulator(speed=profile.throughput_speed)
    load = Load(sim)
    steps: list[dict[str, Any]] = []
    try:
        engine = stack.engine(sim)
        try:
            warm_up(stack, load, engine)
            for rate in profile.throughput_rates:
                step = run_ivr(stack, load, engine, rate, round(rate * profile.step_seconds), profile.drain)
                step["passed"] = passed(step)
                steps.append(step)
                if not step["passed"]:
                    break
        finally:
            engine.stop()
        floor = stack.floor()
        try:
            warm_up(stack, load, floor, engine=False)
            rate = profile.throughput_rates[0]
            floor_step = run_ivr(stack, load, floor, rate, round(rate * profile.step_seconds), profile.drain,
                                 engine=False)
        finally:
            floor.stop()
    finally:
        sim.stop()
    carried = [step for step in steps if step["passed"]]
    best = carried[-1] if carried else None
    return {"speed": profile.throughput_speed, "steps": steps, "floor": floor_step,
            "sustained_rate": best["rate"] if best else 0,
            "cpu_ms_per_call": best["target_cpu_ms_per_call"] if best else None,
            "reference": {"rate": steps[0]["rate"], "engine_cpu_ms_per_call": steps[0]["target_cpu_ms_per_call"],
                          "floor_cpu_ms_per_call": floor_step["target_cpu_ms_per_call"]}}
