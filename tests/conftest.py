"""Shared fixtures. Shared values and helpers are in samples.py (import them from there)."""

from __future__ import annotations

import pytest

# The report site's tests: the session's headless Chromium, and the pages a test opened closed after it.
from browser import _close_pages, browser  # noqa: F401  (fixtures, see tests/browser.py)
from samples import SEED_NAMES


@pytest.fixture(params=SEED_NAMES)
def seed_name(request: pytest.FixtureRequest) -> str:
    return request.param
