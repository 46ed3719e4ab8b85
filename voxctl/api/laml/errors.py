"""Twilio's error shape: ``{"code", "message", "more_info", "status"}``, with Twilio's numbers.

Views raise :class:`TwilioError` (built with the constructors below); :func:`install`
registers the handlers on the LaML blueprints, so failures inside them (an unknown
path under an account, a method the resource does not take, a body over the size
limit, an unexpected exception) answer in the same shape and never in the native
API's.
"""
from __future__ import annotations

import logging
import uuid

import flask
from werkzeug.exceptions import HTTPException

from voxctl.xml import DocumentError

log = logging.getLogger(__name__)

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

# Twilio's error numbers
INVALID_PARAMETER = 20001
AUTHENTICATE = 20003
METHOD_NOT_ALLOWED = 20004
NOT_COMPLETE = 20009  # cannot delete a call before it has ended
NOT_FOUND = 20404
INTERNAL = 20500
TO_MISSING = 21201
URL_INVALID = 21205
SEND_DIGITS_INVALID = 21206
TIMEOUT_INVALID = 21208
METHOD_INVALID = 21209
TO_INVALID = 21211
FROM_INVALID = 21212
FROM_MISSING = 21213
APPLICATION_INVALID = 21218
CALL_STATE_INVALID = 21220
STATUS_CALLBACK_EVENT_INVALID = 21626
DOCUMENT_PARSE_FAILURE = 12100


class TwilioError(Exception):
    """Answer ``status`` with Twilio error ``code`` and ``message``."""

    def __init__(self, status: int, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def response(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> flask.Response:
    """The JSON error response."""
    body = flask.jsonify({"code": code, "message": message, "more_info": MORE_INFO.format(code=code),
                          "status": status})
    body.status_code = status
    body.headers.extend(headers or {})
    return body


def invalid(code: int, message: str) -> TwilioError:
    """A 400 for a request parameter (``code`` names which problem)."""
    return TwilioError(400, code, message)


def not_found() -> TwilioError:
    """The 404 for the requested path: an unknown sid, another account's, or no such resource."""
    return TwilioError(404, NOT_FOUND, f"The requested resource {flask.request.path} was not found")


def not_live(kind: str, sid: str) -> TwilioError:
    """The 400 for a call, conference or participant that is not in progress on any node."""
    return invalid(CALL_STATE_INVALID, f"{kind} {sid} is not in-progress. Cannot modify it.")


def document_error(param: str, exc: DocumentError) -> TwilioError:
    """The 400 for a document the parser refused."""
    return invalid(DOCUMENT_PARSE_FAILURE, f"Document parse failure in {param}: {exc}")


def method_not_allowed(allowed: list[str]) -> TwilioError:
    """The 405 for a method the resource does not take."""
    return TwilioError(405, METHOD_NOT_ALLOWED,
                       f"Method {flask.request.method} not allowed; allowed: {', '.join(allowed)}",
                       {"Allow": ", ".join(allowed)})


def _twilio_error(exc: TwilioError) -> flask.Response:
    return response(exc.status, exc.code, exc.message, exc.headers)


def _http_error(exc: HTTPException) -> flask.Response:
    """HTTP failures without a Twilio number of their own (413...): the status is the code, as Twilio's 400/404."""
    status = exc.code or 500
    return response(status, status, exc.description or exc.name)


def _unexpected(exc: Exception) -> flask.Response:
    error_id = str(uuid.uuid4())
    log.error("unhandled error %s on %s %s", error_id, flask.request.method, flask.request.path, exc_info=exc)
    return response(500, INTERNAL, f"Internal server error; quote error_id {error_id}")


def install(blueprint: flask.Blueprint) -> None:
    """Answer every failure inside ``blueprint`` in Twilio's shape."""
    blueprint.register_error_handler(TwilioError, _twilio_error)
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(Exception, _unexpected)
