"""Routes without authentication: ``GET /healthz``, ``GET /metrics`` and the OpenAPI document.

``/healthz`` answers ``{"status": "ok", "node": node_id}`` when Redis answers a
PING, else 503 with ``"status": "unavailable"``. ``/metrics`` is this node's
metrics (``voxctl.metrics``) in the Prometheus text format; like ``/healthz`` it
takes no key, so keep the API port private or filter ``/metrics`` at the proxy
(README.rst, "Metrics"). ``/api/v1/openapi.json`` describes the native API
(``voxctl.api.openapi``); it holds nothing secret, so it needs no key.

Every API request answered by the app is counted in ``voxctl_api_requests_total``
(by endpoint name, so the label set stays small).
"""
from __future__ import annotations

import logging
from typing import Any

import flask
import redis

from voxctl import metrics
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

    @bp.get("/metrics")
    def metrics_text() -> Any:
        body = metrics.REGISTRY.render(metrics.callback_metrics(services.callbacks.stats()))
        return flask.Response(body, content_type=metrics.CONTENT_TYPE)

    @bp.after_app_request
    def count_request(response: flask.Response) -> flask.Response:
        endpoint = flask.request.endpoint or "unmatched"
        metrics.API_REQUESTS.inc(endpoint=endpoint, status=response.status_code)
        return response

    @bp.get(PREFIX + "/openapi.json")
    def openapi() -> Any:
        return document()

    return bp
