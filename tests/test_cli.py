"""The `disclosure` command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from samples import RAW, SEED_NAMES, golden

from pipelines.extract.lake import read_table

DISCLOSURE = Path(sys.executable).with_name("disclosure")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DISCLOSURE), *args], capture_output=True, text=True, timeout=120)


def test_entry_point_is_installed() -> None:
    assert DISCLOSURE.exists()


def test_parse_prints_json_lines_with_spec_keys() -> None:
    result = _run("parse", *(str(RAW / name) for name in SEED_NAMES))
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 5
    for obj, name in zip(objects, SEED_NAMES, strict=True):
        expected = golden(name)
        assert obj["source"] == str(RAW / name)
        assert obj["tables"] == expected["tables"]
        for key in ("agency", "agency_as_written", "report_year", "published_on", "template"):
            assert key in obj
        assert isinstance(obj["findings"], list)
    t = objects[2]["tables"]
    assert objects[2]["agency"] == "余杭区商务局"
    assert t["requests"]["new_received"]["natural_person"] == 4
    assert t["active_disclosure"]["rules"]["issued"] == 0
    assert t["review_litigation"]["administrative_review"]["total"] == 0
    assert t["active_disclosure"]["administrative_licensing"]["decisions"] == 0
    assert t["active_disclosure"]["administrative_fees"]["amount"] == 0


def test_parse_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    result = _run("parse", str(tmp_path / "absent.txt"), str(RAW / SEED_NAMES[0]))
    assert result.returncode == 1
    assert (
        result.stderr.strip() == f"disclosure parse: cannot read {tmp_path / 'absent.txt'}: No such file or directory"
    )
    assert len(result.stdout.splitlines()) == 1  # the readable file is still parsed
    assert "Traceback" not in result.stderr


def test_extract_writes_the_lake_and_summarises(tmp_path: Path) -> None:
    result = _run("extract", "--raw", str(RAW), "--lake", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["ok:", "5", "reports"]
    assert "5 files (5 parsed, 0 unchanged, 0 removed), 1000 cells" in result.stdout
    assert read_table(tmp_path, "report_cells").height == 1000
    again = _run("extract", "--raw", str(RAW), "--lake", str(tmp_path))
    assert "5 files (0 parsed, 5 unchanged, 0 removed)" in again.stdout


def test_extract_missing_folder(tmp_path: Path) -> None:
    result = _run("extract", "--raw", str(tmp_path / "nope"), "--lake", str(tmp_path / "lake"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"disclosure extract: raw folder not found: {tmp_path / 'nope'}"
    assert "Traceback" not in result.stderr
