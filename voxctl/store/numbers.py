"""Called numbers -> the Application that answers them (``voxctl numbers add|list|remove``).

All bindings live in one hash (``keys.NUMBERS``), keyed by the normalised number:
telephone numbers lose their ``+`` and punctuation (``+1 (555) 010-0001`` and
``15550100001`` are one number, as the switch may present either); anything else
(``support``, ``sip:alice@example.com``) is kept as it is, trimmed.
"""
from __future__ import annotations

import re

import redis

from voxctl.store import keys
from voxctl.store.records import Application, from_json, to_json

_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]*$")


def normalize_number(number: str) -> str:
    """The stored form of a called number (see the module docstring)."""
    number = number.strip()
    return re.sub(r"[^0-9]", "", number) if _PHONE.match(number) else number


class Numbers:
    """Number -> Application bindings."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def add(self, number: str, app: Application) -> str:
        """Bind ``number`` (replacing any binding) and return its normalised form."""
        if not app.account_id or not app.url:
            raise ValueError("an application has an account and a URL")
        number = normalize_number(number)
        if not number:
            raise ValueError("empty number")
        self.redis.hset(keys.NUMBERS, number, to_json(app))
        return number

    def get(self, number: str) -> Application | None:
        """The application answering ``number``, or None."""
        stored = self.redis.hget(keys.NUMBERS, normalize_number(number))
        return from_json(Application, stored) if stored else None

    def list(self, account_id: str | None = None) -> dict[str, Application]:
        """Every binding (or one account's), by number."""
        apps = {number: from_json(Application, stored)
                for number, stored in sorted(self.redis.hgetall(keys.NUMBERS).items())}
        return {number: app for number, app in apps.items() if account_id is None or app.account_id == account_id}

    def remove(self, number: str) -> bool:
        """Unbind ``number``; False if it was not bound."""
        return bool(self.redis.hdel(keys.NUMBERS, normalize_number(number)))
