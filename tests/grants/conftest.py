from __future__ import annotations

import pytest

from tests.grants.fake_grantsgov import FakeGrantsGov


@pytest.fixture
def fake_grantsgov(settings):
    """A fake Grants.gov on 127.0.0.1 that the adapter is pointed at; short timeout for hangs."""
    fake = FakeGrantsGov().start()
    settings.GRANTSGOV_API_BASE = fake.base_url
    settings.GRANTSGOV_TIMEOUT_SECONDS = 0.5
    yield fake
    fake.stop()
