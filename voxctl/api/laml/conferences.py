"""The Conferences resource: list, fetch, end a conference or play an announcement into it.

Conferences are opened by calls joining a room (``<Dial><Conference>``, or a participant
added through this API); there is nothing to create here. Twilio's statuses map onto
the store's: ``init`` is queued, ``in-progress`` in progress, ``completed`` complete.
``POST Conferences/{sid}`` with ``Status=completed`` ends the room (every participant
is hung up; nothing happens once it has ended), with ``AnnounceUrl`` plays that
audio to every participant. 200 with the conference.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voxctl import control
from voxctl.api import operations
from voxctl.api.laml import errors, lookup, params, representation
from voxctl.api.laml.auth import account_uri, current_account
from voxctl.api.laml.paging import PageRequest
from voxctl.services import Services
from voxctl.store.records import NATIVE_CONFERENCE_STATUS

View = Callable[..., Any]

FILTERS = ("FriendlyName", "Status")
DATE_FILTERS = ("DateCreated", "DateCreated<", "DateCreated>", "DateUpdated", "DateUpdated<", "DateUpdated>")


def list_conferences(services: Services) -> View:
    """``GET Conferences``: the account's conferences, newest first, filtered by FriendlyName and Status."""
    def view() -> Any:
        params.refuse(DATE_FILTERS)
        page = PageRequest.read(FILTERS)
        status = params.choice("Status", NATIVE_CONFERENCE_STATUS)
        found = services.store.conferences.list(current_account().id, page.store_page, page.size,
                                                name=params.text("FriendlyName"),
                                                status=NATIVE_CONFERENCE_STATUS.get(status or ""))
        base = account_uri()
        return page.body("conferences", f"{base}/Conferences.json", found,
                         lambda record: representation.conference(record, base))
    return view


def fetch_conference(services: Services) -> View:
    """``GET Conferences/{ConferenceSid}``."""
    def view(sid: str) -> Any:
        return representation.conference(lookup.conference(services, sid), account_uri())
    return view


def update_conference(services: Services) -> View:
    """``POST Conferences/{ConferenceSid}``: ``Status=completed`` ends it, ``AnnounceUrl`` announces; 200."""
    def view(sid: str) -> Any:
        room = lookup.conference(services, sid)
        status = params.choice("Status", ("completed",))
        announce = params.url("AnnounceUrl")
        try:
            if status is not None:
                operations.end(services, room)
            elif announce is not None:
                operations.drive(services, room, control.announce(announce))
        except operations.NotLive:
            raise errors.not_live("Conference", sid) from None
        return representation.conference(services.store.conferences.get(room.id) or room, account_uri())
    return view
