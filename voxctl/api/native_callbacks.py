"""``GET /api/v1/callbacks/failed``: the authenticated account's failed callback deliveries, newest first.

The same records ``voxctl callbacks failed`` lists (:mod:`voxctl.webhooks.failures`),
read from the account's own list only, so another account's failures never show.
Paged like every other list (:mod:`voxctl.api.paging`).
"""
from __future__ import annotations

from typing import Any

import flask

from voxctl.api.auth import current_account
from voxctl.api.paging import Page
from voxctl.api.resources import View
from voxctl.services import Services
from voxctl.webhooks.failures import FailureLog

# what a failure shows, in this order (account_id is implied by the key)
FIELDS = ("time", "call_id", "kind", "flavour", "method", "url", "attempts", "error", "payload")


def render(failure: dict[str, Any]) -> dict[str, Any]:
    """One failure as the API shows it: its fields in order, unset ones omitted."""
    return {name: failure[name] for name in FIELDS if failure.get(name) is not None}


def failed_view(services: Services) -> View:
    """``GET`` a page of the current account's failed deliveries."""
    failures = FailureLog(services.redis)

    def view() -> Any:
        page = Page.from_args(flask.request.args)
        total, found = failures.page(current_account().id, page.offset, page.size)
        return page.body(total, found, render)
    return view
