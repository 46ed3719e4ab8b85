"""The OpenAPI document is kept true: routes and methods match the app, examples and real answers fit."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fixtures.api import SAY
from voxctl.api import openapi
from voxctl.store.records import CallStatus

DOC = openapi.document()
IGNORED_METHODS = {"HEAD", "OPTIONS"}
TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}


def resolve(node: dict) -> dict:
    """Follow a local ``$ref`` (``#/components/...``) to what it names."""
    while "$ref" in node:
        target: Any = DOC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def problems(value: Any, schema: dict, where: str = "$") -> list[str]:
    """What in ``value`` breaks ``schema``: types, required fields, enums, patterns, nested."""
    schema = resolve(schema)
    kind = schema.get("type")
    if kind and not (isinstance(value, TYPES[kind]) and not (kind == "integer" and isinstance(value, bool))):
        return [f"{where}: {value!r} is not {kind}"]
    found = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if kind == "object":
        found += [f"{where}: {name} is required" for name in schema.get("required", []) if name not in value]
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found += problems(value[name], sub, f"{where}.{name}")
    if kind == "array":
        for n, item in enumerate(value):
            found += problems(item, schema["items"], f"{where}[{n}]")
    return found


def operations():
    for path, item in DOC["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def test_every_route_is_documented_with_exactly_its_methods(app):
    """Every native route (``/api/v1`` and ``/healthz``) is documented, and nothing else is.

    The Twilio-compatible routes are Twilio's own contract, not part of this document.
    """
    routed = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        if path.startswith("/api/v1/") or path == "/healthz":
            routed |= {(path, method) for method in rule.methods - IGNORED_METHODS}
    documented = {(path, method) for path, method, _ in operations()}
    assert routed == documented
    assert any(rule.rule.startswith("/2010-04-01/") for rule in app.url_map.iter_rules())


def test_path_parameters_are_declared():
    for path, method, operation in operations():
        declared = {resolve(p)["name"] for p in operation.get("parameters", []) if resolve(p)["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)


def test_every_operation_documents_auth_and_server_errors():
    for path, method, operation in operations():
        responses = operation["responses"]
        assert "500" in responses
        assert ("401" in responses) == (operation.get("security") != []), (method, path)


def examples():
    for path, method, operation in operations():
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            yield f"{method} {path} body", body["example"], body["schema"]
        for status, response in operation["responses"].items():
            content = resolve(response).get("content", {}).get("application/json")
            if content and "example" in content:
                yield f"{method} {path} {status}", content["example"], content["schema"]


@pytest.mark.parametrize("where, example, schema", list(examples()), ids=lambda v: v if isinstance(v, str) else "")
def test_examples_fit_their_schemas(where, example, schema):
    assert problems(example, schema) == []


def test_refs_all_resolve():
    text = repr(DOC)
    for ref in re.findall(r"'\$ref': '([^']+)'", text):
        assert resolve({"$ref": ref})


def test_the_document_is_served_without_a_key(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json == DOC


def test_real_answers_fit_the_schemas(client, account, store):
    call = client.post("/api/v1/calls", json={"to": "15556667777", "from": "15556668888", "voxXML": SAY},
                       headers=account.headers).json
    ended = account.call(status=CallStatus.ANSWERED)
    store.calls.set_status(ended.id, CallStatus.FAILED,
                           error={"code": 5107, "description": "could not reach URL", "time": ended.created_time})
    room = account.conference()
    member = account.participant(room, label="dave")
    schemas = DOC["components"]["schemas"]
    answers = [
        ("/api/v1/calls", "CallList"),
        (f"/api/v1/calls/{call['id']}", "Call"),
        (f"/api/v1/calls/{ended.id}", "Call"),
        ("/api/v1/conferences", "ConferenceList"),
        (f"/api/v1/conferences/{room.id}", "Conference"),
        (f"/api/v1/conferences/{room.id}/participants", "ParticipantList"),
        (f"/api/v1/conferences/{room.id}/participants/{member.id}", "Participant"),
        ("/api/v1/calls/nope", "Error"),
        ("/healthz", "Health"),
    ]
    for url, schema in answers:
        assert problems(client.get(url, headers=account.headers).json, schemas[schema]) == [], url
    assert problems(call, schemas["Call"]) == []
    assert problems(client.get("/api/v1/calls").json, schemas["Error"]) == []
