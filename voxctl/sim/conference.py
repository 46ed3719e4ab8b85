"""Conference rooms: the ``conference`` app, member ids from a global counter, the
``conference`` api and the CUSTOM ``conference::maintenance`` events (trace 06, 06b).
"""
from __future__ import annotations

import logging
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .channel import Channel
from .media import speech_duration
from .protocol import Headers

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger(__name__)

SUBCLASS = "conference::maintenance"
KICK_PROMPT = 0.6  # the kicked member's app completes after the kicked sound (trace 06)
HOLD_MUSIC = "local_stream://moh"
FALSE = ("false", "no", "off", "0")  # switch_false()
# the sounds of FreeSWITCH's vanilla `default` profile (trace 06); other profiles are silent,
# like the shipped `voxctl` profile (freeswitch/autoload_configs/conference.conf.xml)
PROFILE_SOUNDS = {"default": {
    "alone": ("conference/conf-alone.wav", 2.0), "enter": ("tone_stream://%(200,0,500,600,700)", 0.4),
    "exit": ("tone_stream://%(500,0,300,200,100,50,25)", 1.0), "muted": ("conference/conf-muted.wav", 1.2),
    "unmuted": ("conference/conf-unmuted.wav", 1.2)}}


@dataclass
class Member:
    id: int
    channel: Channel
    flags: set[str]
    speak: bool = True
    hear: bool = True
    removed: str = ""  # why the member must leave: kick | hup | end

    @property
    def moderator(self) -> bool:
        return "moderator" in self.flags


@dataclass
class Room:
    name: str
    profile: str
    flags: set[str]
    uuid: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    members: list[Member] = field(default_factory=list)
    floor: Member | None = None
    playing: list[tuple[str, float]] = field(default_factory=list)  # the conference's file queue


