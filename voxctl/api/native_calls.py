"""Calls in the native API: the resource, creating an outbound call, hanging one up.

* ``POST /calls`` checks ``to``/``from`` (E.164) and parses the voxXML before anything
  is stored, writes the ``CallRecord`` (status ``queued``) and queues it for an engine
  node (``operations.create_call``): 201 with the call.
* ``DELETE /calls/{id}`` hangs up an ongoing call (``operations.end``: a queued or
  ringing call is cancelled, an answered one hung up) and answers 204.
  A call that has ended already answers 204 too: deleting is idempotent, and the
  record stays readable until it expires (7 days after it ended).
"""
from __future__ import annotations

from typing import Any

import flask

from voxctl import control
from voxctl.api import bodies, operations
from voxctl.api.auth import current_account
from voxctl.api.paging import Page
from voxctl.api.resources import Resource, View
from voxctl.services import Services
from voxctl.store.records import CallRecord
from voxctl.store.table import Page as StorePage
from voxctl.xml.verbs import VOXXML

CALL = Resource(
    kind="call",
    fields=("id", "to", "from", "status", "created_time", "modified_time", "answer_time", "hangup_time", "error"),
    load=lambda services, account_id, id: services.store.calls.get(id, account_id),
    context="call",
    command=lambda record, document: control.replace(document, VOXXML),
)


def list_calls(services: Services, account_id: str, page: Page) -> StorePage:
    """A page of the account's calls, active and ended, newest first."""
    return services.store.calls.list(account_id, page.number, page.size)


def create_view(services: Services) -> View:
    """``POST /calls {to, from, voxXML}``: 201 with the queued call."""
    def view() -> Any:
        body = bodies.json_object()
        to, from_ = bodies.e164(body, "to"), bodies.e164(body, "from")
        document = bodies.document(body, CALL.context)
        record = operations.create_call(services, CallRecord(
            account_id=current_account().id, flavour=VOXXML, direction="outbound-api",
            to=to, from_=from_, voxxml=document))
        response = flask.jsonify(CALL.render(record))
        response.status_code = 201
        response.headers["Location"] = flask.url_for("native.call", id=record.id)
        return response
    return view
