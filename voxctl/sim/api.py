"""The api commands (``api`` and ``bgapi``, on inbound and outbound sockets).

Unknown commands answer ``-ERR <cmd> Command not found!`` and an empty output
``-ERR no reply`` (fact 12), like the real switch. ``sim_call <json>`` is the
simulator's own: it places a scripted call (see docs/simulator.rst) and streams
its timeline as CUSTOM ``sim::timeline`` events.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .args import split_args
from .bridge import bridge_channels
from .channel import Message
from .dialstring import parse_dialstring
from .legs import Leg, wait_for_answer
from .script import script_from

if TYPE_CHECKING:
    from .connection import Connection
    from .simulator import Simulator

log = logging.getLogger(__name__)

VERSION = "FreeSWITCH Version 1.10.12-release+voxctl-sim~64bit (voxctl simulator)"
CHANNEL_COLUMNS = ("uuid", "direction", "created", "created_epoch", "name", "state", "cid_name", "cid_num",
                   "ip_addr", "dest", "application", "application_data", "dialplan", "context", "read_codec",
                   "read_rate", "read_bit_rate", "write_codec", "write_rate", "write_bit_rate", "secure",
                   "hostname", "presence_id", "presence_data", "accountcode", "callstate", "callee_name",
                   "callee_num", "callee_direction", "call_uuid", "sent_callee_name", "sent_callee_num",
                   "initial_cid_name", "initial_cid_num", "initial_ip_addr", "initial_dest",
                   "initial_dialplan", "initial_context")

Handler = Callable[[str, "Connection | None"], str]


class Api:
    """Runs api commands against one simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.started = time.time()
        self.commands: dict[str, Handler] = {
            "status": self.status, "version": lambda a, c: VERSION + "\n", "originate": self.originate,
            "uuid_kill": self.uuid_kill, "uuid_break": self.uuid_break, "uuid_transfer": self.uuid_transfer,
            "uuid_setvar": self.uuid_setvar, "uuid_getvar": self.uuid_getvar,
            "uuid_send_dtmf": self.uuid_send_dtmf, "uuid_recv_dtmf": self.uuid_recv_dtmf,
            "uuid_exists": self.uuid_exists, "uuid_bridge": self.uuid_bridge, "hupall": self.hupall,
            "show": self.show, "conference": lambda a, c: self.sim.conferences.api(a),
            "http_clear_cache": self.http_clear_cache, "http_get": self.http_get,
            "sim_call": self.sim_call,
        }

    def execute(self, text: str, conn: Connection | None = None) -> str:
        """Run one command line; returns its output."""
        name, _, args = text.strip().partition(" ")
        handler = self.commands.get(name.lower())
        if handler is None:
            return f"-ERR {name} Command not found!\n"
        try:
            out = handler(args.strip(), conn)
        except (ValueError, IndexError) as exc:
            log.info("sim api %r failed: %s", text, exc)
            out = f"-ERR {exc}\n"
        return out or "-ERR no reply\n"

    def _channel(self, uuid: str):
        ch = self.sim.channels.get(uuid)
        return None if ch is None or ch.reported else ch

    # -- core ------------------------------------------------------------------------
    def status(self, args: str, conn: Connection | None) -> str:
        up = int(time.time() - self.started)
        count = len(self.sim.channels)
        return (f"UP 0 years, 0 days, {up // 3600} hours, {up // 60 % 60} minutes, {up % 60} seconds, "
                f"0 milliseconds, 0 microseconds\n"
                f"FreeSWITCH (Version 1.10.12-release voxctl simulator 64bit) is ready\n"
                f"{self.sim.session_count} session(s) since startup\n"
                f"{count} session(s) - peak {self.sim.peak}, last 5min {count} \n"
                f"0 session(s) per Sec out of max 2000, peak 0, last 5min 0 \n"
                f"5000 session(s) max\nmin idle cpu 0.00/99.00\nCurrent Stack Size/Max 240K/8192K\n")

    def show(self, args: str, conn: Connection | None) -> str:
        words = args.split()
        what = words[0].lower() if words else ""
        if what not in ("channels", "calls"):
            return f"-ERR show {what} not supported by the simulator\n"
        chans = [c for c in self.sim.channels.values() if not c.reported]
        if what == "calls":
            chans = [c for c in chans if c.variables.get("loopback_leg") != "B" and c.other_type != "originatee"]
        rows = [self._row(c) for c in chans]
        if words[-2:] == ["as", "json"]:
            if not rows:
                return '{"row_count": 0}\n'
            return json.dumps({"row_count": len(rows), "rows": rows}, separators=(",", ":"))
        lines = [",".join(CHANNEL_COLUMNS), *(",".join(r[k] for k in CHANNEL_COLUMNS) for r in rows)]
        return "\n".join(lines) + f"\n\n{len(rows)} total.\n"

    def _row(self, c) -> dict[str, str]:
        created = c.times["created"] // 1_000_000
        row = dict.fromkeys(CHANNEL_COLUMNS, "")
        row.update(uuid=c.uuid, direction=c.direction, created=self.sim.events.local_time(c.times["created"]),
                   created_epoch=str(created), name=c.name, state=c.state,
                   cid_name=c.profile["caller_id_name"], cid_num=c.profile["caller_id_number"],
                   dest=c.profile["destination_number"], application=c.variables.get("current_application", ""),
                   application_data=c.variables.get("current_application_data", ""), dialplan="xml",
                   context=c.profile["context"], read_codec="L16", read_rate="8000", read_bit_rate="128000",
                   write_codec="L16", write_rate="8000", write_bit_rate="128000", hostname=self.sim.events.hostname,
                   callstate=c.call_state, callee_name=c.profile["callee_id_name"],
                   callee_num=c.profile["callee_id_number"], call_uuid=c.variables.get("call_uuid", ""),
                   initial_cid_num=c.profile["caller_id_number"], initial_dest=c.profile["destination_number"],
                   initial_dialplan="xml", initial_context=c.profile["context"])
        return row

    # -- channels ----------------------------------------------------------------------
    def uuid_kill(self, args: str, conn: Connection | None) -> str:
        uuid, _, cause = args.partition(" ")
        ch = self._channel(uuid)
        if ch is None:
            return "-ERR No such channel!\n"
        ch.hangup(cause.strip() or "NORMAL_CLEARING")
        return "+OK\n"

    def uuid_break(self, args: str, conn: Connection | None) -> str:
        """``uuid_break <uuid> [all] [both]``: ``all`` flushes queued sendmsgs, ``both`` breaks the partner too."""
        uuid, _, flags = args.partition(" ")
        ch = self._channel(uuid)
        if ch is None:
            return "-ERR No such channel!\n"
        for target in (ch, ch.bridged_to if "both" in flags else None):
            if target is not None:
                target.request_break(flush="all" in flags)
        return "+OK\n"

    def uuid_transfer(self, args: str, conn: Connection | None) -> str:
        words = args.split()
        ch = self._channel(words[0]) if words else None
        if ch is None or len(words) < 2:
            return "-ERR No such channel!\n"
        dest = words[1]
        if dest.startswith(("-bleg", "-both")):
            dest = words[2]
            words = words[1:]
        ch.request_transfer(dest, words[3] if len(words) > 3 else "default")
        return "+OK\n"

    def uuid_setvar(self, args: str, conn: Connection | None) -> str:
        uuid, _, rest = args.partition(" ")
        ch = self._channel(uuid)
        if ch is None:
            return "-ERR No such channel!\n"
        name, _, value = rest.partition(" ")
        if value:
            ch.variables[name] = value
        else:
            ch.variables.pop(name, None)
        return "+OK\n"

    def uuid_getvar(self, args: str, conn: Connection | None) -> str:
        uuid, _, name = args.partition(" ")
        ch = self._channel(uuid)
        if ch is None:
            return "-ERR No such channel!\n"
        return ch.variables.get(name.strip(), "_undef_")

    def uuid_send_dtmf(self, args: str, conn: Connection | None) -> str:
        """The caller on ``uuid`` presses keys: they arrive on the far side (loopback peer or bridge)."""
        uuid, _, digits = args.partition(" ")
        ch = self._channel(uuid)
        if ch is None:
            return "-ERR no such channel\n"
        digits = digits.strip()
        far = ch.loopback_peer or ch.bridged_to
        if far is not None:
            source = "UNKNOWN" if far.source == "mod_loopback" else "RTP"
            self.sim.spawn_later(0.02, far.receive_dtmf, digits, source)
        ch.record("send_dtmf", digits=digits)
        return f"+OK {uuid} sent DTMF {digits}.\n"

    def uuid_recv_dtmf(self, args: str, conn: Connection | None) -> str:
        uuid, _, digits = args.partition(" ")
        ch = self._channel(uuid)
        if ch is None:
            return "-ERR Cannot locate session!\n"
        self.sim.spawn_later(0.02, ch.receive_dtmf, digits.strip(), "APP")
        return f"+OK {uuid} received DTMF {digits.strip()}.\n"

    def uuid_exists(self, args: str, conn: Connection | None) -> str:
        return "true" if self._channel(args.strip()) is not None else "false"

    def uuid_bridge(self, args: str, conn: Connection | None) -> str:
        words = args.split()
        a = self._channel(words[0]) if words else None
        b = self._channel(words[1]) if len(words) > 1 else None
        if a is None or b is None:
            return "-ERR Invalid uuid\n"
        a.queue(Message("action", action=lambda ch: bridge_channels(ch, b)))
        return f"+OK {b.uuid}\n"

    def hupall(self, args: str, conn: Connection | None) -> str:
        words = args.split()
        cause = words[0] if words else "MANAGER_REQUEST"
        var, value = (words[1], words[2]) if len(words) > 2 else (None, None)
        for ch in list(self.sim.channels.values()):
            if var is None or ch.variables.get(var) == value:
                ch.hangup(cause)
        return "+OK\n"

    def http_clear_cache(self, args: str, conn: Connection | None) -> str:
        self.sim.media.clear_cache()
        return "+OK\n"

    def http_get(self, args: str, conn: Connection | None) -> str:
        fetched = self.sim.media.fetch("http_cache://" + args.strip())
        return fetched[0] if fetched else "-ERR\n"

    # -- originate -----------------------------------------------------------------------
    def originate(self, args: str, conn: Connection | None) -> str:
        """``originate <dial string> <&app(args)|extension> [dialplan] [context] [cid_name] [cid_num] [timeout]``."""
        dial, _, rest = _split_dial(args)
        if rest.startswith("&") and ")" in rest:  # &socket(host:port async full) may hold spaces
            app_end = rest.index(")") + 1
            target = [rest[:app_end], *split_args(rest[app_end:])]
        else:
            target = split_args(rest)
        if not target:
            return "-ERR INVALID_NUMBER_FORMAT\n"
        global_vars, groups = parse_dialstring(dial)
        cid_num = global_vars.get("origination_caller_id_number") or (target[5] if len(target) > 5 else "0000000000")
        cid_name = global_vars.get("origination_caller_id_name") or (target[4] if len(target) > 4 else "")
        timeout = float(global_vars.get("originate_timeout") or (target[6] if len(target) > 6 else 60))
        endpoints = groups[0] if groups else []
        if not endpoints:
            return "-ERR INVALID_NUMBER_FORMAT\n"
        legs = [Leg(self.sim, ep, global_vars, cid_num, cid_name,
                    uuid=global_vars.get("origination_uuid") if i == 0 else None)
                for i, ep in enumerate(endpoints)]
        winner = wait_for_answer(None, legs, timeout)
        if winner is None or winner.channel is None:
            cause = next((leg.result.get() for leg in legs if leg.result.ready()), "NO_ANSWER")
            return f"-ERR {cause}\n"
        ch = winner.channel
        _flip_caller_id(ch, cid_num)
        app_or_extension = target[0] if target[0].startswith("&") else " ".join(target[:3])
        self.sim.run(ch, self.sim.target_actions(app_or_extension))
        return f"+OK {ch.uuid}\n"

    # -- simulator only --------------------------------------------------------------------
    def sim_call(self, args: str, conn: Connection | None) -> str:
        """``sim_call <json call script>``: place a scripted call; returns ``+OK <uuid>``."""
        call = self.sim.place_call(script_from(json.loads(args)))
        self.sim.stream_timeline(call)
        return f"+OK {call.uuid}\n"


def _split_dial(args: str) -> tuple[str, str, str]:
    """Split the dial string (which may contain spaces inside {} or []) from the rest."""
    depth = 0
    for i, ch in enumerate(args):
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        elif ch == " " and depth == 0:
            return args[:i], " ", args[i + 1:].strip()
    return args, "", ""


def _flip_caller_id(ch, cid_num: str) -> None:
    """Originated legs show the callee as caller once answered (fact 13)."""
    p = ch.profile
    ch.variables.update(pre_transfer_caller_id_number=cid_num, channel_cid_flipped="yes")
    p["caller_id_name"], p["caller_id_number"] = "Outbound Call", p["callee_id_number"]
    p["callee_id_name"], p["callee_id_number"] = "", cid_num
    p["orig_caller_id_number"] = p["ani"] = cid_num
