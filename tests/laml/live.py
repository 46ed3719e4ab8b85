"""Readers for calls made through the LaML API and run by a real node against the simulator.

A call's SID names its record (``record_of``) and, once the engine has originated it,
the simulator's channel (``channel_of``: its id is the call id). The channel's
timeline outlives the channel, so a test holds the channel while the call runs and
reads what the called party heard afterwards. ``signed_params`` checks a request the
engine made to the customer's app with the ``twilio`` package's own
``RequestValidator`` and returns its parameters.
"""
from __future__ import annotations

from collections.abc import Container
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.engine.helpers import wait_until
from voxctl.sim.channel import Channel
from voxctl.store import ids
from voxctl.store.records import CallRecord, CallStatus

# every request the engine makes to a TwiML app carries these (ParentCallSid: on a child leg only)
STANDARD_PARAMS = frozenset({"CallSid", "AccountSid", "From", "To", "CallStatus", "ApiVersion", "Direction"})


def record_of(node, sid: str) -> CallRecord:
    """The stored record of the call ``sid``."""
    return node.services.store.calls.get(ids.from_sid(sid, ids.CALL))


def wait_status(node, sid: str, statuses: Container[str], what: str) -> CallRecord:
    """Wait until the call ``sid`` has one of ``statuses``; its record."""
    wait_until(lambda: record_of(node, sid).status in statuses, 10, what)
    return record_of(node, sid)


def wait_final(node, sid: str) -> CallRecord:
    """Wait until the call ``sid`` has ended; its record."""
    return wait_status(node, sid, CallStatus.FINAL, f"call {sid} to end")


def channel_of(sim, sid: str) -> Channel:
    """The simulator's channel of the call ``sid`` once the engine has originated it."""
    call_id = ids.from_sid(sid, ids.CALL)
    wait_until(lambda: call_id in sim.channels, 10, f"the channel of {sid}")
    return sim.channels[call_id]


def on_timeline(channel: Channel, kind: str) -> list[dict]:
    """The details of the ``kind`` entries of the channel's timeline."""
    return [entry.detail for entry in channel.timeline.entries if entry.kind == kind]


def heard_after_hangup(channel: Channel) -> list[str]:
    """What the called party heard, once its channel has hung up."""
    wait_until(channel.hungup.is_set, 10, f"channel {channel.uuid} to hang up")
    return channel.timeline.heard()


def signed_params(http_server, request, auth_token: str) -> dict[str, str]:
    """The parameters of ``request`` (form or query), after checking its ``X-Twilio-Signature``.

    The URL signed is the exact URL requested: the query string (a GET's parameters)
    included, the POST parameters passed to the validator.
    """
    url = http_server.url(request.path)
    if request.query:
        url += "?" + urlencode([(name, value) for name, values in request.query.items() for value in values])
    form = {name: values[0] for name, values in request.form.items()}
    assert all(len(values) == 1 for values in request.form.values()), "each key once"
    assert RequestValidator(auth_token).validate(url, form, request.headers["X-Twilio-Signature"]), url
    params = {**{name: values[0] for name, values in request.query.items()}, **form}
    assert STANDARD_PARAMS <= set(params), sorted(params)
    return params
