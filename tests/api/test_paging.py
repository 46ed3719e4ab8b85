"""The one paging helper: page/page_size from the query string, the maths, the response shape."""
from __future__ import annotations

import pytest

from voxctl.api.errors import ApiError
from voxctl.api.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page


def test_defaults():
    page = Page.from_args({})
    assert (page.number, page.size, page.offset) == (1, DEFAULT_PAGE_SIZE, 0)
    assert Page.from_args({"page": "", "page_size": ""}) == page


def test_values_are_read():
    page = Page.from_args({"page": "3", "page_size": "10"})
    assert (page.number, page.size, page.offset) == (3, 10, 20)
    assert Page.from_args({"page_size": str(MAX_PAGE_SIZE)}).size == MAX_PAGE_SIZE


@pytest.mark.parametrize("name, value", [
    ("page", "0"), ("page", "-1"), ("page", "x"), ("page", "1.5"), ("page", "1e3"), ("page", "٣"),
    ("page_size", "0"), ("page_size", "abc"), ("page_size", str(MAX_PAGE_SIZE + 1)),
])
def test_bad_values_are_422_naming_the_parameter(name, value):
    with pytest.raises(ApiError) as caught:
        Page.from_args({name: value})
    assert caught.value.status == 422
    assert caught.value.description.startswith(name + ":")


@pytest.mark.parametrize("count, size, page_count", [(0, 25, 0), (1, 25, 1), (25, 25, 1), (26, 25, 2),
                                                     (100, 10, 10), (101, 10, 11)])
def test_page_count(count, size, page_count):
    body = Page(1, size).body(count, [], dict)
    assert body == {"page": 1, "page_size": size, "page_count": page_count, "count": count, "results": []}


def test_results_are_rendered_in_order():
    assert Page(2, 2).body(5, [3, 4], lambda n: {"n": n})["results"] == [{"n": 3}, {"n": 4}]