class Conferences:
    """Every room of one simulator, and the ``conference`` api."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.rooms: dict[str, Room] = {}
        self.next_member_id = 1  # one counter for every room (fact: ids 11 and 12 in trace 06)

    # -- events --------------------------------------------------------------------
    def _room_headers(self, room: Room) -> Headers:
        return [("Conference-Name", room.name), ("Conference-Domain", "127.0.0.1"),
                ("Conference-Size", str(len(room.members))), ("Conference-Ghosts", "0"),
                ("Conference-Profile-Name", room.profile), ("Conference-Unique-ID", room.uuid)]

    def _member_headers(self, room: Room, m: Member) -> Headers:
        return ([("Floor", "true" if room.floor is m else "false")] + m.channel.data_headers() +
                [("Video", "false"), ("Hear", str(m.hear).lower()), ("See", "true"),
                 ("Speak", str(m.speak).lower()), ("Talking", "false"), ("Mute-Detect", "false"),
                 ("Hold", "false"), ("Member-ID", str(m.id)),
                 ("Member-Type", "moderator" if m.moderator else "member"), ("Member-Ghost", "false"),
                 ("Energy-Level", "100"), ("Current-Energy", "0")])

    def fire(self, room: Room, action: str, member: Member | None = None, *extra: tuple[str, str]) -> None:
        channel = member.channel if member is not None else None
        if self.sim.bus.unwanted("CUSTOM", channel, SUBCLASS):
            return
        headers = self._room_headers(room)
        if member is not None:
            headers += self._member_headers(room, member)
        headers += [("Action", action), *extra]
        self.sim.dispatch(self.sim.events.build("CUSTOM", headers, subclass=SUBCLASS), channel)

    # -- membership ----------------------------------------------------------------
    def join(self, ch: Channel, arg: str) -> str:
        """The ``conference <room>[@profile][+flags{a|b}]`` app: runs until the member leaves."""
        m = re.match(r"^(?P<room>[^@+]+)(?:@(?P<profile>[^+]+))?(?:\+flags\{(?P<flags>[^}]*)\})?", arg.strip())
        if not m:
            return "_none_"
        flags = {f for f in (m.group("flags") or "").split("|") if f}
        conf_flags = {f for f in ch.variables.get("conference_flags", "").split("|") if f}
        name, profile = m.group("room"), m.group("profile") or "default"
        room = self.rooms.get(name)
        if room is None:
            room = Room(name, profile, conf_flags | flags)
            self.rooms[name] = room
            self.fire(room, "conference-create")
        member = Member(self.next_member_id, ch, flags, speak="mute" not in flags, hear="deaf" not in flags)
        self.next_member_id += 1
        room.members.append(member)
        if member.moderator:
            room.flags.discard("wait-mod")
            for other in room.members:
                other.channel.wake()
        self.fire(room, "add-member", member)
        ch.record("conference_join", room=name, member_id=member.id, flags=sorted(flags))
        if room.floor is None and member.speak:
            room.floor = member
            self.fire(room, "floor-change", member, ("Old-ID", "none"), ("New-ID", str(member.id)))
        if "wait-mod" not in room.flags:
            self._sound(room, "alone" if len(room.members) == 1 else "enter")
        self._stay(room, member)
        self._leave(room, member)
        if member.removed == "kick":
            ch.wait(KICK_PROMPT, nested=False)
        return "_none_"

    def _stay(self, room: Room, member: Member) -> None:
        ch = member.channel
        waiting = False
        while not member.removed:
            if "wait-mod" in room.flags and not waiting:
                waiting = True
                ch.record("play", file=HOLD_MUSIC)
            elif waiting and "wait-mod" not in room.flags:
                waiting = False
            reason = ch.wait(None, digits=True,
                             until=lambda w=waiting: bool(member.removed) or (w and "wait-mod" not in room.flags))
            if reason == "dtmf":
                self._dtmf(room, member, ch.dtmf_queue.popleft())
            elif reason in ("hangup", "transfer"):
                return

    def _dtmf(self, room: Room, member: Member, digit: str) -> None:
        if room.profile == "default" and digit == "0":  # default caller-controls: 0 toggles mute
            self.set_speak(room, member, not member.speak)
        else:
            self.fire(room, "dtmf-member", member, ("DTMF-Key", digit))

    def _leave(self, room: Room, member: Member) -> None:
        room.members.remove(member)
        if room.floor is member:
            room.floor = None
            self.fire(room, "floor-change", None, ("Old-ID", str(member.id)), ("New-ID", "none"))
        self.fire(room, "del-member", member)
        heir = next((m for m in room.members if m.speak), None)
        if room.floor is None and heir is not None:
            room.floor = heir
            self.fire(room, "floor-change", heir, ("Old-ID", "none"), ("New-ID", str(heir.id)))
        if room.members:
            self._sound(room, "exit")
        member.channel.record("conference_leave", room=room.name, member_id=member.id,
                              reason=member.removed or "left")
        if "endconf" in member.flags:  # the room is destroyed: its members are hung up unless
            for other in list(room.members):  # hangup_after_conference is false (they go on)
                other.removed = "end"
                if other.channel.variables.get("hangup_after_conference", "").lower() in FALSE:
                    other.channel.wake()
                else:
                    other.channel.hangup("NORMAL_CLEARING")
        if not room.members and self.rooms.get(room.name) is room:
            del self.rooms[room.name]
            self.fire(room, "conference-destroy")

    def set_speak(self, room: Room, member: Member, speak: bool) -> None:
        member.speak = speak
        self.fire(room, "unmute-member" if speak else "mute-member", member)
        sound = PROFILE_SOUNDS.get(room.profile, {}).get("unmuted" if speak else "muted")
        if sound is not None:
            self.sim.spawn_later(sound[1], self._file_done, room, sound, member)

    def _sound(self, room: Room, which: str) -> None:
        sound = PROFILE_SOUNDS.get(room.profile, {}).get(which)
        if sound is not None:
            self._enqueue(room, sound)

    def _enqueue(self, room: Room, sound: tuple[str, float]) -> None:
        """Conference files play one after the other; each ends with play-file-done."""
        room.playing.append(sound)
        if len(room.playing) == 1:
            self.sim.spawn(self._player, room)

    def _player(self, room: Room) -> None:
        while room.playing:
            self.sim.clock.sleep(room.playing[0][1])
            self._file_done(room, room.playing.pop(0), None)

    def _file_done(self, room: Room, sound: tuple[str, float], member: Member | None) -> None:
        path, seconds = sound
        action = "play-file-member-done" if member is not None else "play-file-done"
        if member is not None and member not in room.members:
            return
        self.fire(room, action, member, ("seconds", str(int(seconds))), ("milliseconds", str(int(seconds * 1000))),
                  ("samples", str(int(seconds * 8000))), ("File", path))

    # -- api -------------------------------------------------------------------------
    def api(self, args: str) -> str:
        """``conference <name> list|mute|unmute|deaf|undeaf|kick|hup|play|say|saymember|get|set ...``."""
        parts = args.split()
        if len(parts) < 2:
            return "-ERR usage: conference <name> <command> [args]\n"
        name, command, rest = parts[0], parts[1].lower(), parts[2:]
        room = self.rooms.get(name)
        if room is None:
            return f"-ERR Conference {name} not found\n"
        if command == "list":
            return "".join(f"{m.id};{m.channel.name};{m.channel.uuid};{m.channel.profile['caller_id_name']};"
                           f"{m.channel.profile['caller_id_number']};{self._flags(room, m)};0;0;100\n"
                           for m in reversed(room.members))
        if command == "play" and len(rest) > 1 and rest[-1].isdigit():
            return self._play_member(room, rest[-1], "play", " ".join(rest[:-1]))
        if command == "saymember":
            return self._play_member(room, rest[0] if rest else "", "say", " ".join(rest[1:]))
        if command in ("play", "say"):
            return self._play(room, command, " ".join(rest))
        if command == "get":
            return self._get(room, rest[0] if rest else "")
        if command == "set":
            return self._set(room, rest)
        members = self._select(room, rest[0] if rest else "")
        if members is None:
            return f"-ERR Non-Existant ID {rest[0] if rest else ''}\n"
        out = []
        for m in members:
            if command in ("mute", "unmute"):
                self.set_speak(room, m, command == "unmute")
            elif command in ("deaf", "undeaf"):
                m.hear = command == "undeaf"
                self.fire(room, f"{command}-member", m)
            elif command in ("kick", "hup"):
                m.removed = command
                self.fire(room, "kick-member" if command == "kick" else "hup-member", m)
                m.channel.wake()
            else:
                return f"-ERR {command} Command not found!\n"
            out.append(f"+OK {'kicked' if command == 'kick' else command} {m.id}\n")
        return "".join(out)

    @staticmethod
    def _flags(room: Room, m: Member) -> str:
        flags = (["hear"] if m.hear else []) + (["speak"] if m.speak else [])
        flags += (["floor"] if room.floor is m else []) + (["moderator"] if m.moderator else [])
        return "|".join(flags)

    @staticmethod
    def _select(room: Room, which: str) -> list[Member] | None:
        if which == "all":
            return list(room.members)
        if which == "last":
            return room.members[-1:]
        found = [m for m in room.members if str(m.id) == which]
        return found or None

    def _play(self, room: Room, command: str, what: str) -> str:
        if command == "say":
            duration = speech_duration(what)
            self.fire(room, "speak-text", None, ("Text", what))
            for m in room.members:
                m.channel.record("speak", text=what, engine="conference", voice="")
            self.sim.spawn_later(duration, self.fire, room, "speak-text-done", None, ("Text", what))
            return "+OK (say) OK\n"
        segments = self.sim.media.segments(what, {})
        if segments is None:
            return f"-ERR (play) File {what} not found\n"
        self.fire(room, "play-file", None, ("File", what), ("Async", "false"))
        for m in room.members:
            m.channel.record("play", file=what)
        self._enqueue(room, (what, sum(s.duration for s in segments)))
        return f"+OK (play) Playing file {what}\n"

    def _play_member(self, room: Room, member_id: str, command: str, what: str) -> str:
        """``play <file> <member_id>`` / ``saymember <member_id> <text>``: only that member hears it."""
        found = self._select(room, member_id) if member_id.isdigit() else None
        if not found:
            return (f"-ERR Member: {member_id} not found.\n" if command == "play"
                    else f"-ERR (saymember) Unknown Member {member_id}\n")
        member = found[0]
        if command == "say":
            if not what:
                return "-ERR (saymember) Text is empty\n"
            sound = (what, speech_duration(what))
            self.fire(room, "speak-text-member", member, ("Text", what))
            member.channel.record("speak", text=what, engine="conference", voice="")
            reply = "+OK (saymember) OK\n"
        else:
            segments = self.sim.media.segments(what, {})
            if segments is None:
                return f"-ERR (play) File {what} not found\n"
            sound = (what, sum(s.duration for s in segments))
            self.fire(room, "play-file-member", member, ("File", what))
            member.channel.record("play", file=what)
            reply = f"+OK (play) Playing file {what} to member {member.id}\n"
        self.sim.spawn_later(sound[1], self._file_done, room, sound, member)
        return reply

    @staticmethod
    def _get(room: Room, param: str) -> str:
        values = {"wait_mod": "true" if "wait-mod" in room.flags else "",
                  "count": str(len(room.members)), "uuid": room.uuid, "profile_name": room.profile,
                  "locked": "true" if "locked" in room.flags else ""}
        return values.get(param, "")

    @staticmethod
    def _set(room: Room, rest: list[str]) -> str:
        if len(rest) < 2:
            return "-ERR usage: conference <name> set <param> <value>\n"
        flag = {"wait_mod": "wait-mod", "locked": "locked"}.get(rest[0])
        if flag is None:
            return f"-ERR unknown parameter {rest[0]}\n"
        if rest[1].lower() in ("true", "yes", "on", "1"):
            room.flags.add(flag)
        else:
            room.flags.discard(flag)
        return f"+OK {rest[0]} {rest[1]}\n"


def conference_app(ch: Channel, arg: str) -> str:
    """The ``conference`` application."""
    return ch.sim.conferences.join(ch, arg)
