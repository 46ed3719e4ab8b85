"""Replay every recorded ESL transcript against the simulator and compare the streams.

Per socket: the replies (command/reply, api/response, notices) must be the same
list; on outbound sockets the events (name, application, response, hangup cause,
answer/call state, DTMF) must be the same list and the key variables of every
CHANNEL_EXECUTE_COMPLETE must agree; on the inbound connection, where events
of different channels race inside FreeSWITCH, each channel's events must be the
same multiset (and BACKGROUND_JOB results the same list). Tolerated, because
the real switch races there too: the linger notice's position (fact 8), a
CHANNEL_PARK the socket may or may not see first, and the default conference
profile's sound files (play-file-done details).
"""
from __future__ import annotations

import collections
import io
import wave

import pytest

from tests.sim import compare as C
from tests.sim.replay import TRACES, Replay, load
from voxctl.sim import Destination, Dialplan, Extension, Simulator

SPEED = 10.0
# traces whose digits land in windows of a few hundred milliseconds replay slower
SLOWER = {"04-play-and-get-digits": 5.0, "07-record": 5.0, "18-gather-prompt-strategies": 5.0}
NAMES = sorted(p.stem for p in TRACES.glob("*.jsonl"))
FIRST_MEMBER_ID = {"06-conference": 11, "06b-conference-wait-mod": 13}
TOLERANT_VARIABLES = {"record_seconds": 1}
SOUND_ACTIONS = {"play-file-done", "play-file-member-done"}


def wav_bytes(seconds: float) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(seconds * 8000))
    return buf.getvalue()


@pytest.fixture(scope="module")
def switch_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fsroot")
    sounds = root / "srv" / "fs" / "sounds"
    sounds.mkdir(parents=True)
    (sounds / "tone2s.wav").write_bytes(wav_bytes(2.0))
    return root


def replay(name: str, root, http_server) -> tuple:
    trace = load(name)
    speed = SLOWER.get(name, SPEED)
    sim = Simulator(esl_port=0, speed=speed, files_root=str(root),
                    destinations={"nobody": Destination("failed", answer_after=0.04)})
    sim.start()
    sim.conferences.next_member_id = FIRST_MEMBER_ID.get(name, 1)
    run = Replay(trace, speed, sim.esl_port)
    engine = f"127.0.0.1:{run.port} async full"
    sim.dialplan = Dialplan([
        Extension(r"^(9\d+)$", [("socket", engine)]),
        Extension(r"^(8\d{3})$", [("socket", engine)]),
        Extension(r"^7001$", [("answer", ""), ("playback", "/srv/fs/sounds/tone2s.wav"), ("hangup", "")]),
        Extension(r"^7002$", [("ring_ready", ""), ("sleep", "30000")]),
        Extension(r"^7003$", [("answer", ""), ("sleep", "60000")]),
    ])
    http_server.route("/tone.wav", wav_bytes(2.0), content_type="audio/wav",
                      headers={"Cache-Control": "max-age=60"})
    run.substitutions["127.0.0.1:8099"] = http_server.base.removeprefix("http://")
    try:
        got = run.run()
    finally:
        sim.stop()
    return trace, got, run


def _without_leading_park(events: list[str]) -> list[str]:
    return events[1:] if events and events[0].startswith("CHANNEL_PARK") else events


def _variables_agree(recorded: list[dict], simulated: list[dict]) -> list[str]:
    problems = []
    for i, (rec, sim) in enumerate(zip(recorded, simulated, strict=True)):
        for name, value in rec.items():
            other = sim[name]
            if name in TOLERANT_VARIABLES and value and other:
                if abs(int(value) - int(other)) > TOLERANT_VARIABLES[name]:
                    problems.append(f"#{i} {name}: {value!r} != {other!r}")
            elif value != other:
                problems.append(f"#{i} {name}: {value!r} != {other!r}")
    return problems


def _channel_multisets(msgs) -> dict[str, collections.Counter]:
    return {channel: collections.Counter(k for k in keys if not any(f"Action={a}" in k for a in SOUND_ACTIONS))
            for channel, keys in C.per_channel(msgs, states=False).items()}


@pytest.mark.parametrize("name", NAMES)
def test_replay_matches_recording(name, switch_root, http_server):
    trace, got, run = replay(name, switch_root, http_server)
    assert not run.problems, run.problems
    for sock in trace.sockets:
        recorded, simulated = trace.received.get(sock, []), got.get(sock, [])
        assert C.replies(recorded) == C.replies(simulated), f"{sock} replies\n" + \
            C.diff(C.replies(recorded), C.replies(simulated))
        assert C.lingers(recorded) == C.lingers(simulated), f"{sock} linger notices"
        if sock.startswith("outbound"):
            rec_ev, sim_ev = _without_leading_park(C.events(recorded)), _without_leading_park(C.events(simulated))
            assert rec_ev == sim_ev, f"{sock} events\n" + C.diff(rec_ev, sim_ev)
            problems = _variables_agree(C.variables(recorded), C.variables(simulated))
            assert not problems, f"{sock} variables: {problems}"
        else:
            rec_ch, sim_ch = _channel_multisets(recorded), _channel_multisets(simulated)
            assert rec_ch == sim_ch, f"{sock} events per channel\n" + "\n".join(
                f"{ch}: missing {rec_ch.get(ch, collections.Counter()) - sim_ch.get(ch, collections.Counter())}"
                f" extra {sim_ch.get(ch, collections.Counter()) - rec_ch.get(ch, collections.Counter())}"
                for ch in sorted(set(rec_ch) | set(sim_ch)) if rec_ch.get(ch) != sim_ch.get(ch))
            jobs = [k for k in C.events(recorded) if k.startswith("BACKGROUND_JOB")]
            assert jobs == [k for k in C.events(simulated) if k.startswith("BACKGROUND_JOB")]
