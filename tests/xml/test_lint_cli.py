"""``voxctl lint FILE|URL|-``: problems as lines or JSON, exit 1 on errors."""
from __future__ import annotations

import io
import json
import sys

import pytest

from voxctl.cli import main
from voxctl.xml.lint import Problem, lint

WARNINGS_ONLY = "<Response>\n<Gather numdigits='2' timeout='90'/>\n</Response>"
BROKEN = "<Response>\n<Say foo='1'>Hi</Say>\n<play>a.mp3</play>\n</Response>"


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "doc.xml") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


def test_a_clean_document_prints_nothing_and_exits_0(write, capsys):
    assert main(["lint", write("<Response><Hangup/></Response>")]) == 0
    assert capsys.readouterr().out == ""


def test_warnings_are_printed_and_exit_0(write, capsys):
    assert main(["lint", write(WARNINGS_ONLY)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "5106 2 Gather warning: unknown attribute 'numdigits' ignored (did you mean 'numDigits'?)",
        "5106 2 Gather warning: timeout='90' is out of range, using 60",
    ]


def test_errors_are_printed_with_earlier_warnings_and_exit_1(write, capsys):
    assert main(["lint", write(BROKEN)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "5106 2 Say warning: unknown attribute 'foo' ignored",
        "5106 3 play error: unknown verb <play> (names are case-sensitive: <Play>)",
    ]


def test_json_output(write, capsys):
    assert main(["lint", "--json", write(BROKEN)]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert problems == [
        {"code": 5106, "line": 2, "verb": "Say", "message": "unknown attribute 'foo' ignored",
         "severity": "warning"},
        {"code": 5106, "line": 3, "verb": "play",
         "message": "unknown verb <play> (names are case-sensitive: <Play>)", "severity": "error"},
    ]


def test_json_output_of_a_clean_document_is_an_empty_list(write, capsys):
    assert main(["lint", "--json", write("<Response/>")]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_root_missing_and_syntax_errors(write, capsys):
    assert main(["lint", write("<Say>hi</Say>")]) == 1
    assert capsys.readouterr().out.startswith("5105 1 Say error: root element")
    assert main(["lint", write("<Response>\n<Say>hi</Response>")]) == 1
    assert capsys.readouterr().out.startswith("5106 2 - error: bad syntax at line 2, column")


def test_flavour_and_context_options(write, capsys):
    path = write("<Response><SetMute muted='true'/></Response>")
    assert main(["lint", path]) == 1
    assert "not allowed in a call document" in capsys.readouterr().out
    assert main(["lint", "--context", "participant", path]) == 0
    dial = write("<Response><Dial><Sip>sip:a@b</Sip></Dial></Response>")
    assert main(["lint", "--flavour", "twiml", "--context", "screening", dial]) == 1
    assert "<Dial> is not allowed in a screening document" in capsys.readouterr().out


def test_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(WARNINGS_ONLY.encode())))
    assert main(["lint", "-"]) == 0
    assert "numDigits" in capsys.readouterr().out


def test_url(http_server, capsys):
    url = http_server.route("/ivr.xml", BROKEN)
    assert main(["lint", url]) == 1
    assert "unknown verb <play>" in capsys.readouterr().out
    assert [r.method for r in http_server.requests_to("/ivr.xml")] == ["GET"]


def test_unreachable_url_and_bad_mimetype(http_server, capsys):
    assert main(["lint", http_server.url("/missing.xml")]) == 1
    assert capsys.readouterr().out.startswith("5107 0 - error: could not reach")
    url = http_server.route("/page", "<Response/>", content_type="text/html")
    assert main(["lint", "--json", url]) == 1
    (problem,) = json.loads(capsys.readouterr().out)
    assert problem["code"] == 5108 and "text/html" in problem["message"]


def test_missing_file(tmp_path, capsys):
    assert main(["lint", str(tmp_path / "nope.xml")]) == 1
    assert capsys.readouterr().out.startswith("5107 0 - error: cannot read")


def test_lint_function_returns_problems():
    assert lint(WARNINGS_ONLY)[0] == Problem(5106, 2, "Gather", "unknown attribute 'numdigits' ignored "
                                             "(did you mean 'numDigits'?)", "warning")
    assert lint("<Response/>", "twiml", "screening") == []
