"""Routes without authentication: ``GET /healthz`` and the OpenAPI document.

``/healthz`` answers ``{"status": "ok", "node": node_id}`` when Redis answers a
PING, else 503 with ``"status": "unavailable"``. ``/api/v1/openapi.json`` describes
the native API (``voxctl.api.openapi``); it holds nothing secret, so it needs no key.
"""
from __future__ import annotations

import logging
from typing import Any

import flask
import redis

from voxctl.api.native import PREFIX
from voxctl.api.openapi import document
from voxctl.services import Services

log = logging.getLogger(__name__)


def blueprint(services: Services) -> flask.Blueprint:
    """The public routes of one node."""
    bp = flask.Blueprint("public", __name__)

    @bp.get("/healthz")
    def healthz() -> Any:
        try:
            services.redis.ping()
        except redis.RedisError as exc:
            log.warning("health check: Redis did not answer: %s", exc)
            return {"status": "unavailable", "node": services.node_id, "redis": str(exc)}, 503
        return {"status": "ok", "node": services.node_id}

    @bp.get(PREFIX + "/openapi.json")
    def openapi() -> Any:
        return document()

    return bp
