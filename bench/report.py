"""The result table, the goals (met or missed) and the floor ratios, from one run's results."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Results = dict[str, Any]


def _dig(results: Results, *path: Any) -> Any:
    """``results[a][b]...``, None where any part is missing."""
    value: Any = results
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def setup_p99(results: Results, who: str, rate: float) -> float | None:
    """p99 setup latency (ms) of ``who`` (engine or floor) at ``rate`` calls/s."""
    for step in _dig(results, "setup_latency", who) or []:
        if step["rate"] == rate:
            return step["setup"]["p99_ms"]
    return None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 2) if numerator is not None and denominator else None


def floor_ratios(results: Results) -> dict[str, float | None]:
    """Engine over floor: CPU per call at the reference rate, setup p50/p99 at each setup rate."""
    out = {"cpu_per_call": ratio(_dig(results, "throughput", "reference", "engine_cpu_ms_per_call"),
                                 _dig(results, "throughput", "reference", "floor_cpu_ms_per_call"))}
    for engine, floor in zip(_dig(results, "setup_latency", "engine") or [],
                             _dig(results, "setup_latency", "floor") or [], strict=False):
        for q in ("p50_ms", "p99_ms"):
            out[f"setup_{q[:3]}_at_{engine['rate']:g}"] = ratio(engine["setup"][q], floor["setup"][q])
    return out


@dataclass(frozen=True)
class Goal:
    """A target from issue #9: ``figure(results)`` compared with ``limit``."""

    name: str
    figure: Callable[[Results], float | None]
    limit: float
    at_most: bool = True  # False: the figure must be at least the limit
    needs_calls: int = 0  # held calls the goal is stated for (0: any size)


GOALS = [
    Goal("setup p99 < 20 ms at 100 calls/s", lambda r: setup_p99(r, "engine", 100), 20),
    Goal(">= 300 calls/s sustained", lambda r: _dig(r, "throughput", "sustained_rate"), 300, at_most=False),
    Goal("CPU per call within 2x floor", lambda r: _dig(r, "floor_ratios", "cpu_per_call"), 2),
    Goal("held calls < 50 KB each (pause)", lambda r: _dig(r, "concurrency", "pause", "kb_per_call"), 50,
         needs_calls=5000),
    Goal("held calls < 50 KB each (conference)",
         lambda r: _dig(r, "concurrency", "conference", "kb_per_call"), 50, needs_calls=5000),
    Goal("REST modify p99 < 50 ms while held",
         lambda r: _dig(r, "concurrency", "pause", "modify", "p99_ms"), 50, needs_calls=5000),
    Goal("list page p99 < 20 ms at 100k calls", lambda r: _dig(r, "rest_api", "list", "p99_ms"), 20),
]


def judge(results: Results) -> list[dict[str, Any]]:
    """Each goal: its figure, ``met``/``missed``/``not measured``, and a note when measured at a smaller size."""
    held = _dig(results, "concurrency", "pause", "calls") or 0
    stored = _dig(results, "rest_api", "list", "stored_calls") or 0
    out = []
    for goal in GOALS:
        value = goal.figure(results)
        if value is None:
            status = "not measured"
        else:
            status = "met" if (value < goal.limit if goal.at_most else value >= goal.limit) else "missed"
        note = ""
        if value is None:
            pass
        elif goal.needs_calls and held < goal.needs_calls:
            note = f"measured with {held} held calls, not {goal.needs_calls}"
        elif "100k" in goal.name and stored < 100_000:
            note = f"measured with {stored} stored calls"
        out.append({"goal": goal.name, "value": value, "status": status, "note": note})
    return out


def rows(results: Results) -> list[tuple[str, str, str]]:
    """The table: (scenario, figure, value) for every headline number."""
    out: list[tuple[str, str, str]] = []
    for who in ("engine", "floor"):
        for step in _dig(results, "setup_latency", who) or []:
            s = step["setup"]
            out.append(("1 setup", f"{who} @ {step['rate']:g}/s (offered {step['offered']:g}, failed {step['failed']})",
                        f"p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms"))
    t = results.get("throughput") or {}
    for step in t.get("steps", []):
        out.append(("2 throughput", f"engine @ {step['rate']:g}/s (offered {step['offered']:g})",
                    f"{'ok' if step['passed'] else 'FAILED'}: failed {step['failed']}, late {step['late']}, "
                    f"{step['target_cpu_ms_per_call']} CPU ms/call, setup p99 {step['setup']['p99_ms']} ms"))
    if t:
        out.append(("2 throughput", "sustained rate (calls/s)", f"{t['sustained_rate']:g}"))
        out.append(("2 throughput", "engine CPU ms/call at sustained rate", str(t["cpu_ms_per_call"])))
        floor = t["floor"]
        out.append(("2 throughput", f"floor @ {floor['rate']:g}/s", f"failed {floor['failed']}, "
                    f"{floor['target_cpu_ms_per_call']} CPU ms/call"))
    for case in ("pause", "conference"):
        c = _dig(results, "concurrency", case)
        if c is None:
            continue
        m = c["modify"]
        out.append(("3 concurrency", f"{case}: {c['calls']} held (not held {c['not_held']})",
                    f"{c['kb_per_call']} KB/call; PATCH p50 {m['p50_ms']} ms, p99 {m['p99_ms']} ms, "
                    f"errors {m['errors']}"))
    api = results.get("rest_api") or {}
    if api:
        c, li = api["create"], api["list"]
        out.append(("4 REST", f"POST /calls ({c['clients']} clients)",
                    f"{c['per_second']}/s, p99 {c['latency']['p99_ms']} ms, errors {c['errors']}, "
                    f"{c['api_cpu_ms_per_request']} CPU ms/request"))
        out.append(("4 REST", f"GET /calls page of {li['page_size']}, {li['stored_calls']} stored",
                    f"p50 {li['p50_ms']} ms, p99 {li['p99_ms']} ms, errors {li['errors']}"))
    for name, value in (results.get("floor_ratios") or {}).items():
        out.append(("5 floor", f"engine / floor: {name}", "n/a" if value is None else f"{value}x"))
    return out


def table(results: Results) -> str:
    """The rows and the goals as aligned text."""
    lines = [(a, b, c) for a, b, c in rows(results)]
    lines += [("goal", g["goal"], f"{g['status'].upper()} ({g['value']})" + (f" [{g['note']}]" if g["note"] else ""))
              for g in results.get("goals", [])]
    widths = [max(len(line[i]) for line in lines) for i in range(2)] if lines else [0, 0]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in lines)
