"""``voxctl simulate call``: in-process, and through a running simulator (``sim_call``)."""
from __future__ import annotations

import io
import json

from voxctl.cli import build_parser
from voxctl.cli.simulate import call_command


def ivr(s):
    data = s.start()
    assert data["variable_vox_url"] == "http://docs.test/ivr.xml"
    assert data["variable_vox_method"] == "POST" and data["variable_vox_flavour"] == "voxxml"
    s.execute("answer")
    s.execute("speak", "flite|kal|Hello, press one")
    s.execute("play_and_get_digits", "1 1 1 3000 # silence_stream://100 silence_stream://100 d ^\\d$ 1000")
    s.execute("hangup")
    s.finish()


def run(argv: list[str]) -> tuple[int, str]:
    args = build_parser().parse_args(argv)
    out = io.StringIO()
    return call_command(args, out), out.getvalue()


def test_call_in_process_prints_the_timeline(engine_factory):
    engine = engine_factory(ivr)
    code, out = run(["simulate", "call", "--to", "15556667777", "--from", "15556668888",
                     "--url", "http://docs.test/ivr.xml", "--method", "POST", "--flavour", "voxxml",
                     "--dtmf", "1@prompt:silence_stream", "--engine", f"127.0.0.1:{engine.port}",
                     "--esl", "127.0.0.1:1", "--speed", "50", "--json"])
    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [e["kind"] for e in entries] == ["ringing", "answer", "speak", "silence", "dtmf", "hangup"]
    assert entries[2]["detail"]["text"] == "Hello, press one"


def test_call_through_a_running_simulator(sim, engine_factory, tmp_path):
    engine = engine_factory(ivr)
    script = tmp_path / "call.json"
    script.write_text(json.dumps({"to": "15556667777", "from": "15556668888", "dtmf": ["1@2.5s"],
                                  "variables": {"vox_method": "POST"}}))
    code, out = run(["simulate", "call", "--script", str(script), "--url", "http://docs.test/ivr.xml",
                     "--flavour", "voxxml", "--engine", f"127.0.0.1:{engine.port}",
                     "--esl", f"127.0.0.1:{sim.esl_port}"])
    kinds = [line.split()[1] for line in out.splitlines()]
    assert code == 0
    assert kinds == ["ringing", "answer", "speak", "silence", "dtmf", "hangup"]
    assert sim.calls[0].variables["vox_method"] == "POST"
