"""Shared fixtures: the sample corpus in data/raw and its hand-checked golden values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# The report site's tests: the session's headless Chromium, and the pages a test opened closed after it.
from browser import _close_pages, browser  # noqa: F401  (fixtures, see tests/browser.py)

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLDEN = Path(__file__).resolve().parent / "golden"
SEED_NAMES = sorted(p.name for p in RAW.glob("*.txt"))


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{Path(name).stem}.json").read_text(encoding="utf-8"))


def seed_text(name: str) -> str:
    return (RAW / name).read_text(encoding="utf-8")


@pytest.fixture(params=SEED_NAMES)
def seed_name(request: pytest.FixtureRequest) -> str:
    return request.param
