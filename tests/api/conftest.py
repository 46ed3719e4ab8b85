"""The native API's app over the shared API ``services`` (``tests/fixtures/api.py``), and its Flask test client."""
from __future__ import annotations

import pytest

from voxctl.api import create_app


@pytest.fixture
def app(services):
    return create_app(services)


@pytest.fixture
def client(app):
    return app.test_client()
