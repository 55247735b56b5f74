"""The sample corpus (data/raw: the five seed reports) and its hand-checked golden values, for
any test module to import (conftest.py holds only fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLDEN = Path(__file__).resolve().parent / "golden"
SEED_NAMES = sorted(p.name for p in RAW.glob("*.txt"))


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{Path(name).stem}.json").read_text(encoding="utf-8"))


def seed_text(name: str) -> str:
    return (RAW / name).read_text(encoding="utf-8")
