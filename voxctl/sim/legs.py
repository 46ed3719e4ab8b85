"""Outbound call attempts (``originate`` and ``bridge``): one :class:`Leg` per endpoint.

A ``loopback/<ext>/<context>`` endpoint whose extension is in the simulator's
dialplan becomes a loopback pair: ``loopback/<ext>-a`` (the originated leg) and
``loopback/<ext>-b`` running the extension's actions. Every other endpoint is
a scripted far end (:class:`~voxctl.sim.script.Destination`, matched on the
number/user part); ``error/<cause>`` fails at once without a channel.

As ``switch_ivr_originate`` does: every ``execute_on_answer*`` variable of a leg runs
its application on that leg when it answers; ``leg_timeout`` hangs a leg that has
not answered up with ``ALLOTTED_TIMEOUT`` (checked in whole seconds: ``elapsed > N``);
with ``group_confirm_key=exec`` an answered leg first runs ``group_confirm_file`` (an
application and its argument) on itself and only wins if it is still up afterwards,
while the others keep ringing (``group_confirm_cancel_timeout`` lifts its
``leg_timeout`` meanwhile).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import gevent
from gevent.event import AsyncResult

from .caller import on_prompts
from .channel import Channel
from .dialstring import Endpoint
from .script import OUTCOME_CAUSES, Destination, DtmfAt, DtmfOnPrompt

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger(__name__)


def _true(value: str | None) -> bool:
    return (value or "").lower() in ("true", "yes", "on", "1")


class Leg:
    """One attempt: ``result`` becomes ``"answer"`` or the hangup cause."""

    def __init__(self, sim: Simulator, endpoint: Endpoint, variables: dict[str, str],
                 caller_number: str, caller_name: str = "", uuid: str | None = None) -> None:
        self.sim = sim
        self.endpoint = endpoint
        self.result: AsyncResult = AsyncResult()
        self.channel: Channel | None = None
        self.watchers: list[Channel] = []
        self.rang = False  # the far end signalled ringing or early media
        variables = {**variables, **endpoint.variables}
        confirm = variables.get("group_confirm_file", "") if variables.get("group_confirm_key") == "exec" else ""
        self._confirm = confirm.strip()
        self._keep_timeout = not _true(variables.get("group_confirm_cancel_timeout"))
        self._timer: gevent.Greenlet | None = None
        if endpoint.kind == "error":
            cause = endpoint.raw.split("/", 1)[1].upper() if "/" in endpoint.raw else "NORMAL_TEMPORARY_FAILURE"
            self.result.set(cause)
            return
        loopback = endpoint.kind == "loopback"
        # a SIP call to the simulator's own address runs its public dialplan (traces 09b, 15)
        self_call = endpoint.kind == "sofia" and endpoint.raw.endswith("@" + sim.sip_address)
        context = endpoint.context if loopback else "public"
        extension = sim.dialplan.route(endpoint.number, context) if loopback or self_call else None
        name = f"loopback/{endpoint.number}-a" if loopback else endpoint.raw
        callee = endpoint.context if loopback else endpoint.number
        ch = Channel(sim, name=name, direction="outbound", destination=endpoint.number,
                     caller_number=caller_number, caller_name=caller_name, callee_number=callee,
                     callee_name="Outbound Call", source="mod_loopback" if loopback else "mod_sofia",
                     uuid=uuid, hit_dialplan=False,
                     variables={**variables, "originate_early_media": "true",
                                "originate_endpoint": endpoint.kind})
        self.channel = ch
        ch.on_answer.append(self._answered)
        ch.on_progress.append(self._ringing)
        ch.on_hangup.append(lambda c: self._settle(c.hangup_cause))
        leg_timeout = _number(variables.get("leg_timeout"))
        if leg_timeout > 0:
            self._timer = sim.spawn_later(leg_timeout + 0.5, self._leg_timeout)
        sim.add_channel(ch)
        if extension is not None:
            self._far_leg(ch, extension, loopback, context)
        else:
            destination = sim.destination_for(endpoint.number)
            sim.spawn(self._far_end, ch, destination)

    def _settle(self, value: str) -> None:
        if self._timer is not None:
            self._timer.kill(block=False)
            self._timer = None
        if not self.result.ready():
            self.result.set(value)
            self._wake_watchers()

    def _wake_watchers(self) -> None:
        for ch in self.watchers:
            ch.wake()

    def _ringing(self, ch: Channel) -> None:
        self.rang = True
        self._wake_watchers()

    def _answered(self, ch: Channel) -> None:
        """``execute_on_answer*`` apps run on the leg, then it wins (or confirms first)."""
        for name in sorted(n for n in ch.variables if n.startswith("execute_on_answer")):
            app, _, arg = ch.variables[name].strip().partition(" ")
            if app:
                ch.run_app(app, arg.strip())
        if not ch.is_up:
            return
        if not self._confirm:
            self._settle("answer")
            return
        if not self._keep_timeout and self._timer is not None:
            self._timer.kill(block=False)
            self._timer = None
        self.sim.spawn(self._confirm_leg, ch)

    def _confirm_leg(self, ch: Channel) -> None:
        """``group_confirm_key=exec``: run ``group_confirm_file`` on the answered leg; it wins if still up."""
        app, _, arg = self._confirm.partition(" ")
        ch.run_app(app, arg.strip())
        if ch.is_up:
            ch.variables["group_dial_status"] = "winner"
            self._settle("answer")

    def _leg_timeout(self) -> None:
        """Still ringing (or confirming, without group_confirm_cancel_timeout): ALLOTTED_TIMEOUT."""
        self._timer = None
        ch = self.channel
        if ch is not None and ch.is_up and not self.result.ready():
            ch.hangup("ALLOTTED_TIMEOUT")

    def _far_leg(self, a: Channel, extension: list[tuple[str, str]], loopback: bool, context: str) -> None:
        """The leg that runs ``extension``: ``loopback/N-b``, or the incoming SIP leg of a self-call."""
        sim = self.sim
        caller = a.profile["caller_id_number"]
        if loopback:
            name, source, variables = (f"loopback/{self.endpoint.number}-b", "mod_loopback",
                                       {"other_loopback_leg_uuid": a.uuid, "loopback_leg": "B"})
        else:
            name, source = f"sofia/external/{caller}@{sim.sip_address.split(':')[0]}", "mod_sofia"
            variables = {"sip_from_user": caller, "sip_to_user": self.endpoint.number,
                         "sip_req_user": self.endpoint.number, "sip_network_ip": "127.0.0.1"}
        b = Channel(sim, name=name, direction="inbound", destination=self.endpoint.number, caller_number=caller,
                    caller_name=a.profile["caller_id_name"], callee_number=a.profile["callee_id_number"],
                    callee_name="Outbound Call", context=context, source=source, variables=variables)
        if loopback:
            a.variables.update(other_loopback_leg_uuid=b.uuid, loopback_leg="A")
        a.loopback_peer, b.loopback_peer = b, a
        a.hears_noise = lambda s, e: _overlapping(b.noise, s, e)
        b.hears_noise = lambda s, e: _overlapping(a.noise, s, e)
        sim.add_channel(b)
        sim.run(b, extension)

    def _far_end(self, ch: Channel, dest: Destination) -> None:
        """A scripted destination: ring, then answer/busy/no-answer/failed/reject, stay, hang up."""
        clock = self.sim.clock
        if dest.ring and dest.outcome in ("answer", "no-answer", "reject"):
            ch.progress()
        if dest.outcome == "no-answer":
            return
        if ch.wait(dest.answer_after, nested=False) != "timeout":
            return
        if dest.outcome != "answer":
            ch.hangup(OUTCOME_CAUSES[dest.outcome])
            return
        ch.answer()
        answered_at = clock.now()

        def press_on_prompt(step: DtmfOnPrompt) -> None:
            if ch.is_up:
                ch.receive_dtmf(step.digits, "RTP")

        on_prompts(self.sim, ch, dest.dtmf, press_on_prompt)
        for press in sorted((d for d in dest.dtmf if isinstance(d, DtmfAt)), key=lambda d: d.at):
            if ch.wait(answered_at + press.at - clock.now(), nested=False) != "timeout":
                return
            (ch.bridged_to or ch).receive_dtmf(press.digits)
        if ch.wait(answered_at + dest.stay - clock.now(), nested=False) == "timeout":
            ch.hangup("NORMAL_CLEARING")

    def cancel(self, cause: str) -> None:
        """Stop a ringing attempt (LOSE_RACE, NO_ANSWER, ORIGINATOR_CANCEL)."""
        if self.channel is not None and self.channel.is_up:
            self.channel.hangup(cause)
        self._settle(cause)


def _number(text: str | None) -> float:
    try:
        return float(text or 0)
    except ValueError:
        return 0.0


def _overlapping(noise: list[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
    return [(a, b) for a, b in noise if b > start and a < end]


def wait_for_answer(waiter: Channel | None, legs: list[Leg], timeout: float,
                    on_ring: Callable[[], None] | None = None) -> Leg | None:
    """Wait until one leg answers (the others lose the race), all fail, or ``timeout``.

    ``timeout`` is ``originate_timeout``, counted in whole seconds (trace 05 (c)).
    With a ``waiter`` (the bridging channel) its hangup or transfer cancels the attempt.
    ``on_ring`` runs once, when the first leg signals ringing (the bridge's ringback).
    """
    sim = legs[0].sim if legs else None
    if sim is None:
        return None
    deadline = sim.clock.now() + max(0.0, timeout - 0.5)
    for leg in legs:
        if waiter is not None:
            leg.watchers.append(waiter)
    winner = None
    rang = False
    while True:
        if not rang and any(leg.rang for leg in legs):
            rang = True
            if on_ring is not None:
                on_ring()
        winner = next((leg for leg in legs if leg.result.ready() and leg.result.get() == "answer"), None)
        if winner is not None or all(leg.result.ready() for leg in legs):
            break
        remaining = deadline - sim.clock.now()
        if remaining <= 0:
            for leg in legs:
                leg.cancel("NO_ANSWER")
            break
        if waiter is not None:
            before = sum(leg.result.ready() for leg in legs)
            settled = waiter.wait(remaining,  # the caller's sendmsgs run (switch_ivr_parse_all_events)
                                  until=lambda n=before, r=rang: sum(leg.result.ready() for leg in legs) > n
                                  or (not r and any(leg.rang for leg in legs)))
            if settled in ("hangup", "transfer"):
                for leg in legs:
                    leg.cancel("ORIGINATOR_CANCEL")
                break
        else:
            gevent.wait([leg.result for leg in legs if not leg.result.ready()], timeout=sim.clock.real(remaining),
                        count=1)
    for leg in legs:
        if leg is not winner and not leg.result.ready():
            leg.cancel("LOSE_RACE")
        if leg is not winner and leg.channel is not None and leg.channel.is_up:
            leg.cancel("LOSE_RACE")
    return winner
