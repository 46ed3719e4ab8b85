"""Process-local metrics in the Prometheus text exposition format (version 0.0.4).

A small registry with no dependency: :class:`Counter`, :class:`Gauge` and
:class:`Histogram`, each with optional labels, and :meth:`Registry.render`. The
values live in this process, so they describe one node; Prometheus scrapes every
node's ``/metrics`` and sums across them. Updates take a lock that never blocks
between greenlets (no I/O under it), so greenlets and threads may update freely.

The node's metrics are module globals (``ACTIVE_CALLS``, ``CALLS_TOTAL``, ...),
registered in :data:`REGISTRY`; the code that sees an event updates them.
Values some component already counts (the callback dispatcher's ``stats()``) are
turned into metrics at scrape time with :func:`from_values`.
"""
from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

LabelValues = tuple[str, ...]


def _number(value: float) -> str:
    """A sample value as the format writes it (``+Inf``, ``NaN``, integers without ``.0``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() and abs(value) < 2 ** 53 else repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    return "{" + ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)) + "}"


class Metric:
    """One metric family: a name, its help text, its label names and one value per label set."""

    kind = "untyped"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        if not _NAME.match(name):
            raise ValueError(f"invalid metric name {name!r}")
        for label in labels:
            if not _LABEL.match(label) or label.startswith("__") or label == "le":
                raise ValueError(f"invalid label name {label!r} for {name}")
        self.name = name
        self.help = help_text
        self.label_names = tuple(labels)
        self._lock = threading.Lock()
        self._values: dict[LabelValues, float] = {} if labels else {(): 0.0}

    def _key(self, labels: Mapping[str, object]) -> LabelValues:
        if set(labels) != set(self.label_names):
            raise ValueError(f"{self.name} takes labels {self.label_names}, got {tuple(labels)}")
        return tuple(str(labels[n]) for n in self.label_names)

    def _add(self, amount: float, labels: Mapping[str, object]) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: object) -> float:
        """The current value for ``labels`` (0 when never set)."""
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        """The sample lines of this family."""
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.label_names, key)} {_number(v)}" for key, v in items]

    def render(self) -> str:
        """``# HELP``, ``# TYPE`` and the samples, newline-terminated."""
        help_text = self.help.replace("\\", "\\\\").replace("\n", "\\n")
        head = [f"# HELP {self.name} {help_text}", f"# TYPE {self.name} {self.kind}"]
        return "\n".join(head + self.samples()) + "\n"


class Counter(Metric):
    """A value that only goes up (name it ``..._total``)."""

    kind = "counter"

    def inc(self, amount: float = 1.0, **labels: object) -> None:
        """Add ``amount`` (>= 0) to the counter of ``labels``."""
        if amount < 0:
            raise ValueError(f"{self.name}: a counter cannot go down")
        self._add(amount, labels)


class Gauge(Metric):
    """A value that goes up and down."""

    kind = "gauge"

    def inc(self, amount: float = 1.0, **labels: object) -> None:
        self._add(amount, labels)

    def dec(self, amount: float = 1.0, **labels: object) -> None:
        self._add(-amount, labels)

    def set(self, value: float, **labels: object) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = float(value)


