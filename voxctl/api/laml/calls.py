"""The Calls resource: dial out, list, fetch, change a running call, delete an ended one.

* ``POST Calls``: To and From (E.164, ``sip:`` or ``client:``), Url or Twiml (parsed
  now; a Url is fetched by the engine once the call answers), their Method and
  Fallback, the status callback trio, Timeout, TimeLimit, Record, SendDigits. The call
  is stored (TwiML flavour, ``outbound-api``) and queued for an engine node: 201.
  Parameters voxctl has no use for (MachineDetection...) are ignored.
* ``POST Calls/{CallSid}``: Twiml or Url (+Method) replaces the running document on
  the node holding the call; ``Status=completed`` hangs it up whatever its state,
  ``Status=canceled`` cancels it while it is queued or ringing (an answered call is
  left alone, as Twilio does); StatusCallback, StatusCallbackMethod, FallbackUrl and
  FallbackMethod are stored. 200 with the call.
* ``DELETE Calls/{CallSid}``: removes the record of an ended call (204); a live call
  answers ``20009``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from voxctl import control
from voxctl.api import operations
from voxctl.api.laml import errors, lookup, params, representation
from voxctl.api.laml.auth import account_uri, current_account
from voxctl.api.laml.paging import PageRequest
from voxctl.config import Settings
from voxctl.services import Services
from voxctl.store import ids
from voxctl.store.records import NATIVE_CALL_STATUS, CallRecord, CallStatus
from voxctl.webhooks.events import CALL_PROGRESS_EVENTS
from voxctl.xml import TWIML

View = Callable[..., Any]

FILTERS = ("To", "From", "Status", "ParentCallSid")
DATE_FILTERS = ("StartTime", "StartTime<", "StartTime>", "EndTime", "EndTime<", "EndTime>")
DEFAULT_TIMEOUT = 60  # seconds of ringing
MAX_TIMEOUT = 600
DEFAULT_TIME_LIMIT = 14400  # seconds a call may last
MAX_TIME_LIMIT = 86400
CANCELABLE = frozenset({CallStatus.QUEUED, CallStatus.PROCESSING, CallStatus.RINGING})

# (parameter, CallRecord field, reader) a call's update may change
_CHANGEABLE: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("StatusCallback", "status_callback", params.url),
    ("StatusCallbackMethod", "status_callback_method", params.method),
    ("FallbackUrl", "fallback_url", params.url),
    ("FallbackMethod", "fallback_method", params.method),
)


def outbound_call(settings: Settings) -> CallRecord:
    """A new call of the account from To, From, the status callback trio, Timeout, TimeLimit and Record."""
    return CallRecord(
        account_id=current_account().id, flavour=TWIML, direction="outbound-api",
        to=params.endpoint("To", settings, errors.TO_MISSING, errors.TO_INVALID),
        from_=params.endpoint("From", settings, errors.FROM_MISSING, errors.FROM_INVALID),
        status_callback=params.url("StatusCallback"),
        status_callback_events=params.events("StatusCallbackEvent", CALL_PROGRESS_EVENTS),
        status_callback_method=params.method("StatusCallbackMethod"),
        timeout=params.integer("Timeout", DEFAULT_TIMEOUT, MAX_TIMEOUT, errors.TIMEOUT_INVALID),
        time_limit=params.integer("TimeLimit", DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT),
        record=params.boolean("Record", False),
    )


def create_call(services: Services) -> View:
    """``POST Calls``: 201 with the queued call."""
    def view() -> Any:
        call = outbound_call(services.settings)
        call = operations.create_call(services, dataclasses.replace(call, **_instructions()))
        return representation.call(call, account_uri()), 201
    return view


def list_calls(services: Services) -> View:
    """``GET Calls``: the account's calls, newest first, filtered by To, From, Status, ParentCallSid."""
    def view() -> Any:
        params.refuse(DATE_FILTERS)
        page = PageRequest.read(FILTERS)
        status = params.choice("Status", NATIVE_CALL_STATUS)
        found = services.store.calls.list(
            current_account().id, page.store_page, page.size, to=params.endpoint_filter("To"),
            from_=params.endpoint_filter("From"), status=NATIVE_CALL_STATUS.get(status or ""),
            parent_call_id=_parent_call_id())
        base = account_uri()
        return page.body("calls", f"{base}/Calls.json", found, lambda record: representation.call(record, base))
    return view


def fetch_call(services: Services) -> View:
    """``GET Calls/{CallSid}``."""
    def view(sid: str) -> Any:
        return representation.call(lookup.call(services, sid), account_uri())
    return view


def update_call(services: Services) -> View:
    """``POST Calls/{CallSid}``: new TwiML or Url, hang up or cancel, new callback settings; 200."""
    def view(sid: str) -> Any:
        call = lookup.call(services, sid)
        status = params.choice("Status", ("completed", "canceled"))
        twiml, url, method = params.twiml("Twiml", "call"), params.url("Url"), params.method("Method")
        changes = {field: read(name) for name, field, read in _CHANGEABLE if params.text(name) is not None}
        try:
            if status == "completed" or (status == "canceled" and call.status in CANCELABLE):
                operations.end(services, call)
            elif twiml is not None:
                operations.drive(services, call, control.replace(twiml, TWIML))
            elif url is not None:
                operations.drive(services, call, control.redirect(url, method))
        except operations.NotLive:
            raise errors.not_live("Call", sid) from None
        if changes:
            services.store.calls.update(call.id, **changes)
        return representation.call(services.store.calls.get(call.id) or call, account_uri())
    return view


def delete_call(services: Services) -> View:
    """``DELETE Calls/{CallSid}``: 204 once the call has ended, ``20009`` before."""
    def view(sid: str) -> Any:
        call = lookup.call(services, sid)
        if call.status not in CallStatus.FINAL:
            raise errors.invalid(errors.NOT_COMPLETE, f"Call {sid} has not ended: it cannot be deleted yet")
        services.store.calls.delete(call.id)
        return "", 204
    return view


def _instructions() -> dict[str, Any]:
    """The document fields of a new call: Twiml (parsed now) or Url, Method, Fallback, SendDigits."""
    if params.text("ApplicationSid") is not None:
        raise errors.invalid(errors.APPLICATION_INVALID, "ApplicationSid is not supported: give a Url or Twiml")
    twiml, url = params.twiml("Twiml", "call"), params.url("Url")
    if twiml is None and url is None:
        raise errors.invalid(errors.URL_INVALID, "A 'Url' or 'Twiml' is required to run the call")
    return {
        "voxxml": twiml,
        "document_url": None if twiml is not None else url,
        "document_method": params.method("Method"),
        "fallback_url": params.url("FallbackUrl"),
        "fallback_method": params.method("FallbackMethod"),
        "send_digits": params.send_digits("SendDigits"),
    }


def _parent_call_id() -> str | None:
    """The ParentCallSid filter as a call id."""
    sid = params.text("ParentCallSid")
    if sid is None:
        return None
    if not ids.is_sid(sid, ids.CALL):
        raise errors.invalid(errors.INVALID_PARAMETER, f"ParentCallSid is not a CallSid: {sid!r}")
    return ids.from_sid(sid, ids.CALL)
