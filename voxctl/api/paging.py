"""Paging for every list endpoint: ``page`` from 1, ``page_size`` default 25, at most 1000.

The response carries ``page``, ``page_size``, ``page_count``, ``count`` and ``results``.
A page past the last one is not an error: it answers with empty ``results``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from voxctl.api.errors import unprocessable

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
_NUMBER = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Page:
    """One requested page: ``number`` from 1 and ``size``."""

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Page:
        """Read ``page`` and ``page_size`` from the query string; 422 names a bad one."""
        return cls(_positive(args, "page", 1, None), _positive(args, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))

    def body(self, count: int, results: Iterable[Any], render: Callable[[Any], dict]) -> dict:
        """The list response for this page, ``count`` items in all, ``results`` rendered."""
        return {
            "page": self.number,
            "page_size": self.size,
            "page_count": -(-count // self.size),
            "count": count,
            "results": [render(item) for item in results],
        }


def _positive(args: Mapping[str, str], name: str, default: int, maximum: int | None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not _NUMBER.fullmatch(raw.strip()) or int(raw) < 1:
        raise unprocessable(name, "must be a whole number from 1")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise unprocessable(name, f"must be at most {maximum}")
    return value
