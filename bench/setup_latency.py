"""Scenario 1: call setup latency at 10 and 100 new calls/s, engine and floor, simulator at speed 1.

Setup latency: from the switch connecting to the application's socket to the first media
command (the IVR's first ``speak``); for the engine that includes fetching the document
from the document server, parsing it and writing the call's record to Redis.
"""
from __future__ import annotations

from typing import Any

from bench.ivr import run_ivr, warm_up
from bench.load import Load
from bench.profiles import Profile
from bench.stack import Stack


def run(stack: Stack, profile: Profile) -> dict[str, Any]:
    stack.reset()
    sim = stack.simulator(speed=1.0)
    load = Load(sim)
    result: dict[str, Any] = {}
    try:
        for name, start in (("engine", lambda: stack.engine(sim)), ("floor", stack.floor)):
            target = start()
            try:
                warm_up(stack, load, target, engine=name == "engine")
                result[name] = [run_ivr(stack, load, target, rate, max(1, round(rate * profile.setup_seconds)),
                                        profile.drain, engine=name == "engine")
                                for rate in profile.setup_rates]
            finally:
                target.stop()
    finally:
        sim.stop()
    return result
