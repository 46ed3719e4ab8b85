"""The ``bridge`` application and the variables of fact 11 (stale values included).

Also as FreeSWITCH's originate and bridge do: the ``group_confirm_*`` variables
missing from the dial string come from the bridging channel; while the legs ring the
caller hears ``ringback`` (a ``ringback`` timeline entry; an unanswered caller is
pre-answered for it, and without ``ringback`` only gets the ring-ready); the caller is
answered when a leg wins; during the bridge a digit equal to the caller's
``bridge_terminate_key`` ends it (the far leg is hung up), other digits pass to the far leg.
While the legs ring and while bridged, the caller's queued ``sendmsg`` commands are carried
out (the originate loop's ``switch_ivr_parse_all_events``, the bridge loop's
``switch_ivr_parse_next_event``): a ``hangup`` then ends the caller and the far leg at once.
"""
from __future__ import annotations

import logging

from .channel import Channel
from .dialstring import parse_dialstring
from .legs import Leg, wait_for_answer

log = logging.getLogger(__name__)

DIALSTATUS = {"USER_BUSY": "BUSY", "NO_ANSWER": "NOANSWER", "NO_USER_RESPONSE": "NOANSWER",
              "ORIGINATOR_CANCEL": "CANCEL"}
# the caller's variables the originate copies into the dial string's when missing there
INHERITED = ("group_confirm_key", "group_confirm_file", "group_confirm_cancel_timeout")


def _push(ch: Channel, name: str, value: str) -> None:
    """Append to a channel variable FreeSWITCH-style (``ARRAY::a|:b``)."""
    old = ch.variables.get(name)
    if not old:
        ch.variables[name] = value
    elif old.startswith("ARRAY::"):
        ch.variables[name] = f"{old}|:{value}"
    else:
        ch.variables[name] = f"ARRAY::{old}|:{value}"


def _continue_on_fail(ch: Channel, cause: str) -> bool:
    value = ch.variables.get("continue_on_fail", "")
    return value.lower() in ("true", "yes", "on", "1") or cause in value.upper().split(",")


def bridge_app(ch: Channel, arg: str) -> str:
    """``bridge <dial string>``: sequential groups of parallel legs; bridge the first to answer."""
    global_vars, groups = parse_dialstring(arg)
    exported = {n: ch.variables[n] for n in ch.variables.get("export_vars", "").split(",") if n in ch.variables}
    inherited = {n: ch.variables[n] for n in INHERITED if ch.variables.get(n)}
    cause = "NO_ROUTE_DESTINATION"
    for group in groups:
        variables = {**inherited, **exported, **global_vars}
        timeout = float(variables.get("originate_timeout") or ch.variables.get("call_timeout") or 60)
        legs = [Leg(ch.sim, ep, variables, ch.profile["caller_id_number"], ch.profile["caller_id_name"])
                for ep in group]
        winner = wait_for_answer(ch, legs, timeout, on_ring=lambda: _ringback(ch))
        for leg in legs:
            outcome = "answer" if leg is winner else leg.result.get()
            ch.record("bridge", destination=leg.endpoint.raw, outcome=outcome)
            if leg.channel is not None:
                _push(ch, "originate_causes", f"{leg.channel.uuid};{'NONE' if leg is winner else outcome}")
                if leg is not winner:
                    ch.variables["last_bridge_hangup_cause"] = outcome
        if winner is not None and winner.channel is not None:
            ch.answer()
            _bridged(ch, winner.channel)
            return "_none_"
        if not ch.is_up or ch.transfer_to is not None:
            return "_none_"
        cause = next((leg.result.get() for leg in legs if leg.result.get() != "LOSE_RACE"), "NO_ANSWER")
    ch.variables.update(originate_disposition=cause, DIALSTATUS=DIALSTATUS.get(cause, cause),
                        originate_failed_cause=cause)
    if ch.is_up and not _continue_on_fail(ch, cause):
        ch.hangup(cause)
    return "_none_"


def _ringback(a: Channel) -> None:
    """A leg rings: the caller hears ``ringback`` (pre-answered for it), or just gets ring-ready."""
    tone = a.variables.get("ringback", "")
    if not tone:
        a.progress(media=False)
        return
    a.progress(media=True)
    a.record("ringback", tone=tone)


def _bridged(a: Channel, b: Channel) -> None:
    """Audio flows between ``a`` and ``b`` until one hangs up."""
    sim = a.sim
    _push(a, "originated_legs", f"{b.uuid};Outbound Call;{b.profile['destination_number']}")
    a.variables.update(originate_disposition="SUCCESS", DIALSTATUS="SUCCESS", signal_bond=b.uuid)
    now = sim.clock.epoch_us()
    a.times["bridged"] = b.times["bridged"] = now
    a.bridged_to, b.bridged_to = b, a
    a.other_leg, a.other_type = b, "originatee"
    b.other_leg, b.other_type = a, "originator"
    b.variables.update(last_bridge_to=a.uuid, bridge_channel=a.name)
    a.hears_noise = b.hears_noise if b.loopback_peer is None else (lambda s, e: [])
    ids = [("Bridge-A-Unique-ID", a.uuid), ("Bridge-B-Unique-ID", b.uuid)]
    a.fire("CHANNEL_BRIDGE", leading=ids)
    b.on_hangup.append(lambda c: a.wake())
    terminate = a.variables.get("bridge_terminate_key", "")
    while b.is_up:
        # queued sendmsgs (a hangup) run meanwhile, as switch_ivr_parse_next_event in the bridge loop
        reason = a.wait(None, digits=True, until=lambda: not b.is_up)
        if reason in ("hangup", "transfer"):
            break
        if reason == "dtmf":
            digit = a.dtmf_queue.popleft()
            if terminate and digit == terminate:
                a.record("bridge_terminate", key=digit)
                break
            b.receive_dtmf(digit, "RTP")
    if b.is_up:
        b.hangup("NORMAL_CLEARING")
    cause = b.hangup_cause or "NORMAL_CLEARING"
    a.bridged_to = b.bridged_to = None
    a.variables.update(bridge_hangup_cause=cause, last_bridge_hangup_cause=cause,
                       last_bridge_to=b.uuid, bridge_channel=b.name)
    a.fire("CHANNEL_UNBRIDGE", leading=ids)
    a.record("unbridge", destination=b.name, cause=cause)
    if a.is_up and a.variables.get("hangup_after_bridge", "").lower() in ("true", "yes", "1"):
        a.hangup("NORMAL_CLEARING")


def bridge_channels(a: Channel, b: Channel) -> None:
    """``uuid_bridge``: connect two existing channels (answering them) until one hangs up."""
    a.answer()
    b.answer()
    a.record("bridge", destination=b.name, outcome="answer")
    _bridged(a, b)
