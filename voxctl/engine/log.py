"""Loggers that put the call (or switch) identity on every line."""
from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any


class CallLogger(logging.LoggerAdapter):
    """Prefixes every message with ``[<call uuid>]`` and adds ``call_uuid`` to the record."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        call_uuid = self.extra["call_uuid"] if self.extra else "-"
        kwargs["extra"] = {**kwargs.get("extra", {}), "call_uuid": call_uuid}
        return f"[{call_uuid}] {msg}", kwargs


def call_logger(name: str, call_uuid: str) -> CallLogger:
    """The logger ``name`` bound to one call."""
    return CallLogger(logging.getLogger(name), {"call_uuid": call_uuid})
