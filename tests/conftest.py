"""Test set-up shared by the whole suite.

gevent's monkey patching comes first: the simulator, the engine, the document
servers and `requests` all share one process in the integration tests, so every
socket must cooperate. Fixtures live in ``tests/fixtures/``, one module per
real component (Redis, HTTP servers, the simulator, a running node) and the
accounts and API services the API tests share.
"""
from gevent import monkey

monkey.patch_all()

pytest_plugins = [
    "tests.fixtures.http",
    "tests.fixtures.redis",
    "tests.fixtures.sim",
    "tests.fixtures.api",
    "tests.fixtures.node",
]
