"""The native API over real services: a real Redis, a real ControlBus, a Flask test client.

``engine_node`` is a second ControlBus standing in for the node that holds a call or
conference: it claims targets over the real Redis and records every command it is sent
over real pub/sub. Records that the engine would write are written with the real store.
"""
from __future__ import annotations

import uuid

import gevent
import pytest

from voxctl.api import create_app
from voxctl.config import Settings
from voxctl.services import Services
from voxctl.store.bus import ControlBus
from voxctl.store.records import CallRecord, ConferenceRecord, ParticipantRecord
from voxctl.webhooks.callbacks import CallbackDispatcher
from voxctl.webhooks.client import HttpClient

MAX_REQUEST_BYTES = 64 * 1024
SAY = "<Response><Say>Hello</Say></Response>"


@pytest.fixture
def services(redis_client, store):
    settings = Settings.load(environ={}, node_id="api-node", max_request_bytes=MAX_REQUEST_BYTES)
    http = HttpClient(settings)
    bus = ControlBus(redis_client, settings.node_id)
    yield Services(settings=settings, redis=redis_client, store=store, bus=bus, http=http,
                   callbacks=CallbackDispatcher(http, settings, redis_client), node_id=settings.node_id)
    bus.stop()
    http.close()


@pytest.fixture
def app(services):
    return create_app(services)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def account(store):
    return Account(store, "acme")


@pytest.fixture
def other_account(store):
    return Account(store, "globex")


class Account:
    """An account with its API key, and helpers to write the records an engine would write."""

    def __init__(self, store, name: str) -> None:
        self.store = store
        self.record, secrets = store.accounts.create(name)
        self.id = self.record.id
        self.key = secrets.api_key
        self.headers = {"Authorization": f"Bearer {self.key}"}

    def call(self, status: str = "answered", to: str = "15556667777", **fields) -> CallRecord:
        return self.store.calls.create(CallRecord(account_id=self.id, direction="outbound-api", to=to,
                                                  from_="15556668888", status=status, **fields))

    def conference(self, name: str = "room1", status: str = "in_progress", **fields) -> ConferenceRecord:
        return self.store.conferences.create(ConferenceRecord(account_id=self.id, name=name, status=status,
                                                              **fields))

    def participant(self, conference: ConferenceRecord, status: str = "connected", **fields) -> ParticipantRecord:
        call = self.call()
        return self.store.participants.add(ParticipantRecord(call_id=call.id, conference_id=conference.id,
                                                             account_id=self.id, status=status, **fields))


class EngineNode:
    """Another node on the same Redis: claims targets and records the commands it receives."""

    def __init__(self, redis_server) -> None:
        self.client = redis_server.client()
        self.bus = ControlBus(self.client, "engine-node")
        self.received: list[tuple[str, dict]] = []
        self.bus.serve(lambda target, command: self.received.append((target, command)))

    def claim(self, target_id: str) -> None:
        assert self.bus.claim(target_id)

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[tuple[str, dict]]:
        with gevent.Timeout(timeout, AssertionError(f"{count} command(s) not received: {self.received}")):
            while len(self.received) < count:
                gevent.sleep(0.005)
        return self.received

    def settled(self) -> list[tuple[str, dict]]:
        """Every command received once all those sent so far have arrived (a probe sent last has)."""
        probe = str(uuid.uuid4())
        self.claim(probe)
        assert self.bus.send(probe, {"op": "probe"})
        with gevent.Timeout(5.0, AssertionError("the probe command did not arrive")):
            while (probe, {"op": "probe"}) not in self.received:
                gevent.sleep(0.005)
        self.received.remove((probe, {"op": "probe"}))
        return self.received

    def close(self) -> None:
        self.bus.stop()
        self.client.close()


@pytest.fixture
def engine_node(redis_server, redis_client):
    node = EngineNode(redis_server)
    yield node
    node.close()
