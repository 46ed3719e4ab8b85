"""A strict reader of the Prometheus text exposition format (0.0.4), written from its spec.

``parse(text)`` checks the grammar (comment lines, metric and label names, escaped
label values, float values), that ``# TYPE`` comes once and before a family's
samples, that a family's lines are contiguous, and that histograms have cumulative
``_bucket`` series ending in ``le="+Inf"`` equal to ``_count``. It returns the
families: ``{name: Family(type, help, samples)}`` with samples keyed by
``(sample name, frozenset of label pairs)``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL}={VALUE},?)*)\}})? (\S+)(?: (-?\d+))?$")
PAIR = re.compile(rf"({LABEL})=({VALUE}),?")
HELP = re.compile(rf"^# HELP ({NAME}) (.*)$")
TYPE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}

Key = tuple[str, frozenset]


@dataclass
class Family:
    type: str = "untyped"
    help: str = ""
    typed: bool = False  # a TYPE line was seen
    samples: dict[Key, float] = field(default_factory=dict)


def _float(text: str) -> float:
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError(f"bad sample value {text!r}")
    return float(text)


def _unescape(quoted: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), quoted[1:-1])


def _family_of(name: str, families: dict[str, Family]) -> str:
    for base, family in families.items():
        if name == base or name in (base + s for s in SUFFIXES.get(family.type, ())):
            return base
    return name


def parse(text: str) -> dict[str, Family]:
    """The families of ``text``; ValueError at the first line that breaks the format."""
    if text and not text.endswith("\n"):
        raise ValueError("the exposition must end with a newline")
    families: dict[str, Family] = {}
    finished: set[str] = set()
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        help_match, type_match = HELP.match(line), TYPE.match(line)
        if help_match or type_match:
            name = (help_match or type_match).group(1)
            family = families.setdefault(name, Family())
            if type_match:
                if family.samples or family.typed:
                    raise ValueError(f"line {number}: TYPE of {name} after its samples or twice")
                family.type, family.typed = type_match.group(2), True
            else:
                family.help = help_match.group(2)
        elif line.startswith("#"):
            continue
        else:
            match = SAMPLE.match(line)
            if not match:
                raise ValueError(f"line {number}: not a sample: {line!r}")
            name, labels, value = match.group(1), match.group(2) or "", match.group(3)
            pairs = PAIR.findall(labels)
            if "".join(f"{k}={v}," for k, v in pairs).rstrip(",") != labels.rstrip(","):
                raise ValueError(f"line {number}: bad labels {labels!r}")
            names = [k for k, _ in pairs]
            if len(set(names)) != len(names):
                raise ValueError(f"line {number}: a label twice")
            base = _family_of(name, families)
            family = families.setdefault(base, Family())
            key = (name, frozenset((k, _unescape(v)) for k, v in pairs))
            if key in family.samples:
                raise ValueError(f"line {number}: sample repeated")
            family.samples[key] = _float(value)
            name = base
        if name != current:
            if name in finished:
                raise ValueError(f"line {number}: the lines of {name} are not together")
            if current is not None:
                finished.add(current)
            current = name
    for name, family in families.items():
        if family.type == "histogram":
            _check_histogram(name, family)
    return families


def _check_histogram(name: str, family: Family) -> None:
    series: dict[frozenset, list[tuple[float, float]]] = {}
    for (sample, labels), value in family.samples.items():
        if sample == name + "_bucket":
            le = dict(labels).get("le")
            if le is None:
                raise ValueError(f"{name}: a bucket without le")
            series.setdefault(labels - {("le", le)}, []).append((_float(le), value))
    for labels, buckets in series.items():
        buckets.sort()
        counts = [count for _, count in buckets]
        if counts != sorted(counts) or buckets[-1][0] != math.inf:
            raise ValueError(f"{name}{dict(labels)}: buckets not cumulative or no +Inf bucket")
        if family.samples.get((name + "_count", labels)) != counts[-1] or (name + "_sum", labels) not in family.samples:
            raise ValueError(f"{name}{dict(labels)}: _count differs from the +Inf bucket, or no _sum")
