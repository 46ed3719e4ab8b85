"""Sizes of a bench run: ``tiny`` (the smoke test, seconds), ``default`` (``make bench``, minutes), ``full``."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    """Every size and rate a run uses (see docs/benchmarks.rst)."""

    name: str
    setup_rates: tuple[float, ...] = (10, 100)  # new calls/s for scenario 1
    setup_seconds: float = 10.0  # seconds of calls at each setup rate
    throughput_rates: tuple[float, ...] = (10, 25, 50, 75, 100, 150, 200, 300, 400, 500)  # the step search
    step_seconds: float = 5.0
    throughput_speed: float = 20.0  # simulator speed for scenario 2 (media is not what is measured)
    concurrent: int = 1000  # calls held at once in scenario 3
    room_size: int = 10
    hold_rate: float = 200.0  # new calls/s while filling up scenario 3
    modifies: int = 200  # REST modifies timed while the calls are held
    create_seconds: float = 10.0  # scenario 4: seconds of POST /calls
    create_clients: int = 8  # concurrent API clients
    stored_calls: int = 100_000  # calls in Redis for the list pages
    list_requests: int = 300
    drain: float = 60.0  # seconds a batch of calls gets to finish


PROFILES = {
    "tiny": Profile("tiny", setup_rates=(10, 100), setup_seconds=0.3, throughput_rates=(20, 40),
                    step_seconds=0.5, throughput_speed=50.0, concurrent=20, modifies=5, hold_rate=50.0,
                    create_seconds=0.5, create_clients=2, stored_calls=200, list_requests=10, drain=30.0),
    "default": Profile("default"),
    "full": Profile("full", setup_seconds=20.0, step_seconds=10.0, concurrent=5000, modifies=500),
}


def profile(name: str, concurrent: int | None = None) -> Profile:
    """The named profile, with ``concurrent`` held calls when given."""
    chosen = PROFILES[name]
    return replace(chosen, concurrent=concurrent) if concurrent else chosen
