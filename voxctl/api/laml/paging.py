"""Twilio's list paging: ``Page`` from 0, ``PageSize`` (default 50, at most 1000), the standard fields.

A list answers ``{<key>: [...], "end", "first_page_uri", "next_page_uri", "page",
"page_size", "previous_page_uri", "start", "uri"}`` and nothing else. Every page URI
carries the request's filters, so following ``next_page_uri`` keeps filtering;
``next_page_uri`` is null on the last page. ``PageToken`` is accepted and ignored:
the page number alone says where a page starts.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from voxctl.api.laml import params
from voxctl.store.table import Page as StorePage

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_MAX_PAGE = 10 ** 6


@dataclass(frozen=True)
class PageRequest:
    """One requested page: ``number`` from 0, ``size``, and the filters to carry in its URIs."""

    number: int
    size: int
    filters: Mapping[str, str]

    @classmethod
    def read(cls, filter_names: Sequence[str]) -> PageRequest:
        """``Page``, ``PageSize`` and the given filters among ``filter_names`` from the query string."""
        return cls(params.integer("Page", 0, _MAX_PAGE, minimum=0),
                   params.integer("PageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
                   params.given(filter_names))

    @property
    def store_page(self) -> int:
        """The store's page number (from 1)."""
        return self.number + 1

    def window(self, records: Sequence[Any]) -> StorePage:
        """This page of an already complete, filtered list."""
        start = self.number * self.size
        return StorePage(list(records[start:start + self.size]), len(records))

    def body(self, key: str, path: str, found: StorePage, render: Callable[[Any], dict]) -> dict[str, Any]:
        """The list response for this page of the list at ``path`` (a ``.json`` URI)."""
        start = self.number * self.size
        last = start + self.size >= found.total
        return {
            key: [render(record) for record in found.records],
            "end": start + max(len(found.records) - 1, 0),
            "first_page_uri": self._uri(path, 0),
            "next_page_uri": None if last else self._uri(path, self.number + 1),
            "page": self.number,
            "page_size": self.size,
            "previous_page_uri": self._uri(path, self.number - 1) if self.number > 0 else None,
            "start": start,
            "uri": self._uri(path, self.number),
        }

    def _uri(self, path: str, number: int) -> str:
        return f"{path}?{urlencode({**self.filters, 'PageSize': self.size, 'Page': number})}"
