"""The API's one error shape: ``{"error": {"code": ..., "description": ...}}``.

``code`` is the HTTP status, except for documents refused at request time, where it
is the VoxXML error code (5105 root element missing, 5106 bad syntax) and the HTTP
status is 422. Handlers registered by :func:`install` turn every failure into that
shape: an :class:`ApiError` raised by a view, any werkzeug ``HTTPException`` (404 for
an unknown URL, 405, 413...), and any other exception, which answers 500 with an
``error_id`` that is also logged with the traceback.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

import flask
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

DESCRIPTIONS = {
    400: "bad request",
    404: "not found: the request URL and/or HTTP method was not found",
    413: "request body too large",
    500: "internal server error",
}


class ApiError(Exception):
    """Raised by a view to answer ``status`` with ``description`` (``code`` defaults to the status)."""

    def __init__(self, status: int, description: str, code: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.code = status if code is None else code
        self.headers = headers or {}


def error_response(status: int, description: str, code: int | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> flask.Response:
    """The JSON error response; ``extra`` fields go inside the ``error`` object."""
    body = {"code": status if code is None else code, "description": description, **extra}
    response = flask.jsonify({"error": body})
    response.status_code = status
    response.headers.extend(headers or {})
    return response


def not_found(kind: str, ident: str) -> ApiError:
    """The 404 for an id that does not exist or belongs to another account (never told apart)."""
    return ApiError(404, f"{kind} {ident} not found")


def unprocessable(field: str, reason: str) -> ApiError:
    """The 422 naming the request field at fault."""
    return ApiError(422, f"{field}: {reason}")


def _api_error(exc: ApiError) -> flask.Response:
    return error_response(exc.status, exc.description, exc.code, exc.headers)


def _http_error(exc: HTTPException) -> flask.Response:
    status = exc.code or 500
    allowed = getattr(exc, "valid_methods", None)
    if allowed:
        description = f"method {flask.request.method} not allowed here; allowed: {', '.join(sorted(allowed))}"
        return error_response(status, description, headers={"Allow": ", ".join(sorted(allowed))})
    return error_response(status, DESCRIPTIONS.get(status, exc.name.lower()))


def _unexpected(exc: Exception) -> flask.Response:
    error_id = str(uuid.uuid4())
    log.error("unhandled error %s on %s %s", error_id, flask.request.method, flask.request.path,
              exc_info=exc)
    return error_response(500, DESCRIPTIONS[500] + f"; quote error_id {error_id}", error_id=error_id)


def install(app: flask.Flask) -> None:
    """Register the JSON error handlers on ``app``."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
