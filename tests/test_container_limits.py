"""Hostile containers (issue 17): a DOCX, a PDF and HTML pages built to unpack to far more than
their size. Each is refused with `file_too_complex`, naming the limit and the measured value,
without being inflated; beside good reports, the good reports' cells all reach the lake.

The bombs are built here, into tmp_path, by streaming through zlib: nothing is kept in git.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import polars as pl
import pytest
from report_formats import to_docx
from samples import RAW, ROOT, SEED_NAMES, golden

from pipelines.extract.read.formats import DOCX, HTML, PDF, Converted, convert, detect_format
from pipelines.extract.read.formats.limits import MAX_HTML_CELLS, MiB

DOCX_BOMB_BYTES = 1536 * MiB  # word/document.xml of the bomb: 1.5 GB inflated
_XML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_XML_TAIL = b"</w:body></w:document>"


def _good_docx() -> bytes:
    name = SEED_NAMES[1]
    return to_docx((RAW / name).read_text(encoding="utf-8"), golden(name))


def docx_bomb(path: Path, inflated: int = DOCX_BOMB_BYTES) -> Path:
    """A real .docx whose word/document.xml is replaced by `inflated` bytes of paragraphs."""
    good = zipfile.ZipFile(io.BytesIO(_good_docx()))
    paragraph = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>"
    chunk = paragraph * (MiB // len(paragraph))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in good.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, good.read(info.filename))
        with archive.open("word/document.xml", "w") as member:
            member.write(_XML_HEAD)
            written = len(_XML_HEAD) + len(_XML_TAIL)
            while written + len(chunk) <= inflated:
                member.write(chunk)
                written += len(chunk)
            member.write(b"\n" * (inflated - written) + _XML_TAIL)
    return path


def lying_docx(path: Path, inflated: int = 128 * MiB, declared: int = 40_000) -> Path:
    """A .docx whose zip headers declare word/document.xml at `declared` bytes, while its data
    inflates to `inflated`: the central directory passes every limit."""
    docx_bomb(path, inflated)
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        at = data.find(signature)
        while data[at + (30 if signature == b"PK\x03\x04" else 46) :][: len(name)] != name:
            at = data.find(signature, at + 4)
        data[at + size_at : at + size_at + 4] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def pdf_bomb(path: Path, inflated: int = 1024 * MiB) -> Path:
    """A one-page PDF whose content stream inflates to `inflated` bytes of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * MiB
    stream = b"".join(compressor.compress(chunk) for _ in range(inflated // MiB)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def deep_html(path: Path, depth: int = 100_000) -> Path:
    path.write_bytes(b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth + b"</body></html>")
    return path


def million_cells_html(path: Path, cells: int = 1_000_000) -> Path:
    path.write_bytes(b"<html><body><table><tr>" + b"<td>1</td>" * cells + b"</tr></table></body></html>")
    return path


def _refused_in_bounded_memory(data: bytes) -> tuple[Converted, int]:
    """convert() of the bytes, and the most Python allocated meanwhile (an inflated member or
    stream would be a bytes object of its size)."""
    tracemalloc.start()
    try:
        converted = convert(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert converted.text is None and converted.layout is None
    return converted, peak


def _finding(converted: Converted) -> tuple[str, str]:
    assert len(converted.findings) == 1
    return converted.findings[0].code, converted.findings[0].message


@pytest.mark.slow  # building the bomb deflates 1.5 GB (about 10 s)
def test_docx_bomb_is_refused_from_its_central_directory(tmp_path: Path) -> None:
    data = docx_bomb(tmp_path / "bomb.docx").read_bytes()
    assert len(data) < 5 * 10**6  # a few MB: far under the plan's 30 MB
    assert detect_format(data) == DOCX
    converted, peak = _refused_in_bounded_memory(data)
    assert _finding(converted) == (
        "file_too_complex",
        "word/document.xml inflates to 1,610,612,736 bytes, over the 16 MiB limit (limits.MAX_MEMBER_BYTES)",
    )
    assert converted.format == DOCX and peak < 64 * MiB


def test_docx_over_the_ratio_is_refused(tmp_path: Path) -> None:
    data = docx_bomb(tmp_path / "dense.docx", 12 * MiB).read_bytes()  # under the member size limit
    code, message = _finding(_refused_in_bounded_memory(data)[0])
    assert code == "file_too_complex"
    assert message.startswith("word/document.xml inflates ") and message.endswith(
        "times over, over the 100 limit (limits.MAX_RATIO)"
    )


@pytest.mark.parametrize(
    "members",
    [1_500, pytest.param(66_000, marks=pytest.mark.slow)],  # past 65,535, a zip64 end record holds the count
)
def test_docx_with_too_many_members_is_refused_before_zipfile_lists_them(tmp_path: Path, members: int) -> None:
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", _XML_HEAD + _XML_TAIL)
        for k in range(members):
            archive.writestr(f"word/media/{k}.bin", b"")
    data = path.read_bytes()
    assert detect_format(data) == DOCX
    assert _finding(_refused_in_bounded_memory(data)[0]) == (
        "file_too_complex",
        f"the zip declares {members + 1:,} members, over the 1,000 limit (limits.MAX_MEMBERS)",
    )


def test_docx_whose_directory_lies_is_not_inflated_past_its_declared_size(tmp_path: Path) -> None:
    data = lying_docx(tmp_path / "lying.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "lying.docx") as archive:
        assert archive.getinfo("word/document.xml").file_size == 40_000  # what the directory says
    converted, peak = _refused_in_bounded_memory(data)
    code, message = _finding(converted)
    # zipfile stops inflating at the declared size and finds the CRC wrong: a damaged file
    assert code == "not_text" and "Bad CRC-32 for file 'word/document.xml'" in message
    assert peak < 16 * MiB  # of the 128 MiB it would inflate to


def test_good_docx_is_read_as_before() -> None:
    converted = convert(_good_docx())
    assert converted.format == DOCX and converted.text and not converted.findings


@pytest.mark.slow  # building the bomb deflates 1 GiB (about 10 s); test_pdf_reader has a smaller one
def test_pdf_bomb_is_refused_before_pdfium_inflates_it(tmp_path: Path) -> None:
    data = pdf_bomb(tmp_path / "bomb.pdf").read_bytes()
    assert len(data) < 2 * 10**6
    converted, peak = _refused_in_bounded_memory(data)
    assert converted.format == PDF
    code, message = _finding(converted)
    assert code == "file_too_complex"
    assert message.endswith("bytes (a decompression bomb), over the 256 MiB limit (limits.MAX_INFLATED_BYTES)")
    measured = int(re.search(r"inflate to at least ([\d,]+) bytes", message).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert 256 * MiB < measured < 260 * MiB  # counted in chunks, up to just past the limit: never the whole GiB
    assert peak < 64 * MiB


def test_deeply_nested_page_is_refused_not_read_cut_short(tmp_path: Path) -> None:
    converted, _ = _refused_in_bounded_memory(deep_html(tmp_path / "deep.html").read_bytes())
    assert converted.format == HTML
    code, message = _finding(converted)
    assert code == "file_too_complex"
    assert message.startswith("the page nests elements deeper at line 1 (Excessive depth in document: 256")
    assert message.endswith("over the 256 limit (limits.MAX_HTML_DEPTH)")


def test_page_of_a_million_cells_is_refused_before_lxml_builds_it(tmp_path: Path) -> None:
    converted, peak = _refused_in_bounded_memory(million_cells_html(tmp_path / "cells.html").read_bytes())
    assert _finding(converted) == (
        "file_too_complex",
        f"the page has 1,000,000 table cells, over the {MAX_HTML_CELLS:,} limit (limits.MAX_HTML_CELLS)",
    )
    assert peak < 128 * MiB  # the page's bytes and texts: lxml's tree of it was 380 MB


def test_page_of_many_elements_and_one_huge_text_are_refused() -> None:
    many = b"<html><body>" + b"<span>x</span>" * 300_000 + b"</body></html>"
    assert _finding(convert(many)) == (
        "file_too_complex",
        "the page has 300,002 elements, over the 200,000 limit (limits.MAX_HTML_ELEMENTS)",
    )
    huge = b"<html><body><p>" + b"x" * 11_000_000 + b"</p></body></html>"  # lxml left it empty before
    code, message = _finding(convert(huge))
    assert code == "file_too_complex" and message.startswith("a text or an attribute of the page is longer at line 1")
    assert message.endswith("over the 10,000,000 limit (limits.MAX_HTML_TEXT_NODE_CHARS)")


# --- beside good reports, through the extraction ---------------------------------------------

_EXTRACT = """
import json, resource, sys
from pathlib import Path
from pipelines.extract.corpus import extract
extract(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)
peak = {who: resource.getrusage(getattr(resource, who)).ru_maxrss for who in ("RUSAGE_SELF", "RUSAGE_CHILDREN")}
print(json.dumps(peak))
"""


def _extract(raw: Path, lake: Path) -> dict[str, int]:
    """Extract in a process of its own: its peak resident memory (KiB), its own and its workers'.
    Linux carries the peak over from the forking test process, so the figure is an upper bound."""
    env = {"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", _EXTRACT, str(raw), str(lake)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _tables(lake: Path) -> dict[str, pl.DataFrame]:
    from pipelines.extract.lake import read_table

    return {name: read_table(lake, name) for name in ("reports", "report_cells", "report_findings")}


@pytest.mark.slow  # builds the bombs (about 15 s) and extracts twice
def test_bombs_beside_good_reports(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(RAW, seeds)
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    bombs = {
        "bomb.docx": docx_bomb(raw / "bomb.docx"),
        "lying.docx": lying_docx(raw / "lying.docx"),
        "bomb.pdf": pdf_bomb(raw / "bomb.pdf"),
        "deep.html": deep_html(raw / "deep.html"),
        "cells.html": million_cells_html(raw / "cells.html"),
    }
    _extract(seeds, tmp_path / "seeds-lake")
    peak = _extract(raw, tmp_path / "lake")
    alone, beside = _tables(tmp_path / "seeds-lake"), _tables(tmp_path / "lake")

    good = alone["reports"]["report_id"]
    assert good.len() == len(SEED_NAMES)
    order = sorted(alone["report_cells"].columns)
    cells = beside["report_cells"].filter(pl.col("report_id").is_in(good.implode()))
    assert cells.height > 0 and cells.select(order).sort(order).equals(alone["report_cells"].select(order).sort(order))

    reports = beside["reports"].join(beside["report_findings"], on="report_id", how="left")
    codes = {
        row["source_path"]: (row["status"], row["code"])
        for row in reports.filter(pl.col("source_path").is_in(list(bombs))).to_dicts()
    }
    expected_code = {name: "file_too_complex" for name in bombs} | {"lying.docx": "not_text"}
    assert codes == {name: ("rejected", code) for name, code in expected_code.items()}
    assert max(peak.values()) < 2 * 2**20  # KiB: under 2 GB, where the bomb took 23.8 GB
