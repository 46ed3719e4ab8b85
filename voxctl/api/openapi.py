"""The OpenAPI 3.0 document of the native API, written as data.

``tests/api/test_openapi.py`` keeps it true: every route of the app is documented
with exactly its methods, and every example validates against its schema.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from voxctl import __version__
from voxctl.api.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from voxctl.store.records import CallStatus, ConferenceStatus

Schema = dict[str, Any]

CALL_ID = "8d658f67-3879-4938-bbad-863878bd5341"
CONFERENCE_ID = "c0904ce2-9081-4fa1-4ade-8278d347fcac"
PARTICIPANT_ID = "70fe317e-6bf7-484c-b964-dbed00d09684"
TIME = "2021-07-28T12:59:26.145Z"
DOCUMENT = "<Response><Say voice='Joanna' language='en-US'>Hello!</Say></Response>"


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


_TIME = {"type": "string", "format": "date-time"}
_UUID = {"type": "string", "format": "uuid"}


def _record(description: str, required: list[str], properties: Schema) -> Schema:
    return {"type": "object", "description": description, "required": required,
            "properties": {**properties, "error": _ref("RecordError")}}


def _page_of(item: str) -> Schema:
    return {
        "type": "object",
        "required": ["page", "page_size", "page_count", "count", "results"],
        "properties": {
            "page": {"type": "integer", "description": "this page's number, from 1"},
            "page_size": {"type": "integer", "description": "the most results a page holds"},
            "page_count": {"type": "integer", "description": "how many pages there are"},
            "count": {"type": "integer", "description": "how many results there are in all"},
            "results": {"type": "array", "items": _ref(item)},
        },
    }


def _json(schema: Schema, example: Any, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema, "example": example}}}


def _error(status: int, description: str, code: int | None = None) -> Schema:
    return _json(_ref("Error"), {"error": {"code": code or status, "description": description}}, description)


def _page_example(item: Any) -> Schema:
    return {"page": 1, "page_size": DEFAULT_PAGE_SIZE, "page_count": 1, "count": 1, "results": [item]}


def _body(schema: str, example: Any) -> Schema:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema), "example": example}}}


def _operation(summary: str, responses: dict[str, Any], parameters: Sequence[str] = (),
               body: Schema | None = None, public: bool = False) -> Schema:
    op: Schema = {"summary": summary, "responses": {**responses, "500": {"$ref": "#/components/responses/ServerError"}}}
    if not public:
        op["responses"]["401"] = {"$ref": "#/components/responses/Unauthorized"}
    else:
        op["security"] = []
    if parameters:
        op["parameters"] = [{"$ref": f"#/components/parameters/{name}"} for name in parameters]
    if body is not None:
        op["requestBody"] = body
        op["responses"]["413"] = {"$ref": "#/components/responses/TooLarge"}
    return op


CALL_EXAMPLE = {"id": CALL_ID, "to": "15556667777", "from": "15556668888", "status": "answered",
                "created_time": TIME, "modified_time": TIME, "answer_time": TIME}
QUEUED_CALL_EXAMPLE = {"id": CALL_ID, "to": "15556667777", "from": "15556668888", "status": "queued",
                       "created_time": TIME, "modified_time": TIME}
CONFERENCE_EXAMPLE = {"id": CONFERENCE_ID, "name": "room1", "status": "in_progress",
                      "created_time": TIME, "modified_time": TIME}
FAILED_CALLBACK_EXAMPLE = {"time": "2021-07-28T12:59:31Z", "call_id": CALL_ID, "kind": "status",
                           "flavour": "voxxml", "method": "POST", "url": "https://example.com/callback",
                           "attempts": 4, "error": "HTTP 500",
                           "payload": {"type": "number", "event": "answered", "call_id": CALL_ID,
                                       "destination_number": "15556667777", "time": "2021-07-28T12:59:26Z"}}
PARTICIPANT_EXAMPLE = {"id": PARTICIPANT_ID, "label": "person1", "created_time": TIME, "modified_time": TIME,
                       "joined_time": TIME, "conference_id": CONFERENCE_ID}

_NO_CONTENT = {"204": {"$ref": "#/components/responses/NoContent"}}
_NOT_FOUND = {"404": {"$ref": "#/components/responses/NotFound"}}
_UNPROCESSABLE = {"422": {"$ref": "#/components/responses/Unprocessable"}}
_PAGED = ["page", "page_size"]


def _modify(kind: str, parameters: list[str], body: str) -> Schema:
    return _operation(f"Run a new VoxXML document for the {kind}, interrupting the running one",
                      {**_NO_CONTENT, **_NOT_FOUND, **_UNPROCESSABLE}, parameters,
                      _body(body, {"voxXML": DOCUMENT}))


_CALL_PATH = {
    "get": _operation("Get a call", {"200": _json(_ref("Call"), CALL_EXAMPLE, "the call"), **_NOT_FOUND}, ["id"]),
    "post": _modify("call", ["id"], "Document"),
    "patch": _modify("call", ["id"], "Document"),
    "delete": _operation("Hang up an ongoing call (204 also once it has ended)",
                         {**_NO_CONTENT, **_NOT_FOUND, **_UNPROCESSABLE}, ["id"]),
}
_CONFERENCE_PATH = {
    "get": _operation("Get a conference",
                      {"200": _json(_ref("Conference"), CONFERENCE_EXAMPLE, "the conference"), **_NOT_FOUND}, ["id"]),
    "post": _modify("conference", ["id"], "Document"),
    "patch": _modify("conference", ["id"], "Document"),
    "delete": _operation("End a conference, hanging up every participant (204 also once it has ended)",
                         {**_NO_CONTENT, **_NOT_FOUND, **_UNPROCESSABLE}, ["id"]),
}
_PARTICIPANT_PATH = {
    "get": _operation("Get a conference participant",
                      {"200": _json(_ref("Participant"), PARTICIPANT_EXAMPLE, "the participant"), **_NOT_FOUND},
                      ["conf_id", "id"]),
    "post": _modify("participant", ["conf_id", "id"], "ParticipantDocument"),
    "patch": _modify("participant", ["conf_id", "id"], "ParticipantDocument"),
}

_DOCUMENT: Schema = {
    "openapi": "3.0.3",
    "info": {
        "title": "voxctl native voice API",
        "version": __version__,
        "description": "Create and control calls, conferences and participants with VoxXML. "
                       "Errors are JSON: {\"error\": {\"code\", \"description\"}}; a 422 names the field at "
                       "fault, and a VoxXML document refused at request time carries its code (5105, 5106).",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/calls": {
            "get": _operation("List calls, active and ended (kept 7 days after they end), newest first",
                              {"200": _json(_ref("CallList"), _page_example(CALL_EXAMPLE), "a page of calls"),
                               **_UNPROCESSABLE}, _PAGED),
            "post": _operation("Create an outbound call that runs the VoxXML once answered",
                               {"201": _json(_ref("Call"), QUEUED_CALL_EXAMPLE, "the queued call"),
                                **_UNPROCESSABLE},
                               body=_body("CallCreate", {"to": "15556667777", "from": "15556668888",
                                                         "voxXML": DOCUMENT})),
        },
        "/api/v1/calls/{id}": _CALL_PATH,
        "/api/v1/conferences": {
            "get": _operation("List conferences, open and ended, newest first",
                              {"200": _json(_ref("ConferenceList"), _page_example(CONFERENCE_EXAMPLE),
                                            "a page of conferences"), **_UNPROCESSABLE}, _PAGED),
        },
        "/api/v1/conferences/{id}": _CONFERENCE_PATH,
        "/api/v1/conferences/{conf_id}/participants": {
            "get": _operation("List a conference's current participants",
                              {"200": _json(_ref("ParticipantList"), _page_example(PARTICIPANT_EXAMPLE),
                                            "a page of participants"), **_NOT_FOUND, **_UNPROCESSABLE},
                              ["conf_id", *_PAGED]),
        },
        "/api/v1/conferences/{conf_id}/participants/{id}": _PARTICIPANT_PATH,
        "/api/v1/callbacks/failed": {
            "get": _operation("List this account's callback deliveries that failed for good, newest first",
                              {"200": _json(_ref("FailedCallbackList"), _page_example(FAILED_CALLBACK_EXAMPLE),
                                            "a page of failed deliveries"), **_UNPROCESSABLE}, _PAGED),
        },
        "/api/v1/openapi.json": {
            "get": _operation("This document", {"200": {"description": "the OpenAPI document",
                                                        "content": {"application/json": {"schema": {
                                                            "type": "object"}}}}}, public=True),
        },
        "/api/v1/recordings/{recording_id}.wav": {
            "get": _operation("A recording made by <Record> (its id is the RecordingSid's UUID)",
                              {"200": {"description": "the recording",
                                       "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}},
                               **_NOT_FOUND}, ["recording_id"], public=True),
        },
        "/healthz": {
            "get": _operation("Health of this node: Redis answers",
                              {"200": _json(_ref("Health"), {"status": "ok", "node": "node-1"}, "healthy"),
                               "503": _json(_ref("Health"), {"status": "unavailable", "node": "node-1",
                                                             "redis": "Connection refused"}, "Redis is down")},
                              public=True),
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "an API key from `voxctl accounts create NAME`"}},
        "parameters": {
            "id": {"name": "id", "in": "path", "required": True, "schema": _UUID},
            "conf_id": {"name": "conf_id", "in": "path", "required": True, "schema": _UUID},
            "recording_id": {"name": "recording_id", "in": "path", "required": True, "schema": _UUID},
            "page": {"name": "page", "in": "query", "description": "page number from 1; default 1",
                     "schema": {"type": "integer", "minimum": 1, "default": 1}},
            "page_size": {"name": "page_size", "in": "query",
                          "description": f"results per page; default {DEFAULT_PAGE_SIZE}",
                          "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE,
                                     "default": DEFAULT_PAGE_SIZE}},
        },
        "responses": {
            "NoContent": {"description": "done"},
            "Unauthorized": _error(401, "unauthorized: the provided API key is not valid"),
            "NotFound": _error(404, f"call {CALL_ID} not found"),
            "Unprocessable": _error(422, "voxXML: root element \"Response\" missing", 5105),
            "TooLarge": _error(413, "request body too large"),
            "ServerError": _json(_ref("Error"), {"error": {
                "code": 500, "description": "internal server error; quote error_id e2b5...",
                "error_id": "e2b5c1d0-7d1c-4a47-9d6e-2f0f5e0c9a11"}}, "internal server error"),
        },
        "schemas": {
            "Error": {
                "type": "object", "required": ["error"],
                "properties": {"error": {
                    "type": "object", "required": ["code", "description"],
                    "properties": {
                        "code": {"type": "integer",
                                 "description": "the HTTP status, or the VoxXML error code (5105, 5106)"},
                        "description": {"type": "string"},
                        "error_id": {"type": "string", "description": "500 only: quote it to the operator"},
                    },
                }},
            },
            "RecordError": {
                "type": "object", "description": "why the call, conference or participant failed",
                "required": ["code", "description"],
                "properties": {"code": {"type": "integer"}, "description": {"type": "string"}, "time": _TIME},
            },
            "Call": _record("A call; fields that do not apply are omitted",
                            ["id", "to", "from", "status", "created_time", "modified_time"], {
                                "id": _UUID,
                                "to": _string("E.164 number the call was addressed to"),
                                "from": _string("E.164 number the call was made from"),
                                "status": _string("current state", enum=list(CallStatus.ALL)),
                                "created_time": _TIME, "modified_time": _TIME,
                                "answer_time": _TIME, "hangup_time": _TIME,
                            }),
            "Conference": _record("A conference room; fields that do not apply are omitted",
                                  ["id", "name", "status", "created_time", "modified_time"], {
                                      "id": _UUID,
                                      "name": _string("the room name"),
                                      "status": _string("current state", enum=list(ConferenceStatus.ALL)),
                                      "created_time": _TIME, "modified_time": _TIME,
                                  }),
            "Participant": _record("A conference member; its id is its call's id",
                                   ["id", "created_time", "modified_time", "conference_id"], {
                                       "id": _UUID,
                                       "label": _string("participantLabel of its <Conference>"),
                                       "created_time": _TIME, "modified_time": _TIME, "joined_time": _TIME,
                                       "conference_id": _UUID,
                                   }),
            "CallList": _page_of("Call"),
            "ConferenceList": _page_of("Conference"),
            "ParticipantList": _page_of("Participant"),
            "FailedCallback": {
                "type": "object", "description": "A callback that was not delivered (retries exhausted, 4xx, "
                                                 "dropped from a full queue, or left at shutdown)",
                "required": ["time", "call_id", "kind", "flavour", "method", "url", "attempts", "error"],
                "properties": {
                    "time": _string("when it was given up (UTC)", format="date-time"),
                    "call_id": _string("the call, or the conference for conference events"),
                    "kind": _string("status, conference, gather, ..."),
                    "flavour": _string("voxxml or twiml", enum=["voxxml", "twiml"]),
                    "method": _string("GET or POST", enum=["GET", "POST"]),
                    "url": _string("the callback URL"),
                    "attempts": {"type": "integer", "description": "deliveries tried (0: never tried)"},
                    "error": _string("why the last attempt failed"),
                    "payload": {"type": "object", "description": "the event's parameters, as they were sent"},
                },
            },
            "FailedCallbackList": _page_of("FailedCallback"),
            "CallCreate": {
                "type": "object", "required": ["to", "from", "voxXML"],
                "properties": {
                    "to": _string("the number to dial: E.164, up to 15 digits, an optional leading + dropped",
                                  pattern=r"^\+?[0-9]{1,15}$"),
                    "from": _string("the number to call from (E.164)", pattern=r"^\+?[0-9]{1,15}$"),
                    "voxXML": _string("the VoxXML to run once the call is answered; refused now if invalid"),
                },
            },
            "Document": {
                "type": "object", "required": ["voxXML"],
                "properties": {"voxXML": _string("VoxXML to run instead of the running document")},
            },
            "ParticipantDocument": {
                "type": "object",
                "description": "the document under voxXML or xml (the spec shows both)",
                "properties": {"voxXML": _string("VoxXML for this participant"),
                               "xml": _string("the same, under the other name")},
            },
            "Health": {
                "type": "object", "required": ["status", "node"],
                "properties": {"status": _string("ok or unavailable", enum=["ok", "unavailable"]),
                               "node": _string("this node's id"),
                               "redis": _string("why Redis did not answer")},
            },
        },
    },
}


def document() -> Schema:
    """A copy of the OpenAPI document."""
    return copy.deepcopy(_DOCUMENT)
