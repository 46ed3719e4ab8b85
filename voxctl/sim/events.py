"""The one event builder: base headers (identity, dates, calling location, sequence)."""
from __future__ import annotations

import itertools
import socket
import time
import uuid as uuidlib

from .clock import Clock
from .protocol import Event, Headers

# where FreeSWITCH 1.10 fires each event (as in the traces), for realistic Event-Calling-*
CALLING = {
    "CHANNEL_CREATE": ("switch_core_state_machine.c", "switch_core_session_run", 626),
    "CHANNEL_DATA": ("mod_event_socket.c", "parse_command", 2021),
    "CHANNEL_EXECUTE": ("switch_core_session.c", "switch_core_session_exec", 2944),
    "CHANNEL_EXECUTE_COMPLETE": ("switch_core_session.c", "switch_core_session_exec", 2967),
    "CHANNEL_ANSWER": ("switch_channel.c", "switch_channel_perform_mark_answered", 3846),
    "CHANNEL_PROGRESS": ("switch_channel.c", "switch_channel_perform_mark_ring_ready_value", 3436),
    "CHANNEL_PROGRESS_MEDIA": ("switch_channel.c", "switch_channel_perform_mark_pre_answered", 3605),
    "CHANNEL_HANGUP": ("switch_channel.c", "switch_channel_perform_hangup", 3236),
    "CHANNEL_HANGUP_COMPLETE": ("switch_core_state_machine.c", "switch_core_session_reporting_state", 949),
    "CHANNEL_STATE": ("switch_channel.c", "switch_channel_perform_set_running_state", 2408),
    "CHANNEL_CALLSTATE": ("switch_channel.c", "switch_channel_perform_set_callstate", 301),
    "CHANNEL_PARK": ("switch_ivr.c", "switch_ivr_park", 1002),
    "CHANNEL_UNPARK": ("switch_ivr.c", "switch_ivr_park", 1433),
    "CHANNEL_BRIDGE": ("switch_ivr_bridge.c", "audio_bridge_on_exchange_media", 1071),
    "CHANNEL_UNBRIDGE": ("switch_ivr_bridge.c", "audio_bridge_on_exchange_media", 1186),
    "CHANNEL_DESTROY": ("switch_core_session.c", "switch_core_session_perform_destroy", 1678),
    "DTMF": ("switch_channel.c", "switch_channel_dequeue_dtmf", 677),
    "BACKGROUND_JOB": ("mod_event_socket.c", "api_exec", 1572),
    "PLAYBACK_START": ("switch_ivr_play_say.c", "switch_ivr_play_file", 1646),
    "PLAYBACK_STOP": ("switch_ivr_play_say.c", "switch_ivr_play_file", 2020),
    "RECORD_START": ("switch_ivr_play_say.c", "switch_ivr_record_file_event", 767),
    "RECORD_STOP": ("switch_ivr_play_say.c", "switch_ivr_record_file_event", 1030),
    "PRIVATE_COMMAND": ("switch_ivr.c", "switch_ivr_parse_next_event", 804),
    "CODEC": ("switch_core_codec.c", "switch_core_session_set_read_codec", 279),
    "CUSTOM": ("mod_conference.c", "conference_event_send", 1),
}


class EventFactory:
    """Builds every event with the switch identity and a global sequence number."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.core_uuid = str(uuidlib.uuid4())
        self.hostname = socket.gethostname()
        self._sequence = itertools.count(1)
        self._dates: tuple[int, str, str] = (-1, "", "")  # the second last formatted: local, GMT

    @staticmethod
    def local_time(epoch_us: int) -> str:
        """``2026-11-21 22:32:16`` (the switch's local time)."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch_us / 1e6))

    def dates(self, epoch_us: int) -> tuple[str, str]:
        """``Event-Date-Local`` and ``Event-Date-GMT`` of ``epoch_us`` (formatted once a second)."""
        second, local, gmt = self._dates
        if epoch_us // 1_000_000 != second:
            second = epoch_us // 1_000_000
            local = self.local_time(epoch_us)
            gmt = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(epoch_us / 1e6))
            self._dates = (second, local, gmt)
        return local, gmt

    def skip(self) -> None:
        """Use up one sequence number: an event fired that no connection hears."""
        next(self._sequence)

    def build(self, name: str, headers: Headers, *, pre: Headers = (), body: str = "",
              subclass: str = "") -> Event:
        """An event: ``pre`` headers, then the base headers, then ``headers``."""
        now = self.clock.epoch_us()
        file, function, line = CALLING.get(name, ("switch_event.c", "switch_event_fire_detailed", 1))
        local, gmt = self.dates(now)
        base: Headers = list(pre)
        if subclass:
            base.append(("Event-Subclass", subclass))
        base += [("Event-Name", name), ("Core-UUID", self.core_uuid),
                 ("FreeSWITCH-Hostname", self.hostname), ("FreeSWITCH-Switchname", self.hostname),
                 ("FreeSWITCH-IPv4", "127.0.0.1"), ("FreeSWITCH-IPv6", "::1"),
                 ("Event-Date-Local", local), ("Event-Date-GMT", gmt),
                 ("Event-Date-Timestamp", str(now)), ("Event-Calling-File", file),
                 ("Event-Calling-Function", function), ("Event-Calling-Line-Number", str(line)),
                 ("Event-Sequence", str(next(self._sequence)))]
        return Event(name, base + list(headers), body=body, subclass=subclass)
