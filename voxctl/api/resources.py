"""The code paths calls, conferences and participants share: render, fetch, list, show, modify.

A :class:`Resource` says what differs between them (how a record is found, which
fields the spec shows, which document context applies, which command a new document
becomes); the view factories below do the rest, the same way for all three, acting
through the operations both APIs share (:mod:`voxctl.api.operations`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flask

from voxctl import control
from voxctl.api import bodies, operations
from voxctl.api.auth import current_account
from voxctl.api.errors import ApiError, not_found
from voxctl.api.paging import Page
from voxctl.services import Services
from voxctl.store.ids import is_uuid
from voxctl.store.records import to_dict
from voxctl.store.table import Page as StorePage

View = Callable[..., Any]


@dataclass(frozen=True)
class Resource:
    """One kind of record as the native API shows and drives it."""

    kind: str                                   # "call", "conference", "participant": used in messages
    fields: tuple[str, ...]                     # the spec's result fields, in its order
    load: Callable[..., Any]                    # (services, account_id, **ids) -> record | None
    context: str                                # the document context (voxctl.xml.parse)
    command: Callable[[Any, str], control.Command]  # (record, document) -> command
    document_keys: tuple[str, ...] = ("voxXML",)

    def render(self, record: Any) -> dict[str, Any]:
        """The record as the spec shows it: its fields in order, those not applicable omitted."""
        data = to_dict(record)
        return {name: data[name] for name in self.fields if data.get(name) is not None}

    def fetch(self, services: Services, **ids: str) -> Any:
        """The account's record with these ids; 404 for a malformed, unknown or another account's id."""
        canonical = {name: _canonical(value, self.kind) for name, value in ids.items()}
        record = self.load(services, current_account().id, **canonical)
        if record is None:
            raise not_found(self.kind, ids["id"])
        return record


def refused(kind: str, record: Any) -> ApiError:
    """The 422 for a record that cannot be driven: it has ended, or no node holds it (not started, node gone)."""
    if operations.is_final(record):
        return ApiError(422, f"{kind} {record.id} is {record.status}: it can no longer be modified")
    return ApiError(422, f"{kind} {record.id} (status {record.status}) is not in progress on any node")


def _canonical(value: str, kind: str) -> str:
    """The lower-case hyphenated form of a UUID path segment; 404 for anything else."""
    if not is_uuid(value):
        raise not_found(kind, value)
    return value.lower()


def list_view(services: Services, resource: Resource,
              lister: Callable[..., StorePage]) -> View:
    """``GET`` a page of records: ``lister(services, account_id, page, **url_ids)``."""
    def view(**ids: str) -> Any:
        page = Page.from_args(flask.request.args)
        found = lister(services, current_account().id, page, **ids)
        return page.body(found.total, found.records, resource.render)
    return view


def show_view(services: Services, resource: Resource) -> View:
    """``GET`` one record."""
    def view(**ids: str) -> Any:
        return resource.render(resource.fetch(services, **ids))
    return view


def delete_view(services: Services, resource: Resource) -> View:
    """``DELETE`` a call or conference: end it on the node holding it; 204, also once it has ended."""
    def view(**ids: str) -> Any:
        record = resource.fetch(services, **ids)
        try:
            operations.end(services, record)
        except operations.NotLive:
            raise refused(resource.kind, record) from None
        return "", 204
    return view


def modify_view(services: Services, resource: Resource) -> View:
    """``POST``/``PATCH`` a new document: parsed now (422 5105/5106), then sent to the holding node; 204."""
    def view(**ids: str) -> Any:
        record = resource.fetch(services, **ids)
        text = bodies.document(bodies.json_object(), resource.context, resource.document_keys)
        try:
            operations.drive(services, record, resource.command(record, text))
        except operations.NotLive:
            raise refused(resource.kind, record) from None
        return "", 204
    return view
