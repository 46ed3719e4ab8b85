"""Fetching documents from a real local server: both flavours, every failure code."""
from __future__ import annotations

import gzip

import gevent
import pytest
from gevent.server import StreamServer
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from tests.webhooks.conftest import request_url
from voxctl.webhooks.documents import FetchError, fetch_document
from voxctl.webhooks.events import twiml_call_params, vox_incoming_call
from voxctl.webhooks.signing import verify_vox_signature

DOC = "<Response><Say>Hello</Say></Response>"
CALL = {"id": "8d658f67-3879-4938-bbad-863878bd5341", "account_id": "5af7f6e6-746e-402d-ad17-9a29ce9e2a84",
        "to": "+15556667777", "from": "+15556668888", "status": "processing", "direction": "inbound"}


def test_voxxml_post_sends_incoming_call_json_signed(http_server, client, account):
    url = http_server.route("/ivr", DOC)
    params = vox_incoming_call(CALL["id"], "15556667777", "15556668888")
    assert fetch_document(client, url, "POST", params, "voxxml", account, call_id=CALL["id"]) == DOC
    received = http_server.requests_to("/ivr")[0]
    assert received.method == "POST" and received.json == params
    assert verify_vox_signature(account.signing_secret, received.headers["X-Vox-Signature"], received.body)


def test_voxxml_get_puts_params_in_query(http_server, client):
    url = http_server.route("/ivr", DOC, content_type="application/xml")
    params = vox_incoming_call(CALL["id"], "15556667777", "15556668888")
    assert fetch_document(client, url, "GET", params, "voxxml") == DOC
    received = http_server.requests_to("/ivr")[0]
    assert received.method == "GET" and {k: v[0] for k, v in received.query.items()} == params


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_twiml_sends_form_parameters_signed(http_server, client, account, method):
    url = http_server.route("/twiml", DOC, content_type="text/plain; charset=utf-8")
    assert fetch_document(client, url, method, twiml_call_params(CALL), "twiml", account) == DOC
    received = http_server.requests_to("/twiml")[0]
    assert received.param("CallSid") == "CA8d658f6738794938bbad863878bd5341"
    assert received.param("CallStatus") == "ringing" and received.param("ApiVersion") == "2010-04-01"
    form = MultiDict(received.form) if method == "POST" else {}
    assert RequestValidator(account.auth_token).validate(request_url(http_server, received), form,
                                                         received.headers["X-Twilio-Signature"])


def test_relative_url_resolves_against_base(http_server, client):
    http_server.route("/app/next", DOC)
    base = http_server.url("/app/start.xml")
    assert fetch_document(client, "/app/next", "GET", None, "twiml", base_url=base) == DOC
    assert fetch_document(client, "next", "POST", {}, "twiml", base_url=base) == DOC
    assert [r.method for r in http_server.requests_to("/app/next")] == ["GET", "POST"]


def test_body_decoded_with_declared_charset(http_server, client):
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>Zoë</Say></Response>'
    http_server.route("/latin", latin.encode("latin-1"))
    http_server.route("/bom", b"\xef\xbb\xbf" + DOC.encode())
    assert fetch_document(client, http_server.url("/latin")).endswith("<Say>Zoë</Say></Response>")
    assert fetch_document(client, http_server.url("/bom")) == DOC


def _fails(code, client, url, **kwargs) -> str:
    with pytest.raises(FetchError) as info:
        fetch_document(client, url, **kwargs)
    assert info.value.code == code
    return info.value.message


def test_unreachable_port_is_5107(client):
    message = _fails(5107, client, "http://127.0.0.1:1/ivr")
    assert "http://127.0.0.1:1/ivr" in message and "refused" in message


def test_timeout_beyond_read_timeout_is_5107(http_server, client):
    def slow(_req):
        gevent.sleep(2)
        return DOC
    url = http_server.route("/slow", slow)
    assert "timeout" in _fails(5107, client, url)


@pytest.mark.parametrize("status", [500, 404, 302])
def test_non_2xx_is_5107(http_server, client, status):
    url = http_server.route("/err", "oops", status=status)
    assert f"HTTP {status}" in _fails(5107, client, url)


def test_redirect_to_other_scheme_is_not_followed(http_server, client):
    url = http_server.route("/moved", "", status=302, headers={"Location": "file:///etc/passwd"})
    assert "HTTP 302" in _fails(5107, client, url)


def test_redirect_to_http_is_followed(http_server, client):
    http_server.route("/new", DOC)
    url = http_server.route("/old", "", status=301, headers={"Location": "/new"})
    assert fetch_document(client, url, "GET") == DOC


@pytest.mark.parametrize("ctype", ["text/html", "application/json", ""])
def test_bad_content_type_is_5108(http_server, client, ctype):
    url = http_server.route("/html", "<html/>", content_type=ctype)
    assert url in _fails(5108, client, url)


def test_oversize_document_is_5107(http_server, client, settings):
    big = "<Response>" + "<Pause/>" * settings.max_document_bytes + "</Response>"
    url = http_server.route("/big", big)
    assert "limit" in _fails(5107, client, url)


def test_oversize_after_decompression_is_5107(http_server, client, settings):
    bomb = gzip.compress(b" " * settings.max_document_bytes * 8)
    assert len(bomb) < settings.max_document_bytes  # Content-Length alone does not reveal it
    url = http_server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    assert "response exceeds the 4096-byte limit" in _fails(5107, client, url)


def test_invalid_urls_are_5107(client):
    _fails(5107, client, "/relative/without/base")
    _fails(5107, client, "ftp://example.com/doc.xml")
    _fails(5107, client, "http://name.invalid/doc.xml")


def test_trickling_receiver_is_cut_off_at_the_deadline(client):
    """Each byte arrives within the read timeout, the whole answer never does: still 5107."""
    def trickle(sock, _address):
        sock.recv(65536)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(100):
            gevent.sleep(0.1)
            sock.sendall(b" ")

    server = StreamServer(("127.0.0.1", 0), trickle)
    server.start()
    try:
        assert "no complete response within" in _fails(5107, client, f"http://127.0.0.1:{server.server_port}/")
    finally:
        server.stop(timeout=0)