class Histogram(Metric):
    """Observations counted in cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = (),
                 buckets: Sequence[float] = DEFAULT_BUCKETS) -> None:
        super().__init__(name, help_text, labels)
        bounds = sorted(float(b) for b in buckets)
        if not bounds or len(set(bounds)) != len(bounds):
            raise ValueError(f"{name}: buckets must be distinct and not empty")
        self.buckets = tuple(b for b in bounds if not math.isinf(b)) + (math.inf,)
        self._series: dict[LabelValues, list[float]] = {}  # per bucket counts (not cumulative), then sum
        self._values = {}

    def observe(self, value: float, **labels: object) -> None:
        """Count one observation of ``value``."""
        key = self._key(labels)
        index = next(i for i, bound in enumerate(self.buckets) if value <= bound)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = [0.0] * (len(self.buckets) + 1)
            series[index] += 1
            series[-1] += value

    def count(self, le: float = math.inf, **labels: object) -> int:
        """Observations of ``labels`` at most ``le`` (``le`` must be a bucket bound)."""
        series = self._series.get(self._key(labels))
        if series is None:
            return 0
        return int(sum(series[:self.buckets.index(le) + 1]))

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted((key, list(series)) for key, series in self._series.items())
        lines = []
        for key, series in items:
            cumulative = 0.0
            for bound, hits in zip(self.buckets, series[:-1], strict=True):
                cumulative += hits
                names, values = self.label_names + ("le",), key + (_number(bound),)
                lines.append(f"{self.name}_bucket{_labels(names, values)} {_number(cumulative)}")
            lines.append(f"{self.name}_sum{_labels(self.label_names, key)} {_number(series[-1])}")
            lines.append(f"{self.name}_count{_labels(self.label_names, key)} {_number(cumulative)}")
        return lines


class Registry:
    """The metric families of this process, rendered together."""

    def __init__(self) -> None:
        self._metrics: dict[str, Metric] = {}

    def register(self, metric: Metric) -> Metric:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} registered twice")
        self._metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Counter:
        return self.register(Counter(name, help_text, labels))

    def gauge(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Gauge:
        return self.register(Gauge(name, help_text, labels))

    def histogram(self, name: str, help_text: str, labels: Sequence[str] = (),
                  buckets: Sequence[float] = DEFAULT_BUCKETS) -> Histogram:
        return self.register(Histogram(name, help_text, labels, buckets))

    def render(self, extra: Iterable[Metric] = ()) -> str:
        """Every registered family, then ``extra`` (families built at scrape time)."""
        return "".join(m.render() for m in [*self._metrics.values(), *extra])


def from_values(kind: type[Metric], name: str, help_text: str, value: float) -> Metric:
    """An unlabelled metric of ``kind`` holding ``value`` (for figures counted elsewhere)."""
    metric = kind(name, help_text)
    metric._values[()] = float(value)
    return metric


# the callback dispatcher's ``stats()`` keys -> the metric each becomes
CALLBACK_FIGURES: tuple[tuple[str, type[Metric], str, str], ...] = (
    ("sent", Counter, "voxctl_callbacks_sent_total", "Callbacks delivered."),
    ("failed", Counter, "voxctl_callback_failures_total",
     "Callbacks that failed for good (retries exhausted, a 4xx, or undelivered at shutdown)."),
    ("dropped", Counter, "voxctl_callback_drops_total",
     "Callbacks dropped unsent (the queue was full, or the dispatcher had stopped)."),
    ("retried", Counter, "voxctl_callback_retries_total", "Callback delivery attempts that were retried."),
    ("queued", Gauge, "voxctl_callbacks_queued", "Callbacks waiting to be delivered."),
)


def callback_metrics(stats: Mapping[str, int]) -> list[Metric]:
    """The callback dispatcher's figures (``CallbackDispatcher.stats()``) as metrics."""
    return [from_values(kind, name, help_text, stats.get(key, 0)) for key, kind, name, help_text in CALLBACK_FIGURES]


REGISTRY = Registry()

ACTIVE_CALLS = REGISTRY.gauge("voxctl_active_calls", "Calls running on this node now.")
CALLS_TOTAL = REGISTRY.counter("voxctl_calls_total", "Calls that reached a final status, by that status.",
                               ("status",))
VERB_SECONDS = REGISTRY.histogram("voxctl_verb_duration_seconds",
                                  "How long each verb ran, from its start to the next verb (seconds).", ("verb",))
DOCUMENT_ERRORS = REGISTRY.counter(
    "voxctl_document_errors_total",
    "Documents that could not be fetched (5107, 5108) or parsed (5105, 5106), by error code.", ("code",))
API_REQUESTS = REGISTRY.counter("voxctl_api_requests_total", "REST API requests answered, by endpoint and status.",
                                ("endpoint", "status"))
