"""``python -m bench --tiny`` runs every scenario end to end and writes a well-formed result.

The benchmark is not a test: nothing here looks at how fast anything was (nor at how
many calls a loaded machine failed), only that every scenario ran against real
processes, its calls worked, and it reported every figure.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import GOALS

ROOT = Path(__file__).resolve().parents[2]
STATUSES = {"met", "missed", "not measured"}


def _numbers(*values: object) -> None:
    for value in values:
        assert isinstance(value, (int, float)) and value >= 0, value


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--tiny", "--json", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text()), done.stdout


def test_every_scenario_reports_its_figures(tiny_run):
    results, _ = tiny_run
    assert results["profile"]["name"] == "tiny"
    for who in ("engine", "floor"):
        steps = results["setup_latency"][who]
        assert [step["rate"] for step in steps] == results["profile"]["setup_rates"]
        for step in steps:
            assert step["failed"] < step["calls"], step["failures"]  # the calls work (however slowly)
            _numbers(step["setup"]["p50_ms"], step["setup"]["p99_ms"], step["target_cpu_ms_per_call"])
    throughput = results["throughput"]
    assert throughput["steps"] and all("passed" in step for step in throughput["steps"])
    _numbers(throughput["sustained_rate"], throughput["reference"]["engine_cpu_ms_per_call"],
             throughput["reference"]["floor_cpu_ms_per_call"])
    assert throughput["floor"]["failed"] < throughput["floor"]["calls"], throughput["floor"]["failures"]
    for case in ("pause", "conference"):
        held = results["concurrency"][case]
        assert held["calls"] == results["profile"]["concurrent"] and held["not_held"] == 0
        assert held["modify"]["errors"] == 0 and held["modify"]["n"] == results["profile"]["modifies"]
        _numbers(held["rss_held_kb"], held["modify"]["p99_ms"])
    api = results["rest_api"]
    assert api["create"]["created"] > 0 and api["create"]["errors"] == 0
    assert api["list"]["errors"] == 0 and api["list"]["n"] == results["profile"]["list_requests"]
    assert api["list"]["stored_calls"] >= results["profile"]["stored_calls"]


def test_floor_ratios_and_goals_are_reported(tiny_run):
    results, table = tiny_run
    ratios = results["floor_ratios"]
    assert set(ratios) == {"cpu_per_call", "setup_p50_at_10", "setup_p99_at_10", "setup_p50_at_100",
                           "setup_p99_at_100"}
    assert [goal["goal"] for goal in results["goals"]] == [goal.name for goal in GOALS]
    assert {goal["status"] for goal in results["goals"]} <= STATUSES - {"not measured"}
    for label in ("1 setup", "2 throughput", "3 concurrency", "4 REST", "5 floor", "goal"):
        assert label in table
