"""Conferences and their participants in the native API.

Conferences are created by calls joining a room (no create endpoint). A conference
document (context ``conference``) goes to the node holding the room as
``control.conference_document``; ``DELETE`` ends the room (``control.end``: every
participant's call is hung up) and answers 204, also for a room that has ended already.
A participant's id is its call id: its document (context ``participant``, under
the key ``voxXML`` or ``xml``, both shown by the spec) goes to the node holding
that call as ``control.participant_document``. The participant list holds the
current members only.
"""
from __future__ import annotations

from voxctl import control
from voxctl.api.paging import Page
from voxctl.api.resources import Resource
from voxctl.services import Services
from voxctl.store.table import Page as StorePage
from voxctl.xml.verbs import VOXXML

CONFERENCE = Resource(
    kind="conference",
    fields=("id", "name", "status", "created_time", "modified_time", "error"),
    load=lambda services, account_id, id: services.store.conferences.get(id, account_id),
    context="conference",
    command=lambda record, document: control.conference_document(document, VOXXML),
)

PARTICIPANT = Resource(
    kind="participant",
    fields=("id", "label", "created_time", "modified_time", "joined_time", "conference_id", "error"),
    load=lambda services, account_id, conf_id, id: services.store.participants.get(conf_id, id, account_id),
    context="participant",
    command=lambda record, document: control.participant_document(record.conference_id, document, VOXXML),
    document_keys=("voxXML", "xml"),
)


def list_conferences(services: Services, account_id: str, page: Page) -> StorePage:
    """A page of the account's conferences, open and ended, newest first."""
    return services.store.conferences.list(account_id, page.number, page.size)


def list_participants(services: Services, account_id: str, page: Page, conf_id: str) -> StorePage:
    """A page of the current members of one of the account's conferences (404 for another's)."""
    conference = CONFERENCE.fetch(services, id=conf_id)
    return services.store.participants.list(conference.id, page.number, page.size)
