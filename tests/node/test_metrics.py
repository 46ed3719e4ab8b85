"""``GET /metrics``: the figures move with real simulated calls, and the text is valid exposition format."""
from __future__ import annotations

import pytest
import requests

from tests.engine.helpers import wait_until
from tests.node.exposition import parse
from tests.node.test_shutdown import LONG_CALL
from voxctl import metrics

PAUSE = "<Response><Say>Hello</Say><Pause length='1'/></Response>"


class Scraper:
    """Scrapes one node's ``/metrics`` and reads samples out of the parsed text."""

    def __init__(self, node) -> None:
        self.url = f"http://127.0.0.1:{node.api_port}/metrics"

    def scrape(self) -> dict:
        response = requests.get(self.url, timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        families = parse(response.text)
        return {key: value for family in families.values() for key, value in family.samples.items()}

    @staticmethod
    def value(samples: dict, name: str, **labels: str) -> float:
        return samples.get((name, frozenset(labels.items())), 0.0)


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    return Scraper.value(after, name, **labels) - Scraper.value(before, name, **labels)


def test_call_counts_verb_latency_and_active_calls_follow_real_calls(node, dial):
    scraper = Scraper(node)
    before = scraper.scrape()
    held = dial(LONG_CALL)
    wait_until(lambda: len(node.sessions) == 1, 5, "the call running")
    during = scraper.scrape()
    assert delta(before, during, "voxctl_active_calls") == 1
    for _ in range(2):
        dial(PAUSE).wait(10)
    held.channel.hangup("NORMAL_CLEARING")  # the caller hangs up the long call
    held.wait(10)
    wait_until(lambda: len(node.sessions) == 0, 5, "the calls finalised")
    after = scraper.scrape()

    assert Scraper.value(after, "voxctl_active_calls") == Scraper.value(before, "voxctl_active_calls")
    assert delta(before, after, "voxctl_calls_total", status="complete") == 3
    for verb, count in (("Say", 3), ("Pause", 3)):
        assert delta(before, after, "voxctl_verb_duration_seconds_count", verb=verb) == count
        assert delta(before, after, "voxctl_verb_duration_seconds_bucket", verb=verb, le="+Inf") == count
        assert delta(before, after, "voxctl_verb_duration_seconds_sum", verb=verb) > 0
    # every Pause here ended within the test's 10 s waits, so within the 60 s bucket as well
    assert delta(before, after, "voxctl_verb_duration_seconds_bucket", verb="Pause", le="60") == 3


def test_document_errors_by_code_and_failed_calls(node, dial, http_server):
    scraper = Scraper(node)
    before = scraper.scrape()
    missing = http_server.url("/nothing-here.xml")
    dial(url=missing).wait(10)  # 404: 5107
    dial("<Response><Say>Hi</Say></Response>", content_type="image/png").wait(10)  # 5108
    dial("<NotAResponse/>").wait(10)  # 5105
    dial("<Response><Say>unclosed</Response>").wait(10)  # 5106
    wait_until(lambda: len(node.sessions) == 0, 5, "the calls finalised")
    after = scraper.scrape()
    for code in ("5105", "5106", "5107", "5108"):
        assert delta(before, after, "voxctl_document_errors_total", code=code) == 1, code
    assert delta(before, after, "voxctl_calls_total", status="failed") == 4


def test_callback_failures_and_api_requests_are_counted(node, dial, http_server):
    scraper = Scraper(node)
    before = scraper.scrape()
    rejecting = http_server.route("/status", lambda request: (404, {}, "no"))
    dial("<Response><Say>Hi</Say></Response>", flavour="twiml",
         application={"status_callback": rejecting, "status_callback_events": ["completed"]}).wait(10)
    wait_until(lambda: node.services.callbacks.stats()["failed"] >= 1, 5, "the callback failed")
    assert requests.get(f"http://127.0.0.1:{node.api_port}/healthz", timeout=5).status_code == 200
    after = scraper.scrape()
    assert delta(before, after, "voxctl_callback_failures_total") == 1
    assert delta(before, after, "voxctl_callback_drops_total") == 0
    assert delta(before, after, "voxctl_api_requests_total", endpoint="public.healthz", status="200") == 1
    # the first scrape itself was counted once it was answered
    assert delta(before, after, "voxctl_api_requests_total", endpoint="public.metrics_text", status="200") == 1


def test_label_values_are_escaped_and_bad_updates_are_refused():
    registry = metrics.Registry()
    counter = registry.counter("demo_total", "A help text with a \\ and\na newline.", ("path",))
    histogram = registry.histogram("demo_seconds", "Durations.", buckets=(0.5, 1.0))
    awkward = 'a "quoted"\\path\nwith a newline'
    counter.inc(2, path=awkward)
    histogram.observe(0.7)
    histogram.observe(3.0)
    families = parse(registry.render())
    assert families["demo_total"].samples == {("demo_total", frozenset({("path", awkward)})): 2.0}
    assert families["demo_total"].help == "A help text with a \\\\ and\\na newline."
    buckets = {dict(labels)["le"]: value for (name, labels), value in families["demo_seconds"].samples.items()
               if name == "demo_seconds_bucket"}
    assert buckets == {"0.5": 0, "1": 1, "+Inf": 2}
    for bad in (lambda: counter.inc(-1, path="x"), lambda: counter.inc(path="x", other="y"),
                lambda: registry.counter("demo_total", "again"), lambda: metrics.Counter("bad name", "x")):
        with pytest.raises(ValueError):
            bad()
